package geocode

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// closedURL returns the URL of a server that is no longer listening:
// connections to it are refused at once.
func closedURL(t *testing.T) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

func TestChainFallsBackWhenOnlineGeocoderIsDown(t *testing.T) {
	online := NewNominatim(closedURL(t))
	chain := Chain(online, NewOffline())
	ctx := context.Background()
	want := outcome{Result: Result{Location: geo.Point{Lon: -73.9972, Lat: 40.7506}, Precision: account.PrecisionPostal, Source: SourceZIP}}
	for i := range 10 {
		got := outcomeOf(chain.Geocode(ctx, Query{Street: "1 Penn Plaza", PostalCode: "10001", Country: "US"}))
		if diff := cmp.Diff(want, got, near); diff != "" {
			t.Fatalf("call %d: Geocode() = %+v, want %+v (-want +got):\n%s", i, got, want, diff)
		}
	}
	// The first DefaultBreakerFailures calls tried the dead server; the rest
	// skipped it.
	if got, want := online.Stats(), (Stats{Calls: DefaultBreakerFailures, Errors: DefaultBreakerFailures}); got != want {
		t.Errorf("online Stats() = %+v, want %+v", got, want)
	}
	m := chain.Members()
	if got, want := m[0].Stats(), (Stats{Calls: 10, Errors: 10, Skipped: 10 - DefaultBreakerFailures}); got != want {
		t.Errorf("online breaker Stats() = %+v, want %+v", got, want)
	}
	if !m[0].Open() || m[1].Open() {
		t.Errorf("Open() = %v, %v, want true, false", m[0].Open(), m[1].Open())
	}
	if got, want := chain.Stats(), (Stats{Calls: 10, Hits: 10}); got != want {
		t.Errorf("chain Stats() = %+v, want %+v", got, want)
	}
}

func TestChainStopsCallingAFailingServer(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	chain := Chain(NewOffline(), NewNominatim(srv.URL))
	for range 20 {
		// Unknown offline, so the chain asks the server, until the breaker opens.
		_, err := chain.Geocode(context.Background(), Query{Street: "1 Rue X", City: "Xyzzyville", Country: "FR"})
		if err == nil {
			t.Fatalf("Geocode() = nil error, want one")
		}
	}
	if got, want := requests.Load(), int64(DefaultBreakerFailures); got != want {
		t.Errorf("server requests = %d, want %d", got, want)
	}
}

func TestChainAnswers(t *testing.T) {
	found := func(src string) *fake {
		return &fake{answer: func(Query) (Result, error) { return Result{Source: src}, nil }}
	}
	missing := func() *fake {
		return &fake{answer: func(q Query) (Result, error) { return Result{}, derrors.NotFoundf("no %s", q.City) }}
	}
	broken := func() *fake {
		return &fake{answer: func(Query) (Result, error) { return Result{}, errors.New("connection refused") }}
	}
	tests := []struct {
		name string
		gs   []*fake
		want outcome
	}{
		{"first answers", []*fake{found("a"), found("b")}, outcome{Result: Result{Source: "a"}}},
		{"second answers after a miss", []*fake{missing(), found("b")}, outcome{Result: Result{Source: "b"}}},
		{"second answers after a failure", []*fake{broken(), found("b")}, outcome{Result: Result{Source: "b"}}},
		{"all miss", []*fake{missing(), missing()}, outcome{Kind: derrors.NotFound}},
		{"a failure and a miss: the failure", []*fake{broken(), missing()}, outcome{Kind: derrors.Internal}},
		{"empty chain", nil, outcome{Kind: derrors.NotFound}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gs []Geocoder
			for _, f := range tt.gs {
				gs = append(gs, f)
			}
			got := outcomeOf(Chain(gs...).Geocode(context.Background(), Query{City: "Lyon"}))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Geocode() = %+v, want %+v (-want +got):\n%s", got, tt.want, diff)
			}
		})
	}
}

func TestBreakerCoolsDownAndRecovers(t *testing.T) {
	clock := newFakeClock()
	up := false
	f := &fake{answer: func(Query) (Result, error) {
		if up {
			return Result{Source: "f"}, nil
		}
		return Result{}, errors.New("timeout")
	}}
	b := NewBreaker(f, 2, time.Minute)
	b.now = clock.Now
	ctx := context.Background()
	call := func() error { _, err := b.Geocode(ctx, Query{}); return err }

	call()
	call() // the second failure in a row opens the breaker
	if err := call(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Geocode() while open = %v, want ErrUnavailable", err)
	}
	clock.Advance(59 * time.Second)
	if err := call(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Geocode() before the cool-down ends = %v, want ErrUnavailable", err)
	}
	if got, want := f.Calls(), 2; got != want {
		t.Errorf("calls while open = %d, want %d", got, want)
	}
	clock.Advance(time.Second)
	if err := call(); err == nil || errors.Is(err, ErrUnavailable) {
		t.Errorf("trial Geocode() after the cool-down = %v, want the geocoder's failure", err)
	}
	if err := call(); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Geocode() after a failed trial = %v, want ErrUnavailable", err)
	}
	clock.Advance(time.Minute)
	up = true
	if err := call(); err != nil {
		t.Errorf("trial Geocode() once the service is back = %v, want nil", err)
	}
	if b.Open() {
		t.Errorf("Open() after a successful trial = true, want false")
	}
	if got, want := f.Calls(), 4; got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
	if got, want := b.Stats(), (Stats{Calls: 7, Hits: 1, Errors: 6, Skipped: 3}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}
}

func TestBreakerIgnoresNotFoundAndCancellation(t *testing.T) {
	f := &fake{answer: func(Query) (Result, error) { return Result{}, derrors.NotFoundf("no") }}
	b := NewBreaker(f, 1, time.Hour)
	for range 5 {
		b.Geocode(context.Background(), Query{})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 5 {
		b.Geocode(ctx, Query{})
	}
	if b.Open() {
		t.Errorf("Open() after NotFound answers and cancelled calls = true, want false")
	}
	if got, want := f.Calls(), 10; got != want {
		t.Errorf("calls = %d, want %d", got, want)
	}
}

func TestHTTPTimeout(t *testing.T) {
	if got := NewNominatim("http://x").Client.Timeout; got != DefaultTimeout {
		t.Errorf("NewNominatim().Client.Timeout = %v, want %v", got, DefaultTimeout)
	}
	if got := NewCensus("http://x").Client.Timeout; got != DefaultTimeout {
		t.Errorf("NewCensus().Client.Timeout = %v, want %v", got, DefaultTimeout)
	}
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	n := NewNominatim(srv.URL)
	n.Client = &http.Client{Timeout: 20 * time.Millisecond}
	_, err := n.Geocode(context.Background(), Query{City: "Lyon"})
	if err == nil || derrors.Is(err, derrors.NotFound) {
		t.Errorf("Geocode(hanging server) = %v, want a time-out error", err)
	}
}

func TestStatsOf(t *testing.T) {
	for _, g := range []Geocoder{NewOffline(), NewNominatim(""), NewCensus(""), Cached(NewOffline(), 1),
		RateLimited(NewOffline(), 1), NewBreaker(NewOffline(), 1, time.Second), Chain()} {
		if _, ok := StatsOf(g); !ok {
			t.Errorf("StatsOf(%T) = false, want true", g)
		}
	}
	if _, ok := StatsOf(&fake{}); ok {
		t.Errorf("StatsOf(%T) = true, want false", &fake{})
	}
}
