package geocode

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Breaker defaults: after DefaultBreakerFailures failures in a row a
// geocoder is left alone for DefaultBreakerCoolDown.
const (
	DefaultBreakerFailures = 3
	DefaultBreakerCoolDown = time.Minute
)

// Breaker stops calling a geocoder that keeps failing, so that an
// unreachable service costs an import a few time-outs rather than one per
// row. After failures consecutive errors other than NotFound it is open: calls
// return an error wrapping ErrUnavailable at once, for coolDown. Then one
// call is let through as a trial; its success closes the breaker, its failure
// opens it for another coolDown.
//
// Errors caused by the caller's own cancelled context do not count.
type Breaker struct {
	g        Geocoder
	failures int
	coolDown time.Duration
	now      func() time.Time // the clock; tests replace it

	mu        sync.Mutex
	failed    int       // consecutive failures
	openUntil time.Time // zero: closed
	trial     bool      // a trial call is under way

	stats counters
}

// NewBreaker wraps g in a breaker that opens after failures consecutive
// failures (DefaultBreakerFailures if < 1) for coolDown
// (DefaultBreakerCoolDown if <= 0).
func NewBreaker(g Geocoder, failures int, coolDown time.Duration) *Breaker {
	if failures < 1 {
		failures = DefaultBreakerFailures
	}
	if coolDown <= 0 {
		coolDown = DefaultBreakerCoolDown
	}
	return &Breaker{g: g, failures: failures, coolDown: coolDown, now: time.Now}
}

// Geocoder returns the geocoder b guards.
func (b *Breaker) Geocoder() Geocoder { return b.g }

// Open reports whether b is skipping its geocoder now.
func (b *Breaker) Open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return !b.openUntil.IsZero() && (b.trial || b.now().Before(b.openUntil))
}

// Stats returns the counters of b; Skipped counts the calls not made.
func (b *Breaker) Stats() Stats { return b.stats.snapshot() }

// Geocode asks the geocoder unless the breaker is open.
func (b *Breaker) Geocode(ctx context.Context, q Query) (Result, error) {
	trial, ok := b.admit()
	if !ok {
		b.stats.skipped.Add(1)
		err := fmt.Errorf("%w (%d in a row); trying again after %v", ErrUnavailable, b.failures, b.coolDown)
		b.stats.record(err)
		return Result{}, err
	}
	res, err := b.g.Geocode(ctx, q)
	b.stats.record(err)
	failed := err != nil && !isNotFound(err) && ctx.Err() == nil
	b.mu.Lock()
	defer b.mu.Unlock()
	if trial {
		b.trial = false
	}
	switch {
	case failed:
		b.failed++
		if trial || b.failed >= b.failures {
			b.openUntil = b.now().Add(b.coolDown)
		}
	case err == nil || isNotFound(err):
		b.failed, b.openUntil = 0, time.Time{}
	}
	return res, err
}

// admit says whether a call may go ahead and whether it is the trial call of
// a breaker whose cool-down has passed.
func (b *Breaker) admit() (trial, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.openUntil.IsZero():
		return false, true
	case b.trial || b.now().Before(b.openUntil):
		return false, false
	default:
		b.trial = true
		return true, true
	}
}

// Chained asks several geocoders in turn; see Chain.
type Chained struct {
	members []*Breaker
	stats   counters
}

// Chain returns a geocoder that asks each of gs in order until one places
// the address, so that a cheap, offline geocoder can answer first and an
// online one fill its gaps, or the reverse for street-level precision first.
//
// Each geocoder is guarded by a Breaker (DefaultBreakerFailures,
// DefaultBreakerCoolDown) unless it is a *Breaker already: a geocoder that
// keeps failing is skipped and the chain answers from the others.
//
// The chain's answer is the first found place; else NotFound if every
// geocoder asked said NotFound or was skipped; else the last failure, so that
// an address left unplaced by an outage can be told from an unknown one.
func Chain(gs ...Geocoder) *Chained {
	c := &Chained{}
	for _, g := range gs {
		b, ok := g.(*Breaker)
		if !ok {
			b = NewBreaker(g, DefaultBreakerFailures, DefaultBreakerCoolDown)
		}
		c.members = append(c.members, b)
	}
	return c
}

// Members returns the chain's geocoders, each in its Breaker, in order: their
// Stats and Open state are for an import's summary.
func (c *Chained) Members() []*Breaker { return append([]*Breaker(nil), c.members...) }

// Stats returns the chain's own counters: one call per address asked.
func (c *Chained) Stats() Stats { return c.stats.snapshot() }

// Geocode asks each geocoder in turn.
func (c *Chained) Geocode(ctx context.Context, q Query) (Result, error) {
	res, err := c.geocode(ctx, q)
	c.stats.record(err)
	return res, err
}

func (c *Chained) geocode(ctx context.Context, q Query) (Result, error) {
	var failure error
	for _, m := range c.members {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		res, err := m.Geocode(ctx, q)
		switch {
		case err == nil:
			return res, nil
		case isNotFound(err), errors.Is(err, ErrUnavailable):
		default:
			failure = err
		}
	}
	if failure != nil {
		return Result{}, failure
	}
	return Result{}, notFound("geocode", q)
}
