package routing

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Report is what Evaluate finds in a solution.
type Report struct {
	Distance   float64 // recomputed from the matrix
	Cost       float64 // distance + fixed costs + penalties of left-out jobs
	Vehicles   int     // routes with at least one stop
	Served     int
	Unassigned int
	Violations []string // empty when the solution is feasible
}

// evalTol is the slack allowed on times and distances (rounding).
const evalTol = 1e-6

// Evaluate re-checks a solution against the problem on its own, without the
// solver's bookkeeping: every job served at most once and every mandatory
// job served, locked prefixes kept, the stated schedule consistent with the
// matrix (travel, waiting, service, windows, shift, break), capacities, stop
// and driving limits; it recomputes distances and cost. It returns an error
// listing the violations when there are any.
func Evaluate(p *Problem, s *Solution) (Report, error) {
	var rep Report
	if p == nil || s == nil {
		return rep, errors.New("routing: evaluate: nil problem or solution")
	}
	N := p.Matrix.N
	if len(p.Matrix.Dist) != N*N {
		return rep, errors.New("routing: evaluate: matrix size mismatch")
	}
	bad := func(format string, args ...any) {
		rep.Violations = append(rep.Violations, fmt.Sprintf(format, args...))
	}
	dist := func(a, b int) float64 {
		if a < 0 || b < 0 {
			return 0
		}
		return p.Matrix.Dist[a*N+b]
	}
	travel := func(a, b int) float64 {
		if a < 0 || b < 0 {
			return 0
		}
		if p.Matrix.Time == nil {
			return p.Matrix.Dist[a*N+b]
		}
		return p.Matrix.Time[a*N+b]
	}
	bigM := defaultBigM(p.Matrix)
	seen := make([]int, len(p.Jobs)) // 0 unseen, 1 served, 2 unassigned
	usedVeh := make(map[int]bool)
	for ri, r := range s.Routes {
		name := fmt.Sprintf("route %d", ri)
		if r.Vehicle < 0 || r.Vehicle >= len(p.Vehicles) {
			bad("%s: vehicle index %d outside Vehicles", name, r.Vehicle)
			continue
		}
		v := p.Vehicles[r.Vehicle]
		name = fmt.Sprintf("route %d (vehicle %d)", ri, v.ID)
		if usedVeh[r.Vehicle] {
			bad("%s: vehicle used by two routes", name)
		}
		usedVeh[r.Vehicle] = true
		if len(r.Stops) == 0 {
			continue
		}
		rep.Vehicles++
		rep.Cost += v.FixedCost
		for i, j := range v.Prefix {
			if i >= len(r.Stops) || r.Stops[i].Job != j {
				bad("%s: locked stop %d (job %d) not kept in place", name, i, j)
				break
			}
		}
		load := 0
		driving := 0.0
		rd := 0.0
		shiftEnd := v.ShiftEnd
		if shiftEnd == 0 {
			shiftEnd = math.Inf(1)
		}
		if r.Start < v.ShiftStart-evalTol {
			bad("%s: leaves at %v, before the shift starts at %v", name, r.Start, v.ShiftStart)
		}
		b := v.Break
		if b != nil && r.BreakStart >= 0 {
			if r.BreakAfter < 0 || r.BreakAfter > len(r.Stops) {
				bad("%s: break after %d stops, the route has %d", name, r.BreakAfter, len(r.Stops))
			}
			if r.BreakStart < b.Earliest-evalTol || r.BreakStart > b.Latest+evalTol {
				bad("%s: break starts at %v, outside [%v, %v]", name, r.BreakStart, b.Earliest, b.Latest)
			}
		} else if b != nil && r.End > b.Earliest+evalTol {
			bad("%s: no break planned although the route ends at %v, after the break's earliest start %v", name, r.End, b.Earliest)
		} else if b == nil && r.BreakStart >= 0 {
			bad("%s: a break is planned but the vehicle has none", name)
		}
		prevPlace, prevDep := v.Start, r.Start
		for i := 0; i <= len(r.Stops); i++ {
			place := v.End
			var st Stop
			if i < len(r.Stops) {
				st = r.Stops[i]
				if st.Job < 0 || st.Job >= len(p.Jobs) {
					bad("%s: stop %d: job index %d outside Jobs", name, i, st.Job)
					return rep, violations(rep)
				}
				place = p.Jobs[st.Job].Loc
			}
			tr := travel(prevPlace, place)
			driving += tr
			rd += dist(prevPlace, place)
			earliest := prevDep + tr
			if b != nil && r.BreakStart >= 0 && r.BreakAfter == i {
				if r.BreakStart < prevDep-evalTol {
					bad("%s: break starts at %v, before leaving stop %d at %v", name, r.BreakStart, i, prevDep)
				}
				earliest = math.Max(earliest, r.BreakStart) + b.Duration
			}
			if i == len(r.Stops) {
				if r.End < earliest-evalTol {
					bad("%s: returns at %v, sooner than travel allows (%v)", name, r.End, earliest)
				}
				if r.End > shiftEnd+evalTol {
					bad("%s: returns at %v, after the shift ends at %v", name, r.End, shiftEnd)
				}
				break
			}
			j := p.Jobs[st.Job]
			what := fmt.Sprintf("%s: stop %d (job %d)", name, i, j.ID)
			switch seen[st.Job] {
			case 1:
				bad("%s: job served twice", what)
			}
			seen[st.Job] = 1
			rep.Served++
			if st.Arrival < earliest-evalTol {
				bad("%s: arrives at %v, sooner than travel allows (%v)", what, st.Arrival, earliest)
			}
			if st.Start < st.Arrival-evalTol {
				bad("%s: service starts at %v, before arrival at %v", what, st.Start, st.Arrival)
			}
			if len(j.Windows) > 0 {
				in := false
				for _, w := range j.Windows {
					if st.Start >= w.Start-evalTol && st.Start <= w.End+evalTol {
						in = true
					}
				}
				if !in {
					bad("%s: service starts at %v, outside its time windows %v", what, st.Start, j.Windows)
				}
			}
			if st.Departure < st.Start+j.Service-evalTol {
				bad("%s: leaves at %v, before its %v of service end", what, st.Departure, j.Service)
			}
			load += j.Demand
			prevPlace, prevDep = j.Loc, st.Departure
		}
		if v.Capacity > 0 && load > v.Capacity {
			bad("%s: load %d over capacity %d", name, load, v.Capacity)
		}
		if v.MaxStops > 0 && len(r.Stops) > v.MaxStops {
			bad("%s: %d stops, over the limit of %d", name, len(r.Stops), v.MaxStops)
		}
		if v.MaxTravel > 0 && driving > v.MaxTravel+evalTol {
			bad("%s: %v of driving, over the limit of %v", name, driving, v.MaxTravel)
		}
		if math.Abs(rd-r.Distance) > evalTol*math.Max(1, rd) {
			bad("%s: stated distance %v, recomputed %v", name, r.Distance, rd)
		}
		rep.Distance += rd
	}
	for vi, v := range p.Vehicles {
		if len(v.Prefix) > 0 && !usedVeh[vi] {
			bad("vehicle %d: its locked stops are not planned", v.ID)
		}
	}
	for _, j := range s.Unassigned {
		if j < 0 || j >= len(p.Jobs) {
			bad("unassigned job index %d outside Jobs", j)
			continue
		}
		if seen[j] != 0 {
			bad("job %d is both served and listed as unassigned (or listed twice)", p.Jobs[j].ID)
		}
		seen[j] = 2
	}
	for i, j := range p.Jobs {
		switch seen[i] {
		case 0:
			bad("job %d is neither served nor listed as unassigned", j.ID)
		case 2:
			rep.Unassigned++
			rep.Cost += jobPenalty(j, bigM)
			if !j.Optional {
				bad("job %d is mandatory but not served", j.ID)
			}
		}
	}
	rep.Cost += rep.Distance
	if math.Abs(rep.Distance-s.Distance) > evalTol*math.Max(1, rep.Distance) {
		bad("stated total distance %v, recomputed %v", s.Distance, rep.Distance)
	}
	return rep, violations(rep)
}

func violations(rep Report) error {
	if len(rep.Violations) == 0 {
		return nil
	}
	msg := rep.Violations
	more := ""
	if len(msg) > 10 {
		more = fmt.Sprintf(" (and %d more)", len(msg)-10)
		msg = msg[:10]
	}
	return fmt.Errorf("routing: infeasible solution: %s%s", strings.Join(msg, "; "), more)
}
