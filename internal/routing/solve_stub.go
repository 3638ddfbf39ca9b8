package routing

import (
	"context"
	"errors"
)

// solve is replaced by the real solver.
func solve(ctx context.Context, p *Problem, o Options) (*Solution, error) {
	return nil, errors.New("routing: solver not built yet")
}
