package routing

import (
	"math"
	"sort"
	"time"
)

// Ruin and recreate after Christiaens & Vanden Berghe, "Slack Induction by
// String Removals for Vehicle Routing Problems" (Transportation Science,
// 2020): remove a few strings of consecutive stops from routes near a seed
// stop, then put every removed stop back at its cheapest place, skipping
// each candidate place with a small probability ("blinks").

// lsOnBest: run the local search on every new best solution.
var lsOnBest = true

const (
	sisrCbar  = 10.0 // mean number of stops removed
	sisrLmax  = 10.0 // longest string removed
	sisrAlpha = 0.5  // probability of a split string
	sisrBeta  = 0.01 // split depth
	sisrBlink = 0.01
)

// ruin removes strings of stops from s and returns how many it removed.
func (se *search) ruin(s *sol) int {
	md := se.md
	assigned, used := 0, 0
	for _, r := range s.routes {
		if n := len(r.jobs) - r.lock; n > 0 {
			assigned += n
			used++
		}
	}
	if assigned == 0 {
		return 0
	}
	lsMax := math.Min(sisrLmax, float64(assigned)/float64(used))
	ksMax := 4*sisrCbar/(1+lsMax) - 1
	ks := int(1 + se.rng.float()*ksMax)
	if ks < 1 {
		ks = 1
	}
	seed := se.rng.intn(md.n)
	ruined := make([]bool, md.m)
	var removed []int
	nr := 0
	try := func(c int) {
		v := s.where[c]
		if v < 0 || md.locked[c] || ruined[v] {
			return
		}
		ruined[v] = true
		nr++
		r := s.routes[v]
		movable := len(r.jobs) - r.lock
		ltMax := math.Min(float64(movable), lsMax)
		lt := int(1 + se.rng.float()*ltMax)
		if lt > movable {
			lt = movable
		}
		p := -1
		for i, y := range r.jobs {
			if y == c {
				p = i
				break
			}
		}
		if lt < movable && se.rng.float() < sisrAlpha {
			// Split string: a string of lt+m stops around c of which m
			// consecutive ones stay.
			m := 1
			for lt+m < movable && se.rng.float() > sisrBeta {
				m++
			}
			total := lt + m
			lo := max(r.lock, p-total+1)
			hi := min(p, len(r.jobs)-total)
			st := lo + se.rng.intn(hi-lo+1)
			keep := st + se.rng.intn(lt+1) // first kept position
			for i := st; i < st+total; i++ {
				if i < keep || i >= keep+m {
					removed = append(removed, r.jobs[i])
				}
			}
			return
		}
		lo := max(r.lock, p-lt+1)
		hi := min(p, len(r.jobs)-lt)
		st := lo + se.rng.intn(hi-lo+1)
		removed = append(removed, r.jobs[st:st+lt]...)
	}
	try(seed)
	for _, c := range md.neigh[seed] {
		if nr >= ks {
			break
		}
		try(c)
	}
	se.removeJobs(s, removed)
	return len(removed)
}

// recreate puts the unassigned stops of s back, in one of SISR's orders.
func (se *search) recreate(s *sol, blink float64) {
	md := se.md
	un := s.un
	for i := len(un) - 1; i > 0; i-- {
		j := se.rng.intn(i + 1)
		un[i], un[j] = un[j], un[i]
	}
	depot := md.start(0)
	switch w := se.rng.intn(11); {
	case w < 4: // random
	case w < 8: // demand, largest first
		sort.SliceStable(un, func(a, b int) bool { return md.demand[un[a]] > md.demand[un[b]] })
	case w < 10: // far from the depot first
		sort.SliceStable(un, func(a, b int) bool { return md.d(depot, un[a]) > md.d(depot, un[b]) })
	default: // close to the depot first
		sort.SliceStable(un, func(a, b int) bool { return md.d(depot, un[a]) < md.d(depot, un[b]) })
	}
	// Higher penalties (mandatory, then higher priority) go in first.
	sort.SliceStable(un, func(a, b int) bool { return md.penalty[un[a]] > md.penalty[un[b]] })
	left := un[:0:0]
	for _, x := range un {
		v, k, delta := se.bestInsertion(s, x, blink)
		if v < 0 || (md.p.Jobs[x].Optional && delta >= md.penalty[x]) {
			left = append(left, x)
			continue
		}
		se.insert(s, x, v, k)
	}
	s.un = left
}

// clock decides when a phase stops and how far along it is.
type clock struct {
	start    time.Time
	deadline time.Time // zero: none
	maxIter  int       // 0: none
	iter     int
	stopped  func() bool
}

func (c *clock) done() bool {
	if c.maxIter > 0 && c.iter >= c.maxIter {
		return true
	}
	if c.iter&7 == 0 {
		if c.stopped != nil && c.stopped() {
			return true
		}
		if !c.deadline.IsZero() && time.Now().After(c.deadline) {
			return true
		}
	}
	return false
}

// frac is the share of the budget used, in [0, 1].
func (c *clock) frac() float64 {
	f := 0.0
	if c.maxIter > 0 {
		f = float64(c.iter) / float64(c.maxIter)
	}
	if !c.deadline.IsZero() {
		tot := c.deadline.Sub(c.start)
		if tot > 0 {
			f = math.Max(f, float64(time.Since(c.start))/float64(tot))
		}
	}
	return math.Min(f, 1)
}

// anneal runs ruin and recreate from s with simulated annealing acceptance
// until the clock runs out and returns the best solution seen.
func (se *search) anneal(s *sol, ck *clock, t0, tf float64) *sol {
	if lsOnBest {
		se.localSearch(s)
	}
	cur, curCost := s, se.cost(s)
	best, bestCost := cur, curCost
	for ; !ck.done(); ck.iter++ {
		T := t0 * math.Pow(tf/t0, ck.frac())
		c := se.clone(cur)
		se.ruin(c)
		se.recreate(c, sisrBlink)
		cc := se.cost(c)
		if cc < curCost-T*math.Log(1-se.rng.float()) {
			if cc < bestCost-1e-9 && lsOnBest {
				se.localSearch(c)
				cc = se.cost(c)
			}
			cur, curCost = c, cc
			if cc < bestCost-1e-9 {
				best, bestCost = c, cc
			}
		}
	}
	return best
}

// minimiseFleet tries to serve every job of s with one vehicle fewer at a
// time (SISR's fleet minimisation: remove a route, then ruin and recreate
// with a preference for solutions that leave out fewer, less often absent
// jobs). It returns the solution with the fewest vehicles that serves as
// many jobs as s.
func (se *search) minimiseFleet(s *sol, ck *clock) *sol {
	md := se.md
	best := s
	target := len(s.un)
	abs := make([]int, md.n)
	sumAbs := func(x *sol) int {
		t := 0
		for _, j := range x.un {
			t += abs[j]
		}
		return t
	}
	for !ck.done() {
		k := best.used()
		if k <= 1 {
			break
		}
		// Remove the route with the fewest movable stops.
		cur := se.clone(best)
		rv, rl := -1, math.MaxInt
		for v, r := range cur.routes {
			if n := len(r.jobs); n > 0 && r.lock == 0 && n < rl {
				rv, rl = v, n
			}
		}
		if rv < 0 {
			break
		}
		se.removeJobs(cur, append([]int(nil), cur.routes[rv].jobs...))
		se.maxUsed = k - 1
		se.recreate(cur, 0)
		found := false
		for ; !ck.done(); ck.iter++ {
			if len(cur.un) <= target {
				found = true
				break
			}
			c := se.clone(cur)
			se.ruin(c)
			se.recreate(c, sisrBlink)
			if len(c.un) < len(cur.un) || sumAbs(c) < sumAbs(cur) {
				cur = c
			}
			for _, j := range cur.un {
				abs[j]++
			}
		}
		if !found && len(cur.un) > target {
			break
		}
		best = cur
	}
	se.maxUsed = best.used()
	return best
}
