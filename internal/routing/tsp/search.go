package tsp

import (
	"context"
	"time"
)

// The tour is an array with a position index. Every change is a sequence
// of 2-opt moves (path reversals, always of the shorter side); while an
// iteration of the iterated local search runs, reversals are journaled so
// that a rejected iteration can be undone exactly.

func (s *solver) next(v int32) int32 {
	p := s.pos[v] + 1
	if int(p) == s.n {
		p = 0
	}
	return s.tour[p]
}

func (s *solver) prev(v int32) int32 {
	p := s.pos[v] - 1
	if p < 0 {
		p = int32(s.n - 1)
	}
	return s.tour[p]
}

// reversePath reverses the tour path from node a forward to node b, or the
// complementary path when that is shorter (the same cycle either way).
func (s *solver) reversePath(a, b int32) {
	n := int32(s.n)
	i, j := s.pos[a], s.pos[b]
	l := j - i
	if l < 0 {
		l += n
	}
	l++
	if 2*l > n {
		i, j = j+1, i-1
		if i == n {
			i = 0
		}
		if j < 0 {
			j = n - 1
		}
		l = n - l
	}
	if l < 2 {
		return
	}
	if s.logging {
		s.journal = append(s.journal, rev{i, j, l})
	}
	s.reversePos(i, j, l)
}

func (s *solver) reversePos(i, j, l int32) {
	n := int32(s.n)
	t, pos := s.tour, s.pos
	for k := l / 2; k > 0; k-- {
		a, b := t[i], t[j]
		t[i], t[j] = b, a
		pos[b], pos[a] = i, j
		i++
		if i == n {
			i = 0
		}
		j--
		if j < 0 {
			j = n - 1
		}
	}
}

// undo reverts the journaled reversals.
func (s *solver) undo() {
	for k := len(s.journal) - 1; k >= 0; k-- {
		r := s.journal[k]
		s.reversePos(r.i, r.j, r.l)
	}
	s.journal = s.journal[:0]
}

// move2 replaces tour edges (a,b) and (c,d), where b follows a and d
// follows c in the same direction, by (a,c) and (b,d).
func (s *solver) move2(a, b, c, d int32) {
	if s.next(a) == b {
		s.reversePath(b, c)
	} else {
		s.reversePath(a, d)
	}
}

func (s *solver) push(v int32) {
	if !s.inQ[v] {
		s.inQ[v] = true
		s.queue = append(s.queue, v)
	}
}

func (s *solver) pop() (int32, bool) {
	if s.head == len(s.queue) {
		s.queue, s.head = s.queue[:0], 0
		return 0, false
	}
	v := s.queue[s.head]
	s.head++
	s.inQ[v] = false
	return v, true
}

// localSearch applies improving moves around queued nodes until none is
// left (a queue of "look" nodes in place of don't-look bits).
func (s *solver) localSearch() {
	for {
		a, ok := s.pop()
		if !ok {
			return
		}
		if s.try2opt(a) || s.tryOrOpt(a) || s.tryLK(a) {
			s.push(a)
		}
	}
}

func (s *solver) cands(a int32) []int32 {
	return s.nb[int(a)*s.k : int(a)*s.k+s.k]
}

// try2opt looks for an improving 2-opt move removing an edge at a.
func (s *solver) try2opt(a int32) bool {
	for dir := 0; dir < 2; dir++ {
		var b int32
		if dir == 0 {
			b = s.next(a)
		} else {
			b = s.prev(a)
		}
		dab := s.d(a, b)
		for _, c := range s.cands(a) {
			g := dab - s.d(a, c)
			if g <= 0 {
				break
			}
			var d int32
			if dir == 0 {
				d = s.next(c)
			} else {
				d = s.prev(c)
			}
			if c == b || d == a {
				continue
			}
			if delta := g + s.d(c, d) - s.d(b, d); delta > 0 {
				s.move2(a, b, c, d)
				s.cur -= delta
				s.push(b)
				s.push(c)
				s.push(d)
				return true
			}
		}
	}
	return false
}

// tryOrOpt looks for an improving move of a segment of up to three nodes
// starting or ending at a to between two other adjacent nodes, in either
// orientation.
func (s *solver) tryOrOpt(a int32) bool {
	n := int32(s.n)
	for segLen := int32(1); segLen <= 3 && segLen+3 <= n; segLen++ {
		for side := 0; side < 2; side++ {
			if side == 1 && segLen == 1 {
				break
			}
			var s1, s2 int32
			if side == 0 {
				s1 = a
				s2 = s.tour[(s.pos[a]+segLen-1)%n]
			} else {
				s2 = a
				s1 = s.tour[(s.pos[a]-segLen+1+n)%n]
			}
			p, f := s.prev(s1), s.next(s2)
			remove := s.d(p, s1) + s.d(s2, f) - s.d(p, f)
			if remove <= 0 {
				continue
			}
			ps1 := s.pos[s1]
			inSeg := func(v int32) bool {
				o := s.pos[v] - ps1
				if o < 0 {
					o += n
				}
				return o < segLen
			}
			for end := 0; end < 2; end++ {
				e := s1 // the segment end placed next to candidate c
				if end == 1 {
					e = s2
				}
				for _, c := range s.cands(e) {
					dce := s.d(c, e)
					if dce >= remove {
						break
					}
					if inSeg(c) {
						continue
					}
					// c before the segment: c → e … → next(c);
					// c after the segment: prev(c) → … e → c.
					for after := 0; after < 2; after++ {
						var x, y int32
						if after == 0 {
							x, y = c, s.next(c)
							if inSeg(y) {
								continue
							}
						} else {
							x, y = s.prev(c), c
							if inSeg(x) {
								continue
							}
						}
						if y == p { // the same cycle as moving p; left to that move
							continue
						}
						// The far end of the segment meets the other of x, y.
						far := s2
						if end == 1 {
							far = s1
						}
						var add int
						if after == 0 {
							add = dce + s.d(far, y) - s.d(x, y)
						} else {
							add = s.d(x, far) + dce - s.d(x, y)
						}
						if gain := remove - add; gain > 0 {
							// x s1..s2 y keeps the orientation, x s2..s1 y reverses it.
							reversed := (end == 0) == (after == 1)
							s.moveSegment(p, s1, s2, f, x, y, reversed)
							s.cur -= gain
							for _, v := range [...]int32{p, s1, s2, f, x, y} {
								s.push(v)
							}
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// moveSegment moves the path s1..s2 (p before it, f after it) between the
// adjacent nodes x and y (y after x, both outside the segment, y != p),
// reversed or not, with two or three 2-opt moves.
func (s *solver) moveSegment(p, s1, s2, f, x, y int32, reversed bool) {
	s.move2(p, s1, x, y) // p x … f s2 … s1 y
	s.move2(p, x, f, s2) // p f … x s2 … s1 y
	if !reversed {
		s.move2(x, s2, s1, y) // p f … x s1 … s2 y
	}
}

// kick applies a local double-bridge: two adjacent segments of random
// length after a random node swap places (A B C D becomes A C B D).
func (s *solver) kick() {
	n := int32(s.n)
	maxSeg := int32(kickMaxSeg)
	if maxSeg > (n-2)/2 {
		maxSeg = (n - 2) / 2
	}
	l1 := 1 + s.rng.Int32N(maxSeg)
	l2 := 1 + s.rng.Int32N(maxSeg)
	i := s.rng.Int32N(n)
	at := func(o int32) int32 { return s.tour[(i+o)%n] }
	a, b1, b2 := at(0), at(1), at(l1)
	c1, c2, d := at(l1+1), at(l1+l2), at(l1+l2+1)
	delta := s.d(a, c1) + s.d(c2, b1) + s.d(b2, d) - s.d(a, b1) - s.d(b2, c1) - s.d(c2, d)
	s.moveSegment(a, b1, b2, c1, c2, d, false)
	s.cur += delta
	for _, v := range [...]int32{a, b1, b2, c1, c2, d} {
		s.push(v)
	}
}

// iterate runs the iterated local search until the deadline, ctx is done,
// maxKicks kicks (if positive), or a long stall. A kick followed by local
// search is kept when the tour is no longer than before; a worse one is
// kept now and then (see worseAccept) and undone otherwise. The best tour
// seen is kept aside.
func (s *solver) iterate(ctx context.Context, deadline time.Time, maxKicks int) {
	stall := max(stallMin, stallPerNode*s.n)
	lastGain := 0
	best := append([]int32(nil), s.tour...)
	bestLen := s.cur
	for it := 1; maxKicks <= 0 || it <= maxKicks; it++ {
		if it&63 == 0 && maxKicks <= 0 {
			if ctx.Err() != nil || time.Now().After(deadline) || it-lastGain > stall {
				break
			}
		}
		before := s.cur
		s.logging = true
		s.journal = s.journal[:0]
		s.kick()
		s.localSearch()
		s.logging = false
		if s.cur < bestLen {
			lastGain = it
			bestLen = s.cur
			copy(best, s.tour)
		}
		if s.cur > before && !(s.cur-bestLen <= bestLen/worseAccept && s.rng.IntN(worseOdds) == 0) {
			s.undo()
			s.cur = before
		}
	}
	if bestLen < s.cur {
		s.setTour(best)
	}
}

const (
	// A worse tour is kept once in worseOdds tries when it is within
	// 1/worseAccept of the best (a little diversification).
	worseAccept = 2000
	worseOdds   = 10
)
