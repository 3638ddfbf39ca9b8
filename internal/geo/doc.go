// Package geo holds the geometry Meridian needs: points in (lon, lat) order,
// bounding boxes, polygons with holes, great-circle distances, spherical areas,
// a polygon index for "which territory is this point in", and the tile maths
// (Web Mercator tiles and the Morton tile key stored with each account).
//
// Coordinates are always (longitude, latitude) in degrees, WGS 84, as in
// GeoJSON. Human formats that put latitude first are converted at the edges.
//
// The package is pure: no I/O.
package geo
