package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// MaxRecordBytes is the longest CSV record OpenTable reads. A longer one is
// almost always a quote left open, which would otherwise make the rest of
// the file one field.
const MaxRecordBytes = 16 << 20

// MaxColumns is the most columns a table may have, as in Excel.
const MaxColumns = 16384

// MaxXLSXBytes is the largest workbook OpenTable reads. A workbook is read
// into memory whole; larger exports should be saved as CSV, which streams.
const MaxXLSXBytes = 256 << 20

// Row is one data row of a table.
type Row struct {
	// Number is the row as a spreadsheet numbers it: the header is row 1, the
	// first data row is row 2.
	Number int
	// Cells has one value per header column.
	Cells []string
}

// RowError is a problem with one row (and, when Column is set, one cell):
// the row is rejected and the import goes on. Its message names the row, as
// in `row 17, column "Billing Latitude": "abc" is not a number`.
//
// A *RowError is an Invalid error: derrors.KindOf reports derrors.Invalid and
// derrors.Message returns the whole message, row included.
type RowError struct {
	Row    int    // the row's Number
	Column string // the header of the cell at fault, or "" for the whole row
	Err    error  // what is wrong, without the row and column
}

// Error returns the message with the row, and the column when there is one.
func (e *RowError) Error() string {
	if e.Column != "" {
		return fmt.Sprintf("row %d, column %q: %v", e.Row, e.Column, e.Err)
	}
	return fmt.Sprintf("row %d: %v", e.Row, e.Err)
}

// Unwrap returns the underlying error.
func (e *RowError) Unwrap() error { return e.Err }

// As lets errors.As see e as a *derrors.Error of kind Invalid whose message
// is e's full message, so that derrors.KindOf and derrors.Message treat row
// errors as the user-facing errors they are.
func (e *RowError) As(target any) bool {
	if p, ok := target.(**derrors.Error); ok {
		*p = &derrors.Error{Kind: derrors.Invalid, Message: e.Error()}
		return true
	}
	return false
}

// causeError is an error with its own message and an underlying cause.
type causeError struct {
	msg   string
	cause error
}

func (e *causeError) Error() string { return e.msg }
func (e *causeError) Unwrap() error { return e.cause }

// Table is a header and a stream of rows read from a CSV or XLSX file.
// It is not safe for concurrent use.
type Table struct {
	header []string
	src    source
	err    error // sticky: io.EOF, errClosed or the error that ended reading
}

// source yields the records of a file: cells and row number, a *RowError
// (with whatever cells could be read) for a bad record, or io.EOF.
type source interface {
	next() ([]string, int, error)
	close() error
}

var errClosed = errors.New("importer: table is closed")

// OpenTable reads the header of a CSV or XLSX file and returns the table,
// ready for Next. The file is XLSX when it starts with the zip magic number
// or its name ends in .xlsx; otherwise it is CSV. filename is only used to
// choose the format and may be "".
//
// An empty file, a file without column names and a file that is not a
// readable workbook or CSV are Invalid errors.
func OpenTable(r io.Reader, filename string) (*Table, error) {
	cr := &countingReader{r: r, max: MaxRecordBytes}
	br := bufio.NewReaderSize(cr, 64<<10)
	magic, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("importer: reading %s: %w", displayName(filename), err)
	}
	ext := strings.ToLower(filepath.Ext(filename))
	switch {
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")) || ext == ".xlsx" || ext == ".xlsm":
		cr.max = -1 // the workbook is read whole, under its own limit
		return openXLSX(br, filename)
	case bytes.HasPrefix(magic, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, derrors.Invalidf("%s is a legacy Excel .xls workbook or a password-protected one: save it as .xlsx (without a password) or as CSV UTF-8", displayName(filename))
	}
	return openCSV(cr, br)
}

func displayName(filename string) string {
	if filename == "" {
		return "the file"
	}
	return strconv.Quote(filepath.Base(filename))
}

// Header returns the column names: trimmed, unique (a repeated name gets a
// " (2)", " (3)"… suffix, compared case-insensitively) and never empty (an
// unnamed column is called "Column N"; unnamed columns at the end are
// dropped). The slice must not be modified.
func (t *Table) Header() []string { return t.header }

// Next returns the next data row, with exactly one cell per header column.
// At the end of the table it returns io.EOF. A row that cannot be read
// gives a *RowError, with its Number and whatever cells could be read, and
// the next call goes on with the following row. Any other error ends the
// table and is returned again by later calls.
func (t *Table) Next() (Row, error) {
	if t.err != nil {
		return Row{}, t.err
	}
	cells, n, err := t.src.next()
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return Row{Number: n, Cells: t.pad(cleanCells(cells))}, err
		}
		t.err = err
		t.src.close()
		return Row{}, err
	}
	cells = cleanCells(cells)
	if len(cells) > len(t.header) {
		for i := len(t.header); i < len(cells); i++ {
			if strings.TrimSpace(cells[i]) != "" {
				return Row{Number: n, Cells: cells}, &RowError{Row: n, Err: fmt.Errorf(
					"%d cells but the header has %d columns: cell %d (%q) belongs to no column", len(cells), len(t.header), i+1, clip(cells[i]))}
			}
		}
		cells = cells[:len(t.header)]
	}
	return Row{Number: n, Cells: t.pad(cells)}, nil
}

// pad extends cells to the header's length with empty strings.
func (t *Table) pad(cells []string) []string {
	if len(cells) >= len(t.header) {
		return cells
	}
	out := make([]string, len(t.header))
	copy(out, cells)
	return out
}

// Close releases what the table holds (a workbook's temporary files). Next
// returns an error after Close. Reading to io.EOF closes the table too.
func (t *Table) Close() error {
	if t.err == io.EOF || t.err == errClosed {
		t.err = errClosed
		return nil
	}
	if t.err != nil {
		return nil // already closed when the error ended the table
	}
	t.err = errClosed
	return t.src.close()
}

// cleanCells makes every cell valid UTF-8 without NUL bytes, in place.
func cleanCells(cells []string) []string {
	for i, c := range cells {
		// Most cells are short and ASCII: one plain loop beats two calls.
		for j := 0; j < len(c); j++ {
			if b := c[j]; b == 0 || b >= utf8.RuneSelf {
				cells[i] = cleanCell(c)
				break
			}
		}
	}
	return cells
}

// cleanCell replaces invalid UTF-8 with U+FFFD and drops NUL bytes, which
// databases refuse.
func cleanCell(c string) string {
	if !utf8.ValidString(c) {
		c = strings.ToValidUTF8(c, "\uFFFD")
	}
	if strings.IndexByte(c, 0) >= 0 {
		c = strings.ReplaceAll(c, "\x00", "")
	}
	return c
}

// makeHeader cleans the header cells: trimmed, never empty, unique.
func makeHeader(cells []string) ([]string, error) {
	cells = cleanCells(cells)
	h := make([]string, len(cells))
	blank := true
	for i, c := range cells {
		h[i] = strings.TrimSpace(strings.Trim(strings.TrimSpace(c), "\uFEFF"))
		if h[i] != "" {
			blank = false
		}
	}
	if blank {
		return nil, derrors.Invalidf("row 1: the header row is blank: expected column names")
	}
	// Trailing unnamed columns are a trailing delimiter or cells a
	// spreadsheet merely formatted; values under them belong to no column.
	for h[len(h)-1] == "" {
		h = h[:len(h)-1]
	}
	if len(h) > MaxColumns {
		return nil, derrors.Invalidf("row 1: the header has %d columns; at most %d", len(h), MaxColumns)
	}
	used := make(map[string]bool, len(h))
	next := map[string]int{} // the next suffix to try for a name
	for i, name := range h {
		if name == "" {
			name = fmt.Sprintf("Column %d", i+1)
		}
		if key := strings.ToLower(name); used[key] {
			for k := max(next[key], 2); ; k++ {
				alt := fmt.Sprintf("%s (%d)", name, k)
				if !used[strings.ToLower(alt)] {
					name, next[key] = alt, k+1
					break
				}
			}
		}
		used[strings.ToLower(name)] = true
		h[i] = name
	}
	return h, nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// errRecordTooLarge is what countingReader returns once a record outgrows
// MaxRecordBytes.
var errRecordTooLarge = errors.New("record too large")

// countingReader counts the bytes read since the last reset and fails, for
// good, once they pass max (when max ≥ 0).
type countingReader struct {
	r   io.Reader
	n   int64
	max int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.max >= 0 && c.n > c.max {
		c.err = errRecordTooLarge
		return 0, c.err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) reset() { c.n = 0 }

// csvSource reads records with encoding/csv.
type csvSource struct {
	r         *csv.Reader
	cr        *countingReader
	n         int // records read, header included
	lineShift int // physical lines before the ones encoding/csv counts
}

var utf8BOM = []byte("\xEF\xBB\xBF")

func openCSV(cr *countingReader, br *bufio.Reader) (*Table, error) {
	if b, _ := br.Peek(3); bytes.Equal(b, utf8BOM) {
		br.Discard(3)
	}
	if b, _ := br.Peek(2); bytes.Equal(b, []byte{0xFF, 0xFE}) || bytes.Equal(b, []byte{0xFE, 0xFF}) {
		return nil, derrors.Invalidf("the file is UTF-16 text: save it as CSV UTF-8 (comma delimited) or as .xlsx")
	}
	head, err := br.Peek(br.Size())
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, fmt.Errorf("importer: reading CSV: %w", err)
	}
	comma, skip := sniffDelimiter(head)
	src := &csvSource{cr: cr}
	if skip > 0 {
		br.Discard(skip)
		src.lineShift = 1
	}
	r := csv.NewReader(br)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.LazyQuotes = false
	r.ReuseRecord = false
	src.r = r

	cells, _, err := src.next()
	if err == io.EOF {
		return nil, derrors.Invalidf("file is empty: expected a header row")
	}
	if err != nil {
		var re *RowError
		if errors.As(err, &re) {
			return nil, derrors.Invalidf("row 1 (the header): %v", re.Err)
		}
		return nil, err
	}
	header, err := makeHeader(cells)
	if err != nil {
		return nil, err
	}
	return &Table{header: header, src: src}, nil
}

func (s *csvSource) next() ([]string, int, error) {
	s.cr.reset()
	rec, err := s.r.Read()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	s.n++
	if err != nil {
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			return rec, s.n, &RowError{Row: s.n, Err: s.syntaxError(pe)}
		case errors.Is(err, errRecordTooLarge):
			return nil, s.n, derrors.Invalidf("row %d: the record is longer than %d MiB; is a quote left open?", s.n, MaxRecordBytes>>20)
		}
		return nil, s.n, fmt.Errorf("importer: reading row %d: %w", s.n, err)
	}
	return rec, s.n, nil
}

// syntaxError explains a csv.ParseError to someone who edits spreadsheets.
func (s *csvSource) syntaxError(pe *csv.ParseError) error {
	where := fmt.Sprintf("line %d, character %d", pe.Line+s.lineShift, pe.Column)
	var msg string
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		msg = fmt.Sprintf("malformed CSV at %s: a \" inside a field that is not quoted; quote the whole field and double the quotes inside it", where)
	case errors.Is(pe.Err, csv.ErrQuote):
		msg = fmt.Sprintf("malformed CSV at %s: a quoted field is not closed properly (a \" is missing or extra)", where)
	default:
		msg = fmt.Sprintf("malformed CSV at %s: %v", where, pe.Err)
	}
	return &causeError{msg: msg, cause: pe}
}

func (s *csvSource) close() error { return nil }

// sniffDelimiter picks the delimiter of the header line, the first line
// that is not blank: whichever of comma, semicolon and tab occurs most often
// outside quotes (ties in that order; comma when there are none). An Excel
// "sep=X" line ahead of the header names the delimiter; skip is then its
// length, to be discarded.
func sniffDelimiter(head []byte) (comma rune, skip int) {
	if line, rest, ok := bytes.Cut(head, []byte("\n")); ok || len(rest) == 0 {
		l := bytes.TrimSuffix(line, []byte("\r"))
		if len(l) == 5 && bytes.HasPrefix(bytes.ToLower(l), []byte("sep=")) {
			if c := rune(l[4]); c != '"' && c != '\r' && c != '\n' && c != ' ' && c < utf8.RuneSelf {
				return c, len(line) + 1
			}
		}
	}
	var counts [3]int // , ; \t
	inQuote, started := false, false
scan:
	for _, c := range head {
		switch c {
		case '"':
			inQuote = !inQuote
		case '\n':
			if !inQuote && started {
				break scan
			}
		case ',':
			if !inQuote {
				counts[0]++
			}
		case ';':
			if !inQuote {
				counts[1]++
			}
		case '\t':
			if !inQuote {
				counts[2]++
			}
		}
		if c != '\n' && c != '\r' {
			started = true
		}
	}
	comma, best := ',', counts[0]
	if counts[1] > best {
		comma, best = ';', counts[1]
	}
	if counts[2] > best {
		comma = '\t'
	}
	return comma, 0
}
