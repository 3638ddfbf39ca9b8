package routing

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// This file holds the solver's own view of a Problem: a dense travel matrix
// with a "nowhere" place for vehicles without a start or end, per-node
// windows, and the route bookkeeping (time-window segments after Vidal et
// al. 2013) that makes most feasibility checks O(1).

const (
	eps     = 1e-6
	farTime = 1e9 // an open window bound, in seconds (about 31 years)
)

// model is the preprocessed problem shared by every search component.
type model struct {
	p    *Problem
	n, m int
	w    int       // matrix width: p.Matrix.N plus the nowhere place
	dist []float64 // w*w
	tt   []float64 // w*w travel times

	// Nodes 0..n-1 are jobs; n+2v is vehicle v's start and n+2v+1 its end.
	loc     []int
	early   []float64 // single-window view of each node (simple mode)
	late    []float64
	service []float64
	demand  []int

	simple   bool // every job has at most one window and no vehicle has a break
	penalty  []float64
	bigM     float64 // unit of the default penalties
	locked   []bool  // job is part of some vehicle's Prefix
	neigh    [][]int // jobs sorted by distance from each job
	scale    float64 // mean distance between job places
	vsig     []int   // vehicles with the same signature share a value
	fixed    []float64
	vehCost  float64 // extra cost per used vehicle (MinVehicles)
	maxStops []int
	capa     []int
	maxTT    []float64
}

func (md *model) start(v int) int { return md.n + 2*v }
func (md *model) end(v int) int   { return md.n + 2*v + 1 }

func (md *model) d(a, b int) float64 { return md.dist[md.loc[a]*md.w+md.loc[b]] }
func (md *model) t(a, b int) float64 { return md.tt[md.loc[a]*md.w+md.loc[b]] }

// validate checks the problem's shape and names the offending field.
func validate(p *Problem) error {
	if p == nil {
		return errors.New("routing: nil problem")
	}
	mx := p.Matrix
	if mx.N < 0 || len(mx.Dist) != mx.N*mx.N {
		return fmt.Errorf("routing: matrix: Dist has %d entries, want N*N = %d", len(mx.Dist), mx.N*mx.N)
	}
	if mx.Time != nil && len(mx.Time) != mx.N*mx.N {
		return fmt.Errorf("routing: matrix: Time has %d entries, want N*N = %d", len(mx.Time), mx.N*mx.N)
	}
	for i, x := range mx.Dist {
		if math.IsNaN(x) || x < 0 {
			return fmt.Errorf("routing: matrix: Dist[%d] = %v, want a non-negative number", i, x)
		}
	}
	if len(p.Vehicles) == 0 && len(p.Jobs) > 0 {
		return errors.New("routing: no vehicles")
	}
	for i, j := range p.Jobs {
		if j.Loc < 0 || j.Loc >= mx.N {
			return fmt.Errorf("routing: job %d (id %d): Loc %d outside the matrix (N = %d)", i, j.ID, j.Loc, mx.N)
		}
		if j.Service < 0 {
			return fmt.Errorf("routing: job %d (id %d): negative Service", i, j.ID)
		}
		for k, w := range j.Windows {
			if w.End < w.Start {
				return fmt.Errorf("routing: job %d (id %d): window %d ends before it starts", i, j.ID, k)
			}
			if k > 0 && w.Start < j.Windows[k-1].End {
				return fmt.Errorf("routing: job %d (id %d): windows must be sorted and disjoint", i, j.ID)
			}
		}
	}
	inPrefix := make(map[int]int)
	for vi, v := range p.Vehicles {
		if v.Start < -1 || v.Start >= mx.N || v.End < -1 || v.End >= mx.N {
			return fmt.Errorf("routing: vehicle %d (id %d): Start/End outside the matrix", vi, v.ID)
		}
		if v.ShiftEnd != 0 && v.ShiftEnd < v.ShiftStart {
			return fmt.Errorf("routing: vehicle %d (id %d): ShiftEnd before ShiftStart", vi, v.ID)
		}
		if b := v.Break; b != nil && (b.Latest < b.Earliest || b.Duration < 0) {
			return fmt.Errorf("routing: vehicle %d (id %d): break window is empty or its duration negative", vi, v.ID)
		}
		for _, j := range v.Prefix {
			if j < 0 || j >= len(p.Jobs) {
				return fmt.Errorf("routing: vehicle %d (id %d): Prefix holds job index %d, outside Jobs", vi, v.ID, j)
			}
			if o, dup := inPrefix[j]; dup {
				return fmt.Errorf("routing: job %d is locked in the prefix of vehicles %d and %d", j, o, vi)
			}
			inPrefix[j] = vi
		}
	}
	return nil
}

// defaultBigM is the unit of default penalties: ten times the longest finite
// distance, so that leaving out a job never pays for itself in distance.
func defaultBigM(mx Matrix) float64 {
	mx2 := 0.0
	for _, x := range mx.Dist {
		if x > mx2 && x < 1e15 {
			mx2 = x
		}
	}
	if mx2 == 0 {
		mx2 = 1
	}
	return 10 * mx2
}

// jobPenalty is the cost of leaving job j out: its Penalty, or a default
// from its priority; mandatory jobs cost a hundred times more.
func jobPenalty(j Job, bigM float64) float64 {
	if !j.Optional {
		return 100 * bigM * float64(1+max(j.Priority, 0))
	}
	if j.Penalty > 0 {
		return j.Penalty
	}
	return bigM * float64(1+max(j.Priority, 0))
}

func newModel(p *Problem) *model {
	n, m := len(p.Jobs), len(p.Vehicles)
	N := p.Matrix.N
	w := N + 1
	md := &model{p: p, n: n, m: m, w: w}
	md.dist = make([]float64, w*w)
	md.tt = make([]float64, w*w)
	for i := 0; i < N; i++ {
		copy(md.dist[i*w:i*w+N], p.Matrix.Dist[i*N:(i+1)*N])
		if p.Matrix.Time != nil {
			copy(md.tt[i*w:i*w+N], p.Matrix.Time[i*N:(i+1)*N])
		} else {
			copy(md.tt[i*w:i*w+N], p.Matrix.Dist[i*N:(i+1)*N])
		}
	}
	nodes := n + 2*m
	md.loc = make([]int, nodes)
	md.early = make([]float64, nodes)
	md.late = make([]float64, nodes)
	md.service = make([]float64, nodes)
	md.demand = make([]int, nodes)
	md.penalty = make([]float64, n)
	md.locked = make([]bool, n)
	md.bigM = defaultBigM(p.Matrix)
	md.simple = true
	for i, j := range p.Jobs {
		md.loc[i] = j.Loc
		md.service[i] = j.Service
		md.demand[i] = j.Demand
		md.early[i], md.late[i] = -farTime, farTime
		switch len(j.Windows) {
		case 0:
		case 1:
			md.early[i], md.late[i] = j.Windows[0].Start, j.Windows[0].End
		default:
			md.simple = false
			md.early[i], md.late[i] = j.Windows[0].Start, j.Windows[len(j.Windows)-1].End
		}
		md.penalty[i] = jobPenalty(j, md.bigM)
	}
	md.fixed = make([]float64, m)
	md.maxStops = make([]int, m)
	md.capa = make([]int, m)
	md.maxTT = make([]float64, m)
	md.vsig = make([]int, m)
	sigs := map[string]int{}
	for vi, v := range p.Vehicles {
		s, e := md.start(vi), md.end(vi)
		md.loc[s], md.loc[e] = v.Start, v.End
		if v.Start < 0 {
			md.loc[s] = N
		}
		if v.End < 0 {
			md.loc[e] = N
		}
		hi := v.ShiftEnd
		if hi == 0 {
			hi = farTime
		}
		md.early[s], md.late[s] = v.ShiftStart, hi
		md.early[e], md.late[e] = v.ShiftStart, hi
		if v.Break != nil {
			md.simple = false
		}
		md.fixed[vi] = v.FixedCost
		md.maxStops[vi] = v.MaxStops
		if md.maxStops[vi] <= 0 {
			md.maxStops[vi] = math.MaxInt32
		}
		md.capa[vi] = v.Capacity
		if md.capa[vi] <= 0 {
			md.capa[vi] = math.MaxInt32
		}
		md.maxTT[vi] = v.MaxTravel
		if md.maxTT[vi] <= 0 {
			md.maxTT[vi] = math.Inf(1)
		}
		for _, j := range v.Prefix {
			md.locked[j] = true
		}
		var key string
		if v.Break != nil {
			b := *v.Break
			key = fmt.Sprintf("%d|%d|%v|%v|%d|%d|%v|%v|%v", v.Start, v.End, v.ShiftStart, v.ShiftEnd, v.Capacity, v.MaxStops, v.MaxTravel, v.FixedCost, b)
		} else {
			key = fmt.Sprintf("%d|%d|%v|%v|%d|%d|%v|%v", v.Start, v.End, v.ShiftStart, v.ShiftEnd, v.Capacity, v.MaxStops, v.MaxTravel, v.FixedCost)
		}
		if len(v.Prefix) > 0 {
			key = fmt.Sprintf("prefix %d", vi)
		}
		if id, ok := sigs[key]; ok {
			md.vsig[vi] = id
		} else {
			sigs[key] = len(sigs)
			md.vsig[vi] = sigs[key]
		}
	}
	// Neighbours by distance (symmetrised), for the ruin step.
	md.neigh = make([][]int, n)
	sum, cnt := 0.0, 0
	for i := 0; i < n; i++ {
		nb := make([]int, 0, n-1)
		for j := 0; j < n; j++ {
			if j != i {
				nb = append(nb, j)
				sum += md.d(i, j)
				cnt++
			}
		}
		sort.SliceStable(nb, func(a, b int) bool {
			return md.d(i, nb[a])+md.d(nb[a], i) < md.d(i, nb[b])+md.d(nb[b], i)
		})
		md.neigh[i] = nb
	}
	md.scale = 1
	if cnt > 0 && sum > 0 {
		md.scale = sum / float64(cnt)
	}
	return md
}

// seg summarises a sequence of nodes for O(1) concatenation: duration,
// time warp (zero when feasible), earliest and latest start of its first
// node, distance, travel time, load and job count.
type seg struct {
	first, last int // -1: the empty sequence
	dur, tw     float64
	e, l        float64
	dist, tt    float64
	load, cnt   int
}

var emptySeg = seg{first: -1, last: -1}

func (md *model) node(x int) seg {
	s := seg{first: x, last: x, dur: md.service[x], e: md.early[x], l: md.late[x], load: md.demand[x]}
	if x < md.n {
		s.cnt = 1
	}
	return s
}

func (md *model) cat(a, b seg) seg {
	if a.first < 0 {
		return b
	}
	if b.first < 0 {
		return a
	}
	t := md.t(a.last, b.first)
	delta := a.dur - a.tw + t
	dwt := fmax(b.e-delta-a.l, 0)
	dtw := fmax(a.e+delta-b.l, 0)
	return seg{
		first: a.first, last: b.last,
		dur:  a.dur + b.dur + t + dwt,
		tw:   a.tw + b.tw + dtw,
		e:    fmax(b.e-delta, a.e) - dwt,
		l:    fmin(b.l-delta, a.l) + dtw,
		dist: a.dist + b.dist + md.d(a.last, b.first),
		tt:   a.tt + b.tt + t,
		load: a.load + b.load,
		cnt:  a.cnt + b.cnt,
	}
}

// ok reports whether a whole route summary (start … end of vehicle v) meets
// the vehicle's limits.
func (md *model) ok(v int, s seg) bool {
	return s.tw <= eps && s.load <= md.capa[v] && s.cnt <= md.maxStops[v] && s.tt <= md.maxTT[v]+eps
}

// route is one vehicle's sequence of jobs with its cached summaries.
type route struct {
	v    int
	jobs []int
	lock int // leading jobs that may not move (the vehicle's Prefix)
	gen  int
	fwd  []seg // fwd[k]: start depot then jobs[:k]
	bwd  []seg // bwd[k]: jobs[k:] then the end depot
	dist float64
	load int
}

func (r *route) clone(gen int) *route {
	c := &route{v: r.v, lock: r.lock, gen: gen, dist: r.dist, load: r.load}
	c.jobs = append(make([]int, 0, len(r.jobs)+4), r.jobs...)
	c.fwd = append(make([]seg, 0, len(r.fwd)+4), r.fwd...)
	c.bwd = append(make([]seg, 0, len(r.bwd)+4), r.bwd...)
	return c
}

// update recomputes r's summaries after its jobs changed.
func (md *model) update(r *route) {
	L := len(r.jobs)
	if !md.simple {
		// The general check simulates whole routes; only totals are kept.
		r.load, r.dist = 0, 0
		prev := md.start(r.v)
		for _, x := range r.jobs {
			r.load += md.demand[x]
			r.dist += md.d(prev, x)
			prev = x
		}
		if L > 0 {
			r.dist += md.d(prev, md.end(r.v))
		} else {
			r.dist = 0
		}
		return
	}
	r.fwd = r.fwd[:0]
	r.bwd = append(r.bwd[:0], make([]seg, L+1)...)
	acc := md.node(md.start(r.v))
	r.fwd = append(r.fwd, acc)
	load := 0
	for _, x := range r.jobs {
		acc = md.cat(acc, md.node(x))
		r.fwd = append(r.fwd, acc)
		load += md.demand[x]
	}
	b := md.node(md.end(r.v))
	r.bwd[L] = b
	for k := L - 1; k >= 0; k-- {
		b = md.cat(md.node(r.jobs[k]), b)
		r.bwd[k] = b
	}
	r.load = load
	if L == 0 {
		r.dist = 0
	} else {
		r.dist = md.cat(r.fwd[L], r.bwd[L]).dist
	}
}

// cost of a route's distance plus its fixed cost when used.
func (md *model) routeCost(r *route) float64 {
	if len(r.jobs) == 0 {
		return 0
	}
	return r.dist + md.fixed[r.v] + md.vehCost
}

func fmax(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func fmin(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}
