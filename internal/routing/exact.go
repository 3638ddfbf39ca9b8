package routing

import (
	"math"
	"math/bits"
)

// solveExact solves a one-vehicle problem of at most exactMaxJobs jobs to
// optimality by dynamic programming over subsets: a state is (jobs served,
// last job, break taken), holding the Pareto set of labels (departure
// time, distance, driving time). Leaving a job out costs its penalty.
func solveExact(md *model) (*Solution, bool) {
	n := md.n
	if md.m != 1 || n > exactMaxJobs {
		return nil, false
	}
	const v = 0
	veh := &md.p.Vehicles[v]
	b := veh.Break
	prefix := veh.Prefix
	var prefMask uint32
	for _, j := range prefix {
		prefMask |= 1 << j
	}
	type label struct {
		t, dist, tt float64
		parent      int32 // index into labels, -1 for the start
		job         int8  // job reached
		brk         bool  // break taken
		brkBefore   bool  // the break was taken just before this job
	}
	labels := []label{{t: veh.ShiftStart, parent: -1, job: -1}}
	// states[(mask*n+last)*2+brk] lists label indexes.
	states := make(map[uint64][]int32)
	key := func(mask uint32, last int, brk bool) uint64 {
		k := uint64(mask)*uint64(n+1) + uint64(last+1)
		k *= 2
		if brk {
			k++
		}
		return k
	}
	dominated := func(list []int32, l label) bool {
		for _, i := range list {
			o := labels[i]
			if o.t <= l.t+eps && o.dist <= l.dist+eps && o.tt <= l.tt+eps {
				return true
			}
		}
		return false
	}
	add := func(mask uint32, last int, l label) {
		k := key(mask, last, l.brk)
		list := states[k]
		if dominated(list, l) {
			return
		}
		keep := list[:0]
		for _, i := range list {
			o := labels[i]
			if !(l.t <= o.t+eps && l.dist <= o.dist+eps && l.tt <= o.tt+eps) {
				keep = append(keep, i)
			}
		}
		labels = append(labels, l)
		states[k] = append(keep, int32(len(labels)-1))
	}
	demand := func(mask uint32) int {
		d := 0
		for m := mask; m != 0; m &= m - 1 {
			d += md.demand[bits.TrailingZeros32(m)]
		}
		return d
	}
	startNode := md.start(v)
	endNode := md.end(v)
	bestCost := math.Inf(1)
	bestLabel := int32(-1) // -1: the empty route
	pen := func(mask uint32) float64 {
		c := 0.0
		for j := 0; j < n; j++ {
			if mask&(1<<j) == 0 {
				c += md.penalty[j]
			}
		}
		return c
	}
	if prefMask == 0 {
		bestCost = pen(0)
	}
	// Masks in order of size so that every predecessor state is complete.
	byCount := make([][]uint32, n+1)
	for mask := uint32(0); mask < 1<<n; mask++ {
		byCount[bits.OnesCount32(mask)] = append(byCount[bits.OnesCount32(mask)], mask)
	}
	extend := func(from int32, a int, x int, takeBreak bool) (label, bool) {
		l := labels[from]
		tr := md.t(a, x)
		arr := l.t + tr
		nl := label{parent: from, job: int8(x), brk: l.brk, dist: l.dist + md.d(a, x), tt: l.tt + tr}
		if x == endNode {
			nl.job = -2
		}
		if takeBreak {
			bs := math.Max(l.t, b.Earliest)
			if bs > b.Latest+eps {
				return nl, false
			}
			arr = math.Max(arr, bs) + b.Duration
			nl.brk, nl.brkBefore = true, true
		}
		if nl.tt > md.maxTT[v]+eps {
			return nl, false
		}
		if x == endNode {
			if arr > md.late[endNode]+eps {
				return nl, false
			}
			nl.t = arr
			return nl, true
		}
		st, ok := md.windowStart(x, arr)
		if !ok {
			return nl, false
		}
		nl.t = st + md.service[x]
		return nl, true
	}
	for cnt := 0; cnt <= n; cnt++ {
		for _, mask := range byCount[cnt] {
			if demand(mask) > md.capa[v] || cnt > md.maxStops[v] {
				continue
			}
			lasts := []int{-1}
			if mask != 0 {
				lasts = lasts[:0]
				for m := mask; m != 0; m &= m - 1 {
					lasts = append(lasts, bits.TrailingZeros32(m))
				}
			}
			prefDone := bits.OnesCount32(mask&prefMask) == len(prefix)
			for _, last := range lasts {
				a := startNode
				if last >= 0 {
					a = last
				}
				for _, brk := range []bool{false, true} {
					var list []int32
					if mask == 0 {
						if brk {
							continue
						}
						list = []int32{0}
					} else {
						list = states[key(mask, last, brk)]
					}
					for _, li := range list {
						// Close the route here.
						if mask != 0 && prefDone {
							for _, tb := range []bool{false, true} {
								if tb && (b == nil || brk) {
									continue
								}
								nl, ok := extend(li, a, endNode, tb)
								if !ok || (b != nil && !nl.brk && nl.t > b.Earliest+eps) {
									continue
								}
								c := nl.dist + md.fixed[v] + pen(mask)
								if c < bestCost-eps {
									labels = append(labels, nl)
									bestCost, bestLabel = c, int32(len(labels)-1)
								}
							}
						}
						for x := 0; x < n; x++ {
							if mask&(1<<x) != 0 {
								continue
							}
							if !prefDone {
								if x != prefix[bits.OnesCount32(mask&prefMask)] {
									continue
								}
							} else if prefMask&(1<<x) != 0 {
								continue
							}
							for _, tb := range []bool{false, true} {
								if tb && (b == nil || brk) {
									continue
								}
								if nl, ok := extend(li, a, x, tb); ok {
									add(mask|1<<x, x, nl)
								}
							}
						}
					}
				}
			}
		}
	}
	if math.IsInf(bestCost, 1) {
		return nil, false
	}
	var seq []int
	for i := bestLabel; i > 0; i = labels[i].parent {
		if j := labels[i].job; j >= 0 {
			seq = append(seq, int(j))
		}
	}
	for i, k := 0, len(seq)-1; i < k; i, k = i+1, k-1 {
		seq[i], seq[k] = seq[k], seq[i]
	}
	se := newSearch(md, 0)
	s := se.emptySol()
	r := s.mut(v)
	r.jobs = append(r.jobs[:0], seq...)
	md.update(r)
	for j := range s.where {
		s.where[j] = -1
	}
	s.un = s.un[:0]
	in := make([]bool, n)
	for _, j := range seq {
		in[j] = true
		s.where[j] = v
	}
	for j := 0; j < n; j++ {
		if !in[j] {
			s.un = append(s.un, j)
		}
	}
	return md.solution(s), true
}
