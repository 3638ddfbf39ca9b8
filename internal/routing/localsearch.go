package routing

// Local search over the solver's routes, first improvement with granular
// neighbourhoods (only moves that put a stop next to one of its lsNeigh
// nearest neighbours): intra-route 2-opt, relocation of a string of 1–3
// stops (Or-opt within a route, relocate between routes, optionally
// reversed), exchange and cross-exchange of strings of 1–3 stops between
// two routes, and 2-opt* (tail exchange). A move is first screened by its
// distance delta in O(1) and then checked exactly: by time-window segment
// concatenation in simple mode, by the O(route length) schedule check
// otherwise. Locked prefixes never move, no route is opened (so the number
// of vehicles never grows) and unassigned jobs stay unassigned.

const (
	lsNeigh  = 30 // granular neighbourhood size
	lsMaxSeg = 3  // longest string moved
)

// Operator bits, for tests that exercise one operator at a time.
const (
	opRelocate = 1 << iota // Or-opt within a route, relocate between routes
	op2Opt
	op2OptStar
	opExchange // one stop for one stop
	opCross    // strings of up to lsMaxSeg stops
	opAll      = opRelocate | op2Opt | op2OptStar | opExchange | opCross
)

type part struct {
	r      *route
	lo, hi int // r.jobs[lo:hi]
	rev    bool
}

type lsState struct {
	se  *search
	s   *sol
	pos []int
	seq []int
	nb  [2][]int
	ops int
	sym bool
}

func (md *model) symmetric() bool {
	w := md.w
	for i := 0; i < w; i++ {
		for j := i + 1; j < w; j++ {
			if md.dist[i*w+j] != md.dist[j*w+i] {
				return false
			}
		}
	}
	return true
}

func (md *model) sameEnd(a, b int) bool {
	ea, eb := md.end(a), md.end(b)
	return a == b || (md.loc[ea] == md.loc[eb] && md.early[ea] == md.early[eb] && md.late[ea] == md.late[eb])
}

func (md *model) sameStart(a, b int) bool {
	sa, sb := md.start(a), md.start(b)
	return a == b || (md.loc[sa] == md.loc[sb] && md.early[sa] == md.early[sb] && md.late[sa] == md.late[sb])
}

// at is the node at position k of r: its start for k < 0, its end for k >= len.
func (md *model) at(r *route, k int) int {
	if k < 0 {
		return md.start(r.v)
	}
	if k >= len(r.jobs) {
		return md.end(r.v)
	}
	return r.jobs[k]
}

// evalParts checks the route of vehicle v made of parts and returns its
// distance.
func (ls *lsState) evalParts(v int, parts []part) (float64, bool) {
	md := ls.se.md
	total := 0
	for _, p := range parts {
		total += p.hi - p.lo
	}
	if total == 0 {
		return 0, true
	}
	if total > md.maxStops[v] {
		return 0, false
	}
	if !md.simple {
		ls.seq = ls.seq[:0]
		for _, p := range parts {
			if p.rev {
				for k := p.hi - 1; k >= p.lo; k-- {
					ls.seq = append(ls.seq, p.r.jobs[k])
				}
			} else {
				ls.seq = append(ls.seq, p.r.jobs[p.lo:p.hi]...)
			}
		}
		return md.schedule(v, ls.seq, nil)
	}
	k, last := 0, len(parts)
	var acc seg
	if p0 := parts[0]; p0.lo == 0 && !p0.rev && md.sameStart(p0.r.v, v) {
		acc, k = p0.r.fwd[p0.hi], 1
	} else {
		acc = md.node(md.start(v))
	}
	tail := md.node(md.end(v))
	if pl := parts[last-1]; last-1 >= k && !pl.rev && pl.hi == len(pl.r.jobs) && md.sameEnd(pl.r.v, v) {
		tail = pl.r.bwd[pl.lo]
		last--
	}
	for _, p := range parts[k:last] {
		if p.rev {
			for i := p.hi - 1; i >= p.lo; i-- {
				acc = md.cat(acc, ls.se.xseg[p.r.jobs[i]])
			}
		} else {
			for i := p.lo; i < p.hi; i++ {
				acc = md.cat(acc, ls.se.xseg[p.r.jobs[i]])
			}
		}
		if acc.tw > eps || acc.load > md.capa[v] {
			return 0, false
		}
	}
	full := md.cat(acc, tail)
	return full.dist, md.ok(v, full)
}

// build writes the parts' jobs into dst.
func build(dst []int, parts []part) []int {
	dst = dst[:0]
	for _, p := range parts {
		if p.rev {
			for k := p.hi - 1; k >= p.lo; k-- {
				dst = append(dst, p.r.jobs[k])
			}
		} else {
			dst = append(dst, p.r.jobs[p.lo:p.hi]...)
		}
	}
	return dst
}

// try evaluates replacing route r1 (and r2 when non-nil) by the given parts
// and applies the change when it lowers the cost.
func (ls *lsState) try(r1 *route, p1 []part, r2 *route, p2 []part) bool {
	md := ls.se.md
	d1, ok := ls.evalParts(r1.v, p1)
	if !ok {
		return false
	}
	old := md.routeCost(r1)
	nc := d1
	n1 := 0
	for _, p := range p1 {
		n1 += p.hi - p.lo
	}
	if n1 > 0 {
		nc += md.fixed[r1.v] + md.vehCost
	}
	var d2 float64
	if r2 != nil {
		d2, ok = ls.evalParts(r2.v, p2)
		if !ok {
			return false
		}
		old += md.routeCost(r2)
		nc += d2
		n2 := 0
		for _, p := range p2 {
			n2 += p.hi - p.lo
		}
		if n2 > 0 {
			nc += md.fixed[r2.v] + md.vehCost
		}
	}
	if nc >= old-1e-7 {
		return false
	}
	ls.nb[0] = build(ls.nb[0], p1)
	if r2 != nil {
		ls.nb[1] = build(ls.nb[1], p2)
	}
	ls.set(r1.v, ls.nb[0])
	if r2 != nil {
		ls.set(r2.v, ls.nb[1])
	}
	return true
}

func (ls *lsState) set(v int, jobs []int) {
	r := ls.s.mut(v)
	r.jobs = append(r.jobs[:0], jobs...)
	ls.se.md.update(r)
	for k, x := range r.jobs {
		ls.s.where[x] = v
		ls.pos[x] = k
	}
}

// localSearch improves s in place until no move in the neighbourhoods
// improves it (or a work budget runs out).
func (se *search) localSearch(s *sol) {
	md := se.md
	if md.n < 2 {
		return
	}
	if se.ls == nil {
		se.ls = &lsState{se: se, pos: make([]int, md.n), sym: md.symmetric(), ops: opAll}
	}
	ls := se.ls
	ls.s = s
	for _, r := range s.routes {
		for k, x := range r.jobs {
			ls.pos[x] = k
		}
	}
	order := make([]int, 0, md.n)
	for x := 0; x < md.n; x++ {
		if s.where[x] >= 0 && !md.locked[x] {
			order = append(order, x)
		}
	}
	for i := len(order) - 1; i > 0; i-- {
		j := se.rng.intn(i + 1)
		order[i], order[j] = order[j], order[i]
	}
	K := min(lsNeigh, md.n-1)
	for pass := 0; pass < 50; pass++ {
		improved := false
		for _, x := range order {
			for _, y := range md.neigh[x][:K] {
				if s.where[y] < 0 || s.where[x] < 0 {
					continue
				}
				if ls.moves(x, y) {
					improved = true
				}
			}
		}
		if !improved {
			break
		}
	}
	ls.s = nil
}

// moves tries every move that makes y and x adjacent; it applies the first
// improving one.
func (ls *lsState) moves(x, y int) bool {
	md := ls.se.md
	s := ls.s
	r1, r2 := s.routes[s.where[x]], s.routes[s.where[y]]
	i, j := ls.pos[x], ls.pos[y]
	L1, L2 := len(r1.jobs), len(r2.jobs)
	d := md.d
	if i < r1.lock {
		return false
	}
	same := r1 == r2

	// Relocate a string starting at x to after y, or ending at x to before y.
	for a := 1; a <= lsMaxSeg && ls.ops&opRelocate != 0; a++ {
		for dir := 0; dir < 2; dir++ {
			st := i // string r1.jobs[st:st+a]
			q := j  // insert after position q
			if dir == 1 {
				st, q = i-a+1, j-1
			}
			if st < r1.lock || st+a > L1 || q+1 < r2.lock {
				continue
			}
			if same && q >= st-1 && q < st+a {
				continue
			}
			p, n := md.at(r1, st-1), md.at(r1, st+a)
			f, l := r1.jobs[st], r1.jobs[st+a-1]
			qa, qb := md.at(r2, q), md.at(r2, q+1)
			base := d(p, n) - d(p, f) - d(l, n) - d(qa, qb)
			for rev := 0; rev < 2; rev++ {
				if rev == 1 && a == 1 {
					break
				}
				ff, ll := f, l
				if rev == 1 {
					ff, ll = l, f
				}
				delta := base + d(qa, ff) + d(ll, qb)
				if rev == 1 && !ls.sym {
					delta = -1 // asymmetric: let the exact check decide
				}
				if delta >= -1e-7 {
					continue
				}
				S := part{r1, st, st + a, rev == 1}
				if same {
					var ps []part
					if q < st {
						ps = []part{{r1, 0, q + 1, false}, S, {r1, q + 1, st, false}, {r1, st + a, L1, false}}
					} else {
						ps = []part{{r1, 0, st, false}, {r1, st + a, q + 1, false}, S, {r1, q + 1, L1, false}}
					}
					if ls.try(r1, ps, nil, nil) {
						return true
					}
					continue
				}
				p1 := []part{{r1, 0, st, false}, {r1, st + a, L1, false}}
				p2 := []part{{r2, 0, q + 1, false}, S, {r2, q + 1, L2, false}}
				if ls.try(r1, p1, r2, p2) {
					return true
				}
			}
		}
	}

	if same {
		// 2-opt: reverse the stops between x and y so that they meet.
		a, b := i, j
		if a > b {
			a, b = b, a
		}
		if a+1 >= r1.lock && b > a+1 && ls.ops&op2Opt != 0 {
			delta := d(md.at(r1, a), md.at(r1, b)) + d(md.at(r1, a+1), md.at(r1, b+1)) -
				d(md.at(r1, a), md.at(r1, a+1)) - d(md.at(r1, b), md.at(r1, b+1))
			if !ls.sym {
				for k := a + 1; k < b; k++ {
					delta += d(r1.jobs[k+1], r1.jobs[k]) - d(r1.jobs[k], r1.jobs[k+1])
				}
			}
			if delta < -1e-7 {
				ps := []part{{r1, 0, a + 1, false}, {r1, a + 1, b + 1, true}, {r1, b + 1, L1, false}}
				if ls.try(r1, ps, nil, nil) {
					return true
				}
			}
		}
		return false
	}

	// 2-opt*: r1 keeps its stops up to x and takes r2's from y on.
	if i+1 >= r1.lock && j >= r2.lock && ls.ops&op2OptStar != 0 {
		pj, ni := md.at(r2, j-1), md.at(r1, i+1)
		delta := d(x, y) + d(pj, ni) - d(x, ni) - d(pj, y)
		if !md.sameEnd(r1.v, r2.v) {
			delta = -1
		}
		if delta < -1e-7 {
			p1 := []part{{r1, 0, i + 1, false}, {r2, j, L2, false}}
			p2 := []part{{r2, 0, j, false}, {r1, i + 1, L1, false}}
			if ls.try(r1, p1, r2, p2) {
				return true
			}
		}
	}

	// Exchange and cross-exchange: the string of a stops from x swaps with
	// the string of b stops after y.
	if j+1 < r2.lock {
		return false
	}
	for a := 1; a <= lsMaxSeg && i+a <= L1; a++ {
		p1, n1 := md.at(r1, i-1), md.at(r1, i+a)
		f1, l1 := x, r1.jobs[i+a-1]
		for b := 1; b <= lsMaxSeg && j+1+b <= L2; b++ {
			f2, l2 := r2.jobs[j+1], r2.jobs[j+b]
			n2 := md.at(r2, j+1+b)
			delta := d(p1, f2) + d(l2, n1) + d(y, f1) + d(l1, n2) -
				d(p1, f1) - d(l1, n1) - d(y, f2) - d(l2, n2)
			if kind := opExchange; a > 1 || b > 1 {
				if ls.ops&opCross == 0 {
					continue
				}
			} else if ls.ops&kind == 0 {
				continue
			}
			if delta >= -1e-7 {
				continue
			}
			q1 := []part{{r1, 0, i, false}, {r2, j + 1, j + 1 + b, false}, {r1, i + a, L1, false}}
			q2 := []part{{r2, 0, j + 1, false}, {r1, i, i + a, false}, {r2, j + 1 + b, L2, false}}
			if ls.try(r1, q1, r2, q2) {
				return true
			}
		}
	}
	return false
}
