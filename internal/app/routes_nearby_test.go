package app_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

// prospectRow is what a route-nearby answer is compared on.
type prospectRow struct {
	AccountID, StopID int64
	Position          int
	DistanceM         float64
}

// nearbyPlan stores a plan for Alice through two stops: one of her accounts
// and one near the east edge of her territory, with accounts of every stage
// scattered around both, some across the edge and owned by Bob (out of
// Alice's scope), some marked do-not-contact.
func nearbyPlan(t *testing.T, f *planFixture) (*plan.Plan, []geo.Point) {
	t.Helper()
	ctx := context.Background()
	mk := func(name, stage string, p geo.Point, owner int64, dnc bool) int64 {
		a := &account.Account{Name: name, Stage: stage, Location: &p, OwnerID: owner, DoNotContact: dnc, Tags: []string{}, Custom: map[string]string{}}
		if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	west, _ := f.svc.GetAccount(ctx, f.manager, f.aliceAccts[0])
	border := geo.Point{Lon: 4.836, Lat: 45.75} // Alice's territory ends at 4.84
	borderID := mk("Border stop", "qualified", border, 0, false)
	centres := []geo.Point{*west.Location, border}
	stages := []string{"lead", "contacted", "qualified", "proposal", "customer", "lost"}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 120 {
		c := centres[i%2]
		p := geo.Offset(c, (rng.Float64()*2-1)*1600, (rng.Float64()*2-1)*1600)
		var owner int64
		if i%5 == 0 {
			owner = f.bob.User.ID
		}
		mk(fmt.Sprintf("Prospect %03d <b>", i), stages[i%len(stages)], p, owner, i%11 == 3)
	}
	p := &plan.Plan{Name: "nearby", Day: "2025-03-14", TimeZone: "Europe/Paris", CreatedBy: f.manager.User.ID,
		Request: plan.Request{RepIDs: []int64{f.alice.User.ID}, AccountIDs: []int64{west.ID, borderID}, Day: "2025-03-14", TimeZone: "Europe/Paris"}}
	r := plan.Route{RepID: f.alice.User.ID, RepName: "Alice", Start: lyon, End: lyon}
	for _, c := range []struct {
		id   int64
		name string
		at   geo.Point
	}{{west.ID, west.Name, *west.Location}, {borderID, "Border stop", border}} {
		r.Stops = append(r.Stops, plan.Stop{AccountID: c.id, Name: c.name, Location: c.at, ServiceSeconds: 1800})
	}
	p.Routes = []plan.Route{r}
	// An unassigned account of the plan is not a prospect either.
	p.Unassigned = []plan.Stop{{AccountID: f.aliceAccts[1], Name: "West B"}}
	if err := f.svc.Store.CreatePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	return p, centres
}

// bruteNearby answers the question the slow way: every account in the
// store, the actor's scope, the prospect stages, every stop.
func bruteNearby(t *testing.T, f *planFixture, actor *auth.Actor, p *plan.Plan, radius float64, stages map[string]bool) []prospectRow {
	t.Helper()
	inPlan := map[int64]bool{}
	for _, st := range p.Unassigned {
		inPlan[st.AccountID] = true
	}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			inPlan[st.AccountID] = true
		}
	}
	var out []prospectRow
	err := f.svc.Store.EachAccount(context.Background(), account.Filter{}, func(a *account.Account) error {
		if a.Location == nil || inPlan[a.ID] || a.DoNotContact || !stages[a.Stage] || !actor.CanSeeAccount(a.OwnerID, a.TerritoryID) {
			return nil
		}
		best := prospectRow{AccountID: a.ID, DistanceM: -1}
		for _, r := range p.Routes {
			for i, st := range r.Stops {
				if d := geo.DistanceMeters(st.Location, *a.Location); d <= radius && (best.DistanceM < 0 || d < best.DistanceM) {
					best.StopID, best.Position, best.DistanceM = st.AccountID, i+1, d
				}
			}
		}
		if best.DistanceM >= 0 {
			out = append(out, best)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DistanceM != out[j].DistanceM {
			return out[i].DistanceM < out[j].DistanceM
		}
		return out[i].AccountID < out[j].AccountID
	})
	return out
}

func rows(ps []app.RouteProspect) []prospectRow {
	out := []prospectRow{}
	for _, p := range ps {
		out = append(out, prospectRow{AccountID: p.Account.ID, StopID: p.Stop.AccountID, Position: p.Position, DistanceM: p.DistanceM})
	}
	return out
}

func TestRouteNearbyAgreesWithBruteForce(t *testing.T) {
	f := newPlanFixture(t)
	ctx := context.Background()
	p, _ := nearbyPlan(t, f)
	prospects := map[string]bool{"lead": true, "contacted": true, "qualified": true, "proposal": true}
	for _, tc := range []struct {
		name   string
		actor  *auth.Actor
		q      app.RouteNearbyQuery
		stages map[string]bool
	}{
		{"manager, defaults", f.manager, app.RouteNearbyQuery{Limit: app.MaxRouteNearbyLimit}, prospects},
		{"alice, defaults", f.alice, app.RouteNearbyQuery{Limit: app.MaxRouteNearbyLimit}, prospects},
		{"alice, 1500 m", f.alice, app.RouteNearbyQuery{RadiusM: 1500, Limit: app.MaxRouteNearbyLimit}, prospects},
		{"manager, customers", f.manager, app.RouteNearbyQuery{Stages: []string{"customer"}, Limit: app.MaxRouteNearbyLimit}, map[string]bool{"customer": true}},
		{"alice's route", f.alice, app.RouteNearbyQuery{RepID: f.alice.User.ID, Limit: app.MaxRouteNearbyLimit}, prospects},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.svc.RouteNearby(ctx, tc.actor, p.ID, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			radius := tc.q.RadiusM
			if radius == 0 {
				radius = app.DefaultRouteNearbyRadiusM
			}
			want := bruteNearby(t, f, tc.actor, p, radius, tc.stages)
			if len(want) == 0 {
				t.Fatal("the fixture has no prospect near the route; the test checks nothing")
			}
			if diff := cmp.Diff(want, rows(got)); diff != "" {
				t.Errorf("RouteNearby(%+v) differs from brute force (-want +got):\n%s", tc.q, diff)
			}
		})
	}

	// The two scopes differ: the manager sees Bob's accounts across the edge.
	mine, _ := f.svc.RouteNearby(ctx, f.alice, p.ID, app.RouteNearbyQuery{Limit: app.MaxRouteNearbyLimit})
	all, _ := f.svc.RouteNearby(ctx, f.manager, p.ID, app.RouteNearbyQuery{Limit: app.MaxRouteNearbyLimit})
	if len(all) <= len(mine) {
		t.Errorf("manager sees %d prospects, alice %d: want the manager to see more (Bob's across the edge)", len(all), len(mine))
	}
	for _, pr := range mine {
		if !f.alice.CanSeeAccount(pr.Account.OwnerID, pr.Account.TerritoryID) {
			t.Errorf("alice is offered %q, outside her scope", pr.Account.Name)
		}
	}
	// Default limit, and a smaller one keeps the nearest.
	def, _ := f.svc.RouteNearby(ctx, f.manager, p.ID, app.RouteNearbyQuery{})
	if len(all) > app.DefaultRouteNearbyLimit && len(def) != app.DefaultRouteNearbyLimit {
		t.Errorf("default limit: %d prospects, want %d", len(def), app.DefaultRouteNearbyLimit)
	}
	three, _ := f.svc.RouteNearby(ctx, f.manager, p.ID, app.RouteNearbyQuery{Limit: 3})
	if diff := cmp.Diff(rows(all)[:3], rows(three)); diff != "" {
		t.Errorf("limit 3 (-want +got):\n%s", diff)
	}
}

func TestRouteNearbyAccessAndValidation(t *testing.T) {
	f := newPlanFixture(t)
	ctx := context.Background()
	p, _ := nearbyPlan(t, f)
	_, err := f.svc.RouteNearby(ctx, f.bob, p.ID, app.RouteNearbyQuery{})
	wantKind(t, "bob asks about alice's plan", err, derrors.NotFound, "")
	_, err = f.svc.RouteNearby(ctx, f.manager, p.ID+100, app.RouteNearbyQuery{})
	wantKind(t, "missing plan", err, derrors.NotFound, "")
	for _, tc := range []struct {
		q    app.RouteNearbyQuery
		want string
	}{
		{app.RouteNearbyQuery{RadiusM: -5}, "radius_m"},
		{app.RouteNearbyQuery{RadiusM: app.MaxRouteNearbyRadiusM + 1}, "radius_m"},
		{app.RouteNearbyQuery{Limit: app.MaxRouteNearbyLimit + 1}, "limit"},
		{app.RouteNearbyQuery{Stages: []string{"nope"}}, "stage"},
		{app.RouteNearbyQuery{RepID: f.bob.User.ID}, "rep_id"},
	} {
		_, err := f.svc.RouteNearby(ctx, f.manager, p.ID, tc.q)
		wantKind(t, fmt.Sprintf("RouteNearby(%+v)", tc.q), err, derrors.Invalid, tc.want)
	}
}
