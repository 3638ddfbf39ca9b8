package routing

import "math"

// windowStart returns when service at job x can start if the rep arrives
// at arr: the arrival, or the start of the first window still open.
func (md *model) windowStart(x int, arr float64) (float64, bool) {
	if x >= md.n {
		return arr, true
	}
	ws := md.p.Jobs[x].Windows
	if len(ws) == 0 {
		return arr, true
	}
	for _, w := range ws {
		if arr <= w.End+eps {
			return fmax(arr, w.Start), true
		}
	}
	return 0, false
}

// pass runs the earliest schedule of seq on vehicle v with the break taken
// between stop k-1 and stop k (k = -1: no break; k = len(seq): after the
// last stop). It returns the arrival at the end, the distance, and whether
// every constraint holds. When out is non-nil it records the schedule.
func (md *model) pass(v int, seq []int, k int, out *Route) (end, dist float64, ok bool) {
	veh := &md.p.Vehicles[v]
	s, e := md.start(v), md.end(v)
	t := veh.ShiftStart
	prev := s
	travel := 0.0
	load := 0
	L := len(seq)
	if out != nil {
		out.Stops = out.Stops[:0]
		out.BreakStart, out.BreakAfter = -1, 0
		out.Start = t
	}
	for i := 0; i <= L; i++ {
		x := e
		if i < L {
			x = seq[i]
		}
		tr := md.t(prev, x)
		arr := t + tr
		if i == k {
			b := veh.Break
			bs := fmax(t, b.Earliest)
			if bs > b.Latest+eps {
				return 0, 0, false
			}
			arr = fmax(arr, bs) + b.Duration
			if out != nil {
				out.BreakStart, out.BreakAfter = bs, i
			}
		}
		travel += tr
		dist += md.d(prev, x)
		if i == L {
			if arr > md.late[e]+eps {
				return 0, 0, false
			}
			end = arr
			break
		}
		st, okw := md.windowStart(x, arr)
		if !okw {
			return 0, 0, false
		}
		load += md.demand[x]
		t = st + md.service[x]
		if out != nil {
			out.Stops = append(out.Stops, Stop{Job: x, Arrival: arr, Start: st, Departure: t})
		}
		prev = x
	}
	if load > md.capa[v] || L > md.maxStops[v] || travel > md.maxTT[v]+eps {
		return 0, 0, false
	}
	return end, dist, true
}

// latestArrival is the latest arrival at job x that still lets service
// start by limit (the latest start the rest of the route allows); waiting
// is allowed, so every earlier arrival works too.
func (md *model) latestArrival(x int, limit float64) float64 {
	ws := md.p.Jobs[x].Windows
	if len(ws) == 0 {
		return limit
	}
	for i := len(ws) - 1; i >= 0; i-- {
		if ws[i].Start <= limit+eps {
			return fmin(limit, ws[i].End)
		}
	}
	return math.Inf(-1)
}

// feasible checks seq on vehicle v in O(len(seq)): an earliest pass
// without the break, then latest arrivals backwards, and a break fits
// between stop k-1 and k when the delay it causes keeps the arrival at k
// no later than its latest arrival.
func (md *model) feasible(v int, seq []int, dep, la []float64) (float64, bool) {
	veh := &md.p.Vehicles[v]
	s, e := md.start(v), md.end(v)
	L := len(seq)
	t := veh.ShiftStart
	prev := s
	travel, dist, load := 0.0, 0.0, 0
	dep = append(dep[:0], t)
	for i := 0; i <= L; i++ {
		x := e
		if i < L {
			x = seq[i]
		}
		tr := md.t(prev, x)
		arr := t + tr
		travel += tr
		dist += md.d(prev, x)
		if i == L {
			if arr > md.late[e]+eps {
				return 0, false
			}
			t = arr
			break
		}
		st, ok := md.windowStart(x, arr)
		if !ok {
			return 0, false
		}
		load += md.demand[x]
		t = st + md.service[x]
		dep = append(dep, t)
		prev = x
	}
	if load > md.capa[v] || L > md.maxStops[v] || travel > md.maxTT[v]+eps {
		return 0, false
	}
	b := veh.Break
	if b == nil || t <= b.Earliest+eps {
		return dist, true
	}
	// la[i]: latest arrival at stop i (i = L: the end).
	la = append(la[:0], make([]float64, L+1)...)
	la[L] = md.late[e]
	next := e
	for i := L - 1; i >= 0; i-- {
		x := seq[i]
		la[i] = md.latestArrival(x, la[i+1]-md.t(x, next)-md.service[x])
		next = x
	}
	prev = s
	for k := 0; k <= L; k++ {
		bs := fmax(dep[k], b.Earliest)
		if bs > b.Latest+eps {
			break // departures only get later
		}
		x := e
		if k < L {
			x = seq[k]
		}
		arr := fmax(dep[k]+md.t(prev, x), bs) + b.Duration
		if arr <= la[k]+eps {
			return dist, true
		}
		prev = x
	}
	return 0, false
}

// schedule checks seq on vehicle v, placing the break where the route ends
// earliest; it returns the distance and feasibility and, when out is
// non-nil, the schedule.
func (md *model) schedule(v int, seq []int, out *Route) (float64, bool) {
	if len(seq) == 0 {
		if out != nil {
			*out = Route{Vehicle: v, BreakStart: -1}
		}
		return 0, true
	}
	if out == nil {
		var dep, la [64]float64
		return md.feasible(v, seq, dep[:0], la[:0])
	}
	b := md.p.Vehicles[v].Break
	bestK, bestEnd, bestDist := -2, math.Inf(1), 0.0
	if end, dist, ok := md.pass(v, seq, -1, nil); ok && (b == nil || end <= b.Earliest+eps) {
		bestK, bestEnd, bestDist = -1, end, dist
	} else if b != nil {
		for k := 0; k <= len(seq); k++ {
			if end, dist, ok := md.pass(v, seq, k, nil); ok && end < bestEnd-eps {
				bestK, bestEnd, bestDist = k, end, dist
			}
		}
	}
	if bestK == -2 {
		return 0, false
	}
	if out != nil {
		out.Vehicle = v
		md.pass(v, seq, bestK, out)
		out.End = bestEnd
		out.Distance = bestDist
		// Leave as late as the first stop allows.
		if bestK != 0 && len(out.Stops) > 0 {
			tr := md.t(md.start(v), seq[0])
			dep := fmax(out.Start, out.Stops[0].Start-tr)
			out.Start = dep
			out.Stops[0].Arrival = dep + tr
		}
		out.Duration = out.End - out.Start
	}
	return bestDist, true
}
