package app

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/analytics"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
	"github.com/meridian-crm/meridian/internal/visit"
)

// ParseWindow reads a duration such as 14d, 2w, 36h, 3600s or 90m.
func ParseWindow(field, s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}
	if u, ok := unit[s[len(s)-1]]; ok {
		if n, err := strconv.ParseFloat(s[:len(s)-1], 64); err == nil && n > 0 {
			return time.Duration(n * float64(u)), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	return 0, derrors.Invalidf("%s: %q is not a duration such as 14d, 36h or 3600s", field, s)
}

func parseFilters(field string, ss []string) ([]visit.Filter, error) {
	var out []visit.Filter
	for i, s := range ss {
		f, err := visit.ParseFilter(s)
		if err != nil {
			return nil, derrors.Invalidf("%s %d: %s", field, i+1, derrors.Message(err))
		}
		out = append(out, f)
	}
	return out, nil
}

func optFilter(field, s string) (visit.Filter, error) {
	if strings.TrimSpace(s) == "" {
		return visit.Filter{}, nil
	}
	f, err := visit.ParseFilter(s)
	if err != nil {
		return f, derrors.Invalidf("%s: %s", field, derrors.Message(err))
	}
	return f, nil
}

func parseDay(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, derrors.Invalidf("%s: %q is not a date (YYYY-MM-DD) or RFC 3339 time", field, s)
}

// FunnelRequest asks for a funnel, as the CLI and the API take it.
type FunnelRequest struct {
	Steps      []string           `json:"steps"`
	Window     string             `json:"window,omitempty"` // 14d, 3600s…
	Mode       string             `json:"mode,omitempty"`   // comma-separated windowFunnel options
	Exclusions []ExclusionRequest `json:"exclusions,omitempty"`
	// Breakdown: channel, type, outcome, variant, stage, source or
	// prop.NAME of the first-step interaction; or the account's territory,
	// owner, account_stage, persona (see personaOf) or custom.FIELD.
	Breakdown  string `json:"breakdown,omitempty"`
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
	PerAccount bool   `json:"per_account,omitempty"`
	// DropOffStep saves the accounts that reached this step (1-based) and no
	// further as a selection the map and route planner open.
	DropOffStep int `json:"dropoff_step,omitempty"`
	// MapSelection saves every account that reached the first step as a
	// selection grouped by the furthest step reached ("2 · type=demo"),
	// which the map colours by.
	MapSelection bool `json:"map_selection,omitempty"`
}

// ExclusionRequest leaves out accounts that match Filter between two steps.
type ExclusionRequest struct {
	Filter string `json:"filter"`
	From   int    `json:"from_step"`
	To     int    `json:"to_step"`
}

// AccountLevel is one account's furthest step, by external id.
type AccountLevel struct {
	Account string `json:"account"`
	ID      int64  `json:"id"`
	Level   int    `json:"level"`
}

// FunnelReport is a funnel's answer.
type FunnelReport struct {
	*analytics.FunnelResult
	PerAccount []AccountLevel `json:"per_account,omitempty"`
	// Selection is the saved drop-off list or map selection, when asked for.
	Selection *Selection `json:"selection,omitempty"`
	// Interactions is how many interactions the index holds.
	Interactions int     `json:"interactions"`
	Seconds      float64 `json:"seconds"`
}

// Funnel runs a funnel over the stored interactions (managers and admins).
func (s *Service) Funnel(ctx context.Context, actor *auth.Actor, req FunnelRequest) (*FunnelReport, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	start := time.Now()
	q := analytics.FunnelQuery{PerAccount: req.PerAccount || req.MapSelection, DropOff: req.DropOffStep}
	var err error
	if len(req.Steps) == 0 {
		return nil, derrors.Invalidf("steps: give at least one step filter such as type=demo")
	}
	if req.MapSelection && req.DropOffStep > 0 {
		return nil, derrors.Invalidf("map_selection: ask for it or for dropoff_step, not both")
	}
	if q.Steps, err = parseFilters("step", req.Steps); err != nil {
		return nil, err
	}
	if q.Window, err = ParseWindow("window", req.Window); err != nil {
		return nil, err
	}
	if q.Mode, err = analytics.ParseMode(req.Mode); err != nil {
		return nil, err
	}
	for i, x := range req.Exclusions {
		f, err := visit.ParseFilter(x.Filter)
		if err != nil {
			return nil, derrors.Invalidf("exclusion %d: %s", i+1, derrors.Message(err))
		}
		q.Exclusions = append(q.Exclusions, analytics.Exclusion{Filter: f, From: x.From, To: x.To})
	}
	if q.From, err = parseDay("from", req.From); err != nil {
		return nil, err
	}
	if q.To, err = parseDay("to", req.To); err != nil {
		return nil, err
	}
	ai, err := s.Analytics(ctx)
	if err != nil {
		return nil, err
	}
	fs := append([]visit.Filter{}, q.Steps...)
	for _, x := range q.Exclusions {
		fs = append(fs, x.Filter)
	}
	props := analytics.PropertyNames(fs...)
	if name, ok := strings.CutPrefix(req.Breakdown, "prop."); ok {
		props = append(props, name)
	}
	if err := s.withProperties(ctx, ai, props); err != nil {
		return nil, err
	}
	switch b := req.Breakdown; {
	case b == "":
	case b == "territory" || b == "owner" || b == "account_stage" || b == "persona" || strings.HasPrefix(b, "custom."):
		labels, err := s.accountLabels(ctx, b)
		if err != nil {
			return nil, err
		}
		q.BreakdownLabel = func(id int64) string { return labels[id] }
	default:
		q.BreakdownField = b
	}
	res, err := analytics.Funnel(ai.Events, q)
	if err != nil {
		return nil, err
	}
	rep := &FunnelReport{FunnelResult: res, Interactions: ai.Len()}
	if req.MapSelection {
		groups := make([]GroupInput, len(res.Steps))
		for i, st := range res.Steps {
			groups[i].Label = clip(strconv.Itoa(i+1)+" · "+st.Filter, MaxGroupLabel)
		}
		for _, a := range res.PerAccount {
			if a.Level > 0 {
				groups[a.Level-1].IDs = append(groups[a.Level-1].IDs, a.AccountID)
			}
		}
		// The groups name the steps; the label stays short for the legend's title.
		label := "Funnel by furthest step"
		if req.From != "" || req.To != "" {
			label += " (" + req.From + " – " + req.To + ")"
		}
		if rep.Selection, err = s.SaveGroupedSelection(ctx, actor, label, groups); err != nil {
			return nil, err
		}
		if !req.PerAccount {
			res.PerAccount = nil
		}
	}
	if req.PerAccount {
		ext, err := s.externalIDs(ctx)
		if err != nil {
			return nil, err
		}
		rep.PerAccount = make([]AccountLevel, len(res.PerAccount))
		for i, a := range res.PerAccount {
			rep.PerAccount[i] = AccountLevel{Account: ext[a.AccountID], ID: a.AccountID, Level: a.Level}
		}
		res.PerAccount = nil
	}
	if req.DropOffStep > 0 {
		label := "Dropped off after step " + strconv.Itoa(req.DropOffStep) + " (" + req.Steps[req.DropOffStep-1] + ")"
		if rep.Selection, err = s.SaveSelection(ctx, actor, label, res.DropOffAccounts); err != nil {
			return nil, err
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

func (s *Service) externalIDs(ctx context.Context) (map[int64]string, error) {
	m, err := s.Store.ExternalIDs(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]string, len(m))
	for ext, id := range m {
		out[id] = ext
	}
	return out, nil
}

// accountLabels gives each account its territory name, owner name, stage,
// persona or custom field value.
func (s *Service) accountLabels(ctx context.Context, by string) (map[int64]string, error) {
	names := map[int64]string{}
	var personas []personaRule
	switch by {
	case "persona":
		var err error
		if personas, err = s.personaRules(ctx); err != nil {
			return nil, err
		}
	case "territory":
		ts, _, err := s.territories(ctx)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			names[t.ID] = t.Name
		}
	case "owner":
		us, err := s.Store.ListUsers(ctx)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			names[u.ID] = u.Name
		}
	}
	out := map[int64]string{}
	err := s.Store.EachAccount(ctx, account.Filter{}, func(a *account.Account) error {
		switch {
		case by == "territory":
			out[a.ID] = names[a.TerritoryID]
		case by == "owner":
			out[a.ID] = names[a.OwnerID]
		case by == "account_stage":
			out[a.ID] = a.Stage
		case by == "persona":
			out[a.ID] = personaOf(personas, a)
		default:
			out[a.ID] = a.Custom[strings.TrimPrefix(by, "custom.")]
		}
		return nil
	})
	return out, err
}

// personaRule is a persona's name and its parsed account rule.
type personaRule struct {
	name string
	rule journey.Rule
	all  bool // the rule is empty: the persona covers every account
}

// personaRules lists the personas in id order with their rules parsed.
func (s *Service) personaRules(ctx context.Context) ([]personaRule, error) {
	ps, err := s.Store.ListPersonas(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ps, func(a, b *journey.Persona) int { return cmp.Compare(a.ID, b.ID) })
	out := make([]personaRule, 0, len(ps))
	for _, p := range ps {
		r, err := journey.ParseRule(p.Rule)
		if err != nil {
			return nil, derrors.Invalidf("persona %q: rule: %v", p.Name, err)
		}
		out = append(out, personaRule{name: p.Name, rule: r, all: strings.TrimSpace(p.Rule) == ""})
	}
	return out, nil
}

// personaOf is the persona an account falls under in a breakdown: the first
// persona (oldest first) whose rule names conditions the account meets,
// else the first persona without a rule (it covers everyone), else "".
func personaOf(ps []personaRule, a *account.Account) string {
	fallback := ""
	for _, p := range ps {
		if p.all {
			if fallback == "" {
				fallback = p.name
			}
			continue
		}
		if p.rule.Match(a) {
			return p.name
		}
	}
	return fallback
}

// AttributionRequest asks for attribution.
type AttributionRequest struct {
	Conversion string `json:"conversion"`
	Touch      string `json:"touch,omitempty"`
	Model      string `json:"model"`
	Lookback   string `json:"lookback,omitempty"`  // default 90d
	HalfLife   string `json:"half_life,omitempty"` // time_decay; default 7d
	From       string `json:"from,omitempty"`
	To         string `json:"to,omitempty"`
}

// Attribution credits conversions to channels, types and variants.
func (s *Service) Attribution(ctx context.Context, actor *auth.Actor, req AttributionRequest) (*analytics.AttributionResult, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	var q analytics.AttributionQuery
	var err error
	if strings.TrimSpace(req.Conversion) == "" {
		return nil, derrors.Invalidf("conversion: give a filter such as outcome=sale")
	}
	if q.Conversion, err = optFilter("conversion", req.Conversion); err != nil {
		return nil, err
	}
	if q.Touch, err = optFilter("touch", req.Touch); err != nil {
		return nil, err
	}
	q.Model = req.Model
	if q.Model == "" {
		q.Model = analytics.Linear
	}
	if q.Lookback, err = ParseWindow("lookback", req.Lookback); err != nil {
		return nil, err
	}
	if q.HalfLife, err = ParseWindow("half_life", req.HalfLife); err != nil {
		return nil, err
	}
	if q.From, err = parseDay("from", req.From); err != nil {
		return nil, err
	}
	if q.To, err = parseDay("to", req.To); err != nil {
		return nil, err
	}
	ai, err := s.analyticsFor(ctx, q.Conversion, q.Touch)
	if err != nil {
		return nil, err
	}
	return analytics.Attribute(ai.Events, q)
}

// PathsRequest asks for the common paths around a touchpoint.
type PathsRequest struct {
	Anchor    string `json:"anchor"`
	Direction string `json:"direction,omitempty"` // after (default) or before
	Depth     int    `json:"depth,omitempty"`
	Label     string `json:"label,omitempty"`
	Top       int    `json:"top,omitempty"`
}

// Paths returns the most common sequences before or after a touchpoint.
func (s *Service) Paths(ctx context.Context, actor *auth.Actor, req PathsRequest) (*analytics.PathResult, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(req.Anchor) == "" {
		return nil, derrors.Invalidf("anchor: give a filter such as type=demo")
	}
	anchor, err := optFilter("anchor", req.Anchor)
	if err != nil {
		return nil, err
	}
	if req.Direction != "" && req.Direction != "after" && req.Direction != "before" {
		return nil, derrors.Invalidf("direction: %q is not before or after", req.Direction)
	}
	ai, err := s.analyticsFor(ctx, anchor)
	if err != nil {
		return nil, err
	}
	return analytics.Paths(ai.Events, analytics.PathQuery{Anchor: anchor, Before: req.Direction == "before", Depth: req.Depth, Label: req.Label, Top: req.Top})
}

// VariantsRequest compares campaign variants.
type VariantsRequest struct {
	Exposure   string `json:"exposure"`
	Conversion string `json:"conversion"`
	Window     string `json:"window,omitempty"`
	Seed       uint64 `json:"seed,omitempty"`
}

// Variants compares the conversion of campaign variants.
func (s *Service) Variants(ctx context.Context, actor *auth.Actor, req VariantsRequest) (*analytics.VariantResult, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	var q analytics.VariantQuery
	var err error
	for _, x := range []struct {
		field, s string
		f        *visit.Filter
	}{{"exposure", req.Exposure, &q.Exposure}, {"conversion", req.Conversion, &q.Conversion}} {
		if strings.TrimSpace(x.s) == "" {
			return nil, derrors.Invalidf("%s: required (a filter such as channel=email)", x.field)
		}
		if *x.f, err = optFilter(x.field, x.s); err != nil {
			return nil, err
		}
	}
	if q.Window, err = ParseWindow("window", req.Window); err != nil {
		return nil, err
	}
	q.Seed = req.Seed
	ai, err := s.analyticsFor(ctx, q.Exposure, q.Conversion)
	if err != nil {
		return nil, err
	}
	return analytics.Variants(ai.Events, q)
}

// SegmentsRequest asks for behavioural segments.
type SegmentsRequest struct {
	Conversion string `json:"conversion,omitempty"`
	MinK       int    `json:"min_k,omitempty"`
	MaxK       int    `json:"max_k,omitempty"`
	Seed       uint64 `json:"seed,omitempty"`
	// MapSelection saves the accounts as a selection grouped by segment
	// ("Segment 3 · high touches"), which the map colours by.
	MapSelection bool `json:"map_selection,omitempty"`
}

// SegmentsReport is the segments' answer.
type SegmentsReport struct {
	*analytics.SegmentResult
	// Selection is the saved map selection, when asked for.
	Selection *Selection `json:"selection,omitempty"`
}

// Segments clusters the accounts by behaviour and relates touchpoints to
// conversion.
func (s *Service) Segments(ctx context.Context, actor *auth.Actor, req SegmentsRequest) (*SegmentsReport, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	conv, err := optFilter("conversion", req.Conversion)
	if err != nil {
		return nil, err
	}
	ai, err := s.analyticsFor(ctx, conv)
	if err != nil {
		return nil, err
	}
	res, err := analytics.Segments(ai.Events, analytics.SegmentQuery{Conversion: conv, Now: s.Now(), MinK: req.MinK, MaxK: req.MaxK, Seed: req.Seed})
	if err != nil {
		return nil, err
	}
	rep := &SegmentsReport{SegmentResult: res}
	if req.MapSelection {
		// Groups in the order the segments are listed (largest first);
		// Assignment holds a segment's index, which is its ID less one.
		groups := make([]GroupInput, len(res.Segments))
		at := map[int]int{}
		for i, sg := range res.Segments {
			groups[i].Label = "Segment " + strconv.Itoa(sg.ID) + " · " + sg.Name
			at[sg.ID-1] = i
		}
		for id, c := range res.Assignment {
			if i, ok := at[c]; ok {
				groups[i].IDs = append(groups[i].IDs, id)
			}
		}
		if rep.Selection, err = s.SaveGroupedSelection(ctx, actor, "Segments (k = "+strconv.Itoa(res.K)+")", groups); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// analyticsFor returns the analytics index with the custom properties the
// filters name loaded.
func (s *Service) analyticsFor(ctx context.Context, fs ...visit.Filter) (*AnalyticsIndex, error) {
	ai, err := s.Analytics(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.withProperties(ctx, ai, analytics.PropertyNames(fs...)); err != nil {
		return nil, err
	}
	return ai, nil
}

// Selection is a saved list of accounts (a funnel's drop-off, say) that
// the map and the route planner open with ?selection=ID.
type Selection struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	Accounts  int       `json:"accounts"`
	IDs       []int64   `json:"ids,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// Groups, when a selection has them, split its accounts into labelled
	// parts (a funnel's furthest step, a segment) in the order a legend
	// lists them; the map colours the accounts by them.
	Groups []SelectionGroup `json:"groups,omitempty"`
	// GroupOf gives, for each of IDs, the index of its group in Groups.
	// IDs are then in increasing order (GroupLabel searches them).
	GroupOf []int `json:"group_of,omitempty"`
}

// SelectionGroup is one labelled part of a selection.
type SelectionGroup struct {
	Label    string `json:"label"`
	Accounts int    `json:"accounts"`
}

// GroupInput is a labelled part of a selection being saved.
type GroupInput struct {
	Label string  `json:"label"`
	IDs   []int64 `json:"account_ids"`
}

// MaxSelection is the most accounts a selection holds: the account filter
// turns it into one SQL IN list, and SQLite binds at most 32,766 values.
const MaxSelection = 30_000

// MaxSelectionGroups is the most groups a selection has, and
// MaxGroupLabel the longest group label, in characters. The map's palette
// has 12 colours; groups past it share one.
const (
	MaxSelectionGroups = 50
	MaxGroupLabel      = 100
)

const selectionPrefix = "analytics.selection."

// GroupLabel returns the label of the group account id is in, or "" when
// the selection has no groups or does not hold id.
func (sel *Selection) GroupLabel(id int64) string {
	if len(sel.GroupOf) != len(sel.IDs) {
		return ""
	}
	i, found := slices.BinarySearch(sel.IDs, id)
	if !found || sel.GroupOf[i] < 0 || sel.GroupOf[i] >= len(sel.Groups) {
		return ""
	}
	return sel.Groups[sel.GroupOf[i]].Label
}

// SaveSelection stores a list of account ids under a new id.
func (s *Service) SaveSelection(ctx context.Context, actor *auth.Actor, label string, ids []int64) (*Selection, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if len(ids) > MaxSelection {
		return nil, derrors.Invalidf("selection: %d accounts; a selection holds at most %d (narrow the funnel with from/to or a breakdown)", len(ids), MaxSelection)
	}
	return s.saveSelection(ctx, &Selection{Label: label, IDs: ids})
}

// SaveGroupedSelection stores accounts in labelled groups (a funnel's
// furthest steps, segments) under a new id; the map colours a selection's
// accounts by their group. Labels must be distinct and not empty, and an
// account may be in one group only; a group may be empty.
func (s *Service) SaveGroupedSelection(ctx context.Context, actor *auth.Actor, label string, groups []GroupInput) (*Selection, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if len(groups) == 0 || len(groups) > MaxSelectionGroups {
		return nil, derrors.Invalidf("groups: %d groups; give 1 to %d", len(groups), MaxSelectionGroups)
	}
	total := 0
	for _, g := range groups {
		total += len(g.IDs)
	}
	if total > MaxSelection {
		return nil, derrors.Invalidf("selection: %d accounts; a selection holds at most %d (narrow it with from/to or fewer accounts)", total, MaxSelection)
	}
	type member struct {
		id    int64
		group int
	}
	sel := &Selection{Label: label, Groups: make([]SelectionGroup, len(groups))}
	members := make([]member, 0, total)
	seen := map[string]int{}
	for i, g := range groups {
		l := strings.TrimSpace(g.Label)
		if l == "" {
			return nil, derrors.Invalidf("group %d: label required", i+1)
		}
		if utf8.RuneCountInString(l) > MaxGroupLabel {
			return nil, derrors.Invalidf("group %d: label longer than %d characters", i+1, MaxGroupLabel)
		}
		if j, ok := seen[l]; ok {
			return nil, derrors.Invalidf("group %d: label %q is group %d's too", i+1, l, j+1)
		}
		seen[l] = i
		sel.Groups[i] = SelectionGroup{Label: l, Accounts: len(g.IDs)}
		for _, id := range g.IDs {
			members = append(members, member{id, i})
		}
	}
	slices.SortFunc(members, func(a, b member) int { return cmp.Compare(a.id, b.id) })
	sel.IDs, sel.GroupOf = make([]int64, len(members)), make([]int, len(members))
	for k, m := range members {
		if k > 0 && members[k-1].id == m.id {
			return nil, derrors.Invalidf("groups: account %d is in group %d and group %d", m.id, min(m.group, members[k-1].group)+1, max(m.group, members[k-1].group)+1)
		}
		sel.IDs[k], sel.GroupOf[k] = m.id, m.group
	}
	return s.saveSelection(ctx, sel)
}

// clip shortens s to at most n characters, ending it with "…" when cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// saveSelection gives sel an id and a time and stores it; it returns sel
// without its ids.
func (s *Service) saveSelection(ctx context.Context, sel *Selection) (*Selection, error) {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	sel.ID, sel.Accounts, sel.CreatedAt = hex.EncodeToString(b[:]), len(sel.IDs), s.Now().UTC()
	if sel.IDs == nil {
		sel.IDs = []int64{}
	}
	raw, err := json.Marshal(sel)
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetSetting(ctx, selectionPrefix+sel.ID, string(raw)); err != nil {
		return nil, err
	}
	out := *sel
	out.IDs, out.GroupOf = nil, nil
	return &out, nil
}

// GetSelection returns a saved selection. Anyone signed in may open one;
// the account filter it feeds still applies the caller's scope.
func (s *Service) GetSelection(ctx context.Context, actor *auth.Actor, id string) (*Selection, error) {
	if actor == nil || actor.User == nil {
		return nil, derrors.E(derrors.Unauthenticated, "sign in first")
	}
	if _, err := hex.DecodeString(id); err != nil || len(id) != 18 {
		return nil, derrors.Invalidf("selection: %q is not a selection id", id)
	}
	raw, err := s.Store.Setting(ctx, selectionPrefix+id)
	if derrors.Is(err, derrors.NotFound) {
		return nil, derrors.NotFoundf("selection %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	var sel Selection
	if err := json.Unmarshal([]byte(raw), &sel); err != nil {
		return nil, err
	}
	return &sel, nil
}
