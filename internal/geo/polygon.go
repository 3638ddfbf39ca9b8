package geo

import (
	"fmt"
	"math"
	"sort"
)

// Ring is a closed line: its first and last points are equal.
type Ring []Point

// Polygon is an outer ring followed by zero or more holes.
type Polygon []Ring

// MultiPolygon is a set of polygons; a territory's shape is one.
type MultiPolygon []Polygon

// Coordinates returns m as GeoJSON MultiPolygon coordinates ([lon, lat]
// pairs), for encoding.
func (m MultiPolygon) Coordinates() [][][][2]float64 {
	coords := make([][][][2]float64, len(m))
	for i, poly := range m {
		coords[i] = make([][][2]float64, len(poly))
		for j, ring := range poly {
			coords[i][j] = make([][2]float64, len(ring))
			for k, p := range ring {
				coords[i][j][k] = [2]float64{p.Lon, p.Lat}
			}
		}
	}
	return coords
}

// FromCoordinates is the inverse of Coordinates.
func FromCoordinates(coords [][][][2]float64) MultiPolygon {
	m := make(MultiPolygon, len(coords))
	for i, poly := range coords {
		m[i] = make(Polygon, len(poly))
		for j, ring := range poly {
			m[i][j] = make(Ring, len(ring))
			for k, c := range ring {
				m[i][j][k] = Point{Lon: c[0], Lat: c[1]}
			}
		}
	}
	return m
}

// Bounds is the bounding box of m.
func (m MultiPolygon) Bounds() BBox {
	b := EmptyBBox()
	for _, poly := range m {
		if len(poly) == 0 {
			continue
		}
		for _, p := range poly[0] {
			b = b.Extend(p)
		}
	}
	return b
}

// Contains reports whether p lies inside m: inside an outer ring and outside
// that polygon's holes. Points exactly on an edge may go either way.
func (m MultiPolygon) Contains(p Point) bool {
	for _, poly := range m {
		if poly.Contains(p) {
			return true
		}
	}
	return false
}

// Contains reports whether p lies inside the outer ring and in no hole.
func (poly Polygon) Contains(p Point) bool {
	if len(poly) == 0 || !ringContains(poly[0], p) {
		return false
	}
	for _, hole := range poly[1:] {
		if ringContains(hole, p) {
			return false
		}
	}
	return true
}

// ringContains is the even-odd ray-casting test.
func ringContains(r Ring, p Point) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) {
			x := (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat) + a.Lon
			if p.Lon < x {
				in = !in
			}
		}
	}
	return in
}

// AreaKm2 is the area of m on the sphere in square kilometres, holes
// subtracted.
func (m MultiPolygon) AreaKm2() float64 {
	total := 0.0
	for _, poly := range m {
		total += poly.AreaKm2()
	}
	return total
}

// AreaKm2 is the area of the polygon on the sphere, holes subtracted.
func (poly Polygon) AreaKm2() float64 {
	if len(poly) == 0 {
		return 0
	}
	a := math.Abs(ringAreaM2(poly[0]))
	for _, h := range poly[1:] {
		a -= math.Abs(ringAreaM2(h))
	}
	return a / 1e6
}

// ringAreaM2 is the signed spherical area of a ring (Chamberlain & Duquette,
// "Some algorithms for polygons on a sphere", JPL 2007): exact for rings whose
// edges follow lines of constant latitude and very close for the small
// polygons territories are made of.
func ringAreaM2(r Ring) float64 {
	const rad = math.Pi / 180
	n := len(r)
	if n < 3 {
		return 0
	}
	s := 0.0
	for i := 0; i < n; i++ {
		p1, p2, p3 := r[i], r[(i+1)%n], r[(i+2)%n]
		s += (p3.Lon - p1.Lon) * rad * math.Sin(p2.Lat*rad)
	}
	return s * EarthRadiusMeters * EarthRadiusMeters / 2
}

// Validate checks that m is a shape a territory can have: every ring closed,
// with at least four points, coordinates in range, and no ring crossing
// itself. The error names the polygon, ring and point at fault.
func (m MultiPolygon) Validate() error {
	if len(m) == 0 {
		return fmt.Errorf("geometry has no polygons")
	}
	for pi, poly := range m {
		if len(poly) == 0 {
			return fmt.Errorf("polygon %d has no rings", pi+1)
		}
		for ri, ring := range poly {
			where := fmt.Sprintf("polygon %d ring %d", pi+1, ri+1)
			if len(ring) < 4 {
				return fmt.Errorf("%s has %d points; a closed ring needs at least 4", where, len(ring))
			}
			for k, p := range ring {
				if err := p.Validate(); err != nil {
					return fmt.Errorf("%s point %d: %v", where, k+1, err)
				}
			}
			if ring[0] != ring[len(ring)-1] {
				return fmt.Errorf("%s is not closed: first point %v differs from last %v", where, ring[0], ring[len(ring)-1])
			}
			if i, j, ok := selfIntersection(ring); ok {
				return fmt.Errorf("%s intersects itself (edges %d and %d cross)", where, i+1, j+1)
			}
		}
	}
	return nil
}

// selfIntersection finds two non-adjacent edges of a closed ring that touch.
// Edges are sorted by their smallest longitude so each is compared only with
// those whose longitude ranges overlap.
func selfIntersection(r Ring) (int, int, bool) {
	n := len(r) - 1 // number of edges
	type edge struct {
		i          int
		minX, maxX float64
	}
	edges := make([]edge, n)
	for i := 0; i < n; i++ {
		a, b := r[i], r[i+1]
		edges[i] = edge{i, math.Min(a.Lon, b.Lon), math.Max(a.Lon, b.Lon)}
	}
	sort.Slice(edges, func(x, y int) bool { return edges[x].minX < edges[y].minX })
	for x := 0; x < n; x++ {
		ex := edges[x]
		for y := x + 1; y < n && edges[y].minX <= ex.maxX; y++ {
			ey := edges[y]
			i, j := ex.i, ey.i
			if i > j {
				i, j = j, i
			}
			if j == i+1 || (i == 0 && j == n-1) {
				// Adjacent edges share a vertex; they only fault if they fold back on each other.
				if adjacentOverlap(r, i, j, n) {
					return i, j, true
				}
				continue
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}

// adjacentOverlap reports whether two edges that share a vertex run back
// along each other (a zero-width spike), which makes a ring invalid.
func adjacentOverlap(r Ring, i, j, n int) bool {
	var shared, a, b Point
	if j == i+1 {
		shared, a, b = r[j], r[i], r[j+1]
	} else { // i == 0, j == n-1: they meet at r[0] == r[n]
		shared, a, b = r[0], r[1], r[n-1]
	}
	if orient(shared, a, b) != 0 {
		return false
	}
	// Collinear: a spike if a and b lie on the same side of shared.
	return (a.Lon-shared.Lon)*(b.Lon-shared.Lon)+(a.Lat-shared.Lat)*(b.Lat-shared.Lat) > 0
}

func orient(a, b, c Point) float64 {
	v := (b.Lon-a.Lon)*(c.Lat-a.Lat) - (b.Lat-a.Lat)*(c.Lon-a.Lon)
	if math.Abs(v) < 1e-18 {
		return 0
	}
	return v
}

func onSegment(a, b, p Point) bool {
	return math.Min(a.Lon, b.Lon) <= p.Lon && p.Lon <= math.Max(a.Lon, b.Lon) &&
		math.Min(a.Lat, b.Lat) <= p.Lat && p.Lat <= math.Max(a.Lat, b.Lat)
}

func sign(v float64) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// segmentsIntersect reports whether segments ab and cd share a point.
func segmentsIntersect(a, b, c, d Point) bool {
	d1, d2 := sign(orient(c, d, a)), sign(orient(c, d, b))
	d3, d4 := sign(orient(a, b, c)), sign(orient(a, b, d))
	if d1*d2 < 0 && d3*d4 < 0 {
		return true
	}
	return (d1 == 0 && onSegment(c, d, a)) || (d2 == 0 && onSegment(c, d, b)) ||
		(d3 == 0 && onSegment(a, b, c)) || (d4 == 0 && onSegment(a, b, d))
}
