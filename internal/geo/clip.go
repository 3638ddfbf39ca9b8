package geo

import (
	"math"
	"sort"

	"github.com/tidwall/rtree"
)

// Polygon boolean operations (intersection, union, difference) on
// MultiPolygons with holes, planar in (lon, lat). Areas of the results are
// then measured on the sphere with AreaKm2.
//
// The method is an edge-splitting overlay:
//
//  1. Every ring is oriented so that its polygon's interior lies on the left
//     of each edge (outer rings counter-clockwise, holes clockwise), and
//     points closer than snapTolerance are merged into one node.
//  2. Edges are split wherever another edge crosses them or an end of
//     another edge lies on them, so shared edges and T-junctions between
//     adjacent territories become identical segments; identical segments are
//     merged into one that remembers which operands it bounds and on which
//     side their interior lies.
//  3. Each segment's two sides are classified: inside or outside every
//     operand (from the segment's own operands' orientation, from a
//     point-in-polygon test of its midpoint for the others). The operation
//     decides whether each side is in the result; a segment whose sides
//     differ is a boundary of the result, oriented with the result on its
//     left.
//  4. The boundary segments are chained into rings, always taking the
//     sharpest left turn at a node, so shapes that touch at a vertex come
//     out as separate rings rather than one ring crossing itself. Rings
//     turning counter-clockwise are outer rings; the others are holes, put in
//     the smallest outer ring containing them.

// snapTolerance is how close (in degrees, about 0.1 mm) two points must be to
// count as one node.
const snapTolerance = 1e-9

// Intersection is the area inside both a and b.
func Intersection(a, b MultiPolygon) MultiPolygon {
	if !a.Bounds().Intersects(b.Bounds()) {
		return nil
	}
	return Overlay([]MultiPolygon{a, b}, func(in []bool) bool { return in[0] && in[1] })
}

// Union is the area inside a or b.
func Union(a, b MultiPolygon) MultiPolygon {
	return Overlay([]MultiPolygon{a, b}, func(in []bool) bool { return in[0] || in[1] })
}

// Difference is the area inside a and outside b.
func Difference(a, b MultiPolygon) MultiPolygon {
	if !a.Bounds().Intersects(b.Bounds()) {
		return Overlay([]MultiPolygon{a}, func(in []bool) bool { return in[0] })
	}
	return Overlay([]MultiPolygon{a, b}, func(in []bool) bool { return in[0] && !in[1] })
}

// UnionAll is the area inside any of ms, computed in one overlay.
func UnionAll(ms []MultiPolygon) MultiPolygon {
	return Overlay(ms, func(in []bool) bool {
		for _, v := range in {
			if v {
				return true
			}
		}
		return false
	})
}

// Overlay combines operands: a point is in the result when keep, given
// whether the point is inside each operand (in the operands' order), says
// so. keep(all false) must be false. Each operand should be a valid
// MultiPolygon (rings that do not cross themselves); operands may overlap,
// share edges and touch each other anywhere.
func Overlay(operands []MultiPolygon, keep func(in []bool) bool) MultiPolygon {
	ov := newOverlay(operands)
	ov.split()
	segs := ov.segments()
	directed := ov.classify(segs, keep)
	rings := traceRings(directed)
	return assemble(rings)
}

type opEdge struct {
	a, b   Point
	op     int
	minX   float64
	maxX   float64
	splits []Point
}

type overlay struct {
	operands []MultiPolygon // normalised: interior on the left, open rings
	bounds   []BBox
	edges    []opEdge
	nodes    map[[2]int64][]Point
}

func newOverlay(operands []MultiPolygon) *overlay {
	ov := &overlay{nodes: map[[2]int64][]Point{}}
	for k, m := range operands {
		norm := MultiPolygon{}
		for _, poly := range m {
			var np Polygon
			for ri, ring := range poly {
				r := ov.cleanRing(ring)
				if len(r) < 3 {
					if ri == 0 {
						break // a degenerate outer ring: the polygon is empty
					}
					continue
				}
				ccw := signedArea(r) > 0
				if (ri == 0) != ccw {
					reverse(r)
				}
				np = append(np, r)
			}
			if len(np) > 0 {
				norm = append(norm, np)
			}
		}
		ov.operands = append(ov.operands, norm)
		ov.bounds = append(ov.bounds, openBounds(norm))
		for _, poly := range norm {
			for _, r := range poly {
				for i := range r {
					a, b := r[i], r[(i+1)%len(r)]
					ov.edges = append(ov.edges, opEdge{a: a, b: b, op: k, minX: math.Min(a.Lon, b.Lon), maxX: math.Max(a.Lon, b.Lon)})
				}
			}
		}
	}
	return ov
}

func openBounds(m MultiPolygon) BBox {
	b := EmptyBBox()
	for _, poly := range m {
		if len(poly) > 0 {
			for _, p := range poly[0] {
				b = b.Extend(p)
			}
		}
	}
	return b
}

// cleanRing snaps the ring's points to nodes and returns it open (no closing
// point) without repeated points.
func (ov *overlay) cleanRing(ring Ring) Ring {
	out := make(Ring, 0, len(ring))
	for _, p := range ring {
		p = ov.snap(p)
		if len(out) > 0 && out[len(out)-1] == p {
			continue
		}
		out = append(out, p)
	}
	for len(out) > 1 && out[0] == out[len(out)-1] {
		out = out[:len(out)-1]
	}
	// Drop zero-width spikes (a, b, a) that snapping may leave.
	for changed := true; changed && len(out) >= 3; {
		changed = false
		n := len(out)
		for i := 0; i < n; i++ {
			if out[(i+n-1)%n] == out[(i+1)%n] {
				if i+1 < n {
					out = append(out[:i], out[i+2:]...)
				} else {
					out = out[1 : n-1]
				}
				changed = true
				break
			}
		}
	}
	return out
}

func (ov *overlay) snap(p Point) Point {
	const cell = snapTolerance * 4
	kx, ky := int64(math.Floor(p.Lon/cell)), int64(math.Floor(p.Lat/cell))
	for dx := int64(-1); dx <= 1; dx++ {
		for dy := int64(-1); dy <= 1; dy++ {
			for _, q := range ov.nodes[[2]int64{kx + dx, ky + dy}] {
				if math.Abs(q.Lon-p.Lon) <= snapTolerance && math.Abs(q.Lat-p.Lat) <= snapTolerance {
					return q
				}
			}
		}
	}
	k := [2]int64{kx, ky}
	ov.nodes[k] = append(ov.nodes[k], p)
	return p
}

func signedArea(r Ring) float64 {
	s := 0.0
	n := len(r)
	for i := 0; i < n; i++ {
		a, b := r[i], r[(i+1)%n]
		s += a.Lon*b.Lat - b.Lon*a.Lat
	}
	return s / 2
}

func reverse(r Ring) {
	for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
		r[i], r[j] = r[j], r[i]
	}
}

// onSegmentInterior reports whether p lies on segment ab, away from its ends.
func onSegmentInterior(a, b, p Point) bool {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	l2 := dx*dx + dy*dy
	if l2 == 0 || p == a || p == b {
		return false
	}
	t := ((p.Lon-a.Lon)*dx + (p.Lat-a.Lat)*dy) / l2
	if t <= 0 || t >= 1 {
		return false
	}
	qx, qy := a.Lon+t*dx-p.Lon, a.Lat+t*dy-p.Lat
	if qx*qx+qy*qy > snapTolerance*snapTolerance {
		return false
	}
	return !near(p, a) && !near(p, b)
}

func near(p, q Point) bool {
	return math.Abs(p.Lon-q.Lon) <= snapTolerance && math.Abs(p.Lat-q.Lat) <= snapTolerance
}

// side is the signed distance of p from the line through a and b, positive
// on the left.
func side(a, b, p Point) float64 {
	dx, dy := b.Lon-a.Lon, b.Lat-a.Lat
	l := math.Hypot(dx, dy)
	if l == 0 {
		return 0
	}
	return (dx*(p.Lat-a.Lat) - dy*(p.Lon-a.Lon)) / l
}

// split finds every place where edges meet and records it on both.
func (ov *overlay) split() {
	order := make([]int, len(ov.edges))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(x, y int) bool { return ov.edges[order[x]].minX < ov.edges[order[y]].minX })
	for x := 0; x < len(order); x++ {
		e := &ov.edges[order[x]]
		eMinY, eMaxY := math.Min(e.a.Lat, e.b.Lat), math.Max(e.a.Lat, e.b.Lat)
		for y := x + 1; y < len(order); y++ {
			f := &ov.edges[order[y]]
			if f.minX > e.maxX+snapTolerance {
				break
			}
			if math.Max(f.a.Lat, f.b.Lat) < eMinY-snapTolerance || math.Min(f.a.Lat, f.b.Lat) > eMaxY+snapTolerance {
				continue
			}
			ov.meet(e, f)
		}
	}
}

func (ov *overlay) meet(e, f *opEdge) {
	touched := false
	for _, p := range [2]Point{f.a, f.b} {
		if onSegmentInterior(e.a, e.b, p) {
			e.splits = append(e.splits, p)
			touched = true
		}
	}
	for _, p := range [2]Point{e.a, e.b} {
		if onSegmentInterior(f.a, f.b, p) {
			f.splits = append(f.splits, p)
			touched = true
		}
	}
	if touched {
		return
	}
	if e.a == f.a || e.a == f.b || e.b == f.a || e.b == f.b {
		return
	}
	d1, d2 := side(f.a, f.b, e.a), side(f.a, f.b, e.b)
	d3, d4 := side(e.a, e.b, f.a), side(e.a, e.b, f.b)
	if !((d1 > snapTolerance && d2 < -snapTolerance) || (d1 < -snapTolerance && d2 > snapTolerance)) {
		return
	}
	if !((d3 > snapTolerance && d4 < -snapTolerance) || (d3 < -snapTolerance && d4 > snapTolerance)) {
		return
	}
	t := d1 / (d1 - d2)
	p := Point{Lon: e.a.Lon + t*(e.b.Lon-e.a.Lon), Lat: e.a.Lat + t*(e.b.Lat-e.a.Lat)}
	p = ov.snap(p)
	if p != e.a && p != e.b {
		e.splits = append(e.splits, p)
	}
	if p != f.a && p != f.b {
		f.splits = append(f.splits, p)
	}
}

// segment is a piece of edge between two nodes, in canonical direction
// (p before q), with the operands it bounds.
type segment struct {
	p, q    Point
	contrib []contribution
}

type contribution struct {
	op   int
	left bool // the operand's interior is on the left of p→q
}

func less(a, b Point) bool {
	if a.Lon != b.Lon {
		return a.Lon < b.Lon
	}
	return a.Lat < b.Lat
}

func (ov *overlay) segments() []*segment {
	byKey := map[[2]Point]*segment{}
	var out []*segment
	add := func(a, b Point, op int) {
		if a == b {
			return
		}
		p, q, left := a, b, true
		if less(b, a) {
			p, q, left = b, a, false
		}
		k := [2]Point{p, q}
		s := byKey[k]
		if s == nil {
			s = &segment{p: p, q: q}
			byKey[k] = s
			out = append(out, s)
		}
		s.contrib = append(s.contrib, contribution{op: op, left: left})
	}
	for i := range ov.edges {
		e := &ov.edges[i]
		if len(e.splits) == 0 {
			add(e.a, e.b, e.op)
			continue
		}
		dx, dy := e.b.Lon-e.a.Lon, e.b.Lat-e.a.Lat
		t := func(p Point) float64 { return (p.Lon-e.a.Lon)*dx + (p.Lat-e.a.Lat)*dy }
		sort.Slice(e.splits, func(x, y int) bool { return t(e.splits[x]) < t(e.splits[y]) })
		prev := e.a
		for _, p := range e.splits {
			if p == prev {
				continue
			}
			add(prev, p, e.op)
			prev = p
		}
		add(prev, e.b, e.op)
	}
	return out
}

type dirEdge struct {
	from, to Point
	used     bool
}

// classify decides which segments bound the result and orients them.
func (ov *overlay) classify(segs []*segment, keep func([]bool) bool) []*dirEdge {
	n := len(ov.operands)
	var tree *rtree.RTreeG[int]
	if n > 8 {
		tree = &rtree.RTreeG[int]{}
		for k, b := range ov.bounds {
			if !b.IsEmpty() {
				tree.Insert([2]float64{b.MinLon, b.MinLat}, [2]float64{b.MaxLon, b.MaxLat}, k)
			}
		}
	}
	left, right := make([]bool, n), make([]bool, n)
	own := make([]bool, n)
	var out []*dirEdge
	for _, s := range segs {
		for k := range left {
			left[k], right[k], own[k] = false, false, false
		}
		for _, c := range s.contrib {
			own[c.op] = true
			if c.left {
				left[c.op] = true
			} else {
				right[c.op] = true
			}
		}
		m := Point{Lon: (s.p.Lon + s.q.Lon) / 2, Lat: (s.p.Lat + s.q.Lat) / 2}
		test := func(k int) {
			if !own[k] && ov.bounds[k].Contains(m) && ov.operands[k].Contains(m) {
				left[k], right[k] = true, true
			}
		}
		if tree != nil {
			tree.Search([2]float64{m.Lon, m.Lat}, [2]float64{m.Lon, m.Lat}, func(_, _ [2]float64, k int) bool {
				test(k)
				return true
			})
		} else {
			for k := 0; k < n; k++ {
				test(k)
			}
		}
		l, r := keep(left), keep(right)
		switch {
		case l && !r:
			out = append(out, &dirEdge{from: s.p, to: s.q})
		case r && !l:
			out = append(out, &dirEdge{from: s.q, to: s.p})
		}
	}
	return out
}

// traceRings chains directed edges into closed rings, taking the sharpest
// left turn at each node.
func traceRings(edges []*dirEdge) []Ring {
	out := map[Point][]*dirEdge{}
	for _, e := range edges {
		out[e.from] = append(out[e.from], e)
	}
	var rings []Ring
	for _, start := range edges {
		if start.used {
			continue
		}
		var ring Ring
		e := start
		ok := false
		for steps := 0; steps <= len(edges); steps++ {
			e.used = true
			ring = append(ring, e.from)
			if e.to == start.from {
				ok = true
				break
			}
			next := nextEdge(e, out[e.to])
			if next == nil {
				break
			}
			e = next
		}
		if ok && len(ring) >= 3 {
			rings = append(rings, ring)
		}
	}
	return rings
}

func nextEdge(in *dirEdge, cands []*dirEdge) *dirEdge {
	back := math.Atan2(in.from.Lat-in.to.Lat, in.from.Lon-in.to.Lon)
	var best *dirEdge
	bestAngle := math.Inf(1)
	for _, c := range cands {
		if c.used {
			continue
		}
		a := math.Atan2(c.to.Lat-c.from.Lat, c.to.Lon-c.from.Lon)
		cw := back - a
		for cw <= 0 {
			cw += 2 * math.Pi
		}
		for cw > 2*math.Pi {
			cw -= 2 * math.Pi
		}
		if cw < bestAngle {
			best, bestAngle = c, cw
		}
	}
	return best
}

// assemble turns rings into polygons: counter-clockwise rings are outer
// rings, clockwise ones holes of the smallest outer ring around them. Rings
// come back closed, without collinear points.
func assemble(rings []Ring) MultiPolygon {
	type shell struct {
		ring  Ring
		area  float64
		holes []Ring
		b     BBox
	}
	var shells []*shell
	var holes []Ring
	for _, r := range rings {
		r = dropCollinear(r)
		if len(r) < 3 {
			continue
		}
		a := signedArea(r)
		switch {
		case a > 0:
			b := EmptyBBox()
			for _, p := range r {
				b = b.Extend(p)
			}
			shells = append(shells, &shell{ring: r, area: a, b: b})
		case a < 0:
			holes = append(holes, r)
		}
	}
	sort.Slice(shells, func(i, j int) bool { return shells[i].area < shells[j].area })
	for _, h := range holes {
		m := Point{Lon: (h[0].Lon + h[1].Lon) / 2, Lat: (h[0].Lat + h[1].Lat) / 2}
		for _, s := range shells {
			if s.b.Contains(m) && ringContains(s.ring, m) {
				s.holes = append(s.holes, h)
				break
			}
		}
	}
	// Largest first, for a stable, readable order.
	sort.SliceStable(shells, func(i, j int) bool { return shells[i].area > shells[j].area })
	var res MultiPolygon
	for _, s := range shells {
		poly := Polygon{closeRing(s.ring)}
		for _, h := range s.holes {
			poly = append(poly, closeRing(h))
		}
		res = append(res, poly)
	}
	return res
}

func closeRing(r Ring) Ring {
	out := make(Ring, len(r), len(r)+1)
	copy(out, r)
	return append(out, r[0])
}

// dropCollinear removes points that lie on the straight line between their
// neighbours (left over from splitting edges).
func dropCollinear(r Ring) Ring {
	for changed := true; changed && len(r) >= 3; {
		changed = false
		out := r[:0:0]
		n := len(r)
		for i := 0; i < n; i++ {
			prev, p, next := r[(i+n-1)%n], r[i], r[(i+1)%n]
			if math.Abs(side(prev, next, p)) <= snapTolerance*1e-3 && between(prev, next, p) {
				changed = true
				continue
			}
			out = append(out, p)
		}
		r = out
	}
	return r
}

func between(a, b, p Point) bool {
	return (p.Lon-a.Lon)*(b.Lon-a.Lon)+(p.Lat-a.Lat)*(b.Lat-a.Lat) > 0 &&
		(p.Lon-b.Lon)*(a.Lon-b.Lon)+(p.Lat-b.Lat)*(a.Lat-b.Lat) > 0
}

// ConvexHull is the smallest convex ring (planar in lon/lat, closed,
// counter-clockwise) around points; nil for fewer than three distinct points
// not on one line.
func ConvexHull(points []Point) Ring {
	ps := append([]Point(nil), points...)
	sort.Slice(ps, func(i, j int) bool { return less(ps[i], ps[j]) })
	cross := func(o, a, b Point) float64 {
		return (a.Lon-o.Lon)*(b.Lat-o.Lat) - (a.Lat-o.Lat)*(b.Lon-o.Lon)
	}
	var hull []Point
	for _, p := range ps {
		for len(hull) >= 2 && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	lower := len(hull) + 1
	for i := len(ps) - 2; i >= 0; i-- {
		p := ps[i]
		for len(hull) >= lower && cross(hull[len(hull)-2], hull[len(hull)-1], p) <= 0 {
			hull = hull[:len(hull)-1]
		}
		hull = append(hull, p)
	}
	if len(hull) < 4 {
		return nil
	}
	return Ring(hull) // the last point repeats the first
}

// BBoxPolygon is b as a closed counter-clockwise rectangle.
func BBoxPolygon(b BBox) MultiPolygon {
	return MultiPolygon{{Ring{
		{b.MinLon, b.MinLat}, {b.MaxLon, b.MinLat}, {b.MaxLon, b.MaxLat}, {b.MinLon, b.MaxLat}, {b.MinLon, b.MinLat},
	}}}
}

// PerimeterKm is the length of every ring of m (holes included) on the
// sphere, edge by edge along great circles.
func (m MultiPolygon) PerimeterKm() float64 {
	total := 0.0
	for _, poly := range m {
		for _, r := range poly {
			for i := 1; i < len(r); i++ {
				total += DistanceMeters(r[i-1], r[i])
			}
			if len(r) > 1 && r[0] != r[len(r)-1] {
				total += DistanceMeters(r[len(r)-1], r[0])
			}
		}
	}
	return total / 1000
}

// PolsbyPopper is the compactness 4πA/P² of m (1 for a disc, π/4 for a
// square), with the spherical area and perimeter; 0 for an empty shape.
func (m MultiPolygon) PolsbyPopper() float64 {
	p := m.PerimeterKm()
	if p == 0 {
		return 0
	}
	return 4 * math.Pi * m.AreaKm2() / (p * p)
}
