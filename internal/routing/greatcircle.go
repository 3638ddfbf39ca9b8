package routing

import "github.com/meridian-crm/meridian/internal/geo"

// Defaults for GreatCircle.
const (
	DefaultDetour   = 1.3  // road distance over straight-line distance
	DefaultSpeedKmh = 40.0 // average speed, stops and traffic included
)

// GreatCircle is the offline travel matrix between points: the haversine
// distance times detour (metres) and the time to drive it at speedKmh
// (seconds). detour <= 0 and speedKmh <= 0 take the defaults.
func GreatCircle(points []geo.Point, detour, speedKmh float64) Matrix {
	if detour <= 0 {
		detour = DefaultDetour
	}
	if speedKmh <= 0 {
		speedKmh = DefaultSpeedKmh
	}
	n := len(points)
	mx := Matrix{N: n, Dist: make([]float64, n*n), Time: make([]float64, n*n)}
	mps := speedKmh * 1000 / 3600
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := geo.DistanceMeters(points[i], points[j]) * detour
			mx.Dist[i*n+j], mx.Dist[j*n+i] = d, d
			mx.Time[i*n+j], mx.Time[j*n+i] = d/mps, d/mps
		}
	}
	return mx
}
