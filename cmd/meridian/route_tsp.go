package main

import (
	"bytes"
	"context"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/routing/tsp"
)

func init() { solveTSPLIB = solveTSPFile }

// solveTSPFile solves a TSPLIB instance: one route listing every node id
// once, its length under TSPLIB's rounding rules.
func solveTSPFile(ctx context.Context, data []byte, limit time.Duration, seed int64) (*routeResult, error) {
	in, err := tsp.Read(bytes.NewReader(data))
	if err != nil {
		return nil, derrors.Invalidf("%v", err)
	}
	start := time.Now()
	tour, length, err := tsp.Solve(ctx, in, tsp.Options{TimeLimit: limit, Seed: seed})
	if err != nil {
		return nil, err
	}
	res := &routeResult{Distance: float64(length), Vehicles: 1, Unassigned: []int64{}, ElapsedSeconds: time.Since(start).Seconds()}
	ids := make([]int64, len(tour))
	for i, k := range tour {
		ids[i] = int64(in.ID(k))
	}
	res.Routes = [][]int64{ids}
	res.feasible = tsp.Check(in, tour, length)
	return res, nil
}
