// Package routing plans visits: one rep's day (a travelling salesman
// problem with time windows, a shift, a break and optional stops) and a
// team's day (a vehicle routing problem with time windows). It is pure Go
// with no I/O: callers hand it a travel matrix and get routes back.
package routing

import (
	"context"
	"time"
)

// Matrix holds travel between N places, row-major: Dist[i*N+j] is the
// distance from place i to place j (metres, or the instance's own unit) and
// Time[i*N+j] the travel time in seconds. Time may be nil, meaning time
// equals distance (Solomon's convention).
type Matrix struct {
	N    int
	Dist []float64
	Time []float64
}

// Window is a time window [Start, End] in seconds from the plan's origin.
type Window struct{ Start, End float64 }

// Job is one stop to visit.
type Job struct {
	ID       int64   // the caller's id, echoed back
	Loc      int     // index into the matrix
	Service  float64 // seconds spent at the stop
	Windows  []Window
	Demand   int
	Priority int     // higher is more important; breaks ties among optional stops
	Optional bool    // may be left out, at Penalty
	Penalty  float64 // cost of leaving an optional job out (0: a default from Priority)
}

// Break is a rest (lunch) taken somewhere in the route, starting within
// [Earliest, Latest], lasting Duration seconds, where the rep happens to be.
type Break struct{ Earliest, Latest, Duration float64 }

// Vehicle is one rep (or truck) and its day.
type Vehicle struct {
	ID         int64
	Start, End int     // matrix indices; -1 for none (the route starts or ends at its first or last stop)
	ShiftStart float64 // earliest departure
	ShiftEnd   float64 // latest return (0: unbounded)
	Capacity   int     // 0: unbounded
	MaxStops   int     // 0: unbounded
	MaxTravel  float64 // seconds of driving, 0: unbounded
	FixedCost  float64 // cost of using this vehicle at all
	Break      *Break
	// Prefix holds job indices that must open this route in this order
	// (stops the user locked); the solver orders the rest after them.
	Prefix []int
}

// Problem is what to solve.
type Problem struct {
	Matrix   Matrix
	Jobs     []Job
	Vehicles []Vehicle
}

// Objective says what "best" means.
type Objective int

const (
	// MinDistance minimises total distance (plus fixed costs and penalties)
	// using at most the vehicles given.
	MinDistance Objective = iota
	// MinVehicles minimises the number of vehicles used, then distance.
	MinVehicles
)

// Options bound the search.
type Options struct {
	TimeLimit time.Duration // 0: a default suited to the size
	Seed      int64
	Objective Objective
}

// Stop is a job placed on a route.
type Stop struct {
	Job       int     // index into Problem.Jobs
	Arrival   float64 // seconds
	Start     float64 // service start (after any wait)
	Departure float64
}

// Route is one vehicle's plan.
type Route struct {
	Vehicle    int // index into Problem.Vehicles
	Stops      []Stop
	BreakStart float64 // -1 when no break is planned
	BreakAfter int     // the break is taken after this many stops
	Distance   float64
	Duration   float64 // from leaving the start to reaching the end
	Start, End float64 // departure and return times
}

// Solution is the solver's answer.
type Solution struct {
	Routes     []Route // only vehicles that are used
	Unassigned []int   // job indices left out
	Distance   float64
	Cost       float64 // distance + fixed costs + penalties
}

// Solve plans p within o.TimeLimit. It returns the best solution found;
// for a given seed and no time pressure the result is deterministic.
func Solve(ctx context.Context, p *Problem, o Options) (*Solution, error) {
	return solve(ctx, p, o)
}
