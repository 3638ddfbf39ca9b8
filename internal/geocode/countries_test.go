package geocode

import (
	"strings"
	"testing"
)

func TestCountryCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"US", "US", true},
		{"us", "US", true},
		{"USA", "US", true},
		{"U.S.", "US", true},
		{"U.S.A.", "US", true},
		{"United States", "US", true},
		{"united states of america", "US", true},
		{"UK", "GB", true},
		{"GBR", "GB", true},
		{"Great Britain", "GB", true},
		{"England", "GB", true},
		{"Deutschland", "DE", true},
		{"DEU", "DE", true},
		{"Côte d'Ivoire", "CI", true},
		{"Cote dIvoire", "CI", true},
		{"Türkiye", "TR", true},
		{"turkey", "TR", true},
		{"The Netherlands", "NL", true},
		{"Holland", "NL", true},
		{"South Korea", "KR", true},
		{"Korea, Republic of", "KR", true},
		{"Czech Republic", "CZ", true},
		{"Puerto Rico", "PR", true},
		{"", "", false},
		{"Atlantis", "", false},
		{"XX", "", false},
	}
	for _, tt := range tests {
		got, ok := countryCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("countryCode(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestCountryTable checks that no code or name of the table is claimed by two
// countries and that every line has a code, an ISO3 code and a name.
func TestCountryTable(t *testing.T) {
	owner := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(countryTable), "\n") {
		f := strings.SplitN(line, " ", 3)
		if len(f) != 3 || len(f[0]) != 2 || len(f[1]) != 3 || f[2] == "" {
			t.Errorf("countryTable line %q: want ISO2 ISO3 Name[; Alias…]", line)
			continue
		}
		for _, n := range append(f[:2:2], strings.Split(f[2], ";")...) {
			k := key(n)
			if k == "" {
				t.Errorf("countryTable line %q: empty name", line)
			}
			if o, dup := owner[k]; dup && o != f[0] {
				t.Errorf("countryTable: %q (key %q) names both %s and %s", n, k, o, f[0])
			}
			owner[k] = f[0]
		}
	}
}

// TestCountryTableCoversCities checks that every country of the embedded
// city list can be named.
func TestCountryTableCoversCities(t *testing.T) {
	loadCountries()
	seen := map[string]bool{}
	for _, p := range loadCities().parts {
		for i := range p.recs {
			cc := p.city(int32(i)).country
			if seen[cc] {
				continue
			}
			seen[cc] = true
			if _, ok := countries.byCode[cc]; !ok {
				t.Errorf("country %s of the city list is not in countryTable", cc)
			}
		}
	}
	if len(seen) < 200 {
		t.Errorf("the city list has %d countries, want more than 200", len(seen))
	}
}
