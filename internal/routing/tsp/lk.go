package tsp

// tryLK looks for an improving Lin–Kernighan style chain of 2-opt moves
// starting by removing an edge at t1 (up to lkDepth steps, lkBreadth
// alternatives for the first: "LK with 2-opt steps"). Each step removes the edge (t1, t2), adds (t2,
// t3) for a candidate t3, removes (t3, t4) and closes with (t4, t1); the
// chain continues from (t1, t4) while the partial gain stays positive. The
// moves are applied as they go and rolled back to the best closed tour
// seen, or entirely when none improves.
func (s *solver) tryLK(t1 int32) bool {
	outer := s.logging
	s.logging = true
	mark := len(s.journal)
	defer func() {
		s.logging = outer
		if !outer {
			s.journal = s.journal[:mark]
		}
	}()
	for dir := 0; dir < 2; dir++ {
		var first int32
		if dir == 0 {
			first = s.next(t1)
		} else {
			first = s.prev(t1)
		}
		// First-level alternatives, best first by the step's own gain.
		var alts [lkBreadth]int32
		var altG [lkBreadth]int
		na := 0
		g0 := s.d(t1, first)
		for _, t3 := range s.cands(first) {
			g1 := g0 - s.d(first, t3)
			if g1 <= 0 {
				break
			}
			t4 := s.follow(t1, first, t3)
			if t3 == t1 || t4 == first || t4 == t1 {
				continue
			}
			v := g1 + s.d(t3, t4)
			p := na
			if na < lkBreadth {
				na++
			} else if v <= altG[lkBreadth-1] {
				continue
			} else {
				p = lkBreadth - 1
			}
			for p > 0 && altG[p-1] < v {
				alts[p], altG[p] = alts[p-1], altG[p-1]
				p--
			}
			alts[p], altG[p] = t3, v
		}
		for a := 0; a < na; a++ {
			if s.lkChain(t1, first, alts[a], mark) {
				return true
			}
		}
	}
	return false
}

// follow returns t4, the neighbour of t3 whose edge a 2-opt step removes
// after adding (t2, t3) when t2 is adjacent to t1: the predecessor of t3
// in the direction in which t2 follows t1.
func (s *solver) follow(t1, t2, t3 int32) int32 {
	if s.next(t1) == t2 {
		return s.prev(t3)
	}
	return s.next(t3)
}

// lkChain runs one chain whose first step adds (t2, t3). It returns true,
// leaving the best improving prefix applied, or false with the tour and
// the journal as they were at mark.
func (s *solver) lkChain(t1, t2, t3 int32, mark int) bool {
	g := s.d(t1, t2) // removed minus added, the open edge at t1 not counted
	bestGain, bestLen := 0, -1
	var added [lkDepth][2]int32
	nAdded := 0
	touched := [lkDepth + 2]int32{t1, t2}
	nTouched := 2
	for depth := 0; depth < lkDepth; depth++ {
		if depth > 0 {
			// Pick the best next t3 from t2's candidates.
			t3 = -1
			bestV := 0
			for _, c := range s.cands(t2) {
				g1 := g - s.d(t2, c)
				if g1 <= 0 {
					break
				}
				t4 := s.follow(t1, t2, c)
				if c == t1 || t4 == t2 || t4 == t1 || isAdded(added[:nAdded], c, t4) {
					continue
				}
				if v := g1 + s.d(c, t4); t3 < 0 || v > bestV {
					t3, bestV = c, v
				}
			}
			if t3 < 0 {
				break
			}
		}
		t4 := s.follow(t1, t2, t3)
		g += s.d(t3, t4) - s.d(t2, t3)
		// Remove (t1,t2) and (t4,t3), add (t2,t3) and (t4,t1).
		s.move2(t1, t2, t4, t3)
		added[nAdded] = [2]int32{t2, t3}
		nAdded++
		if nTouched < len(touched)-1 {
			touched[nTouched], touched[nTouched+1] = t3, t4
			nTouched += 2
		}
		if closed := g - s.d(t4, t1); closed > bestGain {
			bestGain, bestLen = closed, len(s.journal)
		}
		t2 = t4
	}
	if bestLen < 0 {
		s.rollback(mark)
		return false
	}
	s.rollback(bestLen)
	s.cur -= bestGain
	for _, v := range touched[:nTouched] {
		s.push(v)
	}
	return true
}

func isAdded(added [][2]int32, a, b int32) bool {
	for _, e := range added {
		if e[0] == a && e[1] == b || e[0] == b && e[1] == a {
			return true
		}
	}
	return false
}

// rollback undoes journaled reversals back to length mark.
func (s *solver) rollback(mark int) {
	for k := len(s.journal) - 1; k >= mark; k-- {
		r := s.journal[k]
		s.reversePos(r.i, r.j, r.l)
	}
	s.journal = s.journal[:mark]
}

const (
	lkDepth   = 8 // steps per chain
	lkBreadth = 3 // first steps tried
)
