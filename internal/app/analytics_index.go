package app

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/analytics"
)

// AnalyticsIndex is the in-memory, column-wise copy of the interactions the
// analyses read, with what it was built from.
type AnalyticsIndex struct {
	*analytics.Events
	Version string
	Built   time.Time
	// BuildSeconds is how long reading it from the store (or the snapshot)
	// took.
	BuildSeconds float64
	// FromSnapshot says it was read from the snapshot file rather than the
	// store (see analytics_snapshot.go).
	FromSnapshot bool
}

// analyticsIndexer keeps the AnalyticsIndex current the way the map index
// is kept (mapindex.go): checked against the store's version at most every
// analyticsCheckEvery, rebuilt in the background when it moved, the old
// copy served meanwhile. Only the first build makes a caller wait.
type analyticsIndexer struct {
	mu       sync.Mutex
	cur      *AnalyticsIndex
	checked  time.Time
	building bool
	propMu   sync.Mutex // serialises loading custom properties
	first    sync.Mutex // one first build at a time
	snapshot string     // file keeping the columns between processes; "" for none
}

// analyticsCheckEvery bounds how stale analyses may be after a change made
// by another process.
const analyticsCheckEvery = 30 * time.Second

func (s *Service) analyticsIx() *analyticsIndexer { return &s.analytics }

func (s *Service) analyticsVersion(ctx context.Context) (string, error) {
	iv, err := s.Store.InteractionsVersion(ctx)
	if err != nil {
		return "", err
	}
	av, err := s.Store.Version(ctx)
	if err != nil {
		return "", err
	}
	return iv + "/" + av, nil
}

// Analytics returns the current analytics index, building it on first use.
func (s *Service) Analytics(ctx context.Context) (*AnalyticsIndex, error) {
	ix := s.analyticsIx()
	ix.mu.Lock()
	cur := ix.cur
	due := cur != nil && time.Since(ix.checked) > analyticsCheckEvery && !ix.building
	if due {
		ix.checked = time.Now()
		ix.building = true
	}
	ix.mu.Unlock()
	if cur == nil {
		ix.first.Lock()
		defer ix.first.Unlock()
		ix.mu.Lock()
		cur = ix.cur
		ix.mu.Unlock()
		if cur != nil {
			return cur, nil
		}
		next, err := s.buildAnalytics(ctx)
		if err != nil {
			return nil, err
		}
		ix.mu.Lock()
		ix.cur, ix.checked = next, time.Now()
		ix.mu.Unlock()
		return next, nil
	}
	if due {
		go func() {
			defer func() {
				ix.mu.Lock()
				ix.building = false
				ix.mu.Unlock()
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
			defer cancel()
			ver, err := s.analyticsVersion(ctx)
			if err != nil || ver == cur.Version {
				return
			}
			next, err := s.buildAnalytics(ctx)
			if err != nil {
				s.Log.Error("analytics index", "err", err)
				return
			}
			ix.mu.Lock()
			ix.cur = next
			ix.mu.Unlock()
		}()
	}
	return cur, nil
}

// AnalyticsChanged marks the analytics index stale after a write by this
// service (an import, a new interaction), so the next analysis checks.
func (s *Service) AnalyticsChanged() {
	ix := s.analyticsIx()
	ix.mu.Lock()
	ix.checked = time.Time{}
	ix.mu.Unlock()
}

func (s *Service) buildAnalytics(ctx context.Context) (*AnalyticsIndex, error) {
	start := time.Now()
	ver, err := s.analyticsVersion(ctx)
	if err != nil {
		return nil, err
	}
	path := s.analyticsSnapshotPath()
	if ev := s.readAnalyticsSnapshot(path, ver); ev != nil {
		return &AnalyticsIndex{Events: ev, Version: ver, Built: time.Now(), BuildSeconds: time.Since(start).Seconds(), FromSnapshot: true}, nil
	}
	ev, err := analytics.Load(ctx, s.Store)
	if err != nil {
		return nil, err
	}
	runtime.GC() // the build's garbage is several times the result
	built := time.Since(start).Seconds()
	s.writeAnalyticsSnapshot(path, ver, ev)
	return &AnalyticsIndex{Events: ev, Version: ver, Built: time.Now(), BuildSeconds: built}, nil
}

// withProperties makes sure the named custom properties are loaded into
// the index (once; they stay until the next rebuild).
func (s *Service) withProperties(ctx context.Context, ai *AnalyticsIndex, names []string) error {
	if len(names) == 0 {
		return nil
	}
	ix := s.analyticsIx()
	ix.propMu.Lock()
	defer ix.propMu.Unlock()
	for _, n := range names {
		if ai.Props[n] != nil {
			continue
		}
		if err := analytics.LoadProperty(ctx, s.Store, ai.Events, n); err != nil {
			return err
		}
	}
	return nil
}
