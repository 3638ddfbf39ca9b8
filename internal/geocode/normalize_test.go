package geocode

import (
	"strconv"
	"testing"
)

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Paris", "paris"},
		{"São Paulo", "saopaulo"},
		{"SAO  PAULO", "saopaulo"},
		{"Sao-Paulo", "saopaulo"},
		{"Sa\u0303o Paulo", "saopaulo"}, // a combining tilde
		{"St. Louis", "saintlouis"},
		{"Saint Louis", "saintlouis"},
		{"Ste-Foy", "saintefoy"},
		{"Mt Vernon", "mountvernon"},
		{"Ft. Worth", "fortworth"},
		{"Coeur d'Alene", "coeurdalene"},
		{"Coeur d’Alene", "coeurdalene"},
		{"Coeur d Alene", "coeurdalene"},
		{"O'Fallon", "ofallon"},
		{"The Bronx", "bronx"},
		{"The", "the"},
		{"Winston-Salem", "winstonsalem"},
		{"Frankfurt (Oder)", "frankfurtoder"},
		{"Zürich", "zurich"},
		{"Kraków", "krakow"},
		{"Łódź", "lodz"},
		{"Straße", "strasse"},
		{"Ærøskøbing", "aeroskobing"},
		{"Hồ Chí Minh", "hochiminh"},
		{"Москва", "москва"},
		{"U.S.A.", "usa"},
		{"10001", "10001"},
	}
	for _, tt := range tests {
		if got := key(tt.in); got != tt.want {
			t.Errorf("key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  1600 Pennsylvania Ave. NW ", "1600 pennsylvania ave nw"},
		{"1 23 Main", "1 23 main"},
		{"12 3 Main", "12 3 main"},
		{"Rue de l'Église", "rue de leglise"},
		{"St. Louis", "st louis"},
	}
	for _, tt := range tests {
		if got := fold(tt.in); got != tt.want {
			t.Errorf("fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseZIP(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"10001", 10001, true},
		{" 10001 ", 10001, true},
		{"02134", 2134, true},
		{"2134", 2134, true},
		{"501", 501, true},
		{"10001-1234", 10001, true},
		{"10001 1234", 10001, true},
		{"100011234", 10001, true},
		{"2134-1234", 2134, true},
		{"", 0, false},
		{"12", 0, false},
		{"123456", 0, false},
		{"10001-12", 0, false},
		{"1000A", 0, false},
		{"SW1A 1AA", 0, false},
		{"H2X 1Y4", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseZIP(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseZIP(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestZIPString(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{501, "00501"}, {2134, "02134"}, {99950, "99950"}} {
		if got := zipString(tt.in); got != tt.want {
			t.Errorf("zipString(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestParseDecimal checks the fast path against strconv on the forms the
// data uses, and the fallback on the others.
func TestParseDecimal(t *testing.T) {
	for _, s := range []string{
		"0", "-0", "1", "40.75065", "-73.99729", "-122.41942", "0.00001", "-0.5",
		"179.99999", "-89.99999", "12.3", "1e3", "123456789012345678", "3.000000000000001",
	} {
		want, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := parseDecimal(s); !ok || got != want {
			t.Errorf("parseDecimal(%q) = %v, %v, want %v, true", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "-", "1.2.3", "abc", "--1"} {
		if got, ok := parseDecimal(s); ok {
			t.Errorf("parseDecimal(%q) = %v, true, want false", s, got)
		}
	}
}
