package geocode

import (
	"context"
	"sync"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// near compares points as equal within 5 km: the tests name real places by
// their usual coordinates, which a refreshed gazetteer may move a little.
var near = cmp.Comparer(func(a, b geo.Point) bool { return geo.DistanceMeters(a, b) < 5000 })

// outcome is what a Geocode call came to, for table tests.
type outcome struct {
	Result Result
	Kind   derrors.Kind // "" for success
}

func outcomeOf(r Result, err error) outcome { return outcome{Result: r, Kind: derrors.KindOf(err)} }

// fake is a scripted geocoder: it answers with answer(q) and counts calls.
type fake struct {
	mu     sync.Mutex
	calls  int
	answer func(q Query) (Result, error)
}

func (f *fake) Geocode(ctx context.Context, q Query) (Result, error) {
	f.mu.Lock()
	f.calls++
	f.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return f.answer(q)
}

func (f *fake) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
