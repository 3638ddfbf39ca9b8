package geocode

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

func TestOffline(t *testing.T) {
	zip := func(lat, lon float64) outcome {
		return outcome{Result: Result{Location: geo.Point{Lon: lon, Lat: lat}, Precision: account.PrecisionPostal, Source: SourceZIP}}
	}
	city := func(lat, lon float64) outcome {
		return outcome{Result: Result{Location: geo.Point{Lon: lon, Lat: lat}, Precision: account.PrecisionCity, Source: SourceCity}}
	}
	notFound := outcome{Kind: derrors.NotFound}
	var (
		nyc10001      = zip(40.7506, -73.9972)
		sf94103       = zip(37.7726, -122.4110)
		allston02134  = zip(42.3588, -71.1296)
		paris         = city(48.8534, 2.3488)
		springfieldIL = city(39.8017, -89.6437)
		springfieldMO = city(37.2153, -93.2982)
		saoPaulo      = city(-23.5475, -46.6361)
		stLouis       = city(38.6273, -90.1979)
		munich        = city(48.1374, 11.5755)
		newYork       = city(40.7143, -74.0060)
		hamburgDE     = city(53.5507, 9.9930)
		hamburgNY     = city(42.7159, -78.8295)
		london        = city(51.5085, -0.1257)
		sanJuanPR     = city(18.4663, -66.1057)
		toronto       = city(43.7064, -79.3986)
		lyon          = city(45.7491, 4.8479)
		tokyo         = city(35.6895, 139.6917)
	)
	tests := []struct {
		name string
		q    Query
		want outcome
	}{
		{"ZIP", Query{PostalCode: "10001", Country: "US"}, nyc10001},
		{"ZIP, no country", Query{PostalCode: "94103"}, sf94103},
		{"ZIP that lost its leading zero", Query{PostalCode: "2134", Country: "USA"}, allston02134},
		{"ZIP+4", Query{PostalCode: "10001-1234", Country: "United States of America"}, nyc10001},
		{"ZIP+4 without dash", Query{PostalCode: "100011234", Country: "u.s.a."}, nyc10001},
		{"ZIP with spaces, country U.S.", Query{PostalCode: " 02134 ", Country: "U.S."}, allston02134},
		{"ZIP wins over city", Query{City: "Boston", Region: "MA", PostalCode: "94103", Country: "US"}, sf94103},
		{"unknown ZIP: the city", Query{City: "Paris", Region: "Texas", PostalCode: "00000", Country: "US"}, city(33.6609, -95.5555)},
		{"city", Query{City: "Paris", Country: "FR"}, paris},
		{"city, country by name", Query{City: "paris", Country: "France"}, paris},
		{"city, country by ISO3", Query{City: "PARIS", Country: "fra"}, paris},
		{"city and state code", Query{City: "Springfield", Region: "IL", Country: "US"}, springfieldIL},
		{"city and state name", Query{City: "Springfield", Region: "Illinois"}, springfieldIL},
		{"city of several, no state: the largest", Query{City: "Springfield", Country: "US"}, springfieldMO},
		{"city of several, no state nor country", Query{City: "Springfield"}, springfieldMO},
		{"unrecognised region ignored", Query{City: "Springfield", Region: "Ozarks", Country: "US"}, springfieldMO},
		{"recognised region without the city", Query{City: "Springfield", Region: "AK", Country: "US"}, notFound},
		{"accents", Query{City: "São Paulo", Country: "BR"}, saoPaulo},
		{"accents folded", Query{City: "SAO PAULO", Country: "Brasil"}, saoPaulo},
		{"name in several countries, no country", Query{City: "Sao Paulo"}, notFound},
		{"St. abbreviated", Query{City: "St. Louis", Region: "MO"}, stLouis},
		{"Saint spelled out", Query{City: "Saint Louis", Region: "Missouri", Country: "United States"}, stLouis},
		{"native name", Query{City: "München", Country: "Germany"}, munich},
		{"native name, no country", Query{City: "Muenchen"}, munich},
		{"New York", Query{City: "New York", Region: "NY", Country: "US"}, newYork},
		{"no country means the US first", Query{City: "Hamburg"}, hamburgNY},
		{"country given", Query{City: "Hamburg", Country: "Deutschland"}, hamburgDE},
		{"UK", Query{City: "London", Country: "UK"}, london},
		{"US territory as a state", Query{City: "San Juan", Region: "PR", Country: "US"}, sanJuanPR},
		{"Canadian province code", Query{City: "Toronto", Region: "ON", Country: "Canada"}, toronto},
		{"postal code outside the US ignored", Query{City: "Lyon", PostalCode: "69001", Country: "FR"}, lyon},
		{"no country, foreign city with a ZIP-shaped code", Query{City: "Lyon", PostalCode: "69001"}, lyon},
		{"unknown country name: unique city", Query{City: "Tokyo", Country: "Nippon"}, tokyo},
		{"unknown city", Query{City: "Nowhereville", Region: "KS", Country: "US"}, notFound},
		{"unknown city abroad", Query{City: "Nowhereville", Country: "FR"}, notFound},
		{"city in another country", Query{City: "Tokyo", Country: "FR"}, notFound},
		{"empty", Query{}, notFound},
		{"street only", Query{Street: "1 Main St"}, notFound},
	}
	o := NewOffline()
	var want Stats
	for _, tt := range tests {
		want.Calls++
		if tt.want.Kind == "" {
			want.Hits++
		} else {
			want.Misses++
		}
		t.Run(tt.name, func(t *testing.T) {
			got := outcomeOf(o.Geocode(context.Background(), tt.q))
			if diff := cmp.Diff(tt.want, got, near); diff != "" {
				t.Errorf("Geocode(%+v) = %+v, want %+v (-want +got):\n%s", tt.q, got, tt.want, diff)
			}
		})
	}
	if got := o.Stats(); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestOfflineCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewOffline().Geocode(ctx, Query{PostalCode: "10001"})
	if err != context.Canceled {
		t.Errorf("Geocode(cancelled) error = %v, want %v", err, context.Canceled)
	}
}

// TestOfflineConcurrent runs lookups from many goroutines, for the race
// detector.
func TestOfflineConcurrent(t *testing.T) {
	o := NewOffline()
	qs := []Query{{PostalCode: "10001"}, {City: "Paris", Country: "FR"}, {City: "Springfield", Region: "MA"}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				q := qs[(i+j)%len(qs)]
				if _, err := o.Geocode(context.Background(), q); err != nil {
					t.Errorf("Geocode(%+v) = %v, want a place", q, err)
				}
			}
		})
	}
	wg.Wait()
	if got, want := o.Stats().Hits, int64(8*50); got != want {
		t.Errorf("Stats().Hits = %d, want %d", got, want)
	}
}

func BenchmarkOffline(b *testing.B) {
	ctx := context.Background()
	o := NewOffline()
	zips := ZIPs()
	for _, bb := range []struct {
		name string
		q    func(i int) Query
	}{
		{"ZIP", func(i int) Query { return Query{PostalCode: zips[i%len(zips)].Code, Country: "US"} }},
		{"ZIP+4 no country", func(i int) Query { return Query{PostalCode: zips[i%len(zips)].Code + "-0001"} }},
		{"city", func(i int) Query {
			return []Query{{City: "Paris", Country: "FR"}, {City: "Springfield", Region: "IL", Country: "US"}, {City: "São Paulo", Country: "Brazil"}}[i%3]
		}},
	} {
		qs := make([]Query, 1024)
		for i := range qs {
			qs[i] = bb.q(i)
		}
		o.Geocode(ctx, qs[0]) // load the data outside the timing
		b.Run(bb.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := o.Geocode(ctx, qs[i%len(qs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}

func ExampleOffline() {
	g := NewOffline()
	r, err := g.Geocode(context.Background(), Query{City: "Springfield", Region: "IL", Country: "USA"})
	fmt.Println(r.Precision, r.Source, err)
	_, err = g.Geocode(context.Background(), Query{City: "Xyzzyville"})
	fmt.Println(derrors.KindOf(err))
	// Output:
	// city gazetteer:city <nil>
	// not_found
}
