package app

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
	"github.com/meridian-crm/meridian/internal/roads"
	"github.com/meridian-crm/meridian/internal/routing"
)

// TravelMatrix computes travel between places: the offline great-circle
// estimate, or a road-routing server (internal/roads).
type TravelMatrix interface {
	Name() string
	Matrix(ctx context.Context, pts []geo.Point) (routing.Matrix, error)
}

// Limits of route planning.
const (
	// MaxPlanStops bounds the stops of one plan (the solver's work grows
	// quickly with them; a day holds a few dozen).
	MaxPlanStops = 300
	// MaxPlanReps bounds the reps planned at once.
	MaxPlanReps = 25
	// maxDuePerRep bounds the "due a visit" candidates offered to the solver
	// per rep: more than a day can hold, so it chooses.
	maxDuePerRep = 40
)

// planState is the service's route-planning configuration. It lives beside
// the Service (keyed by it) since the struct belongs to service.go.
type planState struct {
	mu     sync.Mutex
	matrix TravelMatrix
}

func (s *Service) planState() *planState { return &s.plans }

// SetTravelMatrix sets where travel times come from (nil: great-circle).
func (s *Service) SetTravelMatrix(m TravelMatrix) {
	st := s.planState()
	st.mu.Lock()
	st.matrix = m
	st.mu.Unlock()
}

func (s *Service) travelMatrix() TravelMatrix {
	st := s.planState()
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.matrix == nil {
		return roads.GreatCircle{}
	}
	return st.matrix
}

// normalizeRequest fills defaults and checks the fields that need no store.
func (s *Service) normalizeRequest(req *plan.Request) (*time.Location, error) {
	if req.TimeZone == "" {
		req.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(req.TimeZone)
	if err != nil {
		return nil, derrors.Invalidf("time_zone: %q is not an IANA time zone such as Europe/Paris", req.TimeZone)
	}
	if req.Day == "" {
		req.Day = s.Now().In(loc).Format("2006-01-02")
	}
	if _, err := time.ParseInLocation("2006-01-02", req.Day, loc); err != nil {
		return nil, derrors.Invalidf("day: %q is not a date YYYY-MM-DD", req.Day)
	}
	if req.ShiftStart == "" {
		req.ShiftStart = "08:00"
	}
	if req.ShiftEnd == "" {
		req.ShiftEnd = "18:00"
	}
	a, err := plan.ParseClock("shift_start", req.ShiftStart)
	if err != nil {
		return nil, err
	}
	b, err := plan.ParseClock("shift_end", req.ShiftEnd)
	if err != nil {
		return nil, err
	}
	if b <= a {
		return nil, derrors.Invalidf("shift_end: %s is not after shift_start %s", req.ShiftEnd, req.ShiftStart)
	}
	if req.VisitMinutes == 0 {
		req.VisitMinutes = 30
	}
	if req.VisitMinutes < 0 || req.VisitMinutes > 12*60 {
		return nil, derrors.Invalidf("visit_minutes: %d is not between 1 and 720", req.VisitMinutes)
	}
	if l := req.Lunch; l != nil {
		if l.Minutes <= 0 || l.Minutes > 240 {
			return nil, derrors.Invalidf("lunch.minutes: %d is not between 1 and 240", l.Minutes)
		}
		e, err := plan.ParseClock("lunch.earliest", l.Earliest)
		if err != nil {
			return nil, err
		}
		t, err := plan.ParseClock("lunch.latest", l.Latest)
		if err != nil {
			return nil, err
		}
		if t < e {
			return nil, derrors.Invalidf("lunch.latest: %s is before lunch.earliest %s", l.Latest, l.Earliest)
		}
	}
	if req.DueDays < 0 || req.DueDays > 3650 {
		return nil, derrors.Invalidf("due_days: %d is not between 0 and 3650", req.DueDays)
	}
	for i, st := range req.Stops {
		f := fmt.Sprintf("stops[%d]", i)
		if st.VisitMinutes < 0 || st.VisitMinutes > 12*60 {
			return nil, derrors.Invalidf("%s.visit_minutes: %d is not between 0 and 720", f, st.VisitMinutes)
		}
		var ws, we float64 = 0, 24 * 3600
		if st.WindowStart != "" {
			if ws, err = plan.ParseClock(f+".window_start", st.WindowStart); err != nil {
				return nil, err
			}
		}
		if st.WindowEnd != "" {
			if we, err = plan.ParseClock(f+".window_end", st.WindowEnd); err != nil {
				return nil, err
			}
		}
		if we < ws {
			return nil, derrors.Invalidf("%s.window_end: %s is before window_start %s", f, st.WindowEnd, st.WindowStart)
		}
		if st.Priority < 0 || st.Priority > 10 {
			return nil, derrors.Invalidf("%s.priority: %d is not between 0 and 10", f, st.Priority)
		}
	}
	return loc, nil
}

// clock turns a time of day on the plan's day into an instant; DST days
// are handled by time.Date.
func clock(day string, loc *time.Location, sec float64) time.Time {
	d, _ := time.ParseInLocation("2006-01-02", day, loc)
	h, m := int(sec)/3600, (int(sec)%3600)/60
	return time.Date(d.Year(), d.Month(), d.Day(), h, m, 0, 0, loc)
}

// planRep resolves who a route is for. A rep may plan only their own day.
func (s *Service) planReps(ctx context.Context, actor *auth.Actor, ids []int64) ([]*auth.User, error) {
	if len(ids) == 0 {
		ids = []int64{actor.User.ID}
	}
	if len(ids) > MaxPlanReps {
		return nil, derrors.Invalidf("rep_ids: at most %d reps at once, got %d", MaxPlanReps, len(ids))
	}
	seen := map[int64]bool{}
	var out []*auth.User
	for i, id := range ids {
		if seen[id] {
			return nil, derrors.Invalidf("rep_ids[%d]: rep %d is listed twice", i, id)
		}
		seen[id] = true
		if !actor.IsManager() && id != actor.User.ID {
			return nil, derrors.Forbiddenf("a rep may plan only their own day")
		}
		u, err := s.Store.GetUser(ctx, id)
		if derrors.Is(err, derrors.NotFound) {
			return nil, derrors.Invalidf("rep_ids[%d]: user %d does not exist", i, id)
		}
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, derrors.Invalidf("rep_ids[%d]: user %s is disabled", i, u.Email)
		}
		if u.Home == nil {
			return nil, derrors.Invalidf("rep_ids[%d]: %s has no home location to start and end the day at; set it on the user", i, u.Email)
		}
		out = append(out, u)
	}
	return out, nil
}

func accountAddress(a *account.Account) string {
	var parts []string
	if a.Street != "" {
		parts = append(parts, a.Street)
	}
	city := strings.TrimSpace(strings.TrimSpace(a.PostalCode) + " " + a.City)
	if city != "" {
		parts = append(parts, city)
	}
	if a.Country != "" {
		parts = append(parts, a.Country)
	}
	return strings.Join(parts, ", ")
}

// stopFor makes the stop for an account with the request's settings.
func stopFor(a *account.Account, req *plan.Request) plan.Stop {
	st := plan.Stop{AccountID: a.ID, Name: a.Name, Address: accountAddress(a), Location: *a.Location, ServiceSeconds: float64(req.VisitMinutes * 60)}
	for _, sr := range req.Stops {
		if sr.AccountID == a.ID {
			if sr.VisitMinutes > 0 {
				st.ServiceSeconds = float64(sr.VisitMinutes * 60)
			}
			st.WindowStart, st.WindowEnd = sr.WindowStart, sr.WindowEnd
		}
	}
	return st
}

func priorityOf(req *plan.Request, accountID int64) int {
	for _, sr := range req.Stops {
		if sr.AccountID == accountID {
			return sr.Priority
		}
	}
	return 0
}

// planStops gathers the accounts to visit: those named, and with DueDays
// those due a visit in the reps' territories. It returns the stops and
// whether each is optional (due candidates are; named accounts are not).
func (s *Service) planStops(ctx context.Context, actor *auth.Actor, req *plan.Request, reps []*auth.User, dayEnd time.Time) ([]plan.Stop, map[int64]bool, error) {
	var stops []plan.Stop
	optional := map[int64]bool{}
	seen := map[int64]bool{}
	if len(req.AccountIDs) > MaxPlanStops {
		return nil, nil, derrors.Invalidf("account_ids: at most %d stops in a plan, got %d", MaxPlanStops, len(req.AccountIDs))
	}
	for i, id := range req.AccountIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		a, err := s.GetAccount(ctx, actor, id)
		if derrors.Is(err, derrors.NotFound) {
			return nil, nil, derrors.NotFoundf("account_ids[%d]: account %d not found", i, id)
		}
		if err != nil {
			return nil, nil, err
		}
		if a.Location == nil {
			return nil, nil, derrors.Invalidf("account_ids[%d]: account %d (%s) has no location to drive to", i, id, a.Name)
		}
		stops = append(stops, stopFor(a, req))
	}
	if req.DueDays > 0 {
		due, err := s.dueAccounts(ctx, actor, req.DueDays, reps, dayEnd)
		if err != nil {
			return nil, nil, err
		}
		for _, a := range due {
			if seen[a.ID] {
				continue
			}
			seen[a.ID] = true
			stops = append(stops, stopFor(a, req))
			optional[a.ID] = true
		}
	}
	if len(stops) == 0 {
		return nil, nil, derrors.Invalidf("account_ids: no accounts to visit (pick accounts, or set due_days for those due a visit)")
	}
	if len(stops) > MaxPlanStops {
		return nil, nil, derrors.Invalidf("account_ids: at most %d stops in a plan, got %d", MaxPlanStops, len(stops))
	}
	return stops, optional, nil
}

// dueAccounts lists placed accounts in the reps' scopes (and the actor's)
// not visited in days days, never visited, or with a follow-up due by the
// end of the day: follow-ups first, then the longest unvisited.
func (s *Service) dueAccounts(ctx context.Context, actor *auth.Actor, days int, reps []*auth.User, dayEnd time.Time) ([]*account.Account, error) {
	cutoff := s.Now().Add(-time.Duration(days) * 24 * time.Hour)
	// A rep sees their scope; a manager planning for reps draws from the
	// union of those reps' scopes.
	var scopes []*account.Scope
	if !actor.IsManager() {
		scopes = []*account.Scope{actor.Scope}
	} else {
		for _, u := range reps {
			ra, err := s.Actor(ctx, u)
			if err != nil {
				return nil, err
			}
			scopes = append(scopes, ra.Scope) // nil: everything
		}
	}
	type cand struct {
		a        *account.Account
		followUp bool
	}
	var cs []cand
	seen := map[int64]bool{}
	for _, sc := range scopes {
		err := s.Store.EachAccount(ctx, account.Filter{Scope: sc}, func(a *account.Account) error {
			if seen[a.ID] || a.Location == nil || a.DoNotContact {
				return nil
			}
			fu := !a.NextFollowUpAt.IsZero() && !a.NextFollowUpAt.After(dayEnd)
			if fu || a.LastVisitAt.IsZero() || a.LastVisitAt.Before(cutoff) {
				seen[a.ID] = true
				cs = append(cs, cand{a, fu})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].followUp != cs[j].followUp {
			return cs[i].followUp
		}
		ti, tj := cs[i].a.LastVisitAt, cs[j].a.LastVisitAt
		if !ti.Equal(tj) {
			return ti.Before(tj) // never visited (zero) first
		}
		return cs[i].a.ID < cs[j].a.ID
	})
	limit := min(maxDuePerRep*len(reps), MaxPlanStops)
	if len(cs) > limit {
		cs = cs[:limit]
	}
	out := make([]*account.Account, len(cs))
	for i, c := range cs {
		out[i] = c.a
	}
	return out, nil
}

// PlanRoutes plans a day for one or more reps, each starting and ending at
// their home, and stores the plan. Managers may plan for any rep; a rep
// only for themselves and only with accounts they can see.
func (s *Service) PlanRoutes(ctx context.Context, actor *auth.Actor, req plan.Request) (*plan.Plan, error) {
	loc, err := s.normalizeRequest(&req)
	if err != nil {
		return nil, err
	}
	reps, err := s.planReps(ctx, actor, req.RepIDs)
	if err != nil {
		return nil, err
	}
	req.RepIDs = nil
	for _, u := range reps {
		req.RepIDs = append(req.RepIDs, u.ID)
	}
	dayEnd := clock(req.Day, loc, 24*3600-60)
	stops, optional, err := s.planStops(ctx, actor, &req, reps, dayEnd)
	if err != nil {
		return nil, err
	}
	for rep, ids := range req.Locked {
		if !containsID(req.RepIDs, rep) {
			return nil, derrors.Invalidf("locked: rep %d is not in rep_ids", rep)
		}
		for _, id := range ids {
			if !hasStop(stops, id) {
				return nil, derrors.Invalidf("locked: account %d is not one of the plan's stops", id)
			}
		}
	}
	p := &plan.Plan{Name: req.Name, Day: req.Day, TimeZone: req.TimeZone, CreatedBy: actor.User.ID, Request: req}
	if p.Name == "" {
		p.Name = defaultPlanName(reps, req.Day)
	}
	routes := make([]plan.Route, len(reps))
	for i, u := range reps {
		routes[i] = plan.Route{RepID: u.ID, RepName: u.Name, Start: *u.Home, End: *u.Home}
	}
	if err := s.optimize(ctx, p, loc, routes, stops, optional); err != nil {
		return nil, err
	}
	if err := s.Store.CreatePlan(ctx, p); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "route_plan.create", fmt.Sprintf("route_plan:%d", p.ID), fmt.Sprintf("%d reps, %d stops", len(p.Routes), len(stops)))
	return p, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func hasStop(stops []plan.Stop, id int64) bool {
	for _, s := range stops {
		if s.AccountID == id {
			return true
		}
	}
	return false
}

func defaultPlanName(reps []*auth.User, day string) string {
	if len(reps) == 1 {
		return reps[0].Name + " " + day
	}
	return fmt.Sprintf("%d reps %s", len(reps), day)
}

// places returns the matrix places: each route's start and end (homes),
// then the stops. It returns the index of each route's start and end and
// of each stop.
func places(routes []plan.Route, stops []plan.Stop) (pts []geo.Point, starts, ends, stopLoc []int) {
	for _, r := range routes {
		starts = append(starts, len(pts))
		pts = append(pts, r.Start)
		if r.End == r.Start {
			ends = append(ends, len(pts)-1)
		} else {
			ends = append(ends, len(pts))
			pts = append(pts, r.End)
		}
	}
	for _, s := range stops {
		stopLoc = append(stopLoc, len(pts))
		pts = append(pts, s.Location)
	}
	return
}

// matrixFor asks the configured provider, falling back to the great-circle
// estimate (with a warning on the plan) when a road server fails.
func (s *Service) matrixFor(ctx context.Context, p *plan.Plan, pts []geo.Point) (routing.Matrix, error) {
	tm := s.travelMatrix()
	m, err := tm.Matrix(ctx, pts)
	if err == nil {
		p.Matrix = tm.Name()
		return m, nil
	}
	if ctx.Err() != nil {
		return routing.Matrix{}, ctx.Err()
	}
	s.Log.Warn("road matrix failed; using great-circle travel", "provider", tm.Name(), "err", err)
	p.Warnings = append(p.Warnings, fmt.Sprintf("The road server failed (%v); travel times are great-circle estimates.", err))
	gc := roads.GreatCircle{}
	p.Matrix = gc.Name()
	return gc.Matrix(ctx, pts)
}

// solveTimeLimit gives the solver time in proportion to the stops, within
// what a person waits for.
func solveTimeLimit(stops int) time.Duration {
	return min(200*time.Millisecond+time.Duration(stops)*40*time.Millisecond, 5*time.Second)
}

// optimize solves the day for routes over stops, keeping each rep's locked
// stops (p.Request.Locked) in order at the start of their day, and fills p.
func (s *Service) optimize(ctx context.Context, p *plan.Plan, loc *time.Location, routes []plan.Route, stops []plan.Stop, optional map[int64]bool) error {
	req := &p.Request
	pts, starts, ends, stopLoc := places(routes, stops)
	m, err := s.matrixFor(ctx, p, pts)
	if err != nil {
		return err
	}
	origin := clock(req.Day, loc, 0)
	sec := func(hhmm string, def float64) float64 {
		if hhmm == "" {
			return def
		}
		v, _ := plan.ParseClock("", hhmm)
		return clock(req.Day, loc, v).Sub(origin).Seconds()
	}
	shiftStart, shiftEnd := sec(req.ShiftStart, 0), sec(req.ShiftEnd, 0)
	jobOf := map[int64]int{}
	prob := &routing.Problem{Matrix: m}
	for i, st := range stops {
		jobOf[st.AccountID] = i
		j := routing.Job{ID: st.AccountID, Loc: stopLoc[i], Service: st.ServiceSeconds, Priority: priorityOf(req, st.AccountID), Optional: optional[st.AccountID]}
		if st.WindowStart != "" || st.WindowEnd != "" {
			j.Windows = []routing.Window{{Start: sec(st.WindowStart, 0), End: sec(st.WindowEnd, 48*3600)}}
		}
		prob.Jobs = append(prob.Jobs, j)
	}
	for i, r := range routes {
		v := routing.Vehicle{ID: r.RepID, Start: starts[i], End: ends[i], ShiftStart: shiftStart, ShiftEnd: shiftEnd}
		if l := req.Lunch; l != nil {
			v.Break = &routing.Break{Earliest: sec(l.Earliest, 0), Latest: sec(l.Latest, 0), Duration: float64(l.Minutes * 60)}
		}
		for _, id := range req.Locked[r.RepID] {
			v.Prefix = append(v.Prefix, jobOf[id])
		}
		prob.Vehicles = append(prob.Vehicles, v)
	}
	sol, err := routing.Solve(ctx, prob, routing.Options{TimeLimit: solveTimeLimit(len(stops)), Seed: 1})
	if err != nil {
		if derrors.KindOf(err) != derrors.Internal {
			return err
		}
		return fmt.Errorf("route plan: %w", err)
	}
	at := func(x float64) time.Time { return origin.Add(time.Duration(math.Round(x)) * time.Second) }
	locked := map[int64]bool{}
	for _, ids := range req.Locked {
		for _, id := range ids {
			locked[id] = true
		}
	}
	p.Routes, p.Unassigned, p.DistanceMeters = nil, nil, 0
	used := map[int]routing.Route{}
	for _, r := range sol.Routes {
		used[r.Vehicle] = r
	}
	for vi, base := range routes {
		out := base
		out.Stops, out.Break = nil, nil
		r, ok := used[vi]
		if !ok {
			out.Depart, out.Return = at(shiftStart), at(shiftStart)
			out.DistanceMeters, out.DurationSeconds = 0, 0
			p.Routes = append(p.Routes, out)
			continue
		}
		for _, st := range r.Stops {
			stop := stops[st.Job]
			stop.Arrival, stop.Start, stop.Depart = at(st.Arrival), at(st.Start), at(st.Departure)
			stop.Locked = locked[stop.AccountID]
			out.Stops = append(out.Stops, stop)
		}
		out.Depart, out.Return = at(r.Start), at(r.End)
		out.DistanceMeters, out.DurationSeconds = r.Distance, r.End-r.Start
		if r.BreakStart >= 0 && prob.Vehicles[vi].Break != nil {
			out.Break = &plan.Break{Start: at(r.BreakStart), DurationSeconds: prob.Vehicles[vi].Break.Duration, AfterStop: r.BreakAfter}
		}
		p.DistanceMeters += out.DistanceMeters
		p.Routes = append(p.Routes, out)
	}
	for _, j := range sol.Unassigned {
		st := stops[j]
		st.Locked = false
		p.Unassigned = append(p.Unassigned, st)
	}
	return nil
}

// schedule times a rep's stops in the order given, without optimising:
// leave home at the shift start, wait for windows, take the break after the
// first visit that ends once it may start (or when it must). It returns
// warnings for windows missed and a return after the shift.
func (s *Service) schedule(ctx context.Context, p *plan.Plan, loc *time.Location, r *plan.Route) ([]string, error) {
	req := &p.Request
	pts, starts, ends, stopLoc := places([]plan.Route{*r}, r.Stops)
	m, err := s.matrixFor(ctx, p, pts)
	if err != nil {
		return nil, err
	}
	n := m.N
	travel := func(a, b int) (float64, float64) {
		t := m.Dist[a*n+b]
		if m.Time != nil {
			t = m.Time[a*n+b]
		}
		return m.Dist[a*n+b], t
	}
	origin := clock(req.Day, loc, 0)
	sec := func(hhmm string, def float64) float64 {
		if hhmm == "" {
			return def
		}
		v, _ := plan.ParseClock("", hhmm)
		return clock(req.Day, loc, v).Sub(origin).Seconds()
	}
	at := func(x float64) time.Time { return origin.Add(time.Duration(math.Round(x)) * time.Second) }
	shiftStart, shiftEnd := sec(req.ShiftStart, 0), sec(req.ShiftEnd, 0)
	var warnings []string
	t, dist, here := shiftStart, 0.0, starts[0]
	r.Break = nil
	var brk *plan.LunchRequest = req.Lunch
	breakDone := brk == nil
	takeBreak := func(after int) {
		e, l := sec(brk.Earliest, 0), sec(brk.Latest, 0)
		start := math.Max(t, e)
		if start > l {
			warnings = append(warnings, fmt.Sprintf("%s: the lunch break starts after %s", r.RepName, brk.Latest))
		}
		r.Break = &plan.Break{Start: at(start), DurationSeconds: float64(brk.Minutes * 60), AfterStop: after}
		t = start + float64(brk.Minutes*60)
		breakDone = true
	}
	for i := range r.Stops {
		st := &r.Stops[i]
		if !breakDone && t >= sec(brk.Latest, 0) {
			takeBreak(i)
		}
		d, tt := travel(here, stopLoc[i])
		dist += d
		t += tt
		st.Arrival = at(t)
		start := t
		if st.WindowStart != "" {
			start = math.Max(start, sec(st.WindowStart, 0))
		}
		if st.WindowEnd != "" && start > sec(st.WindowEnd, 0) {
			warnings = append(warnings, fmt.Sprintf("%s: %s is reached after its window ends (%s)", r.RepName, st.Name, st.WindowEnd))
		}
		st.Start = at(start)
		t = start + st.ServiceSeconds
		st.Depart = at(t)
		here = stopLoc[i]
		if !breakDone && t >= sec(brk.Earliest, 0) {
			takeBreak(i + 1)
		}
	}
	if !breakDone {
		takeBreak(len(r.Stops))
	}
	d, tt := travel(here, ends[0])
	dist += d
	t += tt
	r.Depart, r.Return = at(shiftStart), at(t)
	r.DistanceMeters, r.DurationSeconds = dist, t-shiftStart
	if t > shiftEnd {
		warnings = append(warnings, fmt.Sprintf("%s: back home at %s, after the shift ends (%s)", r.RepName, r.Return.In(loc).Format("15:04"), req.ShiftEnd))
	}
	return warnings, nil
}

// canSeePlan reports whether the actor may read the plan: managers all,
// reps the plans made for them or by them.
func canSeePlan(actor *auth.Actor, p *plan.Plan) bool {
	return actor.IsManager() || p.HasRep(actor.User.ID) || p.CreatedBy == actor.User.ID
}

// GetPlan returns a plan the actor may see; others are NotFound.
func (s *Service) GetPlan(ctx context.Context, actor *auth.Actor, id int64) (*plan.Plan, error) {
	p, err := s.Store.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSeePlan(actor, p) {
		return nil, derrors.NotFoundf("route plan %d not found", id)
	}
	return p, nil
}

// ListPlans lists the plans the actor may see, newest first: all for
// managers, their own for reps.
func (s *Service) ListPlans(ctx context.Context, actor *auth.Actor, pg plan.Page) (plan.List, error) {
	f := plan.Filter{}
	if !actor.IsManager() {
		f.RepID = actor.User.ID
	}
	if pg.Limit <= 0 {
		pg.Limit = account.DefaultLimit
	}
	pg.Limit = min(pg.Limit, account.MaxLimit)
	return s.Store.ListPlans(ctx, f, pg)
}

// RouteChange is a rep's day as the planner rearranged it.
type RouteChange struct {
	RepID int64 `json:"rep_id"`
	// Stops are account ids in the order wanted (they may come from another
	// rep's route or from the unassigned list).
	Stops []int64 `json:"stops"`
	// Locked are the account ids that keep their place; the locked stops
	// must be the first of Stops.
	Locked []int64 `json:"locked,omitempty"`
}

// PlanChange rearranges a plan.
type PlanChange struct {
	Name   *string       `json:"name,omitempty"`
	Routes []RouteChange `json:"routes,omitempty"`
	// Optimize re-plans: locked stops open each rep's day in the order
	// given and the solver orders (and shares among reps) the rest. Without
	// it the order given is kept and only the times are recomputed.
	Optimize bool `json:"optimize"`
}

// UpdatePlan reorders, locks and re-optimises a plan. A rep may change the
// plans they may see, but only their own route in them.
func (s *Service) UpdatePlan(ctx context.Context, actor *auth.Actor, id int64, ch PlanChange) (*plan.Plan, error) {
	p, err := s.GetPlan(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	loc, err := s.normalizeRequest(&p.Request)
	if err != nil {
		return nil, err
	}
	if ch.Name != nil {
		name := strings.TrimSpace(*ch.Name)
		if name == "" || len(name) > 200 {
			return nil, derrors.Invalidf("name: 1 to 200 characters")
		}
		p.Name = name
	}
	// Every stop of the plan, by account id.
	all := map[int64]plan.Stop{}
	var order []int64
	add := func(st plan.Stop) {
		if _, ok := all[st.AccountID]; !ok {
			order = append(order, st.AccountID)
		}
		st.Arrival, st.Start, st.Depart, st.Locked = time.Time{}, time.Time{}, time.Time{}, false
		all[st.AccountID] = st
	}
	for _, r := range p.Routes {
		for _, st := range r.Stops {
			add(st)
		}
	}
	for _, st := range p.Unassigned {
		add(st)
	}
	routeIx := map[int64]int{}
	for i, r := range p.Routes {
		routeIx[r.RepID] = i
	}
	// Apply the changes.
	placed := map[int64]int64{} // account → rep it was put on
	changed := map[int64]bool{}
	for i, rc := range ch.Routes {
		f := fmt.Sprintf("routes[%d]", i)
		ri, ok := routeIx[rc.RepID]
		if !ok {
			return nil, derrors.Invalidf("%s.rep_id: rep %d has no route in plan %d", f, rc.RepID, p.ID)
		}
		if changed[rc.RepID] {
			return nil, derrors.Invalidf("%s.rep_id: rep %d is listed twice", f, rc.RepID)
		}
		if !actor.IsManager() && rc.RepID != actor.User.ID {
			return nil, derrors.Forbiddenf("a rep may change only their own route")
		}
		changed[rc.RepID] = true
		var stops []plan.Stop
		for k, aid := range rc.Stops {
			st, ok := all[aid]
			if !ok {
				return nil, derrors.Invalidf("%s.stops[%d]: account %d is not a stop of plan %d", f, k, aid, p.ID)
			}
			if other, dup := placed[aid]; dup {
				return nil, derrors.Invalidf("%s.stops[%d]: account %d is already on rep %d's route", f, k, aid, other)
			}
			placed[aid] = rc.RepID
			stops = append(stops, st)
		}
		if len(rc.Locked) > len(rc.Stops) {
			return nil, derrors.Invalidf("%s.locked: more locked stops than stops", f)
		}
		for k, aid := range rc.Locked {
			if rc.Stops[k] != aid {
				return nil, derrors.Invalidf("%s.locked[%d]: locked stops must open the day in order; stop %d is account %d, not %d", f, k, k, rc.Stops[k], aid)
			}
			stops[k].Locked = true
		}
		p.Routes[ri].Stops = stops
		if p.Request.Locked == nil {
			p.Request.Locked = map[int64]plan.LockedStops{}
		}
		if len(rc.Locked) > 0 {
			p.Request.Locked[rc.RepID] = append(plan.LockedStops(nil), rc.Locked...)
		} else {
			delete(p.Request.Locked, rc.RepID)
		}
	}
	// Routes not mentioned keep their stops (unless taken by another rep).
	for i, r := range p.Routes {
		if changed[r.RepID] {
			continue
		}
		var keep []plan.Stop
		for _, st := range r.Stops {
			if _, taken := placed[st.AccountID]; !taken {
				placed[st.AccountID] = r.RepID
				fresh := all[st.AccountID]
				fresh.Locked = containsID(p.Request.Locked[r.RepID], st.AccountID)
				keep = append(keep, fresh)
			}
		}
		p.Routes[i].Stops = keep
	}
	for rep, ids := range p.Request.Locked {
		if _, ok := routeIx[rep]; !ok {
			delete(p.Request.Locked, rep)
			continue
		}
		var kept plan.LockedStops
		for _, aid := range ids {
			if placed[aid] == rep {
				kept = append(kept, aid)
			}
		}
		p.Request.Locked[rep] = kept
	}
	p.Warnings = nil
	if ch.Optimize {
		var stops []plan.Stop
		for _, aid := range order {
			stops = append(stops, all[aid])
		}
		routes := append([]plan.Route(nil), p.Routes...)
		if err := s.optimize(ctx, p, loc, routes, stops, map[int64]bool{}); err != nil {
			return nil, err
		}
	} else {
		p.Unassigned = nil
		for _, aid := range order {
			if _, ok := placed[aid]; !ok {
				p.Unassigned = append(p.Unassigned, all[aid])
			}
		}
		p.DistanceMeters = 0
		for i := range p.Routes {
			w, err := s.schedule(ctx, p, loc, &p.Routes[i])
			if err != nil {
				return nil, err
			}
			p.Warnings = append(p.Warnings, w...)
			p.DistanceMeters += p.Routes[i].DistanceMeters
		}
	}
	if err := s.Store.UpdatePlan(ctx, p); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "route_plan.update", fmt.Sprintf("route_plan:%d", p.ID), fmt.Sprintf("optimize=%v", ch.Optimize))
	return p, nil
}

// DeletePlan removes a plan: managers any, reps the ones they made.
func (s *Service) DeletePlan(ctx context.Context, actor *auth.Actor, id int64) error {
	p, err := s.GetPlan(ctx, actor, id)
	if err != nil {
		return err
	}
	if !actor.IsManager() && p.CreatedBy != actor.User.ID {
		return derrors.Forbiddenf("a rep may delete only the plans they made")
	}
	if err := s.Store.DeletePlan(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, actor, "route_plan.delete", fmt.Sprintf("route_plan:%d", id), "")
	return nil
}
