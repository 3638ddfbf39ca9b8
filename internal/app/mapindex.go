package app

import (
	"context"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/tile"
)

// MapIndex is the in-memory copy of every placed account that tiles and
// area figures are computed from, with what it was built from.
type MapIndex struct {
	*tile.Index
	Pipeline *account.Pipeline
	Version  string
	Built    time.Time
}

// mapIndexer keeps the MapIndex current: checked against the store's
// version at most every CheckEvery, rebuilt in the background when it has
// moved, the old index served meanwhile.
type mapIndexer struct {
	mu       sync.Mutex
	cur      *MapIndex
	checked  time.Time
	building bool
	ready    chan struct{}
}

// mapCheckEvery bounds how stale the map may be after a change made by
// another process; changes made through this service mark it stale at once.
// The check counts and sums the accounts table (about a third of a second
// at a million accounts), so it must not run on every tile.
const mapCheckEvery = 30 * time.Second

// MapIndex returns the current map index, building it on first use.
func (s *Service) MapIndex(ctx context.Context) (*MapIndex, error) {
	mi := &s.mapIx
	mi.mu.Lock()
	if mi.ready == nil {
		mi.ready = make(chan struct{})
	}
	cur, ready := mi.cur, mi.ready
	due := time.Since(mi.checked) > mapCheckEvery && !mi.building
	if due {
		mi.checked = time.Now()
	}
	mi.mu.Unlock()
	if cur == nil {
		if err := s.rebuildMap(ctx, ""); err != nil {
			return nil, err
		}
		select {
		case <-ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		mi.mu.Lock()
		defer mi.mu.Unlock()
		return mi.cur, nil
	}
	if due {
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if err := s.rebuildMap(ctx, cur.Version); err != nil {
				s.Log.Error("map index", "err", err)
			}
		}()
	}
	return cur, nil
}

// rebuildMap builds a new index unless the store's version is still known.
func (s *Service) rebuildMap(ctx context.Context, known string) error {
	mi := &s.mapIx
	ver, err := s.Store.Version(ctx)
	if err != nil {
		return err
	}
	tver, err := s.Store.TerritoriesVersion(ctx)
	if err != nil {
		return err
	}
	ver += "/" + tver
	if ver == known {
		return nil
	}
	mi.mu.Lock()
	if mi.building {
		mi.mu.Unlock()
		return nil
	}
	mi.building = true
	mi.mu.Unlock()
	defer func() {
		mi.mu.Lock()
		mi.building = false
		mi.mu.Unlock()
	}()
	p, err := s.Pipeline(ctx)
	if err != nil {
		return err
	}
	var pts []tile.Point
	err = s.Store.EachPlaced(ctx, func(a account.Placed) error {
		st := p.Position(a.Stage)
		if st < 0 {
			st = 0
		}
		pts = append(pts, tile.Point{ID: a.ID, Lon: a.Location.Lon, Lat: a.Location.Lat, Stage: uint8(st), OwnerID: a.OwnerID,
			TerritoryID: a.TerritoryID, Value: a.EstimatedValue, CreatedAt: a.CreatedAt, LastVisitAt: a.LastVisitAt,
			Name: a.Name, LastResult: a.LastVisitResult})
		return nil
	})
	if err != nil {
		return err
	}
	next := &MapIndex{Index: tile.Build(pts), Pipeline: p, Version: ver, Built: time.Now()}
	mi.mu.Lock()
	first := mi.cur == nil
	mi.cur = next
	if first && mi.ready != nil {
		close(mi.ready)
	}
	mi.mu.Unlock()
	return nil
}

// mapChanged marks the map index stale after a write by this service, so
// the next tile sees it.
func (s *Service) mapChanged() {
	s.mapIx.mu.Lock()
	s.mapIx.checked = time.Time{}
	s.mapIx.mu.Unlock()
}
