package territory

import (
	"sort"

	"github.com/meridian-crm/meridian/internal/geo"
)

// MinReportKm2 is the smallest overlap or gap a check reports (100 m²):
// territories digitised separately along the same road leave slivers far
// smaller than anything a rep would notice, and they are not worth a line.
const MinReportKm2 = 1e-4

// Rep is a user who could be given a territory, as a check sees them.
type Rep struct {
	ID    int64
	Email string
	Name  string
}

// CheckInput is what a check looks at.
type CheckInput struct {
	Territories []*Territory
	// Accounts are the locations of the placed accounts.
	Accounts []geo.Point
	// Reps are the active reps; those in no territory's RepIDs are reported.
	Reps []Rep
	// Within is the area that should be covered. Nil: the convex hull of all
	// the territories together.
	Within geo.MultiPolygon
	// MinAreaKm2 is the smallest overlap or gap reported; 0 means MinReportKm2.
	MinAreaKm2 float64
}

// Named is a territory or a rep in a report.
type Named struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Overlap is the area two territories both cover, neither inside the other
// by the hierarchy (a child always lies in its parent region).
type Overlap struct {
	A        string           `json:"a"`
	B        string           `json:"b"`
	AID      int64            `json:"a_id"`
	BID      int64            `json:"b_id"`
	AreaKm2  float64          `json:"area_km2"`
	Accounts int              `json:"accounts"`
	Shape    geo.MultiPolygon `json:"-"`
}

// Gap is a part of the boundary that no territory covers.
type Gap struct {
	AreaKm2  float64          `json:"area_km2"`
	Accounts int              `json:"accounts"`
	Shape    geo.MultiPolygon `json:"-"`
}

// Report is the result of a check.
type Report struct {
	Overlaps              []Overlap `json:"overlaps"`
	Gaps                  []Gap     `json:"gaps"`
	UnassignedAccounts    int       `json:"unassigned_accounts"`
	TerritoriesWithoutRep []Named   `json:"territories_without_rep"`
	RepsWithoutTerritory  []Named   `json:"reps_without_territory"`
	// Boundary says what the gaps were measured against.
	Boundary      string           `json:"boundary"`
	BoundaryShape geo.MultiPolygon `json:"-"`
}

// pointSet finds points in a box quickly: sorted by longitude.
type pointSet []geo.Point

func newPointSet(ps []geo.Point) pointSet {
	s := append(pointSet(nil), ps...)
	sort.Slice(s, func(i, j int) bool { return s[i].Lon < s[j].Lon })
	return s
}

// count returns how many points lie inside m.
func (s pointSet) count(m geo.MultiPolygon) int {
	b := m.Bounds()
	if b.IsEmpty() {
		return 0
	}
	i := sort.Search(len(s), func(i int) bool { return s[i].Lon >= b.MinLon })
	n := 0
	for ; i < len(s) && s[i].Lon <= b.MaxLon; i++ {
		if p := s[i]; p.Lat >= b.MinLat && p.Lat <= b.MaxLat && m.Contains(p) {
			n++
		}
	}
	return n
}

// Check finds overlapping territories, the gaps between them, the accounts
// in no territory, territories without a rep and reps without a territory.
//
// Candidate pairs come from a sweep over the territories' bounding boxes, so
// only neighbours are intersected; the gaps are one overlay of the boundary
// against every territory.
func Check(in CheckInput) *Report {
	minArea := in.MinAreaKm2
	if minArea <= 0 {
		minArea = MinReportKm2
	}
	rep := &Report{Overlaps: []Overlap{}, Gaps: []Gap{}, TerritoriesWithoutRep: []Named{}, RepsWithoutTerritory: []Named{}}
	ts := append([]*Territory(nil), in.Territories...)
	sort.Slice(ts, func(i, j int) bool { return ts[i].Name < ts[j].Name })
	parent := map[int64]int64{}
	for _, t := range ts {
		parent[t.ID] = t.ParentID
	}
	related := func(a, b int64) bool { // one is an ancestor of the other
		for p, n := parent[a], 0; p != 0 && n <= len(ts); p, n = parent[p], n+1 {
			if p == b {
				return true
			}
		}
		for p, n := parent[b], 0; p != 0 && n <= len(ts); p, n = parent[p], n+1 {
			if p == a {
				return true
			}
		}
		return false
	}
	accounts := newPointSet(in.Accounts)

	// Overlaps: sweep the boxes by west edge.
	boxes := make([]geo.BBox, len(ts))
	order := make([]int, len(ts))
	for i, t := range ts {
		boxes[i] = t.Shape.Bounds()
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool { return boxes[order[x]].MinLon < boxes[order[y]].MinLon })
	for x := 0; x < len(order); x++ {
		i := order[x]
		for y := x + 1; y < len(order) && boxes[order[y]].MinLon <= boxes[i].MaxLon; y++ {
			j := order[y]
			if !boxes[i].Intersects(boxes[j]) || related(ts[i].ID, ts[j].ID) {
				continue
			}
			shape := geo.Intersection(ts[i].Shape, ts[j].Shape)
			area := shape.AreaKm2()
			if area < minArea {
				continue
			}
			a, b := ts[i], ts[j]
			if b.Name < a.Name {
				a, b = b, a
			}
			rep.Overlaps = append(rep.Overlaps, Overlap{A: a.Name, B: b.Name, AID: a.ID, BID: b.ID, AreaKm2: area, Accounts: accounts.count(shape), Shape: shape})
		}
	}
	sort.Slice(rep.Overlaps, func(i, j int) bool {
		if rep.Overlaps[i].A != rep.Overlaps[j].A {
			return rep.Overlaps[i].A < rep.Overlaps[j].A
		}
		return rep.Overlaps[i].B < rep.Overlaps[j].B
	})

	// Gaps: the boundary minus every territory.
	boundary := in.Within
	rep.Boundary = "within"
	if boundary == nil {
		var pts []geo.Point
		for _, t := range ts {
			for _, poly := range t.Shape {
				if len(poly) > 0 {
					pts = append(pts, poly[0]...)
				}
			}
		}
		if hull := geo.ConvexHull(pts); hull != nil {
			boundary = geo.MultiPolygon{{hull}}
		}
		rep.Boundary = "convex hull of the territories"
	}
	rep.BoundaryShape = boundary
	if boundary != nil {
		ops := []geo.MultiPolygon{boundary}
		bb := boundary.Bounds()
		for i, t := range ts {
			if boxes[i].Intersects(bb) {
				ops = append(ops, t.Shape)
			}
		}
		gaps := geo.Overlay(ops, func(in []bool) bool {
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
		for _, poly := range gaps {
			shape := geo.MultiPolygon{poly}
			area := shape.AreaKm2()
			if area < minArea {
				continue
			}
			rep.Gaps = append(rep.Gaps, Gap{AreaKm2: area, Accounts: accounts.count(shape), Shape: shape})
		}
		sort.SliceStable(rep.Gaps, func(i, j int) bool { return rep.Gaps[i].AreaKm2 > rep.Gaps[j].AreaKm2 })
	}

	// Accounts in no territory.
	ix := NewIndex(ts)
	for _, p := range in.Accounts {
		if ix.Assign(p) == 0 {
			rep.UnassignedAccounts++
		}
	}

	// Reps and territories.
	assigned := map[int64]bool{}
	for _, t := range ts {
		if len(t.RepIDs) == 0 {
			rep.TerritoriesWithoutRep = append(rep.TerritoriesWithoutRep, Named{ID: t.ID, Name: t.Name})
		}
		for _, id := range t.RepIDs {
			assigned[id] = true
		}
	}
	for _, r := range in.Reps {
		if !assigned[r.ID] {
			name := r.Email
			if name == "" {
				name = r.Name
			}
			rep.RepsWithoutTerritory = append(rep.RepsWithoutTerritory, Named{ID: r.ID, Name: name})
		}
	}
	return rep
}
