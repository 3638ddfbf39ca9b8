package tsp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"
)

// Options bound the search.
type Options struct {
	TimeLimit time.Duration // zero: 10 seconds
	Seed      int64
}

// DefaultTimeLimit applies when Options.TimeLimit is zero.
const DefaultTimeLimit = 10 * time.Second

const (
	fixedBonus   = 1 << 30
	exactMaxN    = 12   // instances this small are solved exactly (Held–Karp)
	matrixMaxN   = 5000 // a full distance matrix is kept up to this size
	candidatesK  = 10   // candidate neighbours per node
	kickMaxSeg   = 50   // longest segment a double-bridge kick moves
	stallPerNode = 5000 // stop after this many kicks per node without improvement
	stallMin     = 50000
)

// Solve returns a short closed tour (a permutation of 0-based node indexes)
// and its length. It stops at the time limit, when ctx is done, or when
// the search has long stopped improving. For a seed and a given number of
// iterations the result is deterministic. Instances of up to 12 nodes are
// solved to optimality.
func Solve(ctx context.Context, in *Instance, o Options) (tour []int, length int64, err error) {
	return solve(ctx, in, o, 0)
}

// solve is Solve with an optional cap on the number of kicks (0: none),
// used by tests to exercise the heuristic deterministically.
func solve(ctx context.Context, in *Instance, o Options, maxKicks int) ([]int, int64, error) {
	if in == nil || in.Len() == 0 {
		return nil, 0, errors.New("tsp: empty instance")
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	limit := o.TimeLimit
	if limit <= 0 {
		limit = DefaultTimeLimit
	}
	deadline := time.Now().Add(limit)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	n := in.Len()
	if n <= 3 {
		t := make([]int, n)
		for i := range t {
			t[i] = i
		}
		return t, in.TourLength(t), nil
	}
	s := newSolver(in)
	if n <= exactMaxN && maxKicks == 0 {
		t := s.exact()
		return t, in.TourLength(t), nil
	}
	s.rng = rand.New(rand.NewPCG(uint64(o.Seed), 0x9e3779b97f4a7c15))
	s.nb = s.neighbours(min(candidatesK, n-1))
	s.k = min(candidatesK, n-1)
	s.setTour(s.greedy())
	for i := 0; i < n; i++ {
		s.push(int32(i))
	}
	s.localSearch()
	if n >= 5 {
		s.iterate(ctx, deadline, maxKicks)
	}
	// The incremental bookkeeping must agree with the tour.
	want := s.cur
	if s.setTour(s.tour); s.cur != want {
		return nil, 0, fmt.Errorf("tsp: internal error: tracked length %d, tour length %d", want, s.cur)
	}
	out := make([]int, n)
	for i, v := range s.tour {
		out[i] = int(v)
	}
	return out, in.TourLength(out), nil
}

type solver struct {
	in  *Instance
	n   int
	mat []int32 // n*n distances, or nil to compute them on the fly
	// fixed holds the fixed edges when there is no matrix. The solver sees
	// a fixed edge as -fixedBonus long, so every tour it keeps holds them.
	fixed map[[2]int32]bool
	nb    []int32 // candidate lists, k per node
	k     int
	rng   *rand.Rand

	tour []int32 // tour[p] is the node at position p
	pos  []int32 // pos[v] is the position of node v
	cur  int     // current tour length

	queue []int32 // nodes whose neighbourhood may hold an improving move
	head  int
	inQ   []bool

	logging bool
	journal []rev // reversals applied since the last accepted state
}

type rev struct{ i, j, l int32 }

func newSolver(in *Instance) *solver {
	n := in.Len()
	s := &solver{in: in, n: n}
	if n <= matrixMaxN {
		m := make([]int32, n*n)
		ok := true
		for i := 0; i < n && ok; i++ {
			for j := i + 1; j < n; j++ {
				d := in.Dist(i, j)
				if d > math.MaxInt32/4 {
					ok = false
					break
				}
				m[i*n+j], m[j*n+i] = int32(d), int32(d)
			}
		}
		if ok {
			s.mat = m
			for _, e := range in.fixed {
				m[e[0]*n+e[1]], m[e[1]*n+e[0]] = -fixedBonus, -fixedBonus
			}
		}
	}
	if s.mat == nil && len(in.fixed) > 0 {
		s.fixed = map[[2]int32]bool{}
		for _, e := range in.fixed {
			s.fixed[[2]int32{int32(e[0]), int32(e[1])}] = true
			s.fixed[[2]int32{int32(e[1]), int32(e[0])}] = true
		}
	}
	s.inQ = make([]bool, n)
	return s
}

func (s *solver) d(i, j int32) int {
	if s.mat != nil {
		return int(s.mat[int(i)*s.n+int(j)])
	}
	if s.fixed != nil && s.fixed[[2]int32{i, j}] {
		return -fixedBonus
	}
	return int(s.in.Dist(int(i), int(j)))
}

func (s *solver) setTour(t []int32) {
	s.tour = t
	s.pos = make([]int32, s.n)
	for p, v := range t {
		s.pos[v] = int32(p)
	}
	s.cur = 0
	for p := range t {
		s.cur += s.d(t[p], t[(p+1)%s.n])
	}
}

// exact solves small instances with the Held–Karp dynamic programme.
func (s *solver) exact() []int {
	n := s.n
	full := 1 << (n - 1) // subsets of nodes 1..n-1
	const inf = math.MaxInt / 4
	dp := make([]int, full*(n-1))
	par := make([]int8, full*(n-1))
	for i := range dp {
		dp[i] = inf
	}
	for j := 1; j < n; j++ {
		dp[(1<<(j-1))*(n-1)+j-1] = s.d(0, int32(j))
	}
	for set := 1; set < full; set++ {
		for j := 1; j < n; j++ {
			bj := 1 << (j - 1)
			if set&bj == 0 {
				continue
			}
			cur := dp[set*(n-1)+j-1]
			if cur >= inf {
				continue
			}
			for k := 1; k < n; k++ {
				bk := 1 << (k - 1)
				if set&bk != 0 {
					continue
				}
				ns := set | bk
				if v := cur + s.d(int32(j), int32(k)); v < dp[ns*(n-1)+k-1] {
					dp[ns*(n-1)+k-1] = v
					par[ns*(n-1)+k-1] = int8(j)
				}
			}
		}
	}
	last, best := 1, inf
	for j := 1; j < n; j++ {
		if v := dp[(full-1)*(n-1)+j-1] + s.d(int32(j), 0); v < best {
			best, last = v, j
		}
	}
	t := make([]int, 0, n)
	set := full - 1
	for j := last; j != 0; {
		t = append(t, j)
		p := int(par[set*(n-1)+j-1])
		set &^= 1 << (j - 1)
		j = p
	}
	t = append(t, 0)
	for a, b := 0, len(t)-1; a < b; a, b = a+1, b-1 {
		t[a], t[b] = t[b], t[a]
	}
	return t
}

// greedy builds a tour with the greedy edge heuristic over the candidate
// edges, then joins the fragments nearest-endpoint first.
func (s *solver) greedy() []int32 {
	n, k := s.n, s.k
	type edge struct {
		d    int
		a, b int32
	}
	edges := make([]edge, 0, n*k+len(s.in.fixed))
	for _, e := range s.in.fixed { // first in the order, whatever the lists hold
		edges = append(edges, edge{-fixedBonus, int32(e[0]), int32(e[1])})
	}
	for i := 0; i < n; i++ {
		for _, j := range s.nb[i*k : i*k+k] {
			if int32(i) < j {
				edges = append(edges, edge{s.d(int32(i), j), int32(i), j})
			} else if !contains(s.nb[int(j)*k:int(j)*k+k], int32(i)) {
				edges = append(edges, edge{s.d(int32(i), j), j, int32(i)})
			}
		}
	}
	sort.Slice(edges, func(x, y int) bool {
		ex, ey := edges[x], edges[y]
		if ex.d != ey.d {
			return ex.d < ey.d
		}
		if ex.a != ey.a {
			return ex.a < ey.a
		}
		return ex.b < ey.b
	})
	deg := make([]int8, n)
	adj := make([][2]int32, n)
	uf := make([]int32, n)
	for i := range uf {
		uf[i] = int32(i)
	}
	find := func(x int32) int32 {
		for uf[x] != x {
			uf[x] = uf[uf[x]]
			x = uf[x]
		}
		return x
	}
	link := func(a, b int32) {
		adj[a][deg[a]] = b
		deg[a]++
		adj[b][deg[b]] = a
		deg[b]++
		uf[find(a)] = find(b)
	}
	added := 0
	for _, e := range edges {
		if deg[e.a] < 2 && deg[e.b] < 2 && find(e.a) != find(e.b) {
			link(e.a, e.b)
			added++
			if added == n-1 {
				break
			}
		}
	}
	// Join fragments: walk from an endpoint to the other end of its
	// fragment, then hop to the nearest endpoint of an unvisited fragment.
	other := func(v int32) int32 { // the other end of v's fragment
		if deg[v] == 0 {
			return v
		}
		prev, cur := int32(-1), v
		for {
			next := adj[cur][0]
			if next == prev {
				if deg[cur] < 2 {
					return cur
				}
				next = adj[cur][1]
			}
			if deg[cur] == 1 && prev != -1 {
				return cur
			}
			prev, cur = cur, next
		}
	}
	var ends []int32
	for v := 0; v < n; v++ {
		if deg[v] < 2 {
			ends = append(ends, int32(v))
		}
	}
	if len(ends) > 0 {
		used := make([]bool, n)
		first := ends[0]
		tail := other(first)
		used[first], used[tail] = true, true
		for {
			best, bestD := int32(-1), math.MaxInt
			for _, e := range ends {
				if !used[e] {
					if d := s.d(tail, e); d < bestD {
						best, bestD = e, d
					}
				}
			}
			if best < 0 {
				break
			}
			o := other(best)
			used[best], used[o] = true, true
			link(tail, best)
			tail = o
		}
		link(tail, first)
	}
	t := make([]int32, 0, n)
	prev, cur := int32(-1), int32(0)
	for len(t) < n {
		t = append(t, cur)
		next := adj[cur][0]
		if next == prev || (n == 2 && len(t) == 2) {
			next = adj[cur][1]
		}
		prev, cur = cur, next
	}
	return t
}

func contains(xs []int32, v int32) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}
