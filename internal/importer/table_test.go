package importer

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// result is one outcome of Table.Next, for comparison.
type result struct {
	Number int
	Cells  []string
	Err    string // the *RowError's message, or ""
}

// readAll reads a table to the end, stopping at any error that is not a
// *RowError.
func readAll(t *testing.T, tab *Table) []result {
	t.Helper()
	var out []result
	for {
		row, err := tab.Next()
		if err == io.EOF {
			return out
		}
		r := result{Number: row.Number, Cells: row.Cells}
		if err != nil {
			var re *RowError
			if !errors.As(err, &re) {
				t.Fatalf("Next() = %v, want a *RowError or io.EOF", err)
			}
			r.Err = err.Error()
		}
		out = append(out, r)
	}
}

func TestOpenTableCSV(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		wantHeader []string
		want       []result
	}{
		{
			name:       "BOM, CRLF, quoted newline, semicolons",
			in:         "\xEF\xBB\xBFName;City;Notes\r\n\"Acme; Inc\";Paris;\"line one\r\nline two\"\r\nBeta;Lyon;\r\n",
			wantHeader: []string{"Name", "City", "Notes"},
			want: []result{
				{Number: 2, Cells: []string{"Acme; Inc", "Paris", "line one\nline two"}},
				{Number: 3, Cells: []string{"Beta", "Lyon", ""}},
			},
		},
		{
			name:       "tab delimiter",
			in:         "id\tname\tnote\n1\tAcme, Inc\t\"say \"\"hi\"\"\"\n",
			wantHeader: []string{"id", "name", "note"},
			want:       []result{{Number: 2, Cells: []string{"1", "Acme, Inc", `say "hi"`}}},
		},
		{
			name:       "commas inside quotes do not choose the delimiter",
			in:         "\"Last, First\";\"a,b,c\";x\n1;2;3\n",
			wantHeader: []string{"Last, First", "a,b,c", "x"},
			want:       []result{{Number: 2, Cells: []string{"1", "2", "3"}}},
		},
		{
			name:       "Excel sep line",
			in:         "sep=|\r\na|b\r\n1|2\r\n",
			wantHeader: []string{"a", "b"},
			want:       []result{{Number: 2, Cells: []string{"1", "2"}}},
		},
		{
			name:       "ragged rows: short padded, empty extras dropped, values in extras rejected",
			in:         "a,b,c\n1\n1,2,3,,\n1,2,3,4\n5,6,7\n",
			wantHeader: []string{"a", "b", "c"},
			want: []result{
				{Number: 2, Cells: []string{"1", "", ""}},
				{Number: 3, Cells: []string{"1", "2", "3"}},
				{Number: 4, Cells: []string{"1", "2", "3", "4"}, Err: `row 4: 4 cells but the header has 3 columns: cell 4 ("4") belongs to no column`},
				{Number: 5, Cells: []string{"5", "6", "7"}},
			},
		},
		{
			name:       "bare quote is one bad row; reading goes on",
			in:         "a,b\n1,x\"y\n2,ok\n",
			wantHeader: []string{"a", "b"},
			want: []result{
				{Number: 2, Cells: []string{"1", ""}, Err: `row 2: malformed CSV at line 2, character 4: a " inside a field that is not quoted; quote the whole field and double the quotes inside it`},
				{Number: 3, Cells: []string{"2", "ok"}},
			},
		},
		{
			name:       "stray text after a closing quote",
			in:         "a,b\n\"x\"y,1\n3,4\n",
			wantHeader: []string{"a", "b"},
			want: []result{
				{Number: 2, Cells: []string{"", ""}, Err: `row 2: malformed CSV at line 2, character 3: a quoted field is not closed properly (a " is missing or extra)`},
				{Number: 3, Cells: []string{"3", "4"}},
			},
		},
		{
			name:       "quote left open to the end",
			in:         "a,b\n1,2\n3,\"open\n4,5\n",
			wantHeader: []string{"a", "b"},
			want: []result{
				{Number: 2, Cells: []string{"1", "2"}},
				{Number: 3, Cells: []string{"3", ""}, Err: `row 3: malformed CSV at line 4, character 5: a quoted field is not closed properly (a " is missing or extra)`},
			},
		},
		{
			name:       "duplicate and empty headers",
			in:         " City ,city,CITY,,Name\n1,2,3,4,5\n",
			wantHeader: []string{"City", "city (2)", "CITY (3)", "Column 4", "Name"},
			want:       []result{{Number: 2, Cells: []string{"1", "2", "3", "4", "5"}}},
		},
		{
			name:       "trailing unnamed columns are dropped",
			in:         "a,b,,\n1,2,,\n3,4,,x\n",
			wantHeader: []string{"a", "b"},
			want: []result{
				{Number: 2, Cells: []string{"1", "2"}},
				{Number: 3, Cells: []string{"3", "4", "", "x"}, Err: `row 3: 4 cells but the header has 2 columns: cell 4 ("x") belongs to no column`},
			},
		},
		{
			name:       "blank lines are skipped and not counted",
			in:         "\n\na\n\n1\n\n2",
			wantHeader: []string{"a"},
			want:       []result{{Number: 2, Cells: []string{"1"}}, {Number: 3, Cells: []string{"2"}}},
		},
		{
			name:       "invalid UTF-8 replaced, NUL dropped",
			in:         "a,b\nCaf\xe9,x\x00y\n",
			wantHeader: []string{"a", "b"},
			want:       []result{{Number: 2, Cells: []string{"Caf\uFFFD", "xy"}}},
		},
		{
			name:       "header only",
			in:         "a,b,c",
			wantHeader: []string{"a", "b", "c"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := OpenTable(strings.NewReader(tt.in), "x.csv")
			if err != nil {
				t.Fatalf("OpenTable() = %v, want no error", err)
			}
			if diff := cmp.Diff(tt.wantHeader, tab.Header()); diff != "" {
				t.Errorf("Header() mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, readAll(t, tab)); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
			if _, err := tab.Next(); err != io.EOF {
				t.Errorf("Next() after the end = %v, want io.EOF", err)
			}
		})
	}
}

func TestOpenTableErrors(t *testing.T) {
	tests := []struct {
		name, in, filename, want string
	}{
		{"empty", "", "a.csv", "file is empty: expected a header row"},
		{"only a BOM", "\xEF\xBB\xBF", "a.csv", "file is empty: expected a header row"},
		{"only blank lines", "\r\n\n\r\n", "a.csv", "file is empty: expected a header row"},
		{"blank header", " , ,\n1,2,3\n", "a.csv", "row 1: the header row is blank: expected column names"},
		{"UTF-16", "\xFF\xFEa\x00", "a.csv", "the file is UTF-16 text: save it as CSV UTF-8 (comma delimited) or as .xlsx"},
		{"legacy xls", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "old.xls", `"old.xls" is a legacy Excel .xls workbook or a password-protected one: save it as .xlsx (without a password) or as CSV UTF-8`},
		{"too many columns", strings.Repeat("a,", MaxColumns) + "a\n", "a.csv", "row 1: the header has 16385 columns; at most 16384"},
		{"broken header", "a,\"b\nc", "a.csv", `row 1 (the header): malformed CSV at line 2, character 2: a quoted field is not closed properly (a " is missing or extra)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenTable(strings.NewReader(tt.in), tt.filename)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("OpenTable(%q) = %v, want %q", tt.in, err, tt.want)
			}
			if !derrors.Is(err, derrors.Invalid) {
				t.Errorf("KindOf(OpenTable(%q)) = %v, want invalid", tt.in, derrors.KindOf(err))
			}
		})
	}
}

// TestManyDuplicateHeaders checks that naming thousands of equal headers
// takes linear time, not quadratic.
func TestManyDuplicateHeaders(t *testing.T) {
	in := strings.Repeat("Phone #,", MaxColumns-1) + "Name\n"
	tab, err := OpenTable(strings.NewReader(in), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	h := tab.Header()
	if got, want := h[MaxColumns-2], fmt.Sprintf("Phone # (%d)", MaxColumns-1); got != want {
		t.Errorf("Header()[%d] = %q, want %q", MaxColumns-2, got, want)
	}
	m, err := NewAccountMapping(h, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Columns()[1].Field, "custom.Phone 2"; got != want {
		t.Errorf("Columns()[1].Field = %q, want %q", got, want)
	}
}

func TestRowErrorIsInvalid(t *testing.T) {
	err := error(&RowError{Row: 17, Column: "Billing Latitude", Err: errors.New(`"abc" is not a number`)})
	const want = `row 17, column "Billing Latitude": "abc" is not a number`
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got := derrors.KindOf(err); got != derrors.Invalid {
		t.Errorf("KindOf() = %v, want %v", got, derrors.Invalid)
	}
	if got := derrors.Message(err); got != want {
		t.Errorf("Message() = %q, want %q", got, want)
	}
	wrapped := fmt.Errorf("import: %w", err)
	var re *RowError
	if !errors.As(wrapped, &re) || re.Row != 17 {
		t.Errorf("errors.As(wrapped, *RowError) = %v, %v; want row 17", re, errors.As(wrapped, &re))
	}
}

// repeatReader yields n bytes of b.
type repeatReader struct {
	b byte
	n int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	p = p[:min(len(p), r.n)]
	for i := range p {
		p[i] = r.b
	}
	r.n -= len(p)
	return len(p), nil
}

func TestRecordTooLarge(t *testing.T) {
	in := io.MultiReader(strings.NewReader("a,b\n1,2\n3,\"never closed "), &repeatReader{b: 'x', n: MaxRecordBytes + 1<<20})
	tab, err := OpenTable(in, "big.csv")
	if err != nil {
		t.Fatalf("OpenTable() = %v", err)
	}
	if row, err := tab.Next(); err != nil || row.Number != 2 {
		t.Fatalf("Next() = %v, %v; want row 2", row, err)
	}
	_, err = tab.Next()
	const want = "row 3: the record is longer than 16 MiB; is a quote left open?"
	if err == nil || err.Error() != want || !derrors.Is(err, derrors.Invalid) {
		t.Fatalf("Next() = %v, want Invalid %q", err, want)
	}
	if _, again := tab.Next(); again != err {
		t.Errorf("Next() after a fatal error = %v, want the same error", again)
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadErrorEndsTable(t *testing.T) {
	boom := errors.New("disk on fire")
	data := "a,b\n" + strings.Repeat("1,2\n", 100_000)
	tab, err := OpenTable(&failingReader{data: []byte(data), err: boom}, "x.csv")
	if err != nil {
		t.Fatalf("OpenTable() = %v", err)
	}
	for range 100_000 {
		if _, err := tab.Next(); err != nil {
			t.Fatalf("Next() = %v, want a row", err)
		}
	}
	_, err = tab.Next()
	var re *RowError
	if !errors.Is(err, boom) || errors.As(err, &re) {
		t.Errorf("Next() = %v, want an error wrapping %v that is not a *RowError", err, boom)
	}
}

func TestClose(t *testing.T) {
	tab, err := OpenTable(strings.NewReader("a\n1\n2\n"), "x.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := tab.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if _, err := tab.Next(); err == nil || err == io.EOF {
		t.Errorf("Next() after Close = %v, want an error", err)
	}
	if err := tab.Close(); err != nil {
		t.Errorf("second Close() = %v", err)
	}
}

// genCSV writes a CSV of n data rows with 15 columns, about 200 bytes each.
type genCSV struct {
	n, i int
	buf  []byte
}

func (g *genCSV) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i <= g.n {
		if g.i == 0 {
			g.buf = append(g.buf, "Account ID,Account Name,Billing Street,Billing City,Billing State/Province,Billing Zip/Postal Code,Billing Country,Billing Latitude,Billing Longitude,Type,Account Owner,Annual Revenue,Account Source,Industry,Phone\r\n"...)
		} else {
			g.buf = fmt.Appendf(g.buf, "001A%08d,\"Acme %d, Inc.\",%d Market Street,San Francisco,CA,9410%d,USA,37.%06d,-122.%06d,Customer - Direct,jane@example.com,\"$1,%03d,000\",Web,Manufacturing,+1 415 555 %04d\r\n",
				g.i, g.i, g.i%997, g.i%10, g.i%1000000, g.i%999983, g.i%1000, g.i%10000)
		}
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = g.buf[:copy(g.buf, g.buf[n:])]
	return n, nil
}

// TestReadCSVStreams reads a million rows (about 200 MB) and checks that
// memory stays flat.
func TestReadCSVStreams(t *testing.T) {
	n := 1_000_000
	if testing.Short() || raceEnabled {
		n = 100_000
	}
	tab, err := OpenTable(&genCSV{n: n}, "big.csv")
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewAccountMapping(tab.Header(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	var peak uint64
	rows, last := 0, 1
	for {
		row, err := tab.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("Next() = %v", err)
		}
		if row.Number != last+1 {
			t.Fatalf("row.Number = %d, want %d", row.Number, last+1)
		}
		last = row.Number
		if _, err := m.Parse(row); err != nil {
			t.Fatalf("Parse(row %d) = %v", row.Number, err)
		}
		rows++
		if rows%50_000 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if rows != n {
		t.Errorf("read %d rows, want %d", rows, n)
	}
	if peak > 64<<20 {
		t.Errorf("heap peaked at %d MiB reading %d rows, want under 64 MiB", peak>>20, n)
	}
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want rune
	}{
		{"a,b,c\n", ','},
		{"a;b;c\n", ';'},
		{"a\tb\tc\n", '\t'},
		{"a;b,c\n", ','},                  // a tie goes to the comma
		{"a\n1;2;3;4\n", ','},             // only the header line counts
		{"\"x;y;z\",b\n", ','},            // quoted semicolons do not count
		{"\"multi\nline;;;\";b;c\n", ';'}, // nor do they in a quoted newline
		{"\r\n\r\na;b\n", ';'},            // blank lines before the header
		{"sep=;\na,b\n", ';'},             // Excel's hint
		{"SEP=\t\na,b\n", '\t'},           // in any case
		{"justonecolumn", ','},            // nothing to count
	}
	for _, tt := range tests {
		if got, _ := sniffDelimiter([]byte(tt.in)); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
