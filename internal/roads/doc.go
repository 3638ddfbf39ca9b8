// Package roads supplies travel matrices for route planning: how far and how
// long it is to drive between every pair of places. By default the answer is
// offline, the great-circle distance stretched by a detour factor and driven
// at an average speed; with a road-routing server (OSRM's table service or
// Valhalla's sources_to_targets) it is the road network's.
//
// Large matrices are fetched in blocks the server accepts, and answers are
// kept in an LRU cache keyed by the provider and the rounded coordinates of
// each pair, so re-planning the same accounts asks the server again only for
// the places that are new.
package roads
