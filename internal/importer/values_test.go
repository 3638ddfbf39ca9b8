package importer

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseNumber(t *testing.T) {
	tests := []struct {
		in    string
		money bool
		want  float64
	}{
		{"0", false, 0},
		{"1234", false, 1234},
		{"-12.5", false, -12.5},
		{"+7", false, 7},
		{"1,234", false, 1234},          // a comma and exactly three digits: thousands
		{"12,345,678", false, 12345678}, // thousands
		{"123,456,789.25", false, 123456789.25},
		{"12,34", false, 12.34},
		{"1,234.56", false, 1234.56},      // US
		{"1.234,56", false, 1234.56},      // European
		{"1.234.567,8", false, 1234567.8}, // European
		{"1234,5", false, 1234.5},         // decimal comma
		{"1234,567", false, 1234.567},     // four digits before: not a thousands group
		{"0,500", false, 0.5},             // a lone zero before: decimal
		{",5", false, 0.5},
		{",123", false, 0.123},  // nothing before the comma: decimal
		{"1.234", false, 1.234}, // a single dot is a decimal point
		{"1 234 567,89", false, 1234567.89},
		{"1\u00a0234,5", false, 1234.5}, // no-break space
		{"1\u202f234", false, 1234},     // narrow no-break space
		{"1'234.50", false, 1234.5},     // Swiss
		{"$1,234.56", false, 1234.56},
		{"€ 1.234,56", false, 1234.56},
		{"1 234,56 €", false, 1234.56},
		{"£99", false, 99},
		{"(1,000)", false, -1000},
		{"$(1,000.50)", false, -1000.5},
		{"-$5", false, -5},
		{"$-5", false, -5},
		{"\u22125", false, -5}, // minus sign
		{"1500-", false, -1500},
		{"1.5E+06", false, 1.5e6},
		{"2e3", false, 2000},
		{"1.5M", true, 1.5e6},
		{"1.5m", true, 1.5e6},
		{"250k", true, 250000},
		{"$2.5B", true, 2.5e9},
		{"3bn", true, 3e9},
		{"4MM", true, 4e6},
		{"(1.2k)", true, -1200},
		{" 42 ", false, 42},
	}
	for _, tt := range tests {
		got, err := parseNumberCell(tt.in, tt.money)
		if err != nil || got != tt.want {
			t.Errorf("parseNumberCell(%q, %v) = %v, %v; want %v", tt.in, tt.money, got, err, tt.want)
		}
	}
}

func TestParseNumberErrors(t *testing.T) {
	for _, in := range []string{
		"", "abc", "12abc", "1,23.4", "1.2.3,4", "1,234.5,6", "1.234,5.6", "NaN", "Inf", "-Inf", "infinity",
		"0x10", "1e400", "1_000", "--5", "()", "$", "1,2,3", "1e", "e5", "1.5X", "12 %", "1/2", "١٢٣", "k", "1e5k",
		"1234,567,890", "1.2345,6", "1,,234", "1,234,56", "12,3456.7", "1'23",
	} {
		if got, err := parseNumberCell(in, true); err == nil {
			t.Errorf("parseNumberCell(%q, true) = %v, nil; want an error", in, got)
		}
	}
	if got, err := parseNumberCell("1.5M", false); err == nil {
		t.Errorf("parseNumberCell(%q, false) = %v, nil; want an error: suffixes are for money", "1.5M", got)
	}
	_, err := parseNumberCell("12abc", true)
	if want := `"12abc" is not a number`; err == nil || err.Error() != want {
		t.Errorf("parseNumberCell(%q) = %v, want %q", "12abc", err, want)
	}
}

func TestParseCoordinate(t *testing.T) {
	good := map[string]float64{"48.8566": 48.8566, "-122.4194": -122.4194, "48,8566": 48.8566, "2,352": 2.352, " 10 ": 10, "45°": 45, "1e1": 10}
	for in, want := range good {
		if got, err := parseCoordinate(in); err != nil || got != want {
			t.Errorf("parseCoordinate(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"abc", "NaN", "Inf", "1e999", "1,234.5", "48.8.5", "N 48", "", "0x1p3"} {
		if got, err := parseCoordinate(in); err == nil {
			t.Errorf("parseCoordinate(%q) = %v, nil; want an error", in, got)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "Yes": true, "Y": true, "1": true, "x": true, "X": true, " TRUE ": true,
		"": false, "false": false, "No": false, "n": false, "0": false} {
		if got, err := parseBool(in); err != nil || got != want {
			t.Errorf("parseBool(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	_, err := parseBool("maybe")
	if want := `"maybe" is not yes or no (use true, yes, y, 1 or x; false, no, n, 0 or empty)`; err == nil || err.Error() != want {
		t.Errorf("parseBool(%q) = %v, want %q", "maybe", err, want)
	}
}

func TestParseTime(t *testing.T) {
	utc := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2024-03-01T14:30:00Z", utc("2024-03-01T14:30:00Z")},
		{"2024-03-01T14:30:00+02:00", utc("2024-03-01T12:30:00Z")},
		{"2024-03-01T14:30:00.123Z", utc("2024-03-01T14:30:00.123Z")},
		{"2024-03-01 14:30:00", utc("2024-03-01T14:30:00Z")},
		{"2024-03-01 14:30:00.5", utc("2024-03-01T14:30:00.5Z")},
		{"2024-03-01 14:30:00+01:00", utc("2024-03-01T13:30:00Z")},
		{"2024-03-01T14:30:00", utc("2024-03-01T14:30:00Z")},
		{"2024-03-01 14:30", utc("2024-03-01T14:30:00Z")},
		{"2024-03-01", utc("2024-03-01T00:00:00Z")},
		{"1709303400", utc("2024-03-01T14:30:00Z")},
		{"0", utc("1970-01-01T00:00:00Z")},
		{"20240301", utc("2024-03-01T00:00:00Z")},
		{" 2024-03-01 ", utc("2024-03-01T00:00:00Z")},
	}
	for _, tt := range tests {
		got, err := parseTime(tt.in)
		if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("parseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "yesterday", "03/01/2024", "2024-13-01", "2024-03-01T25:00:00Z", "1709303400000", "-5", "2024-03-01X"} {
		if got, err := parseTime(in); err == nil {
			t.Errorf("parseTime(%q) = %v, nil; want an error", in, got)
		}
	}
}

func TestSplitTags(t *testing.T) {
	for in, want := range map[string]int{"": 0, "a": 1, "a; b,c|d": 4, " ; ,|": 0, "vip;;key account": 2} {
		if got := splitTags(in); len(got) != want {
			t.Errorf("splitTags(%q) = %q, want %d tags", in, got, want)
		}
	}
}

func TestCustomName(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"Industry", "Industry"},
		{"Region__c", "Region__c"},
		{"Phone #", "Phone"},
		{"Close Date (Last)", "Close Date Last"},
		{"City (2)", "City 2"},
		{"Owner's name", "Owners name"},
		{"Straße (DE)", "Strasse DE"},
		{"Numéro de TVA", "Numero de TVA"},
		{"名前", "Column 4"},
		{"-leading", "leading"},
		{"a\tb", "a b"},
		{strings.Repeat("abcd", 20) + " (more)", strings.Repeat("abcd", 16)},
	}
	for _, tt := range tests {
		got := customName(tt.in, 3)
		if got != tt.want {
			t.Errorf("customName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !customKey.MatchString(got) {
			t.Errorf("customName(%q) = %q, which is not a valid custom field name", tt.in, got)
		}
	}
}

// TestParseNumberGrouped formats amounts with thousands separators in the
// US, European and Swiss styles and reads them back.
func TestParseNumberGrouped(t *testing.T) {
	group := func(n int64, sep string) string {
		s := strconv.FormatInt(n, 10)
		for i := len(s) - 3; i > 0; i -= 3 {
			s = s[:i] + sep + s[i:]
		}
		return s
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := r.Int64N(1e12)
		cents := r.Int64N(100)
		want, _ := strconv.ParseFloat(fmt.Sprintf("%d.%02d", n, cents), 64)
		for _, in := range []string{
			group(n, ",") + fmt.Sprintf(".%02d", cents),
			group(n, ".") + fmt.Sprintf(",%02d", cents),
			group(n, "'") + fmt.Sprintf(".%02d", cents),
			"$" + group(n, ",") + fmt.Sprintf(".%02d", cents),
			group(n, "\u00a0") + fmt.Sprintf(",%02d €", cents),
		} {
			if got, err := parseNumberCell(in, true); err != nil || got != want {
				t.Fatalf("parseNumberCell(%q) = %v, %v; want %v", in, got, err, want)
			}
		}
		if n >= 1000 {
			if got, err := parseNumberCell(group(n, ","), false); err != nil || got != float64(n) {
				t.Fatalf("parseNumberCell(%q) = %v, %v; want %v", group(n, ","), got, err, n)
			}
		}
	}
}
