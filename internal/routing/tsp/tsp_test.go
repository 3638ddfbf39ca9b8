package tsp

import (
	"strings"
	"testing"
)

const sample = `NAME : sample5
COMMENT : five points
TYPE : TSP
DIMENSION: 5
EDGE_WEIGHT_TYPE : EUC_2D
NODE_COORD_SECTION
 10 0 0
 20 3 4
 30 1.5e1 0
 40 0 2.5
 50 -6 -8
EOF
`

func TestReadHappyPath(t *testing.T) {
	in, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	if in.Name != "sample5" || in.Comment != "five points" || in.EdgeWeightType != EUC2D || in.Len() != 5 {
		t.Fatalf("got name %q comment %q type %q n %d", in.Name, in.Comment, in.EdgeWeightType, in.Len())
	}
	for i, want := range []int{10, 20, 30, 40, 50} {
		if in.ID(i) != want {
			t.Errorf("ID(%d) = %d, want %d", i, in.ID(i), want)
		}
	}
	if x, y := in.Coord(2); x != 15 || y != 0 {
		t.Errorf("Coord(2) = %v %v, want 15 0", x, y)
	}
	if d := in.Dist(0, 1); d != 5 {
		t.Errorf("Dist(0,1) = %d, want 5", d)
	}
	if d := in.Dist(1, 4); d != 15 { // (3,4)-(-6,-8): 9,12 → 15
		t.Errorf("Dist(1,4) = %d, want 15", d)
	}
	// 0→1→2→4→3→0: 5 + sqrt(144+16)=12.65→13 + sqrt(441+64)=22.47→22 + sqrt(36+110.25)=12.09→12 + 2.5→3
	if got := in.TourLength([]int{0, 1, 2, 4, 3}); got != 5+13+22+12+3 {
		t.Errorf("TourLength = %d, want %d", got, 5+13+22+12+3)
	}
}

func TestReadWithoutEOFAndOtherSpacing(t *testing.T) {
	src := "NAME: x\nTYPE: TSP\nDIMENSION :3\nEDGE_WEIGHT_TYPE: CEIL_2D\nNODE_COORD_TYPE : TWOD_COORDS\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 0\n"
	in, err := Read(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	if in.Len() != 3 || in.EdgeWeightType != CEIL2D {
		t.Fatalf("n %d type %q", in.Len(), in.EdgeWeightType)
	}
}

func TestReadErrors(t *testing.T) {
	head := "NAME : e\nTYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n"
	tests := []struct {
		name, src string
		want      []string // substrings of the error
	}{
		{"not a TSP", "NAME : e\nTYPE : ATSP\n", []string{"line 2", "TYPE", "ATSP"}},
		{"bad dimension", "NAME : e\nTYPE : TSP\nDIMENSION : ten\n", []string{"line 3", "DIMENSION", `"ten"`}},
		{"zero dimension", "TYPE : TSP\nDIMENSION : 0\n", []string{"line 2", "DIMENSION"}},
		{"unsupported weight type", "TYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EXPLICIT\n", []string{"line 3", "EDGE_WEIGHT_TYPE", "EXPLICIT"}},
		{"explicit section", "TYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_SECTION\n", []string{"line 3", "EDGE_WEIGHT_SECTION", "not supported"}},
		{"fixed cycle", "TYPE : TSP\nDIMENSION : 4\nEDGE_WEIGHT_TYPE : EUC_2D\nFIXED_EDGES_SECTION\n1 2\n2 3\n3 1\n-1\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n3 2 0\n4 5 5\n", []string{"line 7", "closes a cycle"}},
		{"unknown keyword", "TYPE : TSP\nFOO : bar\n", []string{"line 2", "FOO", "unknown keyword"}},
		{"coords before dimension", "TYPE : TSP\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n", []string{"line 3", "NODE_COORD_SECTION", "DIMENSION"}},
		{"coords before weight type", "TYPE : TSP\nDIMENSION : 2\nNODE_COORD_SECTION\n", []string{"line 3", "EDGE_WEIGHT_TYPE"}},
		{"short node line", head + "1 0 0\n2 5\n", []string{"line 7", "NODE_COORD_SECTION", `"2 5"`}},
		{"bad id", head + "one 0 0\n", []string{"line 6", "NODE_COORD_SECTION", `"one"`}},
		{"bad coordinate", head + "1 0 0\n2 x 0\n", []string{"line 7", "NODE_COORD_SECTION", "node 2"}},
		{"duplicate id", head + "1 0 0\n1 5 5\n", []string{"line 7", "NODE_COORD_SECTION", "already given on line 6"}},
		{"too few nodes", head + "1 0 0\nEOF\n", []string{"line 7", "NODE_COORD_SECTION", "EOF after 1 of 2 nodes"}},
		{"input ends early", head + "1 0 0\n", []string{"NODE_COORD_SECTION", "ends after 1 of 2 nodes"}},
		{"fixed edge to unknown node", "TYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EUC_2D\nFIXED_EDGES_SECTION\n1 9\n-1\nNODE_COORD_SECTION\n1 0 0\n2 1 1\n", []string{"line 5", "FIXED_EDGES_SECTION", "1 9"}},
		{"fixed edges unclosed", "TYPE : TSP\nDIMENSION : 2\nEDGE_WEIGHT_TYPE : EUC_2D\nFIXED_EDGES_SECTION\n1 2\n", []string{"FIXED_EDGES_SECTION", "-1"}},
		{"fixed edge malformed", "TYPE : TSP\nFIXED_EDGES_SECTION\n1 x\n", []string{"line 3", "FIXED_EDGES_SECTION", `"1 x"`}},
		{"too many nodes", head + "1 0 0\n2 1 1\n3 2 2\n", []string{"line 8", "NODE_COORD_SECTION", "DIMENSION is 2"}},
		{"text after EOF", head + "1 0 0\n2 1 1\nEOF\nmore\n", []string{"line 9", "EOF"}},
		{"missing type", "DIMENSION : 1\nEDGE_WEIGHT_TYPE : EUC_2D\nNODE_COORD_SECTION\n1 0 0\n", []string{"TYPE", "missing"}},
		{"missing section", "TYPE : TSP\nDIMENSION : 1\nEDGE_WEIGHT_TYPE : EUC_2D\n", []string{"NODE_COORD_SECTION", "missing"}},
		{"empty", "", []string{"TYPE", "missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDistanceRules(t *testing.T) {
	tests := []struct {
		kind           string
		xa, ya, xb, yb float64
		want           int64
	}{
		// EUC_2D: nint(sqrt(dx²+dy²))
		{EUC2D, 0, 0, 3, 4, 5},
		{EUC2D, 0, 0, 1, 1, 1},      // 1.414
		{EUC2D, 0, 0, 2, 3, 4},      // 3.606
		{EUC2D, 37, 52, 49, 49, 12}, // eil51 nodes 1 and 2: sqrt(153) = 12.37
		{EUC2D, 0, 0, 0.5, 0, 1},    // 0.5 rounds up
		// CEIL_2D: ceil(sqrt(dx²+dy²))
		{CEIL2D, 0, 0, 1, 1, 2},
		{CEIL2D, 0, 0, 3, 4, 5},
		{CEIL2D, 0, 0, 2, 3, 4},
		// ATT: r = sqrt((dx²+dy²)/10); t = nint(r); t < r ? t+1 : t
		{ATT, 0, 0, 10, 0, 4},                   // r = 3.162, t = 3 < r
		{ATT, 0, 0, 30, 40, 16},                 // r = 15.81, t = 16
		{ATT, 0, 0, 10, 30, 10},                 // r = 10 exactly
		{ATT, 6734, 1453, 2233, 10, 1495},       // att48 nodes 1 and 2: r = 1494.699
		{ATT, 7608, 4458, 7573, 3716, 235},      // r = sqrt((35²+742²)/10) = 234.90, t = 235
		{ATT, 0, 0, 3, 0, 1},                    // r = 0.949, t = 1
		{ATT, 0, 0, 14, 0, 5},                   // r = 4.427, t = 4 < r
		{ATT, 4231, 2332, 4231 + 300, 2332, 95}, // r = 94.87, t = 95
		// GEO (DDD.MM, PI = 3.141592, RRR = 6378.388, (int)(RRR·acos(…) + 1))
		{GEO, 16.47, 96.10, 16.47, 94.44, 153}, // burma14 nodes 1 and 2: 152.77 km
		{GEO, 16.47, 96.10, 20.09, 92.54, 510}, // burma14 nodes 1 and 3: 509.31 km
		{GEO, 0, 0, 0, 1, 112},                 // one degree on the equator: 111.32 km
		{GEO, 51.30, -0.07, 48.51, 2.21, 344},  // London 51°30'N 0°07'W to Paris 48°51'N 2°21'E: 343.40 km
	}
	for _, tt := range tests {
		in, err := New("pair", tt.kind, []float64{tt.xa, tt.xb}, []float64{tt.ya, tt.yb})
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Dist(0, 1); got != tt.want {
			t.Errorf("%s (%v,%v)-(%v,%v): Dist = %d, want %d", tt.kind, tt.xa, tt.ya, tt.xb, tt.yb, got, tt.want)
		}
		if got := in.Dist(1, 0); got != tt.want {
			t.Errorf("%s: Dist not symmetric: %d", tt.kind, got)
		}
		if got := checkDist(tt.kind, tt.xa, tt.ya, tt.xb, tt.yb); got != tt.want {
			t.Errorf("%s (%v,%v)-(%v,%v): checkDist = %d, want %d", tt.kind, tt.xa, tt.ya, tt.xb, tt.yb, got, tt.want)
		}
		if in.Dist(0, 0) != 0 {
			t.Errorf("%s: Dist(0,0) = %d", tt.kind, in.Dist(0, 0))
		}
	}
}

func TestNewRejects(t *testing.T) {
	if _, err := New("x", "EXPLICIT", []float64{0}, []float64{0}); err == nil || !strings.Contains(err.Error(), "EXPLICIT") {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := New("x", EUC2D, []float64{0, 1}, []float64{0}); err == nil {
		t.Error("mismatched coordinates accepted")
	}
	if _, err := New("x", EUC2D, nil, nil); err == nil {
		t.Error("empty instance accepted")
	}
}
