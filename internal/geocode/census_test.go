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

// Answers of the Census geocoder, trimmed.
const (
	censusMatch = `{"result":{"input":{"address":{"street":"4600 Silver Hill Rd","city":"Washington","state":"DC","zip":"20233"},
		"benchmark":{"benchmarkName":"Public_AR_Current"}},
		"addressMatches":[{"tigerLine":{"side":"L","tigerLineId":"76355984"},
		"coordinates":{"x":-76.92748724230096,"y":38.84601622386617},
		"matchedAddress":"4600 SILVER HILL RD, WASHINGTON, DC, 20233"}]}}`
	censusNoMatch   = `{"result":{"input":{},"addressMatches":[]}}`
	censusNoCoords  = `{"result":{"addressMatches":[{"matchedAddress":"X","coordinates":{}}]}}`
	censusBadStreet = `{"errors":["Street address cannot be empty and cannot exceed 100 characters"],"status":"400"}`
)

func TestCensus(t *testing.T) {
	silverHill := outcome{Result: Result{Location: geo.Point{Lon: -76.92748724230096, Lat: 38.84601622386617}, Precision: account.PrecisionAddress, Source: SourceCensus}}
	notFound := outcome{Kind: derrors.NotFound}
	tests := []struct {
		name      string
		q         Query
		status    int
		body      string
		wantQuery url.Values // nil: no request expected
		want      outcome
	}{
		{
			name:   "match",
			q:      Query{Street: "4600 Silver Hill Rd", City: "Washington", Region: "DC", PostalCode: "20233", Country: "US"},
			status: 200, body: censusMatch,
			wantQuery: url.Values{"street": {"4600 Silver Hill Rd"}, "city": {"Washington"}, "state": {"DC"}, "zip": {"20233"},
				"benchmark": {"Public_AR_Current"}, "format": {"json"}},
			want: silverHill,
		},
		{
			name:   "street and ZIP+4 without a leading zero",
			q:      Query{Street: "1 Main St", PostalCode: "2134-1234"},
			status: 200, body: censusMatch,
			wantQuery: url.Values{"street": {"1 Main St"}, "zip": {"02134"}, "benchmark": {"Public_AR_Current"}, "format": {"json"}},
			want:      silverHill,
		},
		{
			name:   "street, city and state",
			q:      Query{Street: "1 Main St", City: "Springfield", Region: "IL", Country: "United States"},
			status: 200, body: censusMatch,
			wantQuery: url.Values{"street": {"1 Main St"}, "city": {"Springfield"}, "state": {"IL"}, "benchmark": {"Public_AR_Current"}, "format": {"json"}},
			want:      silverHill,
		},
		{
			name:   "no match",
			q:      Query{Street: "99999 Nowhere Rd", PostalCode: "10001"},
			status: 200, body: censusNoMatch,
			wantQuery: url.Values{"street": {"99999 Nowhere Rd"}, "zip": {"10001"}, "benchmark": {"Public_AR_Current"}, "format": {"json"}},
			want:      notFound,
		},
		{name: "no street: no request", q: Query{City: "Springfield", Region: "IL", PostalCode: "62701"}, want: notFound},
		{name: "street without ZIP nor state: no request", q: Query{Street: "1 Main St", City: "Springfield"}, want: notFound},
		{name: "outside the US: no request", q: Query{Street: "1 Rue de Rivoli", City: "Paris", PostalCode: "75001", Country: "France"}, want: notFound},
		{
			name:   "a match without coordinates",
			q:      Query{Street: "1 Main St", PostalCode: "10001"},
			status: 200, body: censusNoCoords,
			wantQuery: url.Values{"street": {"1 Main St"}, "zip": {"10001"}, "benchmark": {"Public_AR_Current"}, "format": {"json"}},
			want:      outcome{Kind: derrors.Internal},
		},
		{
			name:   "refused",
			q:      Query{Street: "1 Main St", PostalCode: "10001"},
			status: 400, body: censusBadStreet,
			wantQuery: url.Values{"street": {"1 Main St"}, "zip": {"10001"}, "benchmark": {"Public_AR_Current"}, "format": {"json"}},
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

			c := NewCensus(srv.URL)
			got := outcomeOf(c.Geocode(context.Background(), tt.q))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Geocode(%+v) = %+v, want %+v (-want +got):\n%s", tt.q, got, tt.want, diff)
			}
			if diff := cmp.Diff(tt.wantQuery, gotQuery); diff != "" {
				t.Errorf("Geocode(%+v) sent query %v, want %v (-want +got):\n%s", tt.q, gotQuery, tt.wantQuery, diff)
			}
			if tt.wantQuery != nil {
				if want := "/geocoder/locations/address"; gotPath != want {
					t.Errorf("Geocode(%+v) asked path %q, want %q", tt.q, gotPath, want)
				}
				if gotUA != DefaultUserAgent {
					t.Errorf("Geocode(%+v) sent User-Agent %q, want %q", tt.q, gotUA, DefaultUserAgent)
				}
			}
		})
	}
}
