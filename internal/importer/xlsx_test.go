package importer

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// writeWorkbook builds a small accounts workbook in dir and returns its path.
func writeWorkbook(t *testing.T, dir string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Accounts"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		t.Fatal(err)
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		t.Fatal(err)
	}
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // the short date
	if err != nil {
		t.Fatal(err)
	}
	dateTime, err := f.NewStyle(&excelize.Style{NumFmt: 22}) // short date and time
	if err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any, style int) {
		t.Helper()
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			t.Fatal(err)
		}
		if style != 0 {
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, h := range []string{"Account Name", " Annual Revenue ", "Created", "Last Visit", "Notes", "Billing Latitude", "Billing Longitude", "Account Name"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		set(cell, h, 0)
	}
	set("A2", "Acme", 0)
	set("B2", 1234.5, money)
	set("C2", time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), date)
	set("D2", time.Date(2024, 3, 1, 14, 30, 0, 0, time.UTC), dateTime)
	set("E2", "first line\nsecond line", 0)
	set("F2", 48.8566, 0)
	set("G2", 2.3522, 0)
	// Row 3 is empty.
	set("A4", "Beta", 0)
	set("B4", -250, money)
	set("A5", "Gamma", 0)
	set("J5", "stray", 0)
	set("A6", "  ", 0) // blank cells only: skipped
	set("A7", "Delta", 0)

	if _, err := f.NewSheet("Other"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Other", "A1", "not read"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "accounts.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenTableXLSX(t *testing.T) {
	path := writeWorkbook(t, t.TempDir())
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// By name, and by the zip magic number alone.
	for _, name := range []string{"accounts.xlsx", "upload"} {
		t.Run(name, func(t *testing.T) {
			tab, err := OpenTable(bytes.NewReader(data), name)
			if err != nil {
				t.Fatalf("OpenTable() = %v", err)
			}
			defer tab.Close()
			wantHeader := []string{"Account Name", "Annual Revenue", "Created", "Last Visit", "Notes", "Billing Latitude", "Billing Longitude", "Account Name (2)"}
			if diff := cmp.Diff(wantHeader, tab.Header()); diff != "" {
				t.Errorf("Header() mismatch (-want +got):\n%s", diff)
			}
			want := []result{
				{Number: 2, Cells: []string{"Acme", "1,234.50", "2024-03-01", "2024-03-01 14:30", "first line\nsecond line", "48.8566", "2.3522", ""}},
				{Number: 4, Cells: []string{"Beta", "-250.00", "", "", "", "", "", ""}},
				{Number: 5, Cells: []string{"Gamma", "", "", "", "", "", "", "", "", "stray"}, Err: `row 5: 10 cells but the header has 8 columns: cell 10 ("stray") belongs to no column`},
				{Number: 7, Cells: []string{"Delta", "", "", "", "", "", "", ""}},
			}
			if diff := cmp.Diff(want, readAll(t, tab)); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestXLSXAccounts(t *testing.T) {
	f, err := os.Open(writeWorkbook(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := OpenTable(f, f.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	m, err := NewAccountMapping(tab.Header(), nil)
	if err != nil {
		t.Fatal(err)
	}
	row, err := tab.Next()
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Parse(row)
	if err != nil {
		t.Fatalf("Parse(%q) = %v", row.Cells, err)
	}
	want := AccountRow{Row: 2, Name: "Acme", EstimatedValue: ptr(1234.5), Lat: ptr(48.8566), Lon: ptr(2.3522),
		Custom: map[string]string{"Created": "2024-03-01", "Last Visit": "2024-03-01 14:30", "Notes": "first line\nsecond line"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Parse() mismatch (-want +got):\n%s", diff)
	}
	if at, err := parseTime(got.Custom["Last Visit"]); err != nil || !at.Equal(time.Date(2024, 3, 1, 14, 30, 0, 0, time.UTC)) {
		t.Errorf("parseTime(%q) = %v, %v; want 2024-03-01 14:30 UTC", got.Custom["Last Visit"], at, err)
	}
}

func TestOpenTableXLSXErrors(t *testing.T) {
	empty := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}()
	tests := []struct {
		name, filename string
		in             []byte
		want           string
	}{
		{"CSV named .xlsx", "a.xlsx", []byte("a,b\n1,2\n"), `"a.xlsx" is not a readable XLSX workbook: `},
		{"truncated zip", "a.xlsx", []byte("PK\x03\x04garbage"), `"a.xlsx" is not a readable XLSX workbook: `},
		{"empty workbook", "e.xlsx", empty, `file is empty: expected a header row (sheet "Sheet1" of "e.xlsx" has no rows)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := OpenTable(bytes.NewReader(tt.in), tt.filename)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !derrors.Is(err, derrors.Invalid) {
				t.Fatalf("OpenTable() = %v, want Invalid %q…", err, tt.want)
			}
		})
	}
}
