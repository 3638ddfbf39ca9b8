package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

// ListTerritories returns every territory. Everyone sees the map's
// territories; what is inside them is filtered elsewhere.
func (s *Service) ListTerritories(ctx context.Context, actor *auth.Actor) ([]*territory.Territory, error) {
	ts, _, err := s.territories(ctx)
	return ts, err
}

// GetTerritory returns one territory.
func (s *Service) GetTerritory(ctx context.Context, actor *auth.Actor, id int64) (*territory.Territory, error) {
	return s.Store.GetTerritory(ctx, id)
}

// SaveTerritory creates (ID 0) or updates a territory (managers only) and
// moves the accounts its change affects, atomically.
func (s *Service) SaveTerritory(ctx context.Context, actor *auth.Actor, t *territory.Territory) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if err := t.Validate(); err != nil {
		return err
	}
	all, err := s.Store.ListTerritories(ctx)
	if err != nil {
		return err
	}
	affected := t.Shape.Bounds()
	var old *territory.Territory
	for _, o := range all {
		if o.ID == t.ID && t.ID != 0 {
			old = o
		}
	}
	if t.ID != 0 && old == nil {
		return derrors.NotFoundf("territory %d not found", t.ID)
	}
	if old != nil {
		ob := old.Shape.Bounds()
		affected = union(affected, ob)
	}
	if err := checkParentCycle(all, t); err != nil {
		return err
	}
	for _, uid := range t.RepIDs {
		u, err := s.Store.GetUser(ctx, uid)
		if err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return derrors.Invalidf("reps: user %d does not exist", uid)
			}
			return err
		}
		if u.Role != auth.RoleRep && u.Role != auth.RoleManager {
			return derrors.Invalidf("reps: %s is an %s, not a rep or manager", u.Email, u.Role)
		}
	}
	located, err := s.Store.LocatedIn(ctx, affected)
	if err != nil {
		return err
	}
	err = s.Store.SaveTerritory(ctx, t, func(id int64) ([]account.Assignment, error) {
		next := []*territory.Territory{}
		for _, o := range all {
			if o.ID != id {
				next = append(next, o)
			}
		}
		cp := *t
		cp.ID = id
		next = append(next, &cp)
		return territory.NewIndex(next).Reassign(located), nil
	})
	s.invalidateTerritories()
	s.mapChanged()
	if err != nil {
		return err
	}
	verb := "territory.update"
	if old == nil {
		verb = "territory.create"
	}
	s.audit(ctx, actor, verb, t.Name, fmt.Sprintf("reps=%v", t.RepIDs))
	return nil
}

func union(a, b geo.BBox) geo.BBox {
	return a.Extend(geo.Point{Lon: b.MinLon, Lat: b.MinLat}).Extend(geo.Point{Lon: b.MaxLon, Lat: b.MaxLat})
}

// checkParentCycle refuses a parent that is the territory itself or below it.
func checkParentCycle(all []*territory.Territory, t *territory.Territory) error {
	if t.ParentID == 0 || t.ID == 0 {
		return nil
	}
	parent := map[int64]int64{}
	for _, o := range all {
		parent[o.ID] = o.ParentID
	}
	var chain []string
	for p := t.ParentID; p != 0; p = parent[p] {
		if p == t.ID {
			return derrors.Invalidf("parent: territory %d is inside this territory, so it cannot be its parent", t.ParentID)
		}
		chain = append(chain, fmt.Sprint(p))
		if len(chain) > len(all) {
			return derrors.Invalidf("parent: territories form a loop (%s)", strings.Join(chain, "→"))
		}
	}
	return nil
}

// DeleteTerritory removes a territory (managers only); its accounts fall to
// whichever territory now contains them, its children to its parent.
func (s *Service) DeleteTerritory(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	t, err := s.Store.GetTerritory(ctx, id)
	if err != nil {
		return err
	}
	all, err := s.Store.ListTerritories(ctx)
	if err != nil {
		return err
	}
	rest := []*territory.Territory{}
	for _, o := range all {
		if o.ID != id {
			rest = append(rest, o)
		}
	}
	located, err := s.Store.LocatedIn(ctx, t.Shape.Bounds())
	if err != nil {
		return err
	}
	ix := territory.NewIndex(rest)
	var as []account.Assignment
	for _, l := range located {
		if l.TerritoryID == id {
			if nt := ix.Assign(l.Location); nt != 0 {
				as = append(as, account.Assignment{AccountID: l.ID, TerritoryID: nt})
			}
		}
	}
	err = s.Store.DeleteTerritory(ctx, id, as)
	s.invalidateTerritories()
	s.mapChanged()
	if err != nil {
		return err
	}
	s.audit(ctx, actor, "territory.delete", t.Name, "")
	return nil
}

// RepIDsByEmail resolves rep emails to user ids, naming any unknown one.
func (s *Service) RepIDsByEmail(ctx context.Context, emails []string) ([]int64, error) {
	var ids []int64
	for _, e := range emails {
		u, err := s.Store.GetUserByEmail(ctx, e)
		if err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return nil, derrors.Invalidf("reps: no user has email %q", e)
			}
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}
