package tsp

import (
	"fmt"
	"math"
)

// Check verifies that tour is a permutation of 0..Len()-1 and that claimed
// is its length. It recomputes every edge from the raw coordinates with
// its own code, independent of Dist and of any matrix the solver builds,
// so a benchmark need not trust the solver.
func Check(in *Instance, tour []int, claimed int64) error {
	n := len(in.x)
	if len(tour) != n {
		return fmt.Errorf("tsp check: tour has %d nodes, instance %d", len(tour), n)
	}
	seen := make([]bool, n)
	for k, v := range tour {
		if v < 0 || v >= n {
			return fmt.Errorf("tsp check: position %d: node index %d out of range 0..%d", k, v, n-1)
		}
		if seen[v] {
			return fmt.Errorf("tsp check: position %d: node index %d (id %d) visited twice", k, v, in.ids[v])
		}
		seen[v] = true
	}
	pos := make([]int, n)
	for k, v := range tour {
		pos[v] = k
	}
	for _, e := range in.fixed {
		gap := pos[e[0]] - pos[e[1]]
		if gap != 1 && gap != -1 && gap != n-1 && gap != 1-n {
			return fmt.Errorf("tsp check: fixed edge %d-%d (ids) is not in the tour", in.ids[e[0]], in.ids[e[1]])
		}
	}
	var total int64
	for k := 0; n > 1 && k < n; k++ { // a one-node tour has no edge
		a, b := tour[k], tour[(k+1)%n]
		total += checkDist(in.EdgeWeightType, in.x[a], in.y[a], in.x[b], in.y[b])
	}
	if total != claimed {
		return fmt.Errorf("tsp check: tour length is %d, claimed %d", total, claimed)
	}
	return nil
}

// checkDist restates the TSPLIB distance functions (TSPLIB 95 document,
// section 2, and the TSPLIB FAQ for GEO) from coordinates alone.
func checkDist(kind string, xa, ya, xb, yb float64) int64 {
	dx, dy := xa-xb, ya-yb
	switch kind {
	case EUC2D:
		return int64(math.Floor(math.Sqrt(dx*dx+dy*dy) + 0.5))
	case CEIL2D:
		return int64(math.Ceil(math.Sqrt(dx*dx + dy*dy)))
	case ATT:
		r := math.Sqrt((dx*dx + dy*dy) / 10.0)
		t := int64(math.Floor(r + 0.5))
		if float64(t) < r {
			t++
		}
		return t
	case GEO:
		rad := func(v float64) float64 {
			d := float64(int64(v)) // TSPLIB FAQ: deg = (int) x
			return 3.141592 * (d + 5.0*(v-d)/3.0) / 180.0
		}
		latA, lonA, latB, lonB := rad(xa), rad(ya), rad(xb), rad(yb)
		q1 := math.Cos(lonA - lonB)
		q2 := math.Cos(latA - latB)
		q3 := math.Cos(latA + latB)
		return int64(6378.388*math.Acos(0.5*((1.0+q1)*q2-(1.0-q1)*q3)) + 1.0)
	}
	panic("tsp check: unknown edge weight type " + kind)
}
