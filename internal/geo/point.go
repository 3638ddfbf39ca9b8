package geo

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EarthRadiusMeters is the mean Earth radius used for distances and areas.
const EarthRadiusMeters = 6371008.8

// Point is a position in (longitude, latitude) order, in degrees.
type Point struct {
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

// Validate reports whether p is a position that can exist: longitude in
// [-180, 180], latitude in [-90, 90], both finite.
func (p Point) Validate() error {
	if math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0) || p.Lon < -180 || p.Lon > 180 {
		return fmt.Errorf("longitude %v is outside [-180, 180]", p.Lon)
	}
	if math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0) || p.Lat < -90 || p.Lat > 90 {
		return fmt.Errorf("latitude %v is outside [-90, 90]", p.Lat)
	}
	return nil
}

// DistanceMeters is the great-circle (haversine) distance between a and b.
func DistanceMeters(a, b Point) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := a.Lat*rad, b.Lat*rad
	dφ := (b.Lat - a.Lat) * rad
	dλ := (b.Lon - a.Lon) * rad
	h := math.Sin(dφ/2)*math.Sin(dφ/2) + math.Cos(φ1)*math.Cos(φ2)*math.Sin(dλ/2)*math.Sin(dλ/2)
	return 2 * EarthRadiusMeters * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Offset returns the point dxMeters east and dyMeters north of p, using a
// local flat approximation good to well under a metre over a few kilometres.
func Offset(p Point, dxMeters, dyMeters float64) Point {
	const rad = math.Pi / 180
	dLat := dyMeters / EarthRadiusMeters / rad
	dLon := dxMeters / (EarthRadiusMeters * math.Cos(p.Lat*rad)) / rad
	return Point{Lon: p.Lon + dLon, Lat: p.Lat + dLat}
}

// BBox is an axis-aligned box in degrees. It does not cross the antimeridian.
type BBox struct {
	MinLon, MinLat, MaxLon, MaxLat float64
}

// EmptyBBox returns a box that contains nothing and grows with Extend.
func EmptyBBox() BBox {
	return BBox{MinLon: math.Inf(1), MinLat: math.Inf(1), MaxLon: math.Inf(-1), MaxLat: math.Inf(-1)}
}

// ParseBBox reads "minLon,minLat,maxLon,maxLat".
func ParseBBox(s string) (BBox, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return BBox{}, fmt.Errorf("bbox must be minLon,minLat,maxLon,maxLat, got %q", s)
	}
	var v [4]float64
	for i, part := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
		if err != nil {
			return BBox{}, fmt.Errorf("bbox value %d (%q) is not a number", i+1, part)
		}
		v[i] = f
	}
	b := BBox{MinLon: v[0], MinLat: v[1], MaxLon: v[2], MaxLat: v[3]}
	if err := (Point{b.MinLon, b.MinLat}).Validate(); err != nil {
		return BBox{}, fmt.Errorf("bbox minimum: %v", err)
	}
	if err := (Point{b.MaxLon, b.MaxLat}).Validate(); err != nil {
		return BBox{}, fmt.Errorf("bbox maximum: %v", err)
	}
	if b.MinLon > b.MaxLon || b.MinLat > b.MaxLat {
		return BBox{}, fmt.Errorf("bbox minimum (%v,%v) exceeds its maximum (%v,%v)", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
	}
	return b, nil
}

// String formats b as ParseBBox reads it.
func (b BBox) String() string {
	return fmt.Sprintf("%g,%g,%g,%g", b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)
}

// Contains reports whether p lies in b, edges included.
func (b BBox) Contains(p Point) bool {
	return p.Lon >= b.MinLon && p.Lon <= b.MaxLon && p.Lat >= b.MinLat && p.Lat <= b.MaxLat
}

// Intersects reports whether b and o share any point.
func (b BBox) Intersects(o BBox) bool {
	return b.MinLon <= o.MaxLon && o.MinLon <= b.MaxLon && b.MinLat <= o.MaxLat && o.MinLat <= b.MaxLat
}

// Extend grows b to hold p.
func (b BBox) Extend(p Point) BBox {
	return BBox{
		MinLon: math.Min(b.MinLon, p.Lon), MinLat: math.Min(b.MinLat, p.Lat),
		MaxLon: math.Max(b.MaxLon, p.Lon), MaxLat: math.Max(b.MaxLat, p.Lat),
	}
}

// IsEmpty reports whether b contains nothing.
func (b BBox) IsEmpty() bool { return b.MinLon > b.MaxLon || b.MinLat > b.MaxLat }
