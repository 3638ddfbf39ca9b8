package geocode

import (
	"context"
	"math"
	"sync"
	"time"
)

// Limiter spaces the calls to a geocoder evenly, at most perSecond a second,
// as online services' usage policies require (Nominatim's public server: 1).
// A call waits its turn, or returns ctx's error if ctx ends first.
type Limiter struct {
	g        Geocoder
	interval time.Duration

	// now and sleep are the clock; tests replace them.
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error

	mu   sync.Mutex
	next time.Time // when the next call may start

	stats counters
}

// RateLimited returns g limited to perSecond calls a second. perSecond <= 0,
// NaN or infinite means no limit.
func RateLimited(g Geocoder, perSecond float64) *Limiter {
	l := &Limiter{g: g, now: time.Now, sleep: sleepCtx}
	if perSecond > 0 && !math.IsInf(perSecond, 1) {
		l.interval = time.Duration(float64(time.Second) / perSecond)
	}
	return l
}

// Geocode waits for its turn, then asks the geocoder.
func (l *Limiter) Geocode(ctx context.Context, q Query) (Result, error) {
	res, err := l.geocode(ctx, q)
	l.stats.record(err)
	return res, err
}

// Stats returns the counters of l.
func (l *Limiter) Stats() Stats { return l.stats.snapshot() }

func (l *Limiter) geocode(ctx context.Context, q Query) (Result, error) {
	if err := l.wait(ctx); err != nil {
		return Result{}, err
	}
	return l.g.Geocode(ctx, q)
}

// wait reserves the next free slot and sleeps until it comes.
func (l *Limiter) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if l.interval <= 0 {
		return nil
	}
	l.mu.Lock()
	now := l.now()
	slot := l.next
	if slot.Before(now) {
		slot = now
	}
	l.next = slot.Add(l.interval)
	l.mu.Unlock()

	d := slot.Sub(now)
	if d <= 0 {
		return nil
	}
	if err := l.sleep(ctx, d); err != nil {
		// Give the slot back when no later call has taken one since.
		l.mu.Lock()
		if l.next.Equal(slot.Add(l.interval)) {
			l.next = slot
		}
		l.mu.Unlock()
		return err
	}
	return nil
}

// sleepCtx sleeps for d or until ctx ends, whichever comes first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
