package app

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

// Territory design (issue 8): checking territories for overlaps and gaps,
// building a territory as the union of boundaries, balancing, KML export.

// Geometry is a GeoJSON MultiPolygon, for answers.
type Geometry struct {
	Type        string           `json:"type"`
	Coordinates [][][][2]float64 `json:"coordinates"`
}

func geometryOf(m geo.MultiPolygon) *Geometry {
	if m == nil {
		m = geo.MultiPolygon{}
	}
	return &Geometry{Type: "MultiPolygon", Coordinates: m.Coordinates()}
}

// CheckOverlap is an overlap with its geometry.
type CheckOverlap struct {
	territory.Overlap
	Geometry *Geometry `json:"geometry"`
}

// CheckGap is a gap with its geometry.
type CheckGap struct {
	territory.Gap
	Geometry *Geometry `json:"geometry"`
}

// CheckReport is a territory check as the API and CLI print it.
type CheckReport struct {
	Overlaps              []CheckOverlap    `json:"overlaps"`
	Gaps                  []CheckGap        `json:"gaps"`
	UnassignedAccounts    int               `json:"unassigned_accounts"`
	UnplacedAccounts      int               `json:"unplaced_accounts"`
	TerritoriesWithoutRep []territory.Named `json:"territories_without_rep"`
	RepsWithoutTerritory  []territory.Named `json:"reps_without_territory"`
	Boundary              string            `json:"boundary"`
	BoundaryGeometry      *Geometry         `json:"boundary_geometry"`
}

// maxCheckBoundaryPoints bounds a --within boundary, which is overlaid with
// every territory.
const maxCheckBoundaryPoints = 200000

// CheckTerritories reports overlapping territories, gaps within the
// boundary (nil: the convex hull of all territories), accounts in no
// territory, territories without a rep and reps without a territory
// (managers only: it reads every account's position).
func (s *Service) CheckTerritories(ctx context.Context, actor *auth.Actor, within geo.MultiPolygon) (*CheckReport, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if within != nil {
		if err := within.Validate(); err != nil {
			return nil, derrors.Invalidf("within: %v", err)
		}
		if n := countPoints(within); n > maxCheckBoundaryPoints {
			return nil, derrors.Invalidf("within: %d points, at most %d", n, maxCheckBoundaryPoints)
		}
	}
	ts, _, err := s.territories(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	var reps []territory.Rep
	for _, u := range users {
		if u.Role == auth.RoleRep && !u.Disabled {
			reps = append(reps, territory.Rep{ID: u.ID, Email: u.Email, Name: u.Name})
		}
	}
	var pts []geo.Point
	if err := s.Store.EachPlaced(ctx, func(p account.Placed) error {
		pts = append(pts, p.Location)
		return nil
	}); err != nil {
		return nil, err
	}
	var all account.List
	if all, err = s.Store.ListAccounts(ctx, account.Filter{}, account.Page{Limit: 1}); err != nil {
		return nil, err
	}
	r := territory.Check(territory.CheckInput{Territories: ts, Accounts: pts, Reps: reps, Within: within})
	out := &CheckReport{Overlaps: []CheckOverlap{}, Gaps: []CheckGap{}, UnassignedAccounts: r.UnassignedAccounts,
		UnplacedAccounts: max(0, all.Total-len(pts)), TerritoriesWithoutRep: r.TerritoriesWithoutRep,
		RepsWithoutTerritory: r.RepsWithoutTerritory, Boundary: r.Boundary}
	for _, o := range r.Overlaps {
		out.Overlaps = append(out.Overlaps, CheckOverlap{Overlap: o, Geometry: geometryOf(o.Shape)})
	}
	for _, g := range r.Gaps {
		out.Gaps = append(out.Gaps, CheckGap{Gap: g, Geometry: geometryOf(g.Shape)})
	}
	if r.BoundaryShape != nil {
		out.BoundaryGeometry = geometryOf(r.BoundaryShape)
	}
	return out, nil
}

func countPoints(m geo.MultiPolygon) int {
	n := 0
	for _, p := range m {
		for _, r := range p {
			n += len(r)
		}
	}
	return n
}

// maxUnionShapes bounds a union request.
const maxUnionShapes = 5000

// UnionShapes returns the union of shapes, for a territory built from
// states, counties or ZIP areas (managers only). The error names the shape
// at fault.
func (s *Service) UnionShapes(ctx context.Context, actor *auth.Actor, shapes []geo.MultiPolygon) (geo.MultiPolygon, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if len(shapes) == 0 {
		return nil, derrors.Invalidf("geometries: at least one is required")
	}
	if len(shapes) > maxUnionShapes {
		return nil, derrors.Invalidf("geometries: %d given, at most %d", len(shapes), maxUnionShapes)
	}
	for i, m := range shapes {
		if err := m.Validate(); err != nil {
			return nil, derrors.Invalidf("geometries[%d]: %v", i, err)
		}
	}
	u := geo.UnionAll(shapes)
	if len(u) == 0 {
		return nil, derrors.Invalidf("geometries: their union is empty")
	}
	if err := u.Validate(); err != nil {
		return nil, derrors.Invalidf("geometries: their union is not a valid shape (%v); check the input for overlapping rings", err)
	}
	return u, nil
}

// BalanceRequest asks for a balanced division of the territories.
type BalanceRequest struct {
	// K is the number of territories; with Centres "reps" it may be 0 (one
	// per rep with a home).
	K int `json:"k"`
	// By is accounts, value or workload.
	By string `json:"by"`
	// Centres is "" (recursive bisection) or "reps" (around the reps' homes).
	Centres string `json:"centres"`
	// Lock names territories to keep as they are.
	Lock []string `json:"lock"`
	// Parent names the region whose child territories are balanced inside it;
	// "" balances the top level.
	Parent string `json:"parent"`
	// Apply saves the proposal.
	Apply bool `json:"apply"`
}

// ProposedTerritory is one territory of a balance.
type ProposedTerritory struct {
	ID           int64     `json:"id"`     // 0: a new territory
	Action       string    `json:"action"` // "update" or "create"
	Name         string    `json:"name"`
	Color        string    `json:"color"`
	Reps         []string  `json:"reps"`
	Accounts     int       `json:"accounts"`
	Total        float64   `json:"total"`
	Value        float64   `json:"value"`
	AreaKm2      float64   `json:"area_km2"`
	PolsbyPopper float64   `json:"polsby_popper"`
	Parts        int       `json:"parts"`
	Geometry     *Geometry `json:"geometry"`
}

// AccountChange is an account that a balance moves.
type AccountChange struct {
	AccountID     int64  `json:"account_id"`
	Name          string `json:"name"`
	FromTerritory string `json:"from_territory"`
	ToTerritory   string `json:"to_territory"`
	FromRep       string `json:"from_rep"`
	ToRep         string `json:"to_rep"`
}

// BalanceChanges counts the accounts a balance moves, with a sample.
type BalanceChanges struct {
	Territory int             `json:"territory"`
	Rep       int             `json:"rep"`
	Sample    []AccountChange `json:"sample"`
}

// BalanceProposal is the answer to a balance request.
type BalanceProposal struct {
	K                int                 `json:"k"`
	By               string              `json:"by"`
	Centres          string              `json:"centres"`
	Parent           string              `json:"parent"`
	Locked           []string            `json:"locked"`
	Balanced         int                 `json:"balanced_accounts"`
	Territories      []ProposedTerritory `json:"territories"`
	Deleted          []string            `json:"deleted"`
	Ratio            float64             `json:"max_min_ratio"`
	AccountsRatio    float64             `json:"accounts_max_min_ratio"`
	MeanPolsbyPopper float64             `json:"mean_polsby_popper"`
	Changes          BalanceChanges      `json:"changes"`
	Applied          bool                `json:"applied"`
	HistoryID        int64               `json:"history_id,omitempty"`
}

// balanceSampleSize is how many moved accounts a proposal lists.
const balanceSampleSize = 50

// maxBalanceK bounds k.
const maxBalanceK = 500

// BalanceTerritories proposes (and with Apply saves) K territories whose
// totals are balanced, replacing the unlocked territories at one level (the
// top, or the children of Parent). Managers only.
//
// The balanced territories reuse the replaced ones that share most accounts
// with them (name, colour and reps kept); the rest are created, and replaced
// territories left over are deleted. Accounts are then assigned by the usual
// rule (the smallest territory containing them), which for the new cells is
// the rule that cut them. Applying saves it all in one transaction with a
// history entry.
func (s *Service) BalanceTerritories(ctx context.Context, actor *auth.Actor, req BalanceRequest) (*BalanceProposal, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	if req.By == "" {
		req.By = territory.ByAccounts
	}
	if _, err := territory.Weight(req.By, 0, ""); err != nil {
		return nil, err
	}
	if req.Centres != "" && req.Centres != "reps" {
		return nil, derrors.Invalidf("centres: %q is not \"reps\"", req.Centres)
	}
	if req.K < 0 || req.K > maxBalanceK || (req.K == 0 && req.Centres == "") {
		return nil, derrors.Invalidf("k: must be between 1 and %d, got %d", maxBalanceK, req.K)
	}
	ts, err := s.Store.ListTerritories(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*territory.Territory{}
	byID := map[int64]*territory.Territory{}
	hasChildren := map[int64]bool{}
	for _, t := range ts {
		byName[strings.ToLower(t.Name)] = t
		byID[t.ID] = t
		hasChildren[t.ParentID] = true
	}
	var parent *territory.Territory
	if req.Parent != "" {
		if parent = byName[strings.ToLower(strings.TrimSpace(req.Parent))]; parent == nil {
			return nil, derrors.Invalidf("parent: no territory is named %q", req.Parent)
		}
	}
	parentID := int64(0)
	if parent != nil {
		parentID = parent.ID
	}
	locked := map[int64]bool{}
	var lockedShapes []geo.MultiPolygon
	var lockedNames []string
	for _, name := range req.Lock {
		t := byName[strings.ToLower(strings.TrimSpace(name))]
		if t == nil {
			return nil, derrors.Invalidf("lock: no territory is named %q", name)
		}
		if t.ParentID != parentID {
			return nil, derrors.Invalidf("lock: %q is not at the level being balanced (its parent differs)", t.Name)
		}
		if !locked[t.ID] {
			locked[t.ID] = true
			lockedShapes = append(lockedShapes, t.Shape)
			lockedNames = append(lockedNames, t.Name)
		}
	}
	var replaced []*territory.Territory
	for _, t := range ts {
		if t.ParentID == parentID && !locked[t.ID] {
			if hasChildren[t.ID] {
				return nil, derrors.Invalidf("lock: %q has child territories; lock it, or balance inside it with parent %q", t.Name, t.Name)
			}
			replaced = append(replaced, t)
		}
	}
	replacedSet := map[int64]bool{}
	for _, t := range replaced {
		replacedSet[t.ID] = true
	}

	// The accounts: all placed ones (inside the parent), less the locked
	// territories' accounts.
	p, err := s.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	kinds := map[string]account.Kind{}
	for _, st := range p.Stages {
		kinds[st.Key] = st.Kind
	}
	lockIx := geo.NewPolygonIndex(map[int64]geo.MultiPolygon{})
	if len(lockedShapes) > 0 {
		m := map[int64]geo.MultiPolygon{}
		for i, sh := range lockedShapes {
			m[int64(i)] = sh
		}
		lockIx = geo.NewPolygonIndex(m)
	}
	var placed []account.Placed
	var items []territory.Item
	if err := s.Store.EachPlaced(ctx, func(a account.Placed) error {
		placed = append(placed, a)
		if parent != nil && !parent.Shape.Contains(a.Location) {
			return nil
		}
		if _, in := lockIx.Smallest(a.Location); in {
			return nil
		}
		w, err := territory.Weight(req.By, a.EstimatedValue, kinds[a.Stage])
		if err != nil {
			return err
		}
		items = append(items, territory.Item{ID: int64(len(placed) - 1), Location: a.Location, Weight: w})
		return nil
	}); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, derrors.Invalidf("accounts: no placed account lies in the area to balance")
	}

	// The region: the parent (or the accounts' box), less locked territories.
	var region geo.MultiPolygon
	if parent != nil {
		region = parent.Shape
	}
	if len(lockedShapes) > 0 {
		if region == nil {
			b := geo.EmptyBBox()
			for _, it := range items {
				b = b.Extend(it.Location)
			}
			for _, sh := range lockedShapes {
				lb := sh.Bounds()
				b = b.Extend(geo.Point{Lon: lb.MinLon, Lat: lb.MinLat}).Extend(geo.Point{Lon: lb.MaxLon, Lat: lb.MaxLat})
			}
			mx, my := math.Max((b.MaxLon-b.MinLon)*0.01, 0.001), math.Max((b.MaxLat-b.MinLat)*0.01, 0.001)
			region = geo.BBoxPolygon(geo.BBox{MinLon: b.MinLon - mx, MinLat: b.MinLat - my, MaxLon: b.MaxLon + mx, MaxLat: b.MaxLat + my})
		}
		region = geo.Overlay(append([]geo.MultiPolygon{region}, lockedShapes...), func(in []bool) bool {
			if !in[0] {
				return false
			}
			for _, v := range in[1:] {
				if v {
					return false
				}
			}
			return true
		})
	}

	// Centres: the reps' homes.
	opts := territory.BalanceOptions{K: req.K, Region: region}
	var centreReps []*auth.User
	if req.Centres == "reps" {
		users, err := s.Store.ListUsers(ctx)
		if err != nil {
			return nil, err
		}
		lockedRep := map[int64]bool{}
		for _, t := range ts {
			if locked[t.ID] {
				for _, id := range t.RepIDs {
					lockedRep[id] = true
				}
			}
		}
		var without []string
		for _, u := range users {
			if u.Role != auth.RoleRep || u.Disabled || lockedRep[u.ID] {
				continue
			}
			if u.Home == nil {
				without = append(without, u.Email)
				continue
			}
			centreReps = append(centreReps, u)
		}
		sort.Slice(centreReps, func(i, j int) bool { return centreReps[i].Email < centreReps[j].Email })
		if len(centreReps) == 0 {
			return nil, derrors.Invalidf("centres: no active rep outside the locked territories has a home location")
		}
		if req.K == 0 {
			req.K = len(centreReps)
		}
		if req.K != len(centreReps) {
			msg := ""
			if len(without) > 0 {
				msg = fmt.Sprintf(" (without a home: %s)", strings.Join(without, ", "))
			}
			return nil, derrors.Invalidf("centres: %d reps have a home location%s, but k is %d", len(centreReps), msg, req.K)
		}
		opts.K = req.K
		for _, u := range centreReps {
			opts.Centres = append(opts.Centres, *u.Home)
		}
	}
	part, err := territory.Balance(items, opts)
	if err != nil {
		return nil, err
	}

	// Match cells to the replaced territories by the accounts they share.
	type pair struct {
		cell  int
		old   int64
		count int
	}
	shared := map[[2]int64]int{}
	for i, it := range items {
		if tid := placed[it.ID].TerritoryID; replacedSet[tid] {
			shared[[2]int64{int64(part.Of[i]), tid}]++
		}
	}
	var pairs []pair
	for k, n := range shared {
		pairs = append(pairs, pair{cell: int(k[0]), old: k[1], count: n})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].count != pairs[j].count {
			return pairs[i].count > pairs[j].count
		}
		if pairs[i].cell != pairs[j].cell {
			return pairs[i].cell < pairs[j].cell
		}
		return pairs[i].old < pairs[j].old
	})
	cellOld := map[int]int64{}
	oldUsed := map[int64]bool{}
	if centreReps != nil {
		// A rep keeps the territory they already work, when it is replaced.
		for c, u := range centreReps {
			for _, t := range replaced {
				if !oldUsed[t.ID] && hasRep(t.RepIDs, u.ID) {
					cellOld[c], oldUsed[t.ID] = t.ID, true
					break
				}
			}
		}
	}
	for _, pr := range pairs {
		if _, done := cellOld[pr.cell]; done || oldUsed[pr.old] {
			continue
		}
		cellOld[pr.cell], oldUsed[pr.old] = pr.old, true
	}
	taken := map[string]bool{}
	for _, t := range ts {
		if !replacedSet[t.ID] {
			taken[strings.ToLower(t.Name)] = true
		}
	}
	for _, id := range cellOld {
		taken[strings.ToLower(byID[id].Name)] = true
	}
	newName := func(base string) string {
		for n := 1; ; n++ {
			name := fmt.Sprintf("%s %d", base, n)
			if base != "Territory" && n == 1 {
				name = base
			}
			if !taken[strings.ToLower(name)] {
				taken[strings.ToLower(name)] = true
				return name
			}
		}
	}
	proposed := make([]*territory.Territory, len(part.Cells))
	for c, cell := range part.Cells {
		t := &territory.Territory{ParentID: parentID, Shape: cell.Shape, RepIDs: []int64{}}
		if old, ok := cellOld[c]; ok {
			o := byID[old]
			t.ID, t.Name, t.Color, t.RepIDs = o.ID, o.Name, o.Color, append([]int64{}, o.RepIDs...)
		} else if centreReps != nil {
			t.Name = newName("Territory of " + centreReps[c].Name)
		} else {
			t.Name = newName("Territory")
		}
		if centreReps != nil {
			t.RepIDs = []int64{centreReps[c].ID}
		}
		if len(cell.Shape) == 0 {
			return nil, derrors.Invalidf("centres: the cell of %s is empty (another rep's home is too close); move a home or lock a territory", t.Name)
		}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		proposed[c] = t
	}
	var deleted []*territory.Territory
	for _, t := range replaced {
		if !oldUsed[t.ID] {
			deleted = append(deleted, t)
		}
	}

	// The new assignment of every placed account, by the usual rule; new
	// territories carry temporary ids −1, −2, ….
	tempID := func(c int) int64 {
		if proposed[c].ID != 0 {
			return proposed[c].ID
		}
		return -1 - int64(c)
	}
	next := []*territory.Territory{}
	for _, t := range ts {
		if !replacedSet[t.ID] {
			next = append(next, t)
		}
	}
	for c, t := range proposed {
		cp := *t
		cp.ID = tempID(c)
		next = append(next, &cp)
	}
	ix := territory.NewIndex(next)
	emails, err := s.userEmails(ctx)
	if err != nil {
		return nil, err
	}
	terrName := map[int64]string{}
	terrRep := map[int64]string{}
	for _, t := range next {
		terrName[t.ID] = t.Name
		terrRep[t.ID] = repList(t.RepIDs, emails)
	}
	oldName := map[int64]string{}
	oldRep := map[int64]string{}
	for _, t := range ts {
		oldName[t.ID] = t.Name
		oldRep[t.ID] = repList(t.RepIDs, emails)
	}
	prop := &BalanceProposal{K: len(part.Cells), By: req.By, Centres: req.Centres, Parent: "", Locked: append([]string{}, lockedNames...),
		Balanced: len(items), Ratio: part.Ratio, MeanPolsbyPopper: part.MeanPolsbyPopper, Deleted: []string{},
		Changes: BalanceChanges{Sample: []AccountChange{}}}
	if parent != nil {
		prop.Parent = parent.Name
	}
	var assigns []account.Assignment
	for _, a := range placed {
		to := ix.Assign(a.Location)
		if to == a.TerritoryID {
			continue
		}
		assigns = append(assigns, account.Assignment{AccountID: a.ID, TerritoryID: to})
		prop.Changes.Territory++
		fromRep, toRep := oldRep[a.TerritoryID], terrRep[to]
		if fromRep != toRep {
			prop.Changes.Rep++
		}
		if len(prop.Changes.Sample) < balanceSampleSize {
			prop.Changes.Sample = append(prop.Changes.Sample, AccountChange{AccountID: a.ID, Name: a.Name,
				FromTerritory: oldName[a.TerritoryID], ToTerritory: terrName[to], FromRep: fromRep, ToRep: toRep})
		}
	}
	minN, maxN := math.Inf(1), 0.0
	for c, cell := range part.Cells {
		t := proposed[c]
		pt := ProposedTerritory{ID: t.ID, Action: "update", Name: t.Name, Color: t.Color, Reps: []string{}, Accounts: len(cell.Items),
			Total: cell.Total, AreaKm2: cell.AreaKm2, PolsbyPopper: cell.PolsbyPopper, Parts: len(cell.Shape), Geometry: geometryOf(cell.Shape)}
		if t.ID == 0 {
			pt.Action = "create"
		}
		for _, id := range t.RepIDs {
			pt.Reps = append(pt.Reps, emails[id])
		}
		for _, i := range cell.Items {
			pt.Value += placed[items[i].ID].EstimatedValue
		}
		minN, maxN = math.Min(minN, float64(len(cell.Items))), math.Max(maxN, float64(len(cell.Items)))
		prop.Territories = append(prop.Territories, pt)
	}
	prop.AccountsRatio = math.Inf(1)
	if minN > 0 {
		prop.AccountsRatio = maxN / minN
	}
	for _, t := range deleted {
		prop.Deleted = append(prop.Deleted, t.Name)
	}
	if math.IsInf(prop.Ratio, 0) || math.IsInf(prop.AccountsRatio, 0) {
		// JSON has no infinity: a territory with nothing in it reads as 0.
		if math.IsInf(prop.Ratio, 0) {
			prop.Ratio = 0
		}
		if math.IsInf(prop.AccountsRatio, 0) {
			prop.AccountsRatio = 0
		}
	}
	if !req.Apply {
		return prop, nil
	}

	// Apply.
	summary, _ := json.Marshal(map[string]any{"k": prop.K, "by": prop.By, "centres": prop.Centres, "parent": prop.Parent,
		"locked": prop.Locked, "max_min_ratio": prop.Ratio, "mean_polsby_popper": prop.MeanPolsbyPopper,
		"accounts_moved": prop.Changes.Territory, "accounts_changing_rep": prop.Changes.Rep, "deleted": prop.Deleted})
	h := &territory.HistoryEntry{Action: "balance", Summary: string(summary),
		Before: featureCollection(replaced, emails, oldName), After: featureCollection(proposed, emails, oldName)}
	if actor.User != nil {
		h.ActorID = actor.User.ID
	}
	var delIDs []int64
	for _, t := range deleted {
		delIDs = append(delIDs, t.ID)
	}
	change := &territory.BalanceChange{Delete: delIDs, Save: proposed, History: h,
		Assign: func(ids []int64) ([]account.Assignment, error) {
			real := map[int64]int64{}
			for c, id := range ids {
				real[-1-int64(c)] = id
			}
			out := make([]account.Assignment, len(assigns))
			for i, a := range assigns {
				if a.TerritoryID < 0 {
					a.TerritoryID = real[a.TerritoryID]
				}
				out[i] = a
			}
			return out, nil
		}}
	err = s.Store.ApplyBalance(ctx, change)
	s.invalidateTerritories()
	s.mapChanged()
	if err != nil {
		return nil, err
	}
	for c, t := range proposed {
		prop.Territories[c].ID = t.ID
	}
	prop.Applied, prop.HistoryID = true, h.ID
	s.audit(ctx, actor, "territory.balance", fmt.Sprintf("k=%d by=%s", prop.K, prop.By), fmt.Sprintf("moved=%d history=%d", prop.Changes.Territory, h.ID))
	return prop, nil
}

func hasRep(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func repList(ids []int64, emails map[int64]string) string {
	var out []string
	for _, id := range ids {
		if e := emails[id]; e != "" {
			out = append(out, e)
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// featureCollection is territories as GeoJSON text (for the history).
func featureCollection(ts []*territory.Territory, emails map[int64]string, names map[int64]string) string {
	type feature struct {
		Type       string         `json:"type"`
		Geometry   *Geometry      `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, t := range ts {
		reps := []string{}
		for _, id := range t.RepIDs {
			reps = append(reps, emails[id])
		}
		props := map[string]any{"id": t.ID, "name": t.Name, "color": t.Color, "reps": reps}
		if t.ParentID != 0 {
			props["parent"] = names[t.ParentID]
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: geometryOf(t.Shape), Properties: props})
	}
	b, _ := json.Marshal(fc)
	return string(b)
}

// HistoryItem is a history entry as the API shows it.
type HistoryItem struct {
	ID      int64           `json:"id"`
	At      string          `json:"at"`
	Actor   string          `json:"actor"`
	Action  string          `json:"action"`
	Summary json.RawMessage `json:"summary"`
	Before  json.RawMessage `json:"before"`
	After   json.RawMessage `json:"after"`
}

// HistoryList is a page of the territory history as the API shows it.
type HistoryList struct {
	Items []HistoryItem `json:"items"`
	Total int           `json:"total"` // all entries, not just this page's
}

// TerritoryHistory returns up to limit applied balances older than beforeID
// (when not 0), newest first, and how many there are in all (managers only).
func (s *Service) TerritoryHistory(ctx context.Context, actor *auth.Actor, limit int, beforeID int64) (HistoryList, error) {
	if err := actor.RequireManager(); err != nil {
		return HistoryList{}, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	hs, err := s.Store.TerritoryHistory(ctx, limit, beforeID)
	if err != nil {
		return HistoryList{}, err
	}
	emails, err := s.userEmails(ctx)
	if err != nil {
		return HistoryList{}, err
	}
	out := HistoryList{Items: []HistoryItem{}, Total: hs.Total}
	for _, h := range hs.Items {
		actorName := "system"
		if h.ActorID != 0 {
			actorName = emails[h.ActorID]
		}
		out.Items = append(out.Items, HistoryItem{ID: h.ID, At: h.At.UTC().Format("2006-01-02T15:04:05Z"), Actor: actorName, Action: h.Action,
			Summary: rawOr(h.Summary), Before: rawOr(h.Before), After: rawOr(h.After)})
	}
	return out, nil
}

func rawOr(s string) json.RawMessage {
	if !json.Valid([]byte(s)) {
		return json.RawMessage(`null`)
	}
	return json.RawMessage(s)
}
