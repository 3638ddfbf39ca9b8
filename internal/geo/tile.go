package geo

import (
	"math"
	"sort"
)

// KeyZoom is the zoom level of the tile key stored with each account: at 31 a
// tile is about 2 cm across, so the key orders accounts along a Z-order curve
// and any Web Mercator tile at zoom ≤ 31 is one contiguous range of keys.
const KeyZoom = 31

// MaxMercatorLat is the latitude where the square Web Mercator world ends.
const MaxMercatorLat = 85.05112877980659

// TileXY returns the tile at zoom z holding p (Web Mercator, y down from the
// north). Latitudes beyond ±MaxMercatorLat are clamped.
func TileXY(p Point, z int) (x, y uint32) {
	n := math.Exp2(float64(z))
	lat := math.Max(-MaxMercatorLat, math.Min(MaxMercatorLat, p.Lat))
	fx := (p.Lon + 180) / 360 * n
	s := math.Sin(lat * math.Pi / 180)
	fy := (0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)) * n
	max := n - 1
	return uint32(math.Max(0, math.Min(max, math.Floor(fx)))), uint32(math.Max(0, math.Min(max, math.Floor(fy))))
}

// TileBounds returns the (lon, lat) box of tile (z, x, y).
func TileBounds(z int, x, y uint32) BBox {
	n := math.Exp2(float64(z))
	lon := func(x float64) float64 { return x/n*360 - 180 }
	lat := func(y float64) float64 { return math.Atan(math.Sinh(math.Pi*(1-2*y/n))) * 180 / math.Pi }
	return BBox{MinLon: lon(float64(x)), MaxLon: lon(float64(x + 1)), MinLat: lat(float64(y + 1)), MaxLat: lat(float64(y))}
}

// interleave spreads the low 32 bits of v to the even bits of the result.
func interleave(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// TileKey is the Morton (Z-order) key of p's tile at KeyZoom. It fits in 62
// bits, so it is stored as a non-negative int64.
func TileKey(p Point) int64 {
	x, y := TileXY(p, KeyZoom)
	return int64(interleave(x) | interleave(y)<<1)
}

// KeyRange is an inclusive range of tile keys.
type KeyRange struct{ Lo, Hi int64 }

// TileKeyRange is the range of KeyZoom keys inside tile (z, x, y).
func TileKeyRange(z int, x, y uint32) KeyRange {
	shift := uint(2 * (KeyZoom - z))
	lo := int64((interleave(x) | interleave(y)<<1) << shift)
	return KeyRange{Lo: lo, Hi: lo + int64(1)<<shift - 1}
}

// CoverBBox returns at most about maxRanges key ranges whose tiles together
// cover b. The cover may hold points outside b; callers filter exactly.
func CoverBBox(b BBox, maxRanges int) []KeyRange {
	if maxRanges < 1 {
		maxRanges = 1
	}
	// Deepest zoom at which b spans at most maxRanges tiles.
	z := KeyZoom
	for ; z > 0; z-- {
		x0, y0 := TileXY(Point{b.MinLon, b.MaxLat}, z)
		x1, y1 := TileXY(Point{b.MaxLon, b.MinLat}, z)
		if int(x1-x0+1)*int(y1-y0+1) <= maxRanges {
			break
		}
	}
	x0, y0 := TileXY(Point{b.MinLon, b.MaxLat}, z)
	x1, y1 := TileXY(Point{b.MaxLon, b.MinLat}, z)
	var rs []KeyRange
	for x := x0; x <= x1; x++ {
		for y := y0; y <= y1; y++ {
			rs = append(rs, TileKeyRange(z, x, y))
		}
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].Lo < rs[j].Lo })
	merged := rs[:0]
	for _, r := range rs {
		if n := len(merged); n > 0 && merged[n-1].Hi+1 >= r.Lo {
			if r.Hi > merged[n-1].Hi {
				merged[n-1].Hi = r.Hi
			}
			continue
		}
		merged = append(merged, r)
	}
	return merged
}
