package geocode

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Answers of a Nominatim server to /search?format=jsonv2, trimmed.
const (
	nominatimHouse = `[{"place_id":1,"lat":"38.8976633","lon":"-77.0365739","category":"place","type":"house",
		"place_rank":30,"addresstype":"place","name":"","display_name":"1600, Pennsylvania Avenue Northwest, Washington"}]`
	nominatimBuilding = `[{"lat":"48.8583736","lon":"2.2922926","category":"building","type":"yes","place_rank":30,"addresstype":"building"}]`
	nominatimRoad     = `[{"lat":"40.7359","lon":"-73.9911","category":"highway","type":"residential","place_rank":26,"addresstype":"road"}]`
	nominatimPostcode = `[{"lat":"40.75065","lon":"-73.99729","category":"place","type":"postcode","place_rank":21,"addresstype":"postcode"}]`
	nominatimCity     = `[{"lat":"45.7578137","lon":"4.8320114","category":"boundary","type":"administrative","place_rank":16,"addresstype":"city"}]`
	nominatimState    = `[{"lat":"31.2638905","lon":"-98.5456116","category":"boundary","type":"administrative","place_rank":8,"addresstype":"state"}]`
	nominatimNone     = `[]`
)

func TestNominatim(t *testing.T) {
	at := func(lat, lon float64, p account.Precision) outcome {
		return outcome{Result: Result{Location: geo.Point{Lon: lon, Lat: lat}, Precision: p, Source: SourceNominatim}}
	}
	tests := []struct {
		name      string
		q         Query
		status    int
		body      string
		wantQuery url.Values // nil: no request expected
		want      outcome
	}{
		{
			name:   "house",
			q:      Query{Street: "1600 Pennsylvania Ave NW", City: "Washington", Region: "DC", PostalCode: "20500", Country: "USA"},
			status: 200, body: nominatimHouse,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "street": {"1600 Pennsylvania Ave NW"}, "city": {"Washington"},
				"state": {"DC"}, "postalcode": {"20500"}, "country": {"USA"}, "countrycodes": {"us"}},
			want: at(38.8976633, -77.0365739, account.PrecisionAddress),
		},
		{
			name:   "building",
			q:      Query{Street: "5 Avenue Anatole France", City: "Paris", Country: "France"},
			status: 200, body: nominatimBuilding,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "street": {"5 Avenue Anatole France"}, "city": {"Paris"},
				"country": {"France"}, "countrycodes": {"fr"}},
			want: at(48.8583736, 2.2922926, account.PrecisionAddress),
		},
		{
			name:   "road; unknown country and its postal code passed as they are",
			q:      Query{Street: "E 14th St", PostalCode: "3801", Country: "Freedonia"},
			status: 200, body: nominatimRoad,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "street": {"E 14th St"}, "postalcode": {"3801"}, "country": {"Freedonia"}},
			want:      at(40.7359, -73.9911, account.PrecisionAddress),
		},
		{
			name:   "postcode",
			q:      Query{Street: "Nowhere Lane", PostalCode: "10001"},
			status: 200, body: nominatimPostcode,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "street": {"Nowhere Lane"}, "postalcode": {"10001"}},
			want:      at(40.75065, -73.99729, account.PrecisionPostal),
		},
		{
			name:   "ZIP that lost its leading zero",
			q:      Query{PostalCode: "2134", Country: "US"},
			status: 200, body: nominatimPostcode,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "postalcode": {"02134"}, "country": {"US"}, "countrycodes": {"us"}},
			want:      at(40.75065, -73.99729, account.PrecisionPostal),
		},
		{
			name:   "city",
			q:      Query{City: "Lyon", Country: "FR"},
			status: 200, body: nominatimCity,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Lyon"}, "country": {"FR"}, "countrycodes": {"fr"}},
			want:      at(45.7578137, 4.8320114, account.PrecisionCity),
		},
		{
			name:   "street-level answer without a street asked is city",
			q:      Query{City: "Paris", Country: "FR"},
			status: 200, body: nominatimBuilding,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Paris"}, "country": {"FR"}, "countrycodes": {"fr"}},
			want:      at(48.8583736, 2.2922926, account.PrecisionCity),
		},
		{
			name:   "a state is too coarse",
			q:      Query{Street: "1 Nowhere Rd", Region: "TX", Country: "US"},
			status: 200, body: nominatimState,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "street": {"1 Nowhere Rd"}, "state": {"TX"}, "country": {"US"}, "countrycodes": {"us"}},
			want:      outcome{Kind: derrors.NotFound},
		},
		{
			name:   "no result",
			q:      Query{City: "Xyzzyville"},
			status: 200, body: nominatimNone,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Xyzzyville"}},
			want:      outcome{Kind: derrors.NotFound},
		},
		{
			name: "empty query: no request",
			q:    Query{Street: "  "},
			want: outcome{Kind: derrors.NotFound},
		},
		{
			name:   "server error",
			q:      Query{City: "Lyon"},
			status: 503, body: "down for maintenance",
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Lyon"}},
			want:      outcome{Kind: derrors.Internal},
		},
		{
			name:   "rate limited",
			q:      Query{City: "Lyon"},
			status: 429, body: "slow down",
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Lyon"}},
			want:      outcome{Kind: derrors.TooMany},
		},
		{
			name:   "not JSON",
			q:      Query{City: "Lyon"},
			status: 200, body: "<html>",
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Lyon"}},
			want:      outcome{Kind: derrors.Internal},
		},
		{
			name:   "bad coordinates",
			q:      Query{City: "Lyon"},
			status: 200, body: `[{"lat":"north","lon":"4.8","addresstype":"city"}]`,
			wantQuery: url.Values{"format": {"jsonv2"}, "limit": {"1"}, "city": {"Lyon"}},
			want:      outcome{Kind: derrors.Internal},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotQuery url.Values
			var gotPath, gotUA string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				gotPath, gotQuery, gotUA = r.URL.Path, r.URL.Query(), r.Header.Get("User-Agent")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()

			n := NewNominatim(srv.URL + "/nominatim/") // a path prefix and a trailing slash
			got := outcomeOf(n.Geocode(context.Background(), tt.q))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Geocode(%+v) = %+v, want %+v (-want +got):\n%s", tt.q, got, tt.want, diff)
			}
			if diff := cmp.Diff(tt.wantQuery, gotQuery); diff != "" {
				t.Errorf("Geocode(%+v) sent query %v, want %v (-want +got):\n%s", tt.q, gotQuery, tt.wantQuery, diff)
			}
			if tt.wantQuery != nil {
				if gotPath != "/nominatim/search" {
					t.Errorf("Geocode(%+v) asked path %q, want %q", tt.q, gotPath, "/nominatim/search")
				}
				if gotUA != DefaultUserAgent {
					t.Errorf("Geocode(%+v) sent User-Agent %q, want %q", tt.q, gotUA, DefaultUserAgent)
				}
			}
		})
	}
}

func TestNominatimUserAgentAndEmail(t *testing.T) {
	var gotUA, gotEmail string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotEmail = r.Header.Get("User-Agent"), r.URL.Query().Get("email")
		w.Write([]byte(nominatimCity))
	}))
	defer srv.Close()
	n := NewNominatim(srv.URL)
	n.UserAgent = "Acme field sales (ops@acme.example)"
	n.Email = "ops@acme.example"
	if _, err := n.Geocode(context.Background(), Query{City: "Lyon"}); err != nil {
		t.Fatalf("Geocode() = %v, want a place", err)
	}
	if gotUA != n.UserAgent || gotEmail != n.Email {
		t.Errorf("Geocode() sent User-Agent %q, email %q, want %q, %q", gotUA, gotEmail, n.UserAgent, n.Email)
	}
	if got, want := n.Stats(), (Stats{Calls: 1, Hits: 1}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestNominatimPrecision(t *testing.T) {
	tests := []struct {
		p         nominatimPlace
		hadStreet bool
		want      account.Precision
	}{
		{nominatimPlace{Category: "place", Type: "house", AddressType: "place", PlaceRank: 30}, true, account.PrecisionAddress},
		{nominatimPlace{Category: "building", Type: "yes", AddressType: "building"}, true, account.PrecisionAddress},
		{nominatimPlace{Category: "highway", Type: "primary", AddressType: "road", PlaceRank: 26}, true, account.PrecisionAddress},
		{nominatimPlace{Type: "house"}, true, account.PrecisionAddress}, // no addresstype: an older server
		{nominatimPlace{Category: "place", Type: "postcode", AddressType: "postcode"}, true, account.PrecisionPostal},
		{nominatimPlace{Category: "place", Type: "suburb", AddressType: "suburb", PlaceRank: 19}, true, account.PrecisionCity},
		{nominatimPlace{Category: "place", Type: "town", AddressType: "town", PlaceRank: 16}, false, account.PrecisionCity},
		{nominatimPlace{Category: "boundary", Type: "administrative", AddressType: "county", PlaceRank: 12}, false, account.PrecisionNone},
		{nominatimPlace{Category: "boundary", Type: "administrative", AddressType: "country", PlaceRank: 4}, false, account.PrecisionNone},
	}
	for _, tt := range tests {
		if got := nominatimPrecision(tt.p, tt.hadStreet); got != tt.want {
			t.Errorf("nominatimPrecision(%+v, %v) = %q, want %q", tt.p, tt.hadStreet, got, tt.want)
		}
	}
}
