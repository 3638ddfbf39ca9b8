package tsp

import (
	"math"
	"sort"
)

// neighbours returns, for every node, its k nearest other nodes by the
// solver's distance, nearest first, flattened: row i is nb[i*k : i*k+k].
// Small instances and GEO are searched exhaustively; large planar ones
// through a uniform grid (every planar TSPLIB distance grows with the
// Euclidean distance, so the Euclidean k nearest are the right ones).
func (s *solver) neighbours(k int) []int32 {
	n := s.n
	nb := make([]int32, n*k)
	if n <= 6000 || s.in.EdgeWeightType == GEO {
		// The k nearest, but at least the quadNear nearest of each
		// quadrant around the node when it has any there: clustered
		// instances need edges between clusters.
		planar := s.in.EdgeWeightType != GEO
		all := make([]cand, 0, k+1)
		var quad [4][]cand
		for q := range quad {
			quad[q] = make([]cand, 0, quadNear+1)
		}
		for i := 0; i < n; i++ {
			all = all[:0]
			for q := range quad {
				quad[q] = quad[q][:0]
			}
			for j := 0; j < n; j++ {
				if j == i {
					continue
				}
				c := cand{s.d(int32(i), int32(j)), int32(j)}
				all = insertCand(all, c, k)
				if planar {
					q := 0
					dx, dy := s.in.x[j]-s.in.x[i], s.in.y[j]-s.in.y[i]
					if dx < 0 {
						q++
					}
					if dy < 0 {
						q += 2
					}
					quad[q] = insertCand(quad[q], c, quadNear)
				}
			}
			row := nb[i*k : i*k : i*k+k]
			var picked []cand
			for q := range quad {
				picked = append(picked, quad[q]...)
			}
			for _, c := range all {
				if len(picked) == k {
					break
				}
				dup := false
				for _, p := range picked {
					dup = dup || p.j == c.j
				}
				if !dup {
					picked = append(picked, c)
				}
			}
			sort.Slice(picked, func(a, b int) bool {
				if picked[a].d != picked[b].d {
					return picked[a].d < picked[b].d
				}
				return picked[a].j < picked[b].j
			})
			for _, c := range picked[:min(k, len(picked))] {
				row = append(row, c.j)
			}
		}
		return nb
	}
	return s.gridNeighbours(k)
}

type cand struct {
	d int
	j int32
}

// quadNear is how many nearest neighbours of each quadrant a candidate
// list keeps.
const quadNear = 2

// insertCand adds c to the list sorted by distance, keeping at most k.
func insertCand(best []cand, c cand, k int) []cand {
	if len(best) == k && c.d >= best[k-1].d {
		return best
	}
	p := len(best)
	if p < k {
		best = append(best, cand{})
	} else {
		p = k - 1
	}
	for p > 0 && best[p-1].d > c.d {
		best[p] = best[p-1]
		p--
	}
	best[p] = c
	return best
}

func (s *solver) gridNeighbours(k int) []int32 {
	in, n := s.in, s.n
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < n; i++ {
		minX, maxX = math.Min(minX, in.x[i]), math.Max(maxX, in.x[i])
		minY, maxY = math.Min(minY, in.y[i]), math.Max(maxY, in.y[i])
	}
	w, h := maxX-minX, maxY-minY
	cells := int(math.Sqrt(float64(n) / 2))
	if cells < 1 {
		cells = 1
	}
	size := math.Max(w, h) / float64(cells)
	if size <= 0 {
		size = 1
	}
	gw, gh := int(w/size)+1, int(h/size)+1
	cellOf := func(i int) (int, int) {
		return int((in.x[i] - minX) / size), int((in.y[i] - minY) / size)
	}
	start := make([]int32, gw*gh+1)
	for i := 0; i < n; i++ {
		cx, cy := cellOf(i)
		start[cy*gw+cx+1]++
	}
	for c := 1; c < len(start); c++ {
		start[c] += start[c-1]
	}
	fill := append([]int32(nil), start...)
	members := make([]int32, n)
	for i := 0; i < n; i++ {
		cx, cy := cellOf(i)
		c := cy*gw + cx
		members[fill[c]] = int32(i)
		fill[c]++
	}
	nb := make([]int32, n*k)
	type fcand struct {
		d float64
		j int32
	}
	var found []fcand
	for i := 0; i < n; i++ {
		cx, cy := cellOf(i)
		found = found[:0]
		for r := 0; ; r++ {
			for y := cy - r; y <= cy+r; y++ {
				if y < 0 || y >= gh {
					continue
				}
				for x := cx - r; x <= cx+r; x++ {
					if x < 0 || x >= gw || (y != cy-r && y != cy+r && x != cx-r && x != cx+r) {
						continue
					}
					c := y*gw + x
					for _, j := range members[start[c]:start[c+1]] {
						if int(j) == i {
							continue
						}
						dx, dy := in.x[i]-in.x[j], in.y[i]-in.y[j]
						found = append(found, fcand{dx*dx + dy*dy, j})
					}
				}
			}
			if len(found) >= k {
				sort.Slice(found, func(a, b int) bool {
					if found[a].d != found[b].d {
						return found[a].d < found[b].d
					}
					return found[a].j < found[b].j
				})
				found = found[:k]
				// Every point outside the searched square is farther than r*size.
				reach := float64(r) * size
				if found[k-1].d <= reach*reach {
					break
				}
			}
			if r > gw+gh {
				break
			}
		}
		for m := 0; m < k && m < len(found); m++ {
			nb[i*k+m] = found[m].j
		}
	}
	return nb
}
