package geocode

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeSleeper records the waits a Limiter asks for without waiting.
type fakeSleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *fakeSleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return nil
}

func TestRateLimitedSpacesCalls(t *testing.T) {
	clock := newFakeClock()
	sleeper := &fakeSleeper{}
	f := &fake{answer: func(Query) (Result, error) { return Result{}, nil }}
	l := RateLimited(f, 2) // one call every 500 ms
	l.now, l.sleep = clock.Now, sleeper.Sleep

	ctx := context.Background()
	for range 4 { // a burst: each call waits for the slot after the previous one
		l.Geocode(ctx, Query{})
	}
	clock.Advance(10 * time.Second) // a quiet spell: the next call goes at once
	l.Geocode(ctx, Query{})
	clock.Advance(100 * time.Millisecond) // then one too soon waits the rest of the interval
	l.Geocode(ctx, Query{})

	want := []time.Duration{500 * time.Millisecond, time.Second, 1500 * time.Millisecond, 400 * time.Millisecond}
	if diff := cmp.Diff(want, sleeper.waits); diff != "" {
		t.Errorf("waits = %v, want %v (-want +got):\n%s", sleeper.waits, want, diff)
	}
	if got, want := f.Calls(), 6; got != want {
		t.Errorf("geocoder calls = %d, want %d", got, want)
	}
}

// TestRateLimitedAllowsRateInWindow checks, with a fake clock, that the calls
// that may start within a window of w are 1 + rate×w.
func TestRateLimitedAllowsRateInWindow(t *testing.T) {
	clock := newFakeClock()
	start := clock.Now()
	f := &fake{answer: func(Query) (Result, error) { return Result{}, nil }}
	l := RateLimited(f, 5)
	var startedAt []time.Duration
	l.now = clock.Now
	l.sleep = func(ctx context.Context, d time.Duration) error {
		clock.Advance(d)
		return nil
	}
	for range 50 {
		l.Geocode(context.Background(), Query{})
		startedAt = append(startedAt, clock.Now().Sub(start))
	}
	inFirstTwoSeconds := 0
	for _, s := range startedAt {
		if s < 2*time.Second {
			inFirstTwoSeconds++
		}
	}
	if want := 10; inFirstTwoSeconds != want {
		t.Errorf("calls started within 2 s at 5/s = %d, want %d", inFirstTwoSeconds, want)
	}
}

func TestRateLimitedRespectsCancellation(t *testing.T) {
	f := &fake{answer: func(Query) (Result, error) { return Result{}, nil }}
	l := RateLimited(f, 0.001) // one call every 1000 s: the second would wait
	if _, err := l.Geocode(context.Background(), Query{}); err != nil {
		t.Fatalf("first Geocode() = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := l.Geocode(ctx, Query{})
		done <- err
	}()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Geocode(cancelled while waiting) = %v, want %v", err, context.Canceled)
	}
	if got, want := f.Calls(), 1; got != want {
		t.Errorf("geocoder calls = %d, want %d", got, want)
	}
	// The cancelled call gave its slot back: the next waits no longer than
	// the second would have.
	l.mu.Lock()
	gap := l.next.Sub(time.Now())
	l.mu.Unlock()
	if gap > 1000*time.Second {
		t.Errorf("next slot in %v after a cancelled wait, want at most 1000 s", gap)
	}
}

func TestRateLimitedUnlimited(t *testing.T) {
	f := &fake{answer: func(Query) (Result, error) { return Result{}, nil }}
	for _, rate := range []float64{0, -1} {
		l := RateLimited(f, rate)
		l.sleep = func(context.Context, time.Duration) error {
			t.Fatalf("RateLimited(g, %v) slept, want no limit", rate)
			return nil
		}
		for range 5 {
			l.Geocode(context.Background(), Query{})
		}
	}
}
