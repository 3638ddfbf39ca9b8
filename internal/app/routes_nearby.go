package app

import (
	"context"
	"sort"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Limits of a "while you're there" search along a route.
const (
	// DefaultRouteNearbyRadiusM is the search radius around each stop when
	// none is asked for: a short walk or drive from where the rep will be.
	DefaultRouteNearbyRadiusM = 1000
	// MaxRouteNearbyRadiusM bounds it: a plan holds up to MaxPlanStops
	// stops, and every account within the radius of any of them is read.
	MaxRouteNearbyRadiusM = 10000
	// DefaultRouteNearbyLimit and MaxRouteNearbyLimit bound the answer.
	DefaultRouteNearbyLimit = 20
	MaxRouteNearbyLimit     = 200
)

// RouteNearbyQuery asks for the prospects near a plan's stops.
type RouteNearbyQuery struct {
	// RadiusM is the distance from a stop, in metres (0: the default).
	RadiusM float64
	// Stages keeps only accounts in these stages; none means the lead and
	// opportunity stages (customers and lost accounts are not prospects).
	Stages []string
	// RepID keeps only the stops of this rep's route (0: every route).
	RepID int64
	// Limit is how many to return (0: the default).
	Limit int
}

// RouteProspect is an account worth a visit "while you're there": near a
// stop of a planned route and not one of the plan's stops.
type RouteProspect struct {
	Account *account.Account
	// Stop is the stop it is nearest to, the Position-th (from 1) of the
	// route of RepID, and DistanceM the great-circle distance between them.
	Stop      plan.Stop
	RepID     int64
	Position  int
	DistanceM float64
}

// RouteNearby returns the accounts the actor may see within q.RadiusM of a
// stop of plan id, nearest first, each with its nearest stop. The plan's
// own accounts (stops and unassigned) and accounts marked do-not-contact
// are left out. The plan must be one the actor may see (NotFound
// otherwise, as GetPlan).
func (s *Service) RouteNearby(ctx context.Context, actor *auth.Actor, id int64, q RouteNearbyQuery) ([]RouteProspect, error) {
	if q.RadiusM == 0 {
		q.RadiusM = DefaultRouteNearbyRadiusM
	}
	if !(q.RadiusM > 0 && q.RadiusM <= MaxRouteNearbyRadiusM) {
		return nil, derrors.Invalidf("radius_m: %v must be more than 0 and at most %d", q.RadiusM, MaxRouteNearbyRadiusM)
	}
	if q.Limit == 0 {
		q.Limit = DefaultRouteNearbyLimit
	}
	if q.Limit < 0 || q.Limit > MaxRouteNearbyLimit {
		return nil, derrors.Invalidf("limit: %d is not between 1 and %d", q.Limit, MaxRouteNearbyLimit)
	}
	p, err := s.GetPlan(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	pl, err := s.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	stages := q.Stages
	for _, st := range stages {
		if err := pl.CheckStage("stage", st); err != nil {
			return nil, err
		}
	}
	if len(stages) == 0 {
		for _, st := range pl.Stages {
			if st.Kind == account.KindLead || st.Kind == account.KindOpportunity {
				stages = append(stages, st.Key)
			}
		}
		if len(stages) == 0 {
			return []RouteProspect{}, nil
		}
	}

	// The stops to search around, and the plan's accounts to leave out.
	type stopAt struct {
		stop plan.Stop
		rep  int64
		pos  int
		box  geo.BBox
	}
	var stops []stopAt
	inPlan := map[int64]bool{}
	found := q.RepID == 0
	for _, r := range p.Routes {
		for i, st := range r.Stops {
			inPlan[st.AccountID] = true
			if q.RepID == 0 || r.RepID == q.RepID {
				stops = append(stops, stopAt{stop: st, rep: r.RepID, pos: i + 1, box: visit.RadiusBBox(st.Location, q.RadiusM)})
			}
		}
		found = found || r.RepID == q.RepID
	}
	for _, st := range p.Unassigned {
		inPlan[st.AccountID] = true
	}
	if !found {
		return nil, derrors.Invalidf("rep_id: rep %d has no route in plan %d", q.RepID, id)
	}
	if len(stops) == 0 {
		return []RouteProspect{}, nil
	}
	// One read over the box around every stop's circle; each account is
	// then measured against the stops whose box holds it.
	all := stops[0].box
	for _, st := range stops[1:] {
		all = all.Extend(geo.Point{Lon: st.box.MinLon, Lat: st.box.MinLat}).Extend(geo.Point{Lon: st.box.MaxLon, Lat: st.box.MaxLat})
	}
	var out []RouteProspect
	err = s.EachAccount(ctx, actor, account.Filter{BBox: &all, Stages: stages}, func(a *account.Account) error {
		if a.Location == nil || inPlan[a.ID] || a.DoNotContact {
			return nil
		}
		best, bestD := -1, 0.0
		for i, st := range stops {
			if !st.box.Contains(*a.Location) {
				continue
			}
			if d := geo.DistanceMeters(st.stop.Location, *a.Location); d <= q.RadiusM && (best < 0 || d < bestD) {
				best, bestD = i, d
			}
		}
		if best >= 0 {
			out = append(out, RouteProspect{Account: a, Stop: stops[best].stop, RepID: stops[best].rep, Position: stops[best].pos, DistanceM: bestD})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DistanceM != out[j].DistanceM {
			return out[i].DistanceM < out[j].DistanceM
		}
		return out[i].Account.ID < out[j].Account.ID
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	if out == nil {
		out = []RouteProspect{}
	}
	return out, nil
}
