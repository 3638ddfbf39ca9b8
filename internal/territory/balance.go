package territory

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Balance measures: what the territories' totals should be equal in.
const (
	ByAccounts = "accounts" // one per account
	ByValue    = "value"    // the accounts' estimated value
	ByWorkload = "workload" // visits a month the account's stage calls for
)

// Workload is how much field work an account of a stage kind asks for, in
// visits a month: customers are looked after, opportunities pushed, leads
// called on once, lost accounts revisited now and then.
func Workload(k account.Kind) float64 {
	switch k {
	case account.KindCustomer:
		return 2
	case account.KindOpportunity:
		return 1.5
	case account.KindLost:
		return 0.25
	}
	return 1
}

// Weight is an account's weight under measure by.
func Weight(by string, value float64, kind account.Kind) (float64, error) {
	switch by {
	case ByAccounts, "":
		return 1, nil
	case ByValue:
		return math.Max(0, value), nil
	case ByWorkload:
		return Workload(kind), nil
	}
	return 0, derrors.Invalidf("by: %q is not accounts, value or workload", by)
}

// Item is an account to place in a balanced territory.
type Item struct {
	ID       int64
	Location geo.Point
	Weight   float64
}

// BalanceOptions say how to cut.
type BalanceOptions struct {
	// K is the number of territories.
	K int
	// Centres, when given (one per territory), seed a balanced power
	// diagram at these points (the reps' homes); otherwise the territories
	// come from recursive weighted bisection.
	Centres []geo.Point
	// Region is the area to divide; nil: the accounts' bounding box with a
	// margin. Every item must lie inside it.
	Region geo.MultiPolygon
}

// Cell is one balanced territory.
type Cell struct {
	Shape        geo.MultiPolygon
	Items        []int // indices into the items
	Total        float64
	AreaKm2      float64
	PolsbyPopper float64
}

// Partition is a balanced division of the items' area.
type Partition struct {
	Cells []Cell
	// Of[i] is the cell of item i.
	Of []int
	// Ratio is the largest cell total over the smallest (+Inf when one is 0).
	Ratio            float64
	MeanPolsbyPopper float64
}

// projection is a local equal-area-ish plane: x = lon·cos(lat0), y = lat,
// both in degrees of latitude. Rectangles in it are lon/lat rectangles.
type projection struct{ k float64 }

func (p projection) x(pt geo.Point) float64 { return pt.Lon * p.k }
func (p projection) lon(x float64) float64  { return x / p.k }

// Balance divides the area of items into o.K territories whose weight totals
// are as equal as the weights allow.
//
// Without centres the area is cut by recursive weighted bisection: a cell
// to be split into k is cut across its longer side (or the other side when
// that gives the squarer halves) at the weighted quantile ⌈k/2⌉/k, halfway
// between two accounts, and the halves are split on into ⌈k/2⌉ and ⌊k/2⌋.
// The cells are rectangles, so contiguous, non-overlapping and compact, and
// an item belongs to the cell whose half-open interval [lo, hi) holds it on
// every cut: the same rule that draws the polygons.
//
// With centres, each territory is the cell of a power diagram around its
// centre (an item goes to the centre minimising distance² − w), with the
// weights w adjusted until the totals balance; cells are convex polygons
// cut from the region by half-planes.
func Balance(items []Item, o BalanceOptions) (*Partition, error) {
	if o.K < 1 {
		return nil, derrors.Invalidf("k: must be at least 1, got %d", o.K)
	}
	if len(items) == 0 {
		return nil, derrors.Invalidf("accounts: there are no placed accounts to balance")
	}
	if len(o.Centres) > 0 && len(o.Centres) != o.K {
		return nil, derrors.Invalidf("centres: %d given for k=%d", len(o.Centres), o.K)
	}
	total := 0.0
	for i, it := range items {
		if it.Weight < 0 || math.IsNaN(it.Weight) || math.IsInf(it.Weight, 0) {
			return nil, derrors.Invalidf("account %d: weight %v must be a finite number ≥ 0", it.ID, it.Weight)
		}
		if err := it.Location.Validate(); err != nil {
			return nil, derrors.Invalidf("account %d: %v", items[i].ID, err)
		}
		total += it.Weight
	}
	if total == 0 {
		return nil, derrors.Invalidf("by: every account weighs 0 (no estimated values?)")
	}
	var box geo.BBox
	if o.Region != nil {
		box = o.Region.Bounds()
	} else {
		box = geo.EmptyBBox()
		for _, it := range items {
			box = box.Extend(it.Location)
		}
		mx := math.Max((box.MaxLon-box.MinLon)*0.01, 0.001)
		my := math.Max((box.MaxLat-box.MinLat)*0.01, 0.001)
		box = geo.BBox{MinLon: box.MinLon - mx, MinLat: box.MinLat - my, MaxLon: box.MaxLon + mx, MaxLat: box.MaxLat + my}
	}
	lat0 := (box.MinLat + box.MaxLat) / 2
	pr := projection{k: math.Cos(lat0 * math.Pi / 180)}

	part := &Partition{Of: make([]int, len(items))}
	if len(o.Centres) == 0 {
		bisect(items, pr, box, o.K, part)
	} else {
		powerDiagram(items, pr, box, o.Centres, part)
	}
	// Fit the cells to the region and measure them.
	rect := o.Region == nil || isRectangle(o.Region, box)
	minT, maxT, sumPP := math.Inf(1), 0.0, 0.0
	for c := range part.Cells {
		cell := &part.Cells[c]
		if !rect {
			cell.Shape = geo.Intersection(cell.Shape, o.Region)
		}
		cell.AreaKm2 = cell.Shape.AreaKm2()
		cell.PolsbyPopper = cell.Shape.PolsbyPopper()
		sumPP += cell.PolsbyPopper
		minT, maxT = math.Min(minT, cell.Total), math.Max(maxT, cell.Total)
	}
	part.Ratio = math.Inf(1)
	if minT > 0 {
		part.Ratio = maxT / minT
	}
	part.MeanPolsbyPopper = sumPP / float64(len(part.Cells))
	return part, nil
}

func isRectangle(m geo.MultiPolygon, b geo.BBox) bool {
	if len(m) != 1 || len(m[0]) != 1 {
		return false
	}
	return math.Abs(m.AreaKm2()-geo.BBoxPolygon(b).AreaKm2()) <= 1e-9*geo.BBoxPolygon(b).AreaKm2()
}

// bisect fills part with k rectangular cells.
func bisect(items []Item, pr projection, box geo.BBox, k int, part *Partition) {
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	var rec func(b geo.BBox, idx []int, k int)
	rec = func(b geo.BBox, idx []int, k int) {
		if k == 1 {
			c := Cell{Shape: geo.BBoxPolygon(b), Items: idx}
			for _, i := range idx {
				c.Total += items[i].Weight
				part.Of[i] = len(part.Cells)
			}
			part.Cells = append(part.Cells, c)
			return
		}
		kl := (k + 1) / 2
		frac := float64(kl) / float64(k)
		// Try both axes; keep the cut whose halves are squarer.
		type cut struct {
			lo, hi   geo.BBox
			loI, hiI []int
			score    float64
		}
		try := func(vertical bool) cut {
			coord := func(i int) float64 {
				if vertical {
					return items[i].Location.Lon
				}
				return items[i].Location.Lat
			}
			sorted := append([]int(nil), idx...)
			sort.Slice(sorted, func(x, y int) bool { return coord(sorted[x]) < coord(sorted[y]) })
			lo, hi := b.MinLat, b.MaxLat
			if vertical {
				lo, hi = b.MinLon, b.MaxLon
			}
			at := splitAt(sorted, items, coord, frac, lo, hi)
			var c cut
			c.lo, c.hi = b, b
			if vertical {
				c.lo.MaxLon, c.hi.MinLon = at, at
			} else {
				c.lo.MaxLat, c.hi.MinLat = at, at
			}
			n := sort.Search(len(sorted), func(x int) bool { return coord(sorted[x]) >= at })
			c.loI, c.hiI = sorted[:n:n], sorted[n:]
			c.score = math.Min(squareness(c.lo, pr), squareness(c.hi, pr))
			return c
		}
		a, v := try(true), try(false)
		best := a
		if v.score > a.score {
			best = v
		}
		rec(best.lo, best.loI, kl)
		rec(best.hi, best.hiI, k-kl)
	}
	rec(box, idx, k)
}

// squareness is the short side over the long side of b in the plane.
func squareness(b geo.BBox, pr projection) float64 {
	w, h := (b.MaxLon-b.MinLon)*pr.k, b.MaxLat-b.MinLat
	if w <= 0 || h <= 0 {
		return 0
	}
	return math.Min(w, h) / math.Max(w, h)
}

// splitAt returns the coordinate at which to cut the sorted items so that
// the weight below it is as close as possible to frac of their total: the
// midpoint between two consecutive distinct coordinates (never an item's
// own), or, with no weight to go by, frac of the way from lo to hi.
func splitAt(sorted []int, items []Item, coord func(int) float64, frac, lo, hi float64) float64 {
	total := 0.0
	for _, i := range sorted {
		total += items[i].Weight
	}
	if total == 0 || len(sorted) == 0 {
		return lo + (hi-lo)*frac
	}
	target := total * frac
	// best cut index n: items [0, n) go low. Candidates are positions
	// between distinct coordinates.
	bestN, bestErr := 0, target
	cum := 0.0
	for n := 1; n <= len(sorted); n++ {
		cum += items[sorted[n-1]].Weight
		if n < len(sorted) && coord(sorted[n]) == coord(sorted[n-1]) {
			continue
		}
		if e := math.Abs(cum - target); e < bestErr {
			bestN, bestErr = n, e
		}
		if cum > target {
			break
		}
	}
	switch {
	case bestN == 0:
		return (lo + coord(sorted[0])) / 2
	case bestN == len(sorted):
		return (coord(sorted[len(sorted)-1]) + hi) / 2
	}
	return (coord(sorted[bestN-1]) + coord(sorted[bestN])) / 2
}

// powerDiagram assigns items to the centres by a power diagram whose weights
// are tuned until the totals balance, then cuts each cell from box.
func powerDiagram(items []Item, pr projection, box geo.BBox, centres []geo.Point, part *Partition) {
	k := len(centres)
	sx, sy := make([]float64, k), make([]float64, k)
	for i, c := range centres {
		sx[i], sy[i] = pr.x(c), c.Lat
	}
	px, py := make([]float64, len(items)), make([]float64, len(items))
	total := 0.0
	for i, it := range items {
		px[i], py[i] = pr.x(it.Location), it.Location.Lat
		total += it.Weight
	}
	target := total / float64(k)
	// The scale of a weight: the squared size of a typical cell.
	w0 := ((box.MaxLon-box.MinLon)*pr.k*(box.MaxLat-box.MinLat))/float64(k) + 1e-12
	w := make([]float64, k)
	load := make([]float64, k)
	of := make([]int, len(items))
	bestW, bestRatio := make([]float64, k), math.Inf(1)
	assign := func(w []float64) float64 {
		for c := range load {
			load[c] = 0
		}
		for i := range items {
			best, bestD := 0, math.Inf(1)
			for c := 0; c < k; c++ {
				dx, dy := px[i]-sx[c], py[i]-sy[c]
				if d := dx*dx + dy*dy - w[c]; d < bestD {
					best, bestD = c, d
				}
			}
			of[i] = best
			load[best] += items[i].Weight
		}
		lo, hi := math.Inf(1), 0.0
		for _, l := range load {
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
		if lo == 0 {
			return math.Inf(1)
		}
		return hi / lo
	}
	step := 0.5
	for iter := 0; iter < 300; iter++ {
		r := assign(w)
		if r < bestRatio {
			bestRatio = r
			copy(bestW, w)
		}
		if r <= 1.01 {
			break
		}
		for c := range w {
			w[c] += step * w0 * (target - load[c]) / target
		}
		if iter%50 == 49 {
			step /= 2
		}
	}
	assign(bestW)
	copy(part.Of, of)
	part.Cells = make([]Cell, k)
	for i := range items {
		c := &part.Cells[of[i]]
		c.Items = append(c.Items, i)
		c.Total += items[i].Weight
	}
	// Cells: the box cut by the half-planes |x−s_c|² − w_c ≤ |x−s_j|² − w_j.
	for c := 0; c < k; c++ {
		poly := [][2]float64{{box.MinLon * pr.k, box.MinLat}, {box.MaxLon * pr.k, box.MinLat}, {box.MaxLon * pr.k, box.MaxLat}, {box.MinLon * pr.k, box.MaxLat}}
		for j := 0; j < k && len(poly) > 0; j++ {
			if j == c {
				continue
			}
			// 2(s_j − s_c)·x ≤ |s_j|² − |s_c|² − w_j + w_c
			a, b := 2*(sx[j]-sx[c]), 2*(sy[j]-sy[c])
			rhs := sx[j]*sx[j] + sy[j]*sy[j] - sx[c]*sx[c] - sy[c]*sy[c] - bestW[j] + bestW[c]
			poly = clipHalfPlane(poly, a, b, rhs)
		}
		if len(poly) < 3 {
			continue
		}
		ring := make(geo.Ring, 0, len(poly)+1)
		for _, p := range poly {
			ring = append(ring, geo.Point{Lon: pr.lon(p[0]), Lat: p[1]})
		}
		ring = append(ring, ring[0])
		part.Cells[c].Shape = geo.MultiPolygon{{ring}}
	}
}

// clipHalfPlane keeps the part of convex polygon poly where a·x + b·y ≤ rhs
// (Sutherland–Hodgman).
func clipHalfPlane(poly [][2]float64, a, b, rhs float64) [][2]float64 {
	var out [][2]float64
	n := len(poly)
	f := func(p [2]float64) float64 { return a*p[0] + b*p[1] - rhs }
	for i := 0; i < n; i++ {
		p, q := poly[i], poly[(i+1)%n]
		fp, fq := f(p), f(q)
		if fp <= 0 {
			out = append(out, p)
		}
		if (fp < 0 && fq > 0) || (fp > 0 && fq < 0) {
			t := fp / (fp - fq)
			out = append(out, [2]float64{p[0] + t*(q[0]-p[0]), p[1] + t*(q[1]-p[1])})
		}
	}
	return out
}

// String summarises a partition for logs and tests.
func (p *Partition) String() string {
	return fmt.Sprintf("%d cells, ratio %.3f, mean Polsby–Popper %.3f", len(p.Cells), p.Ratio, p.MeanPolsbyPopper)
}

// HistoryEntry is one change of the territory design kept for the record:
// an applied balance, with the territories before and after.
type HistoryEntry struct {
	ID      int64
	At      time.Time
	ActorID int64  // 0: the system (the CLI)
	Action  string // "balance"
	Summary string // JSON: k, by, ratio, counts of changed accounts
	Before  string // JSON: a GeoJSON FeatureCollection of the replaced territories
	After   string // JSON: a GeoJSON FeatureCollection of the new ones
}

// HistoryList is a page of the territory history, newest first.
type HistoryList struct {
	Items []*HistoryEntry
	Total int // all entries, whatever the page
}

// BalanceChange is an applied balance, saved in one transaction.
type BalanceChange struct {
	// Delete are the territories the balance replaces and does not reuse.
	Delete []int64
	// Save are the balanced territories: ID 0 creates one (the store sets
	// the ID), others are updated with shape, name, colour, parent and reps.
	Save []*Territory
	// Assign returns the accounts' new territories once Save's ids are known.
	Assign  func(ids []int64) ([]account.Assignment, error)
	History *HistoryEntry
}

// DesignStore keeps what territory design changes in one go.
type DesignStore interface {
	// ApplyBalance deletes, saves and reassigns as c says and records
	// c.History, all in one transaction. Conflict when a name is taken,
	// NotFound when a territory to update or delete is gone.
	ApplyBalance(ctx context.Context, c *BalanceChange) error
	// TerritoryHistory returns up to limit entries, newest first, older than
	// beforeID when it is not 0, and the number of all entries.
	TerritoryHistory(ctx context.Context, limit int, beforeID int64) (HistoryList, error)
}
