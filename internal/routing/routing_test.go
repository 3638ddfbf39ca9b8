package routing

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
)

// euclid builds a matrix from points (time = distance).
func euclid(xs, ys []float64) Matrix {
	n := len(xs)
	m := Matrix{N: n, Dist: make([]float64, n*n)}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			m.Dist[i*n+j] = math.Hypot(xs[i]-xs[j], ys[i]-ys[j])
		}
	}
	return m
}

func mustSolve(t *testing.T, p *Problem, o Options) *Solution {
	t.Helper()
	s, err := Solve(context.Background(), p, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Evaluate(p, s); err != nil {
		t.Fatalf("solver answer fails the evaluator: %v", err)
	}
	return s
}

const smallSolomon = `TINY

VEHICLE
NUMBER     CAPACITY
  3         20

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       1000          0
    1      10        0          5          0        100         10
    2      10        10         5         50        200         10
    3      0         10         5          0        300         10
    4      -10       0         10        100        400         10
    5      -10      -10         5          0        1000        10
`

func TestReadSolomon(t *testing.T) {
	p, err := ReadSolomon(strings.NewReader(smallSolomon))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Jobs) != 5 || len(p.Vehicles) != 3 || p.Matrix.N != 6 {
		t.Fatalf("got %d jobs, %d vehicles, N=%d", len(p.Jobs), len(p.Vehicles), p.Matrix.N)
	}
	if j := p.Jobs[1]; j.ID != 2 || j.Windows[0] != (Window{50, 200}) || j.Service != 10 || j.Demand != 5 {
		t.Errorf("job 2 = %+v", j)
	}
	if got := p.Matrix.Dist[0*6+2]; math.Abs(got-math.Sqrt(200)) > 1e-12 {
		t.Errorf("distance depot→2 = %v, want unrounded %v", got, math.Sqrt(200))
	}
	if v := p.Vehicles[0]; v.Capacity != 20 || v.ShiftEnd != 1000 || v.Start != 0 || v.End != 0 {
		t.Errorf("vehicle = %+v", v)
	}
	s := mustSolve(t, p, Options{TimeLimit: 200 * time.Millisecond})
	if len(s.Unassigned) != 0 {
		t.Errorf("unassigned %v", s.Unassigned)
	}
}

func TestReadSolomonErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"no vehicle", "X\nCUSTOMER\n0 0 0 0 0 10 0\n1 1 1 1 0 10 0\n", "no VEHICLE section"},
		{"bad capacity", "X\nVEHICLE\nNUMBER CAPACITY\n 3 abc\n", "CAPACITY \"abc\""},
		{"columns", strings.Replace(smallSolomon, "    3      0         10         5          0        300         10", "3 0 10 5 0 300", 1), "line 13: want 7 columns"},
		{"number", strings.Replace(smallSolomon, "-10      -10", "-10      x", 1), "YCOORD. \"x\" is not a number"},
		{"window", strings.Replace(smallSolomon, "100        400", "500        400", 1), "DUE DATE 400 before READY TIME 500"},
		{"numbering", strings.Replace(smallSolomon, "    5      -10", "    7      -10", 1), "CUST NO. 7, want 5"},
		{"empty", "X\nVEHICLE\nNUMBER CAPACITY\n3 10\nCUSTOMER\n", "no customers"},
	}
	for _, c := range cases {
		_, err := ReadSolomon(strings.NewReader(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

// dayProblem is one rep's day: start and end at home (place 0), n visits
// on a 30 km square, driving at 40 km/h, 20-minute visits, a lunch break.
func dayProblem(rng *rand.Rand, n int, windows bool) *Problem {
	return dayProblemSized(rng, n, windows, 30000, 20)
}

func dayProblemSized(rng *rand.Rand, n int, windows bool, side, serviceMinutes float64) *Problem {
	xs, ys := []float64{side / 2}, []float64{side / 2}
	for i := 0; i < n; i++ {
		xs = append(xs, rng.Float64()*side)
		ys = append(ys, rng.Float64()*side)
	}
	mx := euclid(xs, ys)
	mx.Time = make([]float64, len(mx.Dist))
	for i, d := range mx.Dist {
		mx.Time[i] = d / (40000.0 / 3600)
	}
	p := &Problem{Matrix: mx}
	for i := 0; i < n; i++ {
		j := Job{ID: int64(100 + i), Loc: i + 1, Service: serviceMinutes * 60}
		if windows && i%3 != 2 {
			s := 8*3600 + float64(rng.Intn(7))*3600
			j.Windows = []Window{{s, s + 3*3600}}
		}
		p.Jobs = append(p.Jobs, j)
	}
	p.Vehicles = []Vehicle{{ID: 1, Start: 0, End: 0, ShiftStart: 8 * 3600, ShiftEnd: 19 * 3600,
		Break: &Break{Earliest: 12 * 3600, Latest: 13 * 3600, Duration: 45 * 60}}}
	return p
}

// bruteForce is the optimum cost over every subset and order, scheduled
// by its own simulation (earliest times, the break tried at every place).
func bruteForce(p *Problem) float64 {
	n := len(p.Jobs)
	v := p.Vehicles[0]
	N := p.Matrix.N
	tt := func(a, b int) float64 {
		if p.Matrix.Time != nil {
			return p.Matrix.Time[a*N+b]
		}
		return p.Matrix.Dist[a*N+b]
	}
	bigM := defaultBigM(p.Matrix)
	feasible := func(seq []int, k int) (float64, bool) {
		t, at, dist, load := v.ShiftStart, v.Start, 0.0, 0
		for i := 0; i <= len(seq); i++ {
			to := v.End
			if i < len(seq) {
				to = p.Jobs[seq[i]].Loc
			}
			arr := t + tt(at, to)
			if i == k {
				bs := math.Max(t, v.Break.Earliest)
				if bs > v.Break.Latest {
					return 0, false
				}
				arr = math.Max(arr, bs) + v.Break.Duration
			}
			dist += p.Matrix.Dist[at*N+to]
			if i == len(seq) {
				if v.ShiftEnd > 0 && arr > v.ShiftEnd {
					return 0, false
				}
				if v.Break != nil && k < 0 && arr > v.Break.Earliest {
					return 0, false
				}
				return dist, true
			}
			j := p.Jobs[seq[i]]
			st := arr
			if len(j.Windows) > 0 {
				okw := false
				for _, w := range j.Windows {
					if arr <= w.End {
						st, okw = math.Max(arr, w.Start), true
						break
					}
				}
				if !okw {
					return 0, false
				}
			}
			load += j.Demand
			t, at = st+j.Service, j.Loc
		}
		return 0, false
	}
	best := math.Inf(1)
	var perm func(seq []int, used int)
	perm = func(seq []int, used int) {
		pen := 0.0
		for j := 0; j < n; j++ {
			if used&(1<<j) == 0 {
				pen += jobPenalty(p.Jobs[j], bigM)
			}
		}
		if len(seq) == 0 {
			best = math.Min(best, pen)
		} else {
			for k := -1; k <= len(seq); k++ {
				if k >= 0 && v.Break == nil {
					break
				}
				if d, ok := feasible(seq, k); ok {
					best = math.Min(best, d+v.FixedCost+pen)
				}
			}
		}
		for j := 0; j < n; j++ {
			if used&(1<<j) == 0 {
				perm(append(seq, j), used|1<<j)
			}
		}
	}
	perm(nil, 0)
	return best
}

func TestExactEqualsBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	for it := 0; it < 40; it++ {
		n := 3 + it%5
		p := dayProblem(rng, n, true)
		// Tighter days so that some jobs must go: optional ones with priorities.
		p.Vehicles[0].ShiftEnd = float64(8*3600 + (2+rng.Intn(6))*3600)
		for i := range p.Jobs {
			if rng.Intn(3) == 0 {
				p.Jobs[i].Optional = true
				p.Jobs[i].Priority = rng.Intn(3)
			}
		}
		if it%4 == 0 {
			p.Vehicles[0].Break = nil
		}
		want := bruteForce(p)
		s, err := Solve(context.Background(), p, Options{Seed: int64(it)})
		if err != nil {
			t.Fatal(err)
		}
		rep, everr := Evaluate(p, s)
		allOptionalOK := true
		for _, j := range s.Unassigned {
			if !p.Jobs[j].Optional {
				allOptionalOK = false
			}
		}
		if everr != nil && allOptionalOK {
			t.Fatalf("instance %d: %v", it, everr)
		}
		if math.Abs(rep.Cost-want) > 1e-6*math.Max(1, want) {
			t.Errorf("instance %d (%d jobs): exact cost %v, brute force %v", it, n, rep.Cost, want)
		}
	}
}

func TestBreakPlacement(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{8, 20} {
		p := dayProblem(rng, n, false)
		s := mustSolve(t, p, Options{Seed: 1})
		if len(s.Routes) != 1 || len(s.Unassigned) != 0 {
			t.Fatalf("%d stops: %d routes, unassigned %v", n, len(s.Routes), s.Unassigned)
		}
		r := s.Routes[0]
		b := p.Vehicles[0].Break
		if r.BreakStart < b.Earliest || r.BreakStart > b.Latest {
			t.Fatalf("%d stops: break at %v, want within [%v, %v]", n, r.BreakStart, b.Earliest, b.Latest)
		}
		// The break must not overlap any service.
		for _, st := range r.Stops {
			if st.Start < r.BreakStart+b.Duration-1e-6 && st.Departure > r.BreakStart+1e-6 {
				t.Errorf("%d stops: break [%v, %v] overlaps a visit [%v, %v]", n, r.BreakStart, r.BreakStart+b.Duration, st.Start, st.Departure)
			}
		}
	}
}

func TestOptionalJobsDroppedWhenTheDayIsFull(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, n := range []int{10, 30} {
		p := dayProblem(rng, n, false)
		for i := range p.Jobs {
			p.Jobs[i].Service = 60 * 60 // an hour each: 10 hours of shift hold at most 9
			if i >= 4 {
				p.Jobs[i].Optional = true
				p.Jobs[i].Priority = i % 2 // odd jobs matter more
			}
		}
		s := mustSolve(t, p, Options{Seed: 2, TimeLimit: 300 * time.Millisecond})
		if len(s.Unassigned) == 0 {
			t.Fatalf("%d one-hour jobs in a 11-hour day: none dropped", n)
		}
		served := len(s.Routes[0].Stops)
		if served < 6 || served > 9 {
			t.Errorf("%d jobs: served %d, want between 6 and 9", n, served)
		}
		for _, j := range s.Unassigned {
			if !p.Jobs[j].Optional {
				t.Errorf("mandatory job %d dropped", j)
			}
		}
		// A dropped high-priority job while a low-priority one is served
		// would be a worse answer.
		low := 0
		for _, st := range s.Routes[0].Stops {
			if p.Jobs[st.Job].Optional && p.Jobs[st.Job].Priority == 0 {
				low++
			}
		}
		for _, j := range s.Unassigned {
			if p.Jobs[j].Priority == 1 && low > 0 {
				t.Errorf("%d jobs: high-priority job %d dropped while %d low-priority ones are served", n, j, low)
			}
		}
	}
}

func TestPrefixRespected(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	for _, n := range []int{9, 25} {
		p := dayProblem(rng, n, false)
		p.Vehicles[0].Break = nil
		for i := range p.Jobs {
			p.Jobs[i].Service = 5 * 60
		}
		p.Vehicles[0].Prefix = []int{n - 1, 0, n / 2}
		s := mustSolve(t, p, Options{Seed: 3, TimeLimit: 200 * time.Millisecond})
		stops := s.Routes[0].Stops
		for i, j := range p.Vehicles[0].Prefix {
			if stops[i].Job != j {
				t.Fatalf("%d stops: stop %d is job %d, want locked job %d", n, i, stops[i].Job, j)
			}
		}
		if len(stops) != n {
			t.Errorf("%d stops: served %d", n, len(stops))
		}
	}
}

func TestTeamDayAndFleetMinimisation(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	xs, ys := []float64{50}, []float64{50}
	for i := 0; i < 40; i++ {
		xs = append(xs, rng.Float64()*100)
		ys = append(ys, rng.Float64()*100)
	}
	p := &Problem{Matrix: euclid(xs, ys)}
	for i := 0; i < 40; i++ {
		p.Jobs = append(p.Jobs, Job{ID: int64(i + 1), Loc: i + 1, Demand: 1, Service: 5})
	}
	for v := 0; v < 8; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: int64(v), Capacity: 10, ShiftEnd: 2000})
	}
	s := mustSolve(t, p, Options{Objective: MinVehicles, TimeLimit: 500 * time.Millisecond})
	if len(s.Routes) != 4 {
		t.Errorf("capacity 10, 40 unit jobs: %d vehicles, want 4", len(s.Routes))
	}
	d := mustSolve(t, p, Options{Objective: MinDistance, TimeLimit: 500 * time.Millisecond})
	if d.Distance > s.Distance+1e-9 {
		t.Errorf("distance objective %v worse than vehicles objective %v", d.Distance, s.Distance)
	}
}

func TestEvaluatorCatchesViolations(t *testing.T) {
	p, err := ReadSolomon(strings.NewReader(smallSolomon))
	if err != nil {
		t.Fatal(err)
	}
	good := mustSolve(t, p, Options{TimeLimit: 100 * time.Millisecond})
	clone := func() *Solution {
		c := *good
		c.Routes = nil
		for _, r := range good.Routes {
			r.Stops = append([]Stop(nil), r.Stops...)
			c.Routes = append(c.Routes, r)
		}
		c.Unassigned = append([]int(nil), good.Unassigned...)
		return &c
	}
	cases := []struct {
		name    string
		corrupt func(s *Solution)
		want    string
	}{
		{"late", func(s *Solution) {
			for ri := range s.Routes {
				for i := range s.Routes[ri].Stops {
					if s.Routes[ri].Stops[i].Job == 0 {
						s.Routes[ri].Stops[i].Start = 150
					}
				}
			}
		}, "outside its time windows"},
		{"twice", func(s *Solution) {
			r := &s.Routes[0]
			r.Stops = append(r.Stops, r.Stops[0])
		}, "served twice"},
		{"missing", func(s *Solution) {
			r := &s.Routes[len(s.Routes)-1]
			r.Stops = r.Stops[:len(r.Stops)-1]
		}, "neither served nor listed"},
		{"dropped mandatory", func(s *Solution) {
			r := &s.Routes[len(s.Routes)-1]
			s.Unassigned = append(s.Unassigned, r.Stops[len(r.Stops)-1].Job)
			r.Stops = r.Stops[:len(r.Stops)-1]
		}, "mandatory but not served"},
		{"distance", func(s *Solution) { s.Distance += 1 }, "stated total distance"},
		{"travel", func(s *Solution) {
			st := &s.Routes[0].Stops[0]
			st.Arrival, st.Start = 0, math.Max(0, p.Jobs[st.Job].Windows[0].Start)
		}, "sooner than travel allows"},
		{"capacity", func(s *Solution) {
			var all []Stop
			for _, r := range s.Routes {
				all = append(all, r.Stops...)
			}
			s.Routes = s.Routes[:1]
			s.Routes[0].Stops = all
		}, "over capacity"},
	}
	for _, c := range cases {
		s := clone()
		c.corrupt(s)
		_, err := Evaluate(p, s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Evaluate = %v, want an error with %q", c.name, err, c.want)
		}
	}
	// Break checks on a day.
	rng := rand.New(rand.NewSource(1))
	dp := dayProblem(rng, 10, false)
	ds := mustSolve(t, dp, Options{})
	ds.Routes[0].BreakStart = 14 * 3600
	if _, err := Evaluate(dp, ds); err == nil || !strings.Contains(err.Error(), "break starts at") {
		t.Errorf("break outside its window: Evaluate = %v", err)
	}
}

func TestInstanceJSON(t *testing.T) {
	const doc = `{"jobs":[
	  {"id":1,"lon":-104.99,"lat":39.74,"service_minutes":30,"windows":[["14:00","17:00"]]},
	  {"id":2,"lon":-105.02,"lat":39.70,"service_minutes":30,"priority":2,"optional":true},
	  {"id":3,"lon":-104.90,"lat":39.80,"service_minutes":45,"windows":[["13:00","15:00"],["16:00","17:00"]]}],
	 "vehicles":[{"id":7,"start":{"lon":-105.0,"lat":39.75},"end":{"lon":-105.0,"lat":39.75},
	  "shift":["08:00","18:00"],"break":{"earliest":"12:00","latest":"13:30","minutes":45},"max_stops":8,"locked":[3]}]}`
	in, err := ReadInstance(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	p, err := in.Problem()
	if err != nil {
		t.Fatal(err)
	}
	if p.Jobs[0].Windows[0] != (Window{14 * 3600, 17 * 3600}) || p.Vehicles[0].Break.Duration != 45*60 || p.Vehicles[0].Prefix[0] != 2 {
		t.Fatalf("problem = %+v", p)
	}
	s := mustSolve(t, p, Options{})
	if s.Routes[0].Stops[0].Job != 2 {
		t.Errorf("locked job 3 not first: %+v", s.Routes[0].Stops)
	}
	for _, bad := range []struct{ doc, want string }{
		{`{"jobs":[{"id":1,"lon":200,"lat":0}],"vehicles":[{"id":1}]}`, "jobs[0] (id 1): longitude 200"},
		{`{"jobs":[{"id":1,"lon":0,"lat":0,"windows":[["9am","10:00"]]}],"vehicles":[{"id":1}]}`, "windows[0] start"},
		{`{"jobs":[],"vehicles":[{"id":1,"locked":[4]}]}`, "locked job id 4"},
		{`{"jobs":[],"vehicles":[{"id":1,"shift":["18:00","08:00"]}]}`, "shift ends before it starts"},
		{`{"jobs":[],"vehicles":[]}`, "at least one vehicle"},
	} {
		in, err := ReadInstance(strings.NewReader(bad.doc))
		if err == nil {
			_, err = in.Problem()
		}
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v, want %q", bad.doc, err, bad.want)
		}
	}
}

func TestGreatCircle(t *testing.T) {
	m := GreatCircle(nil, 0, 0)
	if m.N != 0 {
		t.Fatal("empty")
	}
	// One degree of latitude is about 111.2 km; at 1.3 detour and 40 km/h.
	m = GreatCircle([]geo.Point{{Lon: 0, Lat: 0}, {Lon: 0, Lat: 1}}, 0, 0)
	if d := m.Dist[1]; math.Abs(d-1.3*111195) > 100 {
		t.Errorf("distance %v", d)
	}
	if tt := m.Time[1]; math.Abs(tt-m.Dist[1]/(40000.0/3600)) > 1e-6 {
		t.Errorf("time %v", tt)
	}
}

func TestDeterministicForSeed(t *testing.T) {
	p, err := ReadSolomon(strings.NewReader(smallSolomon))
	if err != nil {
		t.Fatal(err)
	}
	a := mustSolve(t, p, Options{Seed: 9})
	b := mustSolve(t, p, Options{Seed: 9})
	if fmt.Sprint(a.Routes) != fmt.Sprint(b.Routes) {
		t.Errorf("same seed, different answers")
	}
}
