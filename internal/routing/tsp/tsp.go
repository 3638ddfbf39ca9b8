// Package tsp reads symmetric travelling salesman instances in the TSPLIB
// format and solves them with an iterated local search: greedy-edge
// construction, then 2-opt, Or-opt (segments of up to three nodes, either
// orientation) and Lin–Kernighan style chains of 2-opt steps over
// candidate lists (the nearest neighbours plus the nearest of each
// quadrant), repeated after local double-bridge kicks. Small instances
// (up to 12 nodes) are solved exactly. It is pure Go with no I/O of its
// own: Read takes an io.Reader.
//
// Distances follow TSPLIB's rounding rules (EUC_2D, CEIL_2D, GEO, ATT), so
// lengths compare directly with the published optima.
package tsp

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Edge weight types understood by Read and New.
const (
	EUC2D  = "EUC_2D"
	CEIL2D = "CEIL_2D"
	GEO    = "GEO"
	ATT    = "ATT"
)

// Instance is a symmetric TSP over points in the plane (or on the sphere,
// for GEO). Nodes are addressed by 0-based index; ID gives the number the
// file used.
type Instance struct {
	Name           string
	Comment        string
	EdgeWeightType string // one of EUC2D, CEIL2D, GEO, ATT

	ids   []int
	x, y  []float64
	fixed [][2]int // FIXED_EDGES_SECTION, as 0-based index pairs
	// lat, lon hold GEO coordinates converted to radians.
	lat, lon []float64
}

// New builds an instance from coordinates; node ids are 1..n. For GEO, x is
// the latitude and y the longitude in TSPLIB's DDD.MM notation.
func New(name, edgeWeightType string, x, y []float64) (*Instance, error) {
	if len(x) != len(y) {
		return nil, fmt.Errorf("tsp: %d x coordinates but %d y coordinates", len(x), len(y))
	}
	if len(x) == 0 {
		return nil, fmt.Errorf("tsp: no nodes")
	}
	if !knownType(edgeWeightType) {
		return nil, fmt.Errorf("tsp: edge weight type %q not supported (want EUC_2D, CEIL_2D, GEO or ATT)", edgeWeightType)
	}
	in := &Instance{Name: name, EdgeWeightType: edgeWeightType, x: append([]float64(nil), x...), y: append([]float64(nil), y...)}
	in.ids = make([]int, len(x))
	for i := range in.ids {
		in.ids[i] = i + 1
		if bad(x[i]) || bad(y[i]) {
			return nil, fmt.Errorf("tsp: node %d: coordinates must be finite numbers", i+1)
		}
	}
	in.prepare()
	return in, nil
}

func bad(f float64) bool { return math.IsNaN(f) || math.IsInf(f, 0) }

func knownType(t string) bool {
	switch t {
	case EUC2D, CEIL2D, GEO, ATT:
		return true
	}
	return false
}

// Len is the number of nodes.
func (in *Instance) Len() int { return len(in.x) }

// ID is the node number the file gave the node at 0-based index i.
func (in *Instance) ID(i int) int { return in.ids[i] }

// FixedEdges returns the edges the file's FIXED_EDGES_SECTION requires in
// every tour, as 0-based index pairs. Solve keeps them and Check verifies
// them. TSPLIB's published optima for such instances (linhp318) are
// Hamiltonian path lengths: the tour length minus FixedLength.
func (in *Instance) FixedEdges() [][2]int { return in.fixed }

// FixedLength is the total length of the fixed edges.
func (in *Instance) FixedLength() int64 {
	var sum int64
	for _, e := range in.fixed {
		sum += in.Dist(e[0], e[1])
	}
	return sum
}

// Coord returns the coordinates of node i as written in the file.
func (in *Instance) Coord(i int) (x, y float64) { return in.x[i], in.y[i] }

// geoPI and geoRRR are the constants the TSPLIB FAQ prescribes for GEO.
const (
	geoPI  = 3.141592
	geoRRR = 6378.388
)

// geoRad converts TSPLIB's DDD.MM notation to radians as the TSPLIB FAQ
// does: the integer part is degrees (truncated), the rest minutes.
func geoRad(v float64) float64 {
	deg := math.Trunc(v)
	min := v - deg
	return geoPI * (deg + 5.0*min/3.0) / 180.0
}

func (in *Instance) prepare() {
	if in.EdgeWeightType != GEO {
		return
	}
	in.lat = make([]float64, len(in.x))
	in.lon = make([]float64, len(in.x))
	for i := range in.x {
		in.lat[i] = geoRad(in.x[i])
		in.lon[i] = geoRad(in.y[i])
	}
}

// nint rounds to the nearest integer the way TSPLIB's nint does
// ((int)(x + 0.5)) for the non-negative values distances take.
func nint(v float64) int64 { return int64(v + 0.5) }

// Dist is the TSPLIB distance between nodes i and j.
func (in *Instance) Dist(i, j int) int64 {
	if i == j {
		return 0
	}
	switch in.EdgeWeightType {
	case GEO:
		q1 := math.Cos(in.lon[i] - in.lon[j])
		q2 := math.Cos(in.lat[i] - in.lat[j])
		q3 := math.Cos(in.lat[i] + in.lat[j])
		return int64(geoRRR*math.Acos(0.5*((1.0+q1)*q2-(1.0-q1)*q3)) + 1.0)
	case ATT:
		xd, yd := in.x[i]-in.x[j], in.y[i]-in.y[j]
		r := math.Sqrt((xd*xd + yd*yd) / 10.0)
		t := nint(r)
		if float64(t) < r {
			return t + 1
		}
		return t
	case CEIL2D:
		xd, yd := in.x[i]-in.x[j], in.y[i]-in.y[j]
		return int64(math.Ceil(math.Sqrt(xd*xd + yd*yd)))
	default: // EUC_2D
		xd, yd := in.x[i]-in.x[j], in.y[i]-in.y[j]
		return nint(math.Sqrt(xd*xd + yd*yd))
	}
}

// TourLength is the length of the closed tour visiting the 0-based nodes
// in order and returning to the first.
func (in *Instance) TourLength(tour []int) int64 {
	if len(tour) == 0 {
		return 0
	}
	var sum int64
	prev := tour[len(tour)-1]
	for _, v := range tour {
		sum += in.Dist(prev, v)
		prev = v
	}
	return sum
}

// Read parses a TSPLIB .tsp file of TYPE TSP with a NODE_COORD_SECTION and
// EDGE_WEIGHT_TYPE EUC_2D, CEIL_2D, GEO or ATT. Errors name the line and
// the keyword at fault.
func Read(r io.Reader) (*Instance, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	in := &Instance{}
	dim := -1
	line := 0
	fail := func(key, format string, args ...any) error {
		return fmt.Errorf("tsplib: line %d: %s: %s", line, key, fmt.Sprintf(format, args...))
	}
	seenType := false
	inCoords := false
	inFixed := false
	var fixedIDs [][3]int // id, id, line
	seenEOF := false
	seen := map[int]int{} // id → line
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		if seenEOF {
			return nil, fail("EOF", "unexpected text after EOF: %q", clip(text))
		}
		if inFixed {
			if text == "-1" {
				inFixed = false
				continue
			}
			f := strings.Fields(text)
			a, errA := strconv.Atoi(f[0])
			if len(f) != 2 || errA != nil {
				return nil, fail("FIXED_EDGES_SECTION", "want \"id id\" or -1, got %q", clip(text))
			}
			b, errB := strconv.Atoi(f[1])
			if errB != nil || a == b {
				return nil, fail("FIXED_EDGES_SECTION", "want two different node ids, got %q", clip(text))
			}
			fixedIDs = append(fixedIDs, [3]int{a, b, line})
			continue
		}
		if inCoords && len(in.x) < dim {
			if strings.EqualFold(text, "EOF") {
				return nil, fail("NODE_COORD_SECTION", "EOF after %d of %d nodes (DIMENSION)", len(in.x), dim)
			}
			f := strings.Fields(text)
			if len(f) != 3 {
				return nil, fail("NODE_COORD_SECTION", "node %d of %d: want \"id x y\", got %q", len(in.x)+1, dim, clip(text))
			}
			id, err := strconv.Atoi(f[0])
			if err != nil {
				return nil, fail("NODE_COORD_SECTION", "node id %q is not an integer", f[0])
			}
			if prev, dup := seen[id]; dup {
				return nil, fail("NODE_COORD_SECTION", "node id %d already given on line %d", id, prev)
			}
			seen[id] = line
			x, errX := strconv.ParseFloat(f[1], 64)
			y, errY := strconv.ParseFloat(f[2], 64)
			if errX != nil || errY != nil || bad(x) || bad(y) {
				return nil, fail("NODE_COORD_SECTION", "node %d: coordinates %q %q are not finite numbers", id, f[1], f[2])
			}
			in.ids = append(in.ids, id)
			in.x = append(in.x, x)
			in.y = append(in.y, y)
			continue
		}
		key, val, hasColon := strings.Cut(text, ":")
		key = strings.ToUpper(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		if !hasColon {
			// A section keyword may carry trailing text on some writers.
			if k, _, ok := strings.Cut(key, " "); ok {
				key = k
			}
		}
		switch key {
		case "NAME":
			in.Name = val
		case "COMMENT":
			if in.Comment != "" {
				in.Comment += "\n"
			}
			in.Comment += val
		case "TYPE":
			if !strings.EqualFold(val, "TSP") {
				return nil, fail(key, "only TYPE TSP is supported, got %q", val)
			}
			seenType = true
		case "DIMENSION":
			n, err := strconv.Atoi(val)
			if err != nil || n <= 0 {
				return nil, fail(key, "want a positive integer, got %q", val)
			}
			if inCoords {
				return nil, fail(key, "must come before NODE_COORD_SECTION")
			}
			dim = n
		case "EDGE_WEIGHT_TYPE":
			t := strings.ToUpper(val)
			if !knownType(t) {
				return nil, fail(key, "%q not supported (want EUC_2D, CEIL_2D, GEO or ATT)", val)
			}
			in.EdgeWeightType = t
		case "NODE_COORD_TYPE":
			if !strings.EqualFold(val, "TWOD_COORDS") {
				return nil, fail(key, "only TWOD_COORDS is supported, got %q", val)
			}
		case "DISPLAY_DATA_TYPE":
			// Irrelevant to distances.
		case "NODE_COORD_SECTION":
			if inCoords {
				return nil, fail(key, "given twice")
			}
			if dim < 0 {
				return nil, fail(key, "DIMENSION must come first")
			}
			if in.EdgeWeightType == "" {
				return nil, fail(key, "EDGE_WEIGHT_TYPE must come first")
			}
			inCoords = true
		case "EOF":
			seenEOF = true
		case "FIXED_EDGES_SECTION":
			if len(fixedIDs) > 0 {
				return nil, fail(key, "given twice")
			}
			inFixed = true
		case "EDGE_WEIGHT_SECTION", "EDGE_WEIGHT_FORMAT", "DISPLAY_DATA_SECTION",
			"TOUR_SECTION", "DEMAND_SECTION", "DEPOT_SECTION", "CAPACITY", "EDGE_DATA_FORMAT", "EDGE_DATA_SECTION":
			return nil, fail(key, "not supported (only NODE_COORD_SECTION instances are)")
		default:
			if inCoords {
				return nil, fail("NODE_COORD_SECTION", "DIMENSION is %d but another line follows the nodes: %q", dim, clip(text))
			}
			return nil, fail(key, "unknown keyword in %q", clip(text))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("tsplib: line %d: %w", line+1, err)
	}
	if inFixed {
		return nil, fmt.Errorf("tsplib: line %d: FIXED_EDGES_SECTION: not closed by -1", line)
	}
	switch {
	case !seenType:
		return nil, fmt.Errorf("tsplib: TYPE: missing (want TYPE : TSP)")
	case dim < 0:
		return nil, fmt.Errorf("tsplib: DIMENSION: missing")
	case in.EdgeWeightType == "":
		return nil, fmt.Errorf("tsplib: EDGE_WEIGHT_TYPE: missing")
	case !inCoords:
		return nil, fmt.Errorf("tsplib: NODE_COORD_SECTION: missing")
	case len(in.x) != dim:
		return nil, fmt.Errorf("tsplib: line %d: NODE_COORD_SECTION: input ends after %d of %d nodes (DIMENSION)", line, len(in.x), dim)
	}
	index := make(map[int]int, len(in.ids))
	for i, id := range in.ids {
		index[id] = i
	}
	deg := map[int]int{}
	root := make([]int, len(in.x))
	for i := range root {
		root[i] = i
	}
	find := func(v int) int {
		for root[v] != v {
			v = root[v]
		}
		return v
	}
	for _, e := range fixedIDs {
		a, okA := index[e[0]]
		b, okB := index[e[1]]
		if !okA || !okB {
			return nil, fmt.Errorf("tsplib: line %d: FIXED_EDGES_SECTION: edge %d %d names a node not in NODE_COORD_SECTION", e[2], e[0], e[1])
		}
		deg[a]++
		deg[b]++
		if deg[a] > 2 || deg[b] > 2 {
			return nil, fmt.Errorf("tsplib: line %d: FIXED_EDGES_SECTION: a node has more than two fixed edges", e[2])
		}
		if find(a) == find(b) && len(fixedIDs) < len(in.x) {
			return nil, fmt.Errorf("tsplib: line %d: FIXED_EDGES_SECTION: edge %d %d closes a cycle of fixed edges", e[2], e[0], e[1])
		}
		root[find(a)] = find(b)
		in.fixed = append(in.fixed, [2]int{a, b})
	}
	in.prepare()
	return in, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
