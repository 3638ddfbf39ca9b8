package routing

import "math"

// rng is a small, fast, seedable generator (xorshift64*), so that a seed
// gives the same search on every platform.
type rng struct{ s uint64 }

func newRng(seed int64) *rng {
	s := uint64(seed)*0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D
	if s == 0 {
		s = 1
	}
	r := &rng{s}
	for i := 0; i < 4; i++ {
		r.next()
	}
	return r
}

func (r *rng) next() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 2685821657736338717
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// sol is a solution under construction: one route per vehicle (maybe
// empty). Routes are shared between solutions copy-on-write: a route whose
// gen differs from the solution's is copied before it changes.
type sol struct {
	routes []*route
	where  []int // job -> vehicle, -1 unassigned
	un     []int // unassigned jobs
	gen    int
}

type search struct {
	md      *model
	rng     *rng
	gens    int
	maxUsed int // vehicles that may be used at most
	buf     []int
	xseg    []seg
	ls      *lsState
}

func newSearch(md *model, seed int64) *search {
	s := &search{md: md, rng: newRng(seed), maxUsed: md.m}
	s.xseg = make([]seg, md.n)
	for i := range s.xseg {
		s.xseg[i] = md.node(i)
	}
	return s
}

func (se *search) emptySol() *sol {
	md := se.md
	se.gens++
	s := &sol{routes: make([]*route, md.m), where: make([]int, md.n), gen: se.gens}
	for i := range s.where {
		s.where[i] = -1
	}
	for v := range s.routes {
		r := &route{v: v, gen: s.gen}
		for _, j := range md.p.Vehicles[v].Prefix {
			r.jobs = append(r.jobs, j)
			s.where[j] = v
		}
		r.lock = len(r.jobs)
		md.update(r)
		s.routes[v] = r
	}
	for j := 0; j < md.n; j++ {
		if s.where[j] < 0 {
			s.un = append(s.un, j)
		}
	}
	return s
}

func (se *search) clone(s *sol) *sol {
	se.gens++
	c := &sol{gen: se.gens}
	c.routes = append([]*route(nil), s.routes...)
	c.where = append([]int(nil), s.where...)
	c.un = append([]int(nil), s.un...)
	return c
}

// mut returns route v of s, copied first if another solution shares it.
func (s *sol) mut(v int) *route {
	r := s.routes[v]
	if r.gen != s.gen {
		r = r.clone(s.gen)
		s.routes[v] = r
	}
	return r
}

func (s *sol) used() int {
	u := 0
	for _, r := range s.routes {
		if len(r.jobs) > 0 {
			u++
		}
	}
	return u
}

func (se *search) cost(s *sol) float64 {
	c := 0.0
	for _, r := range s.routes {
		c += se.md.routeCost(r)
	}
	for _, j := range s.un {
		c += se.md.penalty[j]
	}
	return c
}

func (s *sol) distance() float64 {
	d := 0.0
	for _, r := range s.routes {
		d += r.dist
	}
	return d
}

// feasibleInsert reports whether job x fits in route r before position k
// and the resulting route's distance.
func (se *search) feasibleInsert(r *route, x, k int) (float64, bool) {
	md := se.md
	if md.simple {
		a := md.cat(r.fwd[k], se.xseg[x])
		if a.tw > eps {
			return 0, false
		}
		full := md.cat(a, r.bwd[k])
		return full.dist, md.ok(r.v, full)
	}
	se.buf = append(se.buf[:0], r.jobs[:k]...)
	se.buf = append(se.buf, x)
	se.buf = append(se.buf, r.jobs[k:]...)
	return md.schedule(r.v, se.buf, nil)
}

// bestInsertion finds the cheapest feasible place for job x in s, skipping
// each candidate place with probability blink. v = -1 when none fits.
func (se *search) bestInsertion(s *sol, x int, blink float64) (bv, bk int, bdelta float64) {
	md := se.md
	bv, bk, bdelta = -1, -1, math.Inf(1)
	canOpen := s.used() < se.maxUsed
	var seen [64]bool // signatures of empty vehicles already tried (small fleets)
	seenMap := map[int]bool(nil)
	for v, r := range s.routes {
		L := len(r.jobs)
		if L == 0 {
			if !canOpen {
				continue
			}
			sig := md.vsig[v]
			if sig < len(seen) {
				if seen[sig] {
					continue
				}
				seen[sig] = true
			} else {
				if seenMap == nil {
					seenMap = map[int]bool{}
				}
				if seenMap[sig] {
					continue
				}
				seenMap[sig] = true
			}
		}
		if r.load+md.demand[x] > md.capa[v] || L+1 > md.maxStops[v] {
			continue
		}
		extra := 0.0
		if L == 0 {
			extra = md.fixed[v] + md.vehCost
		}
		for k := r.lock; k <= L; k++ {
			if blink > 0 && se.rng.float() < blink {
				continue
			}
			prev := md.start(v)
			if k > 0 {
				prev = r.jobs[k-1]
			}
			next := md.end(v)
			if k < L {
				next = r.jobs[k]
			}
			dd := md.d(prev, x) + md.d(x, next) - md.d(prev, next) + extra
			if dd >= bdelta {
				continue
			}
			nd, ok := se.feasibleInsert(r, x, k)
			if !ok {
				continue
			}
			if delta := nd - r.dist + extra; delta < bdelta {
				bv, bk, bdelta = v, k, delta
			}
		}
	}
	return
}

func (se *search) insert(s *sol, x, v, k int) {
	r := s.mut(v)
	r.jobs = append(r.jobs, 0)
	copy(r.jobs[k+1:], r.jobs[k:])
	r.jobs[k] = x
	se.md.update(r)
	s.where[x] = v
}

// removeJobs takes the given jobs out of their routes into s.un.
func (se *search) removeJobs(s *sol, jobs []int) {
	touched := map[int]bool{}
	for _, x := range jobs {
		v := s.where[x]
		if v < 0 {
			continue
		}
		r := s.mut(v)
		for i, y := range r.jobs {
			if y == x {
				r.jobs = append(r.jobs[:i], r.jobs[i+1:]...)
				break
			}
		}
		s.where[x] = -1
		s.un = append(s.un, x)
		touched[v] = true
	}
	for v := range touched {
		se.md.update(s.routes[v])
	}
}
