package routing

import (
	"math/rand"
	"testing"
)

// lsFixture builds a search over points (place 0 the depot) with m
// vehicles of the given capacity (unit demands), and a solution with the
// given routes of job indexes.
func lsFixture(t *testing.T, xs, ys []float64, capacity int, routes [][]int) (*search, *sol) {
	t.Helper()
	p := &Problem{Matrix: euclid(xs, ys)}
	for i := 1; i < len(xs); i++ {
		p.Jobs = append(p.Jobs, Job{ID: int64(i), Loc: i, Demand: 1})
	}
	for v := range routes {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: int64(v), Start: 0, End: 0, Capacity: capacity})
	}
	md := newModel(p)
	se := newSearch(md, 1)
	s := se.emptySol()
	for v, jobs := range routes {
		for k, x := range jobs {
			se.insert(s, x, v, k)
		}
	}
	s.un = s.un[:0]
	return se, s
}

func jobsOf(s *sol) [][]int {
	var out [][]int
	for _, r := range s.routes {
		out = append(out, append([]int(nil), r.jobs...))
	}
	return out
}

func TestLocalSearchOperators(t *testing.T) {
	// A square: depot (0,0), jobs 0:(0,10) 1:(10,10) 2:(10,0).
	sqX, sqY := []float64{0, 0, 10, 10}, []float64{0, 10, 10, 0}
	// Two clusters: jobs 0–2 at x = −10, jobs 3–5 at x = +10.
	clX := []float64{0, -10, -10, -10, 10, 10, 10}
	clY := []float64{0, 1, 2, 3, 1, 2, 3}
	cases := []struct {
		name     string
		ops      int
		xs, ys   []float64
		capacity int
		routes   [][]int
		want     float64 // distance after the search
	}{
		{"2-opt", op2Opt, sqX, sqY, 0, [][]int{{0, 2, 1}}, 40},
		{"or-opt", opRelocate, sqX, sqY, 0, [][]int{{1, 0, 2}}, 40},
		{"relocate", opRelocate, clX, clY, 4, [][]int{{0, 1, 2, 3}, {4, 5}}, -1},
		{"exchange", opExchange, clX, clY, 3, [][]int{{0, 1, 3}, {4, 5, 2}}, -1},
		{"2-opt*", op2OptStar, clX, clY, 3, [][]int{{0, 3, 4}, {5, 1, 2}}, -1},
		{"cross-exchange", opCross, clX, clY, 3, [][]int{{0, 3, 4}, {5, 1, 2}}, -1},
	}
	for _, c := range cases {
		se, s := lsFixture(t, c.xs, c.ys, c.capacity, c.routes)
		before := s.distance()
		se.localSearch(s) // creates se.ls
		se2, s2 := lsFixture(t, c.xs, c.ys, c.capacity, c.routes)
		se2.ls = &lsState{se: se2, pos: make([]int, se2.md.n), sym: true, ops: c.ops}
		se2.localSearch(s2)
		after := s2.distance()
		if after >= before-1e-6 {
			t.Errorf("%s: no improvement (%.3f → %.3f, routes %v)", c.name, before, after, jobsOf(s2))
			continue
		}
		if c.want >= 0 && after > c.want+1e-6 {
			t.Errorf("%s: distance %.3f, want %.3f (routes %v)", c.name, after, c.want, jobsOf(s2))
		}
		if c.want < 0 {
			// The clusters separate: every route holds one side only.
			for _, r := range s2.routes {
				left, right := 0, 0
				for _, x := range r.jobs {
					if x < 3 {
						left++
					} else {
						right++
					}
				}
				if left > 0 && right > 0 {
					t.Errorf("%s: route %v mixes the clusters", c.name, r.jobs)
				}
			}
		}
		if _, err := Evaluate(se2.md.p, se2.md.solution(s2)); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if s.distance() > after+1e-6 {
			t.Errorf("%s: all operators give %.3f, worse than one operator %.3f", c.name, s.distance(), after)
		}
	}
}

// randomVRPTW is a small Solomon-like instance: a depot, n customers with
// windows, demands and service times, m vehicles.
func randomVRPTW(rng *rand.Rand, n, m int) *Problem {
	xs, ys := []float64{50}, []float64{50}
	for i := 0; i < n; i++ {
		xs = append(xs, rng.Float64()*100)
		ys = append(ys, rng.Float64()*100)
	}
	p := &Problem{Matrix: euclid(xs, ys)}
	for i := 0; i < n; i++ {
		j := Job{ID: int64(i + 1), Loc: i + 1, Service: 10, Demand: 1 + rng.Intn(10)}
		if rng.Intn(4) > 0 {
			s := 100 + float64(rng.Intn(600))
			j.Windows = []Window{{s, s + 60 + float64(rng.Intn(200))}}
		}
		p.Jobs = append(p.Jobs, j)
	}
	for v := 0; v < m; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: int64(v), Start: 0, End: 0, ShiftEnd: 1200, Capacity: 50})
	}
	return p
}

// TestLocalSearchKeepsFeasibility runs the local search on poor starting
// solutions of random instances (windows, capacity, breaks, locked
// prefixes, optional jobs, several windows per job) and checks the result
// with Evaluate: no violation, no higher cost, no more vehicles, the same
// jobs left out.
func TestLocalSearchKeepsFeasibility(t *testing.T) {
	checked, improved := 0, 0
	for seed := int64(0); seed < 40; seed++ {
		rng := rand.New(rand.NewSource(seed))
		var p *Problem
		switch seed % 4 {
		case 0, 1:
			p = randomVRPTW(rng, 30+rng.Intn(30), 12)
		case 2: // a rep's day with a break, optional stops and a locked start
			p = dayProblem(rng, 20+rng.Intn(10), true)
			p.Vehicles = append(p.Vehicles, p.Vehicles[0])
			p.Vehicles[1].ID = 2
			p.Vehicles[0].Prefix = []int{3, 1}
			p.Jobs[3].Windows, p.Jobs[1].Windows = nil, nil
			for i := range p.Jobs {
				if i > 3 {
					p.Jobs[i].Optional = true
				}
			}
		case 3: // several windows per job, a second vehicle with other hours
			p = randomVRPTW(rng, 40, 8)
			for i := range p.Jobs {
				if ws := p.Jobs[i].Windows; len(ws) == 1 && i%2 == 0 {
					p.Jobs[i].Windows = []Window{ws[0], {ws[0].End + 100, ws[0].End + 250}}
				}
			}
			p.Vehicles[1].ShiftStart, p.Vehicles[1].ShiftEnd = 100, 1100
			p.Vehicles[2].Prefix = []int{5}
			p.Jobs[5].Windows = nil
		}
		md := newModel(p)
		se := newSearch(md, seed)
		s := se.emptySol()
		se.recreate(s, 0.5) // many blinks: a poor start
		se.recreate(s, 0)
		_, errBefore := Evaluate(p, md.solution(s))
		before := se.cost(s)
		used := s.used()
		un := append([]int(nil), s.un...)
		se.localSearch(s)
		if _, err := Evaluate(p, md.solution(s)); err != nil && errBefore == nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if errBefore == nil {
			checked++
		}
		if after := se.cost(s); after < before-1e-6 {
			improved++
		} else if after > before+1e-6 {
			t.Errorf("seed %d: cost rose %.3f → %.3f", seed, before, after)
		}
		if s.used() > used {
			t.Errorf("seed %d: vehicles %d → %d", seed, used, s.used())
		}
		if len(s.un) != len(un) {
			t.Errorf("seed %d: unassigned %v → %v", seed, un, s.un)
		}
		for i := range un {
			if s.un[i] != un[i] {
				t.Errorf("seed %d: unassigned %v → %v", seed, un, s.un)
				break
			}
		}
		for v, r := range s.routes {
			for k, x := range p.Vehicles[v].Prefix {
				if k >= len(r.jobs) || r.jobs[k] != x {
					t.Errorf("seed %d: vehicle %d lost its prefix: %v", seed, v, r.jobs)
				}
			}
			for _, x := range r.jobs {
				if s.where[x] != v {
					t.Errorf("seed %d: where[%d] = %d, want %d", seed, x, s.where[x], v)
				}
			}
		}
	}
	if improved < 30 {
		t.Errorf("the search improved only %d of 40 starting solutions", improved)
	}
	if checked < 30 {
		t.Errorf("only %d of 40 starting solutions were feasible", checked)
	}
}
