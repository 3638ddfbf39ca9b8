package app

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Settings keys of field activity.
const (
	settingOutcomes = "visit_outcomes"
	settingField    = "field"
)

// settingsTTL bounds how long a settings change made by another process
// (another replica, the CLI) takes to be seen; changes made through this
// service are seen at once.
const settingsTTL = 5 * time.Second

// fieldState is the service's cache of field settings. It lives beside the
// Service (keyed by it) rather than in it, as the struct belongs to
// service.go.
type fieldState struct {
	mu       sync.Mutex
	outcomes []visit.Outcome
	settings *visit.FieldSettings
	loaded   time.Time
}

func (s *Service) fieldState() *fieldState { return &s.field }

// fieldConfig returns the outcome list and the field settings (cached).
func (s *Service) fieldConfig(ctx context.Context) ([]visit.Outcome, visit.FieldSettings, error) {
	st := s.fieldState()
	st.mu.Lock()
	if st.settings != nil && time.Since(st.loaded) < settingsTTL {
		o, f := st.outcomes, *st.settings
		st.mu.Unlock()
		return o, f, nil
	}
	st.mu.Unlock()
	outcomes := visit.DefaultOutcomes()
	raw, err := s.Store.Setting(ctx, settingOutcomes)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &outcomes); err != nil {
			return nil, visit.FieldSettings{}, err
		}
	case !derrors.Is(err, derrors.NotFound):
		return nil, visit.FieldSettings{}, err
	}
	fs := visit.DefaultFieldSettings()
	raw, err = s.Store.Setting(ctx, settingField)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(raw), &fs); err != nil {
			return nil, visit.FieldSettings{}, err
		}
	case !derrors.Is(err, derrors.NotFound):
		return nil, visit.FieldSettings{}, err
	}
	if err := fs.Validate(); err != nil {
		s.Log.Error("field settings", "err", err)
		fs = visit.DefaultFieldSettings()
		_ = fs.Validate()
	}
	st.mu.Lock()
	st.outcomes, st.settings, st.loaded = outcomes, &fs, time.Now()
	st.mu.Unlock()
	return outcomes, fs, nil
}

func (s *Service) forgetFieldConfig() {
	st := s.fieldState()
	st.mu.Lock()
	st.settings = nil
	st.mu.Unlock()
}

// Outcomes returns the visit outcome list.
func (s *Service) Outcomes(ctx context.Context, actor *auth.Actor) ([]visit.Outcome, error) {
	o, _, err := s.fieldConfig(ctx)
	return o, err
}

// SetOutcomes replaces the visit outcome list (managers). Visits already
// recorded keep their outcome.
func (s *Service) SetOutcomes(ctx context.Context, actor *auth.Actor, list []visit.Outcome) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if err := visit.ValidateOutcomes(list); err != nil {
		return err
	}
	b, _ := json.Marshal(list)
	if err := s.Store.SetSetting(ctx, settingOutcomes, string(b)); err != nil {
		return err
	}
	s.forgetFieldConfig()
	s.audit(ctx, actor, "settings.outcomes", "", "")
	return nil
}

// FieldSettings returns the check-in, tracking and automatic-visit settings.
func (s *Service) FieldSettings(ctx context.Context, actor *auth.Actor) (visit.FieldSettings, error) {
	_, f, err := s.fieldConfig(ctx)
	return f, err
}

// SetFieldSettings replaces the field settings (managers).
func (s *Service) SetFieldSettings(ctx context.Context, actor *auth.Actor, f visit.FieldSettings) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(f)
	if err := s.Store.SetSetting(ctx, settingField, string(b)); err != nil {
		return err
	}
	s.forgetFieldConfig()
	s.audit(ctx, actor, "settings.field", "", "")
	return nil
}

// checkIn applies the field rules to a new interaction with account a: a
// visit's outcome must be on the list, and a location is compared with the
// account's to verify the check-in.
func (s *Service) checkIn(ctx context.Context, a *account.Account, in *visit.Interaction) error {
	outcomes, fs, err := s.fieldConfig(ctx)
	if err != nil {
		return err
	}
	if in.Channel == "visit" && in.Source != "import" {
		if err := visit.CheckOutcome(outcomes, in.Outcome); err != nil {
			return err
		}
	}
	in.Verified, in.DistanceM = nil, nil
	if in.Location != nil && a.Location != nil {
		d := geo.DistanceMeters(*in.Location, *a.Location)
		ok := d <= fs.VerifyRadiusM
		in.Verified, in.DistanceM = &ok, &d
	}
	return nil
}

// TrackingState is a user's tracking switch.
type TrackingState struct {
	Enabled bool
	// Set is false when the user never chose (tracking is then off).
	Set bool
}

// Tracking returns the caller's tracking switch.
func (s *Service) Tracking(ctx context.Context, actor *auth.Actor) (TrackingState, error) {
	on, set, err := s.Store.Tracking(ctx, actor.User.ID)
	return TrackingState{Enabled: on, Set: set}, err
}

// SetTracking turns the caller's own tracking on or off. Nobody can turn it
// on for someone else.
func (s *Service) SetTracking(ctx context.Context, actor *auth.Actor, enabled bool) error {
	if err := s.Store.SetTracking(ctx, actor.User.ID, enabled, s.Now()); err != nil {
		return err
	}
	detail := "off"
	if enabled {
		detail = "on"
	}
	s.audit(ctx, actor, "tracking", actor.User.Email, detail)
	return nil
}

// PingResult says what became of a batch of pings.
type PingResult struct {
	Received     int
	Stored       int // new pings
	Duplicates   int // already stored (same user and time)
	OutsideHours int // dropped: outside the working hours
	Expired      int // dropped: older than the retention period
	AutoVisits   int // automatic visits added or extended
}

// autoVisitLookback is how far around a batch pings are read again to find
// stays that began (or end) outside it.
const autoVisitLookback = 2 * time.Hour

// AddPings stores a batch of the caller's pings and records the automatic
// visits they complete. With tracking off nothing is stored and the answer
// is Conflict. Pings outside the working hours or older than the retention
// period are dropped (counted in the result, not stored); a ping already
// stored (same time) is skipped, so a batch sent twice adds nothing.
func (s *Service) AddPings(ctx context.Context, actor *auth.Actor, pings []visit.Ping) (PingResult, error) {
	res := PingResult{Received: len(pings)}
	if len(pings) > 10000 {
		return res, derrors.Invalidf("pings: at most 10000 in one batch, got %d", len(pings))
	}
	for i := range pings {
		if err := visit.ValidatePing(i, &pings[i]); err != nil {
			return res, err
		}
	}
	on, _, err := s.Store.Tracking(ctx, actor.User.ID)
	if err != nil {
		return res, err
	}
	if !on {
		return res, derrors.Conflictf("tracking is off for you: nothing was stored; turn it on with PUT /api/v1/me/tracking {\"enabled\": true}")
	}
	_, fs, err := s.fieldConfig(ctx)
	if err != nil {
		return res, err
	}
	now := s.Now()
	oldest := now.Add(-fs.Retention())
	keep := make([]visit.Ping, 0, len(pings))
	for _, p := range pings {
		switch {
		case p.At.Before(oldest):
			res.Expired++
		case !fs.WorkingHours.Contains(p.At):
			res.OutsideHours++
		default:
			p.UserID = actor.User.ID
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return res, nil
	}
	res.Stored, err = s.Store.AddPings(ctx, actor.User.ID, keep)
	if err != nil {
		return res, err
	}
	res.Duplicates = len(keep) - res.Stored
	if res.Stored == 0 {
		return res, nil
	}
	res.AutoVisits, err = s.detectVisits(ctx, actor, keep, fs)
	return res, err
}

// detectVisits looks for stays at the accounts near a batch of pings.
func (s *Service) detectVisits(ctx context.Context, actor *auth.Actor, batch []visit.Ping, fs visit.FieldSettings) (int, error) {
	box := geo.EmptyBBox()
	first, last := batch[0].At, batch[0].At
	for _, p := range batch {
		box = box.Extend(p.Location)
		if p.At.Before(first) {
			first = p.At
		}
		if p.At.After(last) {
			last = p.At
		}
	}
	sw := visit.RadiusBBox(geo.Point{Lon: box.MinLon, Lat: box.MinLat}, fs.DwellRadiusM)
	ne := visit.RadiusBBox(geo.Point{Lon: box.MaxLon, Lat: box.MaxLat}, fs.DwellRadiusM)
	search := geo.BBox{MinLon: sw.MinLon, MinLat: sw.MinLat, MaxLon: ne.MaxLon, MaxLat: ne.MaxLat}
	var places []visit.Place
	err := s.EachAccount(ctx, actor, account.Filter{BBox: &search}, func(a *account.Account) error {
		if a.Location != nil {
			places = append(places, visit.Place{AccountID: a.ID, Location: *a.Location})
		}
		return nil
	})
	if err != nil || len(places) == 0 {
		return 0, err
	}
	window, err := s.Store.Pings(ctx, actor.User.ID, first.Add(-autoVisitLookback), last.Add(autoVisitLookback))
	if err != nil {
		return 0, err
	}
	found := visit.DetectVisits(window, places, visit.DwellRule{RadiusM: fs.DwellRadiusM, Dwell: fs.Dwell(), MaxGap: fs.MaxGap()})
	if len(found) == 0 {
		return 0, nil
	}
	n, err := s.Store.SaveAutoVisits(ctx, actor.User.ID, found)
	if n > 0 {
		s.mapChanged()
	}
	return n, err
}

// Trail returns a user's pings on a day (in the working hours' time zone),
// in time order. Managers see anyone's; reps only their own.
func (s *Service) Trail(ctx context.Context, actor *auth.Actor, userID int64, day string) ([]visit.Ping, error) {
	if !actor.IsManager() && actor.User.ID != userID {
		return nil, derrors.Forbiddenf("only managers see other people's trails")
	}
	if _, err := s.Store.GetUser(ctx, userID); err != nil {
		return nil, err
	}
	_, fs, err := s.fieldConfig(ctx)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(fs.WorkingHours.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return nil, derrors.Invalidf("date: %q is not a date such as 2026-03-01", day)
	}
	return s.Store.Pings(ctx, userID, d, d.AddDate(0, 0, 1))
}

// NearbyAccount is an account and its distance from another.
type NearbyAccount struct {
	Account   *account.Account
	DistanceM float64
}

// MaxNearbyRadiusM bounds a nearby search.
const MaxNearbyRadiusM = 50000

// Nearby returns the accounts the actor may see within radiusM of account
// id (itself left out), nearest first, optionally only in stages.
func (s *Service) Nearby(ctx context.Context, actor *auth.Actor, id int64, radiusM float64, stages []string, limit int) ([]NearbyAccount, error) {
	if !(radiusM > 0 && radiusM <= MaxNearbyRadiusM) {
		return nil, derrors.Invalidf("radius_m: %v must be more than 0 and at most %d", radiusM, MaxNearbyRadiusM)
	}
	if limit <= 0 {
		limit = 20
	}
	if limit > account.MaxLimit {
		return nil, derrors.Invalidf("limit: at most %d", account.MaxLimit)
	}
	origin, err := s.GetAccount(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if origin.Location == nil {
		return nil, derrors.Invalidf("account %d has no location, so nothing is near it", id)
	}
	if len(stages) > 0 {
		p, err := s.Pipeline(ctx)
		if err != nil {
			return nil, err
		}
		for _, st := range stages {
			if err := p.CheckStage("stage", st); err != nil {
				return nil, err
			}
		}
	}
	box := visit.RadiusBBox(*origin.Location, radiusM)
	byID := map[int64]*account.Account{}
	var places []visit.Place
	err = s.EachAccount(ctx, actor, account.Filter{BBox: &box, Stages: stages}, func(a *account.Account) error {
		if a.Location != nil && a.ID != id {
			byID[a.ID] = a
			places = append(places, visit.Place{AccountID: a.ID, Location: *a.Location})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	near := visit.Nearest(*origin.Location, places, radiusM, limit)
	out := make([]NearbyAccount, len(near))
	for i, n := range near {
		out[i] = NearbyAccount{Account: byID[n.AccountID], DistanceM: n.DistanceM}
	}
	return out, nil
}

// RepMetrics returns each rep's figures for the period from <= t < to, best
// first. Managers see every rep; a rep sees their own row only.
func (s *Service) RepMetrics(ctx context.Context, actor *auth.Actor, from, to time.Time) ([]visit.RepMetrics, error) {
	if !to.After(from) {
		return nil, derrors.Invalidf("to: must be after from")
	}
	act, err := s.Store.RepActivity(ctx, from, to)
	if err != nil {
		return nil, err
	}
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var reps []int64
	for _, u := range users {
		if u.Role == auth.RoleRep && !u.Disabled {
			reps = append(reps, u.ID)
		}
	}
	p, err := s.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	kinds := map[string]string{}
	for _, st := range p.Stages {
		kinds[st.Key] = string(st.Kind)
	}
	all := visit.ComputeRepMetrics(act, reps, func(stage string) string { return kinds[stage] })
	if actor.IsManager() {
		return all, nil
	}
	for _, m := range all {
		if m.UserID == actor.User.ID {
			return []visit.RepMetrics{m}, nil
		}
	}
	return []visit.RepMetrics{}, nil
}

// housekeepPings deletes pings older than the retention period.
func (s *Service) housekeepPings(ctx context.Context) (int64, error) {
	_, fs, err := s.fieldConfig(ctx)
	if err != nil {
		return 0, err
	}
	return s.Store.PurgePings(ctx, s.Now().Add(-fs.Retention()))
}
