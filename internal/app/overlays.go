package app

import (
	"context"
	"sort"
	"sync"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/overlay"
)

// CreateOverlay reads a GeoJSON FeatureCollection and keeps it as a map
// overlay (managers). name, when not empty, wins over the collection's own.
func (s *Service) CreateOverlay(ctx context.Context, actor *auth.Actor, name string, data []byte) (*overlay.Overlay, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	o, err := overlay.Parse(name, data)
	if err != nil {
		return nil, err
	}
	o.CreatedBy = actor.User.ID
	if err := s.Store.CreateOverlay(ctx, o); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "overlay.create", o.Name, "")
	return o, nil
}

// ListOverlays lists the overlays (everyone signed in: they are map layers,
// not account data).
func (s *Service) ListOverlays(ctx context.Context, actor *auth.Actor) ([]*overlay.Overlay, error) {
	if actor == nil {
		return nil, derrors.E(derrors.Unauthenticated, "sign in")
	}
	return s.Store.ListOverlays(ctx)
}

// GetOverlay returns an overlay with its features.
func (s *Service) GetOverlay(ctx context.Context, actor *auth.Actor, id int64) (*overlay.Overlay, error) {
	if actor == nil {
		return nil, derrors.E(derrors.Unauthenticated, "sign in")
	}
	return s.Store.GetOverlay(ctx, id)
}

// DeleteOverlay removes an overlay (managers).
func (s *Service) DeleteOverlay(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	o, err := s.Store.GetOverlay(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteOverlay(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, actor, "overlay.delete", o.Name, "")
	return nil
}

// overlayFor reads the overlay a filter names; a missing one is invalid input.
func (s *Service) overlayFor(ctx context.Context, id int64) (*overlay.Overlay, error) {
	o, err := s.Store.GetOverlay(ctx, id)
	if derrors.Is(err, derrors.NotFound) {
		return nil, derrors.Invalidf("overlay: no overlay %d", id)
	}
	return o, err
}

// overlayIDs returns, in id order, the placed accounts inside the overlay
// (and among f.IDs when those are set), read from the store so the answer
// is current.
func (s *Service) overlayIDs(ctx context.Context, f account.Filter) ([]int64, error) {
	o, err := s.overlayFor(ctx, f.Overlay)
	if err != nil {
		return nil, err
	}
	var only map[int64]bool
	if len(f.IDs) > 0 {
		only = make(map[int64]bool, len(f.IDs))
		for _, id := range f.IDs {
			only[id] = true
		}
	}
	located, err := s.Store.LocatedIn(ctx, o.BBox)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, l := range located {
		if (only == nil || only[l.ID]) && o.Contains(l.Location) {
			ids = append(ids, l.ID)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids, nil
}

// overlayChunk is how many ids one query carries, well under both engines'
// bind-parameter limits.
const overlayChunk = 2000

// listInOverlay is ListAccounts for a filter with an overlay: the accounts
// inside are resolved to ids and the rest of the filter applied to them a
// chunk at a time, keeping id order, the cursor and the total.
func (s *Service) listInOverlay(ctx context.Context, f account.Filter, p account.Page) (account.List, error) {
	limit, _, err := p.Normalize()
	if err != nil {
		return account.List{}, err
	}
	ids, err := s.overlayIDs(ctx, f)
	if err != nil {
		return account.List{}, err
	}
	f.Overlay = 0
	var out account.List
	more := false
	for start := 0; start < len(ids); start += overlayChunk {
		sub := f
		sub.IDs = ids[start:min(len(ids), start+overlayChunk)]
		want := limit - len(out.Items)
		l, err := s.Store.ListAccounts(ctx, sub, account.Page{Limit: max(want, 1), Cursor: p.Cursor})
		if err != nil {
			return account.List{}, err
		}
		out.Total += l.Total
		if want > 0 {
			out.Items = append(out.Items, l.Items...)
			more = more || l.NextCursor != ""
		} else if len(l.Items) > 0 {
			more = true
		}
	}
	if more && len(out.Items) > 0 {
		out.NextCursor = account.EncodeCursor(out.Items[len(out.Items)-1].ID)
	}
	return out, nil
}

// eachInOverlay is EachAccount for a filter with an overlay.
func (s *Service) eachInOverlay(ctx context.Context, f account.Filter, fn func(*account.Account) error) error {
	ids, err := s.overlayIDs(ctx, f)
	if err != nil {
		return err
	}
	f.Overlay = 0
	for start := 0; start < len(ids); start += overlayChunk {
		sub := f
		sub.IDs = ids[start:min(len(ids), start+overlayChunk)]
		if err := s.Store.EachAccount(ctx, sub, fn); err != nil {
			return err
		}
	}
	return nil
}

// overlaySets caches, per overlay, which of the map index's accounts lie
// inside it, so map tiles filtered by an overlay test a set rather than
// polygons. Overlays never change (a new one gets a new id), so an entry
// holds while the index version does.
var overlaySets = struct {
	sync.Mutex
	m map[overlaySetKey]map[int64]bool
}{m: map[overlaySetKey]map[int64]bool{}}

type overlaySetKey struct {
	svc *Service
	id  int64
	ver string
}

// maxOverlaySets bounds the cache; past it, it starts afresh.
const maxOverlaySets = 32

// OverlayFilter returns a per-account test for the map index: inside the
// overlay, and passing also, when not nil.
func (s *Service) OverlayFilter(ctx context.Context, id int64, mi *MapIndex, also func(int64) bool) (func(int64) bool, error) {
	key := overlaySetKey{s, id, mi.Version}
	overlaySets.Lock()
	set, ok := overlaySets.m[key]
	overlaySets.Unlock()
	if !ok {
		o, err := s.overlayFor(ctx, id)
		if err != nil {
			return nil, err
		}
		set = map[int64]bool{}
		for i := 0; i < mi.Len(); i++ {
			p := mi.At(i)
			if o.Contains(geo.Point{Lon: p.Lon, Lat: p.Lat}) {
				set[p.ID] = true
			}
		}
		overlaySets.Lock()
		if len(overlaySets.m) >= maxOverlaySets {
			overlaySets.m = map[overlaySetKey]map[int64]bool{}
		}
		overlaySets.m[key] = set
		overlaySets.Unlock()
	}
	if also == nil {
		return func(id int64) bool { return set[id] }, nil
	}
	return func(id int64) bool { return set[id] && also(id) }, nil
}
