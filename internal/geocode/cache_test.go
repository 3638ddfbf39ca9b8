package geocode

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

func TestCacheServesRepeatsFromMemory(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Query().Get("city") == "Xyzzyville" {
			w.Write([]byte(nominatimNone))
			return
		}
		w.Write([]byte(nominatimCity))
	}))
	defer srv.Close()
	c := Cached(NewNominatim(srv.URL), 10)
	ctx := context.Background()

	lyon := outcome{Result: Result{Location: geo.Point{Lon: 4.8320114, Lat: 45.7578137}, Precision: account.PrecisionCity, Source: SourceNominatim}}
	steps := []struct {
		q            Query
		want         outcome
		wantRequests int64
	}{
		{Query{City: "Lyon", Country: "FR"}, lyon, 1},
		{Query{City: "Lyon", Country: "FR"}, lyon, 1},
		{Query{City: " LYON ", Country: "France"}, lyon, 1}, // the same address, written differently
		{Query{City: "Lyon", Country: "FR", Street: "1 Rue X"}, lyon, 2},
		{Query{City: "Xyzzyville"}, outcome{Kind: derrors.NotFound}, 3},
		{Query{City: "xyzzyville"}, outcome{Kind: derrors.NotFound}, 3}, // NotFound is remembered too
	}
	for i, s := range steps {
		got := outcomeOf(c.Geocode(ctx, s.q))
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("step %d: Geocode(%+v) = %+v, want %+v (-want +got):\n%s", i, s.q, got, s.want, diff)
		}
		if got := requests.Load(); got != s.wantRequests {
			t.Errorf("step %d: after Geocode(%+v) the server had %d requests, want %d", i, s.q, got, s.wantRequests)
		}
	}
	if got, want := c.Stats(), (Stats{Calls: 6, Hits: 4, Misses: 2, Cached: 3}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestCacheDoesNotRememberFailures(t *testing.T) {
	fail := true
	f := &fake{answer: func(Query) (Result, error) {
		if fail {
			return Result{}, errors.New("connection refused")
		}
		return Result{Source: "fake"}, nil
	}}
	c := Cached(f, 10)
	q := Query{City: "Lyon"}
	if _, err := c.Geocode(context.Background(), q); err == nil {
		t.Fatalf("Geocode() = nil error, want the failure")
	}
	fail = false
	if _, err := c.Geocode(context.Background(), q); err != nil {
		t.Fatalf("Geocode() after recovery = %v, want a place", err)
	}
	if got, want := f.Calls(), 2; got != want {
		t.Errorf("geocoder calls = %d, want %d", got, want)
	}
}

func TestCacheEvictsLeastRecentlyUsed(t *testing.T) {
	f := &fake{answer: func(q Query) (Result, error) { return Result{Source: q.City}, nil }}
	c := Cached(f, 2)
	ctx := context.Background()
	for _, city := range []string{"a", "b", "a", "c", "a", "b"} {
		c.Geocode(ctx, Query{City: city})
	}
	// a, b: 2 calls; a: cached; c evicts b; a: cached; b: evicts c, a call.
	if got, want := f.Calls(), 4; got != want {
		t.Errorf("geocoder calls = %d, want %d", got, want)
	}
	if got, want := c.Len(), 2; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
}

func TestCacheAsksOnceForConcurrentCalls(t *testing.T) {
	release := make(chan struct{})
	f := &fake{answer: func(Query) (Result, error) {
		<-release
		return Result{Source: "fake"}, nil
	}}
	c := Cached(f, 10)
	var wg sync.WaitGroup
	var started atomic.Int64
	for range 10 {
		wg.Go(func() {
			started.Add(1)
			if _, err := c.Geocode(context.Background(), Query{City: "Lyon"}); err != nil {
				t.Errorf("Geocode() = %v, want a place", err)
			}
		})
	}
	// Hold the first call until every goroutine has started: those that
	// reach the cache before it returns wait for it, the others find its
	// answer remembered. Either way the geocoder is asked once.
	for started.Load() < 10 || f.Calls() < 1 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if got, want := f.Calls(), 1; got != want {
		t.Errorf("geocoder calls = %d, want %d", got, want)
	}
}

func TestCacheKey(t *testing.T) {
	same := [][2]Query{
		{{City: "São Paulo", Country: "BR"}, {City: "sao paulo", Country: "Brazil"}},
		{{PostalCode: "02134", Country: "US"}, {PostalCode: "2134-0001", Country: "USA"}},
		{{Street: "1 Main St.", City: "Springfield"}, {Street: "1  main st", City: "SPRINGFIELD"}},
	}
	for _, p := range same {
		if a, b := cacheKey(p[0]), cacheKey(p[1]); a != b {
			t.Errorf("cacheKey(%+v) = %q, cacheKey(%+v) = %q, want equal", p[0], a, p[1], b)
		}
	}
	differ := [][2]Query{
		{{Street: "1 23 Main"}, {Street: "12 3 Main"}},
		{{City: "Paris", Country: "FR"}, {City: "Paris", Country: "US"}},
		{{City: "Paris", Region: "TX"}, {City: "Paris"}},
	}
	for _, p := range differ {
		if a, b := cacheKey(p[0]), cacheKey(p[1]); a == b {
			t.Errorf("cacheKey(%+v) = cacheKey(%+v) = %q, want different", p[0], p[1], a)
		}
	}
}
