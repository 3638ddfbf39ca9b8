package geo

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func rect(minLon, minLat, maxLon, maxLat float64) Polygon {
	return Polygon{{{minLon, minLat}, {maxLon, minLat}, {maxLon, maxLat}, {minLon, maxLat}, {minLon, minLat}}}
}

func TestDistanceMeters(t *testing.T) {
	tests := []struct {
		a, b Point
		want float64
	}{
		{Point{0, 0}, Point{0, 1}, 111195},                            // one degree of latitude
		{Point{-104.9903, 39.7392}, Point{-105.2705, 40.0150}, 38800}, // Denver → Boulder
		{Point{10, 50}, Point{10, 50}, 0},
	}
	for _, tt := range tests {
		if got := DistanceMeters(tt.a, tt.b); math.Abs(got-tt.want) > 0.01*tt.want+1 {
			t.Errorf("DistanceMeters(%v, %v) = %.0f, want %.0f ±1%%", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAreaKm2(t *testing.T) {
	// A 1°×1° cell from the equator: R²·Δλ·(sin φ2 − sin φ1).
	r := EarthRadiusMeters / 1000
	want := r * r * (math.Pi / 180) * math.Sin(math.Pi/180)
	if got := (MultiPolygon{rect(0, 0, 1, 1)}).AreaKm2(); math.Abs(got-want)/want > 1e-6 {
		t.Errorf("area of 1°×1° at the equator = %.3f km², want %.3f", got, want)
	}
	// At 60° north a degree of longitude is half as wide.
	hi := (MultiPolygon{rect(0, 60, 1, 61)}).AreaKm2()
	if ratio := hi / want; math.Abs(ratio-0.4925) > 0.01 {
		t.Errorf("area ratio 60°N / equator = %.4f, want about 0.4925", ratio)
	}
	// Holes are subtracted; orientation does not matter.
	withHole := Polygon{rect(0, 0, 2, 2)[0], {{0.5, 0.5}, {0.5, 1.5}, {1.5, 1.5}, {1.5, 0.5}, {0.5, 0.5}}}
	full := (MultiPolygon{rect(0, 0, 2, 2)}).AreaKm2()
	hole := (MultiPolygon{rect(0.5, 0.5, 1.5, 1.5)}).AreaKm2()
	if got := (MultiPolygon{withHole}).AreaKm2(); math.Abs(got-(full-hole)) > 1e-6*full {
		t.Errorf("area with hole = %.3f, want %.3f", got, full-hole)
	}
}

func TestContains(t *testing.T) {
	withHole := MultiPolygon{Polygon{rect(0, 0, 4, 4)[0], rect(1, 1, 2, 2)[0]}, rect(10, 10, 11, 11)}
	tests := []struct {
		p    Point
		want bool
	}{
		{Point{0.5, 0.5}, true}, {Point{1.5, 1.5}, false}, {Point{3, 3}, true}, {Point{10.5, 10.5}, true},
		{Point{5, 5}, false}, {Point{-1, 2}, false},
	}
	for _, tt := range tests {
		if got := withHole.Contains(tt.p); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		m    MultiPolygon
		want string // "" for valid
	}{
		{"square", MultiPolygon{rect(0, 0, 1, 1)}, ""},
		{"not closed", MultiPolygon{{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}}, "not closed"},
		{"too few points", MultiPolygon{{{{0, 0}, {1, 0}, {0, 0}}}}, "at least 4"},
		{"bow tie", MultiPolygon{{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}}, "intersects itself"},
		{"spike", MultiPolygon{{{{0, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 0}}}}, "intersects itself"},
		{"latitude out of range", MultiPolygon{rect(0, 80, 1, 95)}, "latitude"},
		{"no polygons", MultiPolygon{}, "no polygons"},
	}
	for _, tt := range tests {
		err := tt.m.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

func TestTileKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < 2000; i++ {
		p := Point{Lon: r.Float64()*360 - 180, Lat: r.Float64()*170 - 85}
		key := TileKey(p)
		if key < 0 {
			t.Fatalf("TileKey(%v) = %d, negative", p, key)
		}
		for _, z := range []int{0, 3, 10, 17, 31} {
			x, y := TileXY(p, z)
			kr := TileKeyRange(z, x, y)
			if key < kr.Lo || key > kr.Hi {
				t.Fatalf("TileKey(%v) = %d outside its zoom-%d tile's range %v", p, key, z, kr)
			}
			if b := TileBounds(z, x, y); !b.Contains(p) {
				t.Fatalf("TileBounds(%d,%d,%d) = %v does not contain %v", z, x, y, b, p)
			}
		}
	}
}

func TestCoverBBox(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for i := 0; i < 200; i++ {
		lon, lat := r.Float64()*340-170, r.Float64()*160-80
		b := BBox{MinLon: lon, MinLat: lat, MaxLon: lon + r.Float64()*10, MaxLat: lat + r.Float64()*5}
		ranges := CoverBBox(b, 16)
		if len(ranges) > 16 {
			t.Fatalf("CoverBBox(%v) gave %d ranges, want at most 16", b, len(ranges))
		}
		for j := 0; j < 50; j++ {
			p := Point{Lon: b.MinLon + r.Float64()*(b.MaxLon-b.MinLon), Lat: b.MinLat + r.Float64()*(b.MaxLat-b.MinLat)}
			key, in := TileKey(p), false
			for _, kr := range ranges {
				in = in || (key >= kr.Lo && key <= kr.Hi)
			}
			if !in {
				t.Fatalf("point %v of %v not covered by %v", p, b, ranges)
			}
		}
	}
}

func TestPolygonIndexSmallestWins(t *testing.T) {
	ix := NewPolygonIndex(map[int64]MultiPolygon{
		1: {rect(0, 0, 10, 10)}, // region
		2: {rect(0, 0, 2, 2)},   // territory inside it
		3: {rect(20, 20, 21, 21)},
	})
	tests := []struct {
		p    Point
		want int64
		ok   bool
	}{{Point{1, 1}, 2, true}, {Point{5, 5}, 1, true}, {Point{20.5, 20.5}, 3, true}, {Point{50, 50}, 0, false}}
	for _, tt := range tests {
		got, ok := ix.Smallest(tt.p)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Smallest(%v) = %d, %v; want %d, %v", tt.p, got, ok, tt.want, tt.ok)
		}
	}
	if got := ix.Containing(Point{1, 1}); len(got) != 2 || got[0] != 2 || got[1] != 1 {
		t.Errorf("Containing(1,1) = %v, want [2 1]", got)
	}
}

func TestParseBBox(t *testing.T) {
	if b, err := ParseBBox("-105.1, 39.5,-104.5,40"); err != nil || b != (BBox{-105.1, 39.5, -104.5, 40}) {
		t.Errorf("ParseBBox = %v, %v", b, err)
	}
	for _, bad := range []string{"1,2,3", "a,b,c,d", "10,0,5,1", "0,0,200,1"} {
		if _, err := ParseBBox(bad); err == nil {
			t.Errorf("ParseBBox(%q) = nil error", bad)
		}
	}
}
