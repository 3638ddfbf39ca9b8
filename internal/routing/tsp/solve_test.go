package tsp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// bruteForce is the optimum over all tours starting at node 0.
func bruteForce(in *Instance) int64 {
	n := in.Len()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	best := int64(-1)
	var rec func(k int, sum int64)
	rec = func(k int, sum int64) {
		if best >= 0 && sum >= best {
			return
		}
		if k == n {
			total := sum
			if n > 1 {
				total += in.Dist(perm[n-1], perm[0])
			}
			if best < 0 || total < best {
				best = total
			}
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			rec(k+1, sum+in.Dist(perm[k-1], perm[k]))
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	rec(1, 0)
	return best
}

func randomInstance(r *rand.Rand, kind string, n int) *Instance {
	x, y := make([]float64, n), make([]float64, n)
	for i := range x {
		switch kind {
		case GEO: // DDD.MM within a country-sized box
			x[i] = float64(40+r.IntN(10)) + float64(r.IntN(60))/100
			y[i] = float64(r.IntN(10)) + float64(r.IntN(60))/100
		default:
			x[i], y[i] = float64(r.IntN(1000)), float64(r.IntN(1000))
		}
	}
	in, err := New(fmt.Sprintf("rand-%s-%d", kind, n), kind, x, y)
	if err != nil {
		panic(err)
	}
	return in
}

func TestSolveMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	ctx := context.Background()
	for _, kind := range []string{EUC2D, CEIL2D, ATT, GEO} {
		for n := 1; n <= 9; n++ {
			for rep := 0; rep < 3; rep++ {
				in := randomInstance(r, kind, n)
				want := bruteForce(in)
				tour, length, err := Solve(ctx, in, Options{TimeLimit: time.Second, Seed: int64(rep)})
				if err != nil {
					t.Fatal(err)
				}
				if err := Check(in, tour, length); err != nil {
					t.Fatalf("%s: %v", in.Name, err)
				}
				if length != want {
					t.Errorf("%s #%d: Solve found %d, optimum %d", in.Name, rep, length, want)
				}
				// The heuristic path (construction, local search, kicks),
				// which Solve uses above 12 nodes, must reach it too.
				if n >= 5 {
					tour, length, err = solve(ctx, in, Options{Seed: int64(rep)}, 3000)
					if err != nil {
						t.Fatal(err)
					}
					if err := Check(in, tour, length); err != nil {
						t.Fatalf("%s heuristic: %v", in.Name, err)
					}
					if length != want {
						t.Errorf("%s #%d: heuristic found %d, optimum %d", in.Name, rep, length, want)
					}
				}
			}
		}
	}
}

// burma14 (TSPLIB, GEO) has the published optimum 3323.
const burma14 = `NAME: burma14
TYPE: TSP
COMMENT: 14-Staedte in Burma (Zaw Win)
DIMENSION: 14
EDGE_WEIGHT_TYPE: GEO
NODE_COORD_SECTION
   1  16.47       96.10
   2  16.47       94.44
   3  20.09       92.54
   4  22.39       93.37
   5  25.23       97.24
   6  22.00       96.05
   7  20.47       97.02
   8  17.20       96.29
   9  16.30       97.38
  10  14.05       98.12
  11  16.53       97.38
  12  21.52       95.59
  13  19.41       97.13
  14  20.09       94.55
EOF
`

func TestBurma14Optimum(t *testing.T) {
	in, err := Read(strings.NewReader(burma14))
	if err != nil {
		t.Fatal(err)
	}
	tour, length, err := Solve(context.Background(), in, Options{TimeLimit: 5 * time.Second, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, tour, length); err != nil {
		t.Fatal(err)
	}
	if length != 3323 {
		t.Errorf("burma14: found %d, optimum 3323", length)
	}
	if exact := newSolver(in).exact(); in.TourLength(exact) != 3323 {
		t.Errorf("burma14: Held–Karp gives %d, optimum 3323", in.TourLength(exact))
	}
}

func TestSolveLargerRandomIsLocallyOptimalAndDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	in := randomInstance(r, EUC2D, 300)
	ctx := context.Background()
	t1, l1, err := solve(ctx, in, Options{Seed: 42}, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, t1, l1); err != nil {
		t.Fatal(err)
	}
	t2, l2, _ := solve(ctx, in, Options{Seed: 42}, 2000)
	if l1 != l2 || fmt.Sprint(t1) != fmt.Sprint(t2) {
		t.Errorf("same seed and kicks gave %d and %d", l1, l2)
	}
	// No 2-opt move over all pairs improves the result.
	n := len(t1)
	for i := 0; i < n; i++ {
		for j := i + 2; j < n; j++ {
			a, b, c, d := t1[i], t1[i+1], t1[j], t1[(j+1)%n]
			if a == d {
				continue
			}
			if in.Dist(a, c)+in.Dist(b, d) < in.Dist(a, b)+in.Dist(c, d) {
				t.Fatalf("2-opt improvement left between positions %d and %d", i, j)
			}
		}
	}
	// A random tour is far longer: the search did something.
	perm := r.Perm(n)
	if rl := in.TourLength(perm); l1*2 > rl {
		t.Errorf("solver %d vs random %d", l1, rl)
	}
}

func TestSolveLargeUsesNoMatrixAndRespectsContext(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 6,000-node instance")
	}
	r := rand.New(rand.NewPCG(9, 9))
	in := randomInstance(r, EUC2D, 6000)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	tour, length, err := Solve(ctx, in, Options{TimeLimit: time.Minute, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(in, tour, length); err != nil {
		t.Fatal(err)
	}
	// Construction and the first descent are not interruptible; the kicks are.
	if el := time.Since(start); el > 20*time.Second {
		t.Errorf("took %v with a 300 ms context", el)
	}
	if newSolver(in).mat != nil {
		t.Error("matrix built above matrixMaxN")
	}
}

func TestSolveCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	in := randomInstance(rand.New(rand.NewPCG(1, 1)), EUC2D, 50)
	if _, _, err := Solve(ctx, in, Options{}); err == nil {
		t.Error("no error from a cancelled context")
	}
}

func TestCheck(t *testing.T) {
	in, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	good := []int{0, 1, 2, 4, 3}
	if err := Check(in, good, 55); err != nil {
		t.Errorf("valid tour rejected: %v", err)
	}
	tests := []struct {
		name    string
		tour    []int
		claimed int64
		want    string
	}{
		{"wrong length claimed", good, 54, "claimed 54"},
		{"repeated node", []int{0, 1, 2, 2, 3}, 55, "visited twice"},
		{"missing node", []int{0, 1, 2, 3}, 55, "4 nodes"},
		{"out of range", []int{0, 1, 2, 3, 5}, 55, "out of range"},
		{"negative", []int{0, 1, -1, 3, 4}, 55, "out of range"},
	}
	for _, tt := range tests {
		if err := Check(in, tt.tour, tt.claimed); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
}

func TestFixedEdgesKept(t *testing.T) {
	// Two far corners joined by a fixed edge the optimum would never use.
	for _, n := range []int{8, 40} {
		var b strings.Builder
		fmt.Fprintf(&b, "NAME : fixed%d\nTYPE : TSP\nDIMENSION : %d\nEDGE_WEIGHT_TYPE : EUC_2D\nFIXED_EDGES_SECTION\n1 %d\n-1\nNODE_COORD_SECTION\n", n, n, n)
		r := rand.New(rand.NewPCG(uint64(n), 2))
		for i := 1; i <= n; i++ {
			x, y := r.IntN(100), r.IntN(100)
			if i == 1 {
				x, y = 0, 0
			} else if i == n {
				x, y = 1000, 1000
			}
			fmt.Fprintf(&b, "%d %d %d\n", i, x, y)
		}
		in, err := Read(strings.NewReader(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if got := in.FixedEdges(); len(got) != 1 || got[0] != [2]int{0, n - 1} {
			t.Fatalf("fixed edges %v", got)
		}
		tour, length, err := Solve(context.Background(), in, Options{TimeLimit: time.Second, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := Check(in, tour, length); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		// Check rejects a tour without the fixed edge.
		bad := make([]int, n)
		for i := range bad {
			bad[i] = i
		}
		bad[n/2], bad[n-1] = bad[n-1], bad[n/2]
		if err := Check(in, bad, in.TourLength(bad)); err == nil || !strings.Contains(err.Error(), "fixed edge") {
			t.Errorf("n=%d: tour without the fixed edge: %v", n, err)
		}
	}
}
