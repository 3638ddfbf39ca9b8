package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// rect is a lon/lat rectangle, counter-clockwise.
func crect(minLon, minLat, maxLon, maxLat float64) MultiPolygon {
	return BBoxPolygon(BBox{minLon, minLat, maxLon, maxLat})
}

// rectAreaKm2 is the exact spherical area of a lon/lat rectangle:
// R²·Δλ·(sin φ2 − sin φ1).
func rectAreaKm2(minLon, minLat, maxLon, maxLat float64) float64 {
	const rad = math.Pi / 180
	r := EarthRadiusMeters / 1000
	return r * r * (maxLon - minLon) * rad * (math.Sin(maxLat*rad) - math.Sin(minLat*rad))
}

func within(got, want, rel float64) bool {
	if want == 0 {
		return math.Abs(got) < 1e-9
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestOverlayRectangles(t *testing.T) {
	a := crect(0, 0, 1, 1)
	b := crect(0.5, 0.25, 1.5, 0.75)
	tests := []struct {
		name  string
		got   MultiPolygon
		want  float64
		parts int
	}{
		{"intersection", Intersection(a, b), rectAreaKm2(0.5, 0.25, 1, 0.75), 1},
		{"union", Union(a, b), rectAreaKm2(0, 0, 1, 1) + rectAreaKm2(1, 0.25, 1.5, 0.75), 1},
		{"difference", Difference(a, b), rectAreaKm2(0, 0, 1, 1) - rectAreaKm2(0.5, 0.25, 1, 0.75), 1},
		{"difference reversed", Difference(b, a), rectAreaKm2(1, 0.25, 1.5, 0.75), 1},
		{"disjoint intersection", Intersection(a, crect(2, 2, 3, 3)), 0, 0},
	}
	for _, tt := range tests {
		if got := tt.got.AreaKm2(); !within(got, tt.want, 1e-6) {
			t.Errorf("%s: area = %v, want %v", tt.name, got, tt.want)
		}
		if len(tt.got) != tt.parts {
			t.Errorf("%s: %d polygons, want %d: %v", tt.name, len(tt.got), tt.parts, tt.got)
		}
		if len(tt.got) > 0 {
			if err := tt.got.Validate(); err != nil {
				t.Errorf("%s: result invalid: %v", tt.name, err)
			}
		}
	}
}

func TestOverlayHoles(t *testing.T) {
	outer := crect(0, 0, 4, 4)
	inner := crect(1, 1, 3, 3)
	ring := Difference(outer, inner)
	if len(ring) != 1 || len(ring[0]) != 2 {
		t.Fatalf("Difference(square, inner square) = %v, want one polygon with one hole", ring)
	}
	if got, want := ring.AreaKm2(), rectAreaKm2(0, 0, 4, 4)-rectAreaKm2(1, 1, 3, 3); !within(got, want, 1e-6) {
		t.Errorf("area with hole = %v, want %v", got, want)
	}
	if ring.Contains(Point{2, 2}) || !ring.Contains(Point{0.5, 2}) {
		t.Errorf("hole not where expected")
	}
	// A square crossing the hole's edge: intersection with the holed shape.
	x := Intersection(ring, crect(2, 2, 5, 5))
	want := rectAreaKm2(2, 2, 4, 4) - rectAreaKm2(2, 2, 3, 3)
	if got := x.AreaKm2(); !within(got, want, 1e-6) {
		t.Errorf("Intersection(holed, square) area = %v, want %v", got, want)
	}
	// Filling the hole again gives the full square, one ring.
	u := Union(ring, inner)
	if len(u) != 1 || len(u[0]) != 1 {
		t.Errorf("Union(holed, hole) = %v, want one ring", u)
	}
}

func TestOverlaySharedEdgesAndVertices(t *testing.T) {
	// Adjacent territories: shared edge, T-junction, touching corner.
	a := crect(0, 0, 1, 1)
	b := crect(1, 0, 2, 1)   // shares a's east edge
	c := crect(0, 1, 0.5, 2) // its south edge is half of a's north edge (T-junction)
	d := crect(2, 1, 3, 2)   // touches b only at (2, 1)
	if got := Intersection(a, b).AreaKm2(); got > 1e-9 {
		t.Errorf("Intersection(a, b) of edge neighbours = %v km², want 0", got)
	}
	if got := Intersection(a, c).AreaKm2(); got > 1e-9 {
		t.Errorf("Intersection(a, c) T-junction = %v km², want 0", got)
	}
	if got := Intersection(b, d).AreaKm2(); got > 1e-9 {
		t.Errorf("Intersection(b, d) corner = %v km², want 0", got)
	}
	ab := Union(a, b)
	if len(ab) != 1 || len(ab[0][0]) != 5 {
		t.Errorf("Union(a, b) = %v, want the rectangle (0,0)-(2,1) with 4 corners", ab)
	}
	bd := Union(b, d)
	if len(bd) != 2 {
		t.Errorf("Union(b, d) touching at a corner = %d polygons, want 2 separate rings", len(bd))
	}
	all := UnionAll([]MultiPolygon{a, b, c, d})
	want := rectAreaKm2(0, 0, 2, 1) + rectAreaKm2(0, 1, 0.5, 2) + rectAreaKm2(2, 1, 3, 2)
	if got := all.AreaKm2(); !within(got, want, 1e-6) {
		t.Errorf("UnionAll area = %v, want %v", got, want)
	}
	if err := all.Validate(); err != nil {
		t.Errorf("UnionAll invalid: %v", err)
	}
}

func TestUnionAllGrid(t *testing.T) {
	// A 10×10 grid of unit cells dissolves into one square.
	var cells []MultiPolygon
	for i := 0; i < 10; i++ {
		for j := 0; j < 10; j++ {
			cells = append(cells, crect(float64(i)*0.1, float64(j)*0.1, float64(i+1)*0.1, float64(j+1)*0.1))
		}
	}
	u := UnionAll(cells)
	if len(u) != 1 || len(u[0]) != 1 || len(u[0][0]) != 5 {
		t.Fatalf("UnionAll(grid) = %d polygons, first has %d rings; want one square", len(u), len(u[0]))
	}
	if got, want := u.AreaKm2(), rectAreaKm2(0, 0, 1, 1); !within(got, want, 1e-6) {
		t.Errorf("area = %v, want %v", got, want)
	}
	// Leave one cell out: a hole.
	holed := UnionAll(append(append([]MultiPolygon{}, cells[:55]...), cells[56:]...))
	if len(holed) != 1 || len(holed[0]) != 2 {
		t.Errorf("grid minus a middle cell = %v polygons/rings, want one polygon with one hole", len(holed))
	}
}

// planarArea is the signed area of m in square degrees, holes subtracted
// (they turn clockwise).
func planarArea(m MultiPolygon) float64 {
	s := 0.0
	for _, p := range m {
		for _, r := range p {
			s += signedArea(r[:len(r)-1])
		}
	}
	return s
}

func TestOverlayRandomAreas(t *testing.T) {
	// Inclusion–exclusion must hold: |A∪B| = |A| + |B| − |A∩B|, and
	// |A−B| = |A| − |A∩B|, on random convex polygons. Planar areas are
	// compared, which the overlay keeps exactly (the spherical formula moves
	// by about 1e-5 when a slanted edge gets an extra vertex).
	rng := rand.New(rand.NewPCG(1, 2))
	randPoly := func() MultiPolygon {
		var pts []Point
		cx, cy := rng.Float64(), rng.Float64()
		for i := 0; i < 12; i++ {
			pts = append(pts, Point{cx + rng.Float64()*0.6, cy + rng.Float64()*0.6})
		}
		return MultiPolygon{{ConvexHull(pts)}}
	}
	for i := 0; i < 300; i++ {
		a, b := randPoly(), randPoly()
		ia, ib := planarArea(a), planarArea(b)
		x := planarArea(Intersection(a, b))
		u := planarArea(Union(a, b))
		d := planarArea(Difference(a, b))
		if math.Abs(u-(ia+ib-x)) > 1e-12 {
			t.Fatalf("case %d: |A∪B| = %v, want %v", i, u, ia+ib-x)
		}
		if math.Abs(d-(ia-x)) > 1e-12 {
			t.Fatalf("case %d: |A−B| = %v, want %v", i, d, ia-x)
		}
		if x < 0 || x > math.Min(ia, ib)+1e-12 {
			t.Fatalf("case %d: |A∩B| = %v, outside [0, %v]", i, x, math.Min(ia, ib))
		}
	}
}

func TestConvexHullAndCompactness(t *testing.T) {
	h := ConvexHull([]Point{{0, 0}, {1, 0}, {0.5, 0.5}, {1, 1}, {0, 1}, {0.2, 0.7}})
	if len(h) != 5 {
		t.Fatalf("ConvexHull = %v, want 4 corners and the closing point", h)
	}
	sq := crect(0, 0, 0.01, 0.01)
	if got := sq.PolsbyPopper(); math.Abs(got-math.Pi/4) > 0.001 {
		t.Errorf("PolsbyPopper(small square) = %v, want about π/4", got)
	}
}
