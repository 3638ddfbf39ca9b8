package routing

import (
	"context"
	"sort"
	"time"
)

// exactMaxJobs is the largest single-vehicle problem solved exactly.
const exactMaxJobs = 12

func solve(ctx context.Context, p *Problem, o Options) (*Solution, error) {
	if err := validate(p); err != nil {
		return nil, err
	}
	md := newModel(p)
	if len(p.Vehicles) == 1 && len(p.Jobs) <= exactMaxJobs {
		if s, ok := solveExact(md); ok {
			return s, nil
		}
	}
	se := newSearch(md, o.Seed)
	start := time.Now()
	ck := func(share float64) *clock {
		c := &clock{start: time.Now(), stopped: func() bool { return ctx.Err() != nil }}
		if o.TimeLimit > 0 {
			total := start.Add(o.TimeLimit)
			c.deadline = c.start.Add(time.Duration(share * float64(total.Sub(c.start))))
		} else {
			c.maxIter = int(share * float64(defaultIterations(md.n)))
		}
		return c
	}
	s := se.emptySol()
	se.recreate(s, 0)
	if o.Objective == MinVehicles {
		s = se.minimiseFleet(s, ck(0.6))
	}
	s = se.anneal(s, ck(1), saStart*md.scale, saEnd*md.scale)
	return md.solution(s), nil
}

// Simulated annealing temperatures, as shares of the mean distance between
// stops.
var (
	saStart = 0.3
	saEnd   = 0.005
)

// defaultIterations is the ruin-and-recreate budget when no time limit is
// given.
func defaultIterations(n int) int {
	return 1000 + 40*n
}

// solution turns the search's routes into the caller's Solution.
func (md *model) solution(s *sol) *Solution {
	out := &Solution{}
	for v, r := range s.routes {
		if len(r.jobs) == 0 {
			continue
		}
		var rt Route
		md.schedule(v, r.jobs, &rt)
		if rt.Stops == nil { // infeasible (a locked prefix that cannot be kept): report it anyway
			rt = md.forceRoute(v, r.jobs)
		}
		out.Routes = append(out.Routes, rt)
		out.Distance += rt.Distance
		out.Cost += rt.Distance + md.fixed[v]
	}
	out.Unassigned = append([]int{}, s.un...)
	sort.Ints(out.Unassigned)
	for _, j := range out.Unassigned {
		out.Cost += md.penalty[j]
	}
	return out
}

// forceRoute schedules jobs on v ignoring infeasibility (the evaluator will
// say what is wrong).
func (md *model) forceRoute(v int, jobs []int) Route {
	rt := Route{Vehicle: v, BreakStart: -1}
	t := md.p.Vehicles[v].ShiftStart
	rt.Start = t
	prev := md.start(v)
	for _, x := range jobs {
		arr := t + md.t(prev, x)
		st, ok := md.windowStart(x, arr)
		if !ok {
			st = arr
		}
		rt.Distance += md.d(prev, x)
		t = st + md.service[x]
		rt.Stops = append(rt.Stops, Stop{Job: x, Arrival: arr, Start: st, Departure: t})
		prev = x
	}
	rt.Distance += md.d(prev, md.end(v))
	rt.End = t + md.t(prev, md.end(v))
	rt.Duration = rt.End - rt.Start
	return rt
}
