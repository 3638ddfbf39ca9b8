package importer

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// xlsxSource reads the rows of a workbook's first sheet.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	n    int // the sheet row of the last row read
}

// errWorkbookTooLarge is what maxReader returns past MaxXLSXBytes.
var errWorkbookTooLarge = errors.New("workbook too large")

// maxReader fails once more than max bytes have been read, and remembers
// the errors of the reader beneath, which are not the workbook's fault.
type maxReader struct {
	r   io.Reader
	max int64
	err error
}

func (m *maxReader) Read(p []byte) (int, error) {
	if m.max < 0 {
		return 0, errWorkbookTooLarge
	}
	if int64(len(p)) > m.max+1 {
		p = p[:m.max+1]
	}
	n, err := m.r.Read(p)
	m.max -= int64(n)
	if m.max < 0 {
		return n, errWorkbookTooLarge
	}
	if err != nil && err != io.EOF {
		m.err = err
	}
	return n, err
}

func openXLSX(r io.Reader, filename string) (t *Table, err error) {
	name := displayName(filename)
	defer func() {
		// excelize parses untrusted input; a damaged workbook must not
		// take the process down.
		if p := recover(); p != nil {
			t, err = nil, derrors.Invalidf("%s is not a readable XLSX workbook (it is damaged: %v)", name, p)
		}
	}()
	mr := &maxReader{r: r, max: MaxXLSXBytes}
	f, err := excelize.OpenReader(mr, excelize.Options{
		// Dates in the built-in short date formats read back as ISO dates.
		ShortDatePattern: "yyyy-mm-dd",
		LongTimePattern:  "hh:mm:ss",
		UnzipSizeLimit:   4 << 30,
	})
	if err != nil {
		if errors.Is(err, errWorkbookTooLarge) {
			return nil, derrors.Invalidf("%s is larger than %d MiB: save it as CSV, which has no size limit", name, MaxXLSXBytes>>20)
		}
		if mr.err != nil {
			return nil, fmt.Errorf("importer: reading %s: %w", name, mr.err)
		}
		return nil, derrors.Invalidf("%s is not a readable XLSX workbook: %v", name, err)
	}
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		f.Close()
		return nil, derrors.Invalidf("%s has no worksheet", name)
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		f.Close()
		return nil, derrors.Invalidf("%s: cannot read sheet %q: %v", name, sheets[0], err)
	}
	src := &xlsxSource{f: f, rows: rows}
	cells, n, err := src.next()
	if err == io.EOF {
		src.close()
		return nil, derrors.Invalidf("file is empty: expected a header row (sheet %q of %s has no rows)", sheets[0], name)
	}
	if err != nil {
		src.close()
		var re *RowError
		if errors.As(err, &re) {
			return nil, derrors.Invalidf("row %d (the header): %v", n, re.Err)
		}
		return nil, err
	}
	header, err := makeHeader(cells)
	if err != nil {
		src.close()
		return nil, derrors.Invalidf("row %d: the header row is blank: expected column names", n)
	}
	return &Table{header: header, src: src}, nil
}

// next returns the next row that has a value, numbered as in the sheet.
func (s *xlsxSource) next() (cells []string, n int, err error) {
	defer func() {
		if p := recover(); p != nil {
			cells, err = nil, derrors.Invalidf("row %d: the workbook is damaged: %v", s.n, p)
		}
	}()
	for s.rows.Next() {
		s.n++
		cols, err := s.rows.Columns()
		if err != nil {
			return nil, s.n, &RowError{Row: s.n, Err: fmt.Errorf("cannot read the cells: %v", err)}
		}
		for _, c := range cols {
			if strings.TrimSpace(c) != "" {
				return cols, s.n, nil
			}
		}
	}
	if err := s.rows.Error(); err != nil {
		return nil, s.n, derrors.Invalidf("row %d: cannot read the sheet: %v", s.n+1, err)
	}
	return nil, 0, io.EOF
}

func (s *xlsxSource) close() error {
	err := s.rows.Close()
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}
