package territory

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/geo"
)

func box(minLon, minLat, maxLon, maxLat float64) geo.MultiPolygon {
	return geo.BBoxPolygon(geo.BBox{MinLon: minLon, MinLat: minLat, MaxLon: maxLon, MaxLat: maxLat})
}

// exactKm2 is the spherical area of a lon/lat rectangle,
// R²·Δλ·(sin φ2 − sin φ1), computed independently of geo's ring formula.
func exactKm2(minLon, minLat, maxLon, maxLat float64) float64 {
	const rad = math.Pi / 180
	r := 6371.0088
	return r * r * (maxLon - minLon) * rad * (math.Sin(maxLat*rad) - math.Sin(minLat*rad))
}

func TestCheckKnownOverlapAndGap(t *testing.T) {
	// North and South Side overlap in a strip 0.02° wide; Foothills lies
	// north of both with a strip 0.02° tall between; Downtown is a child of
	// North Side (inside it, which is no overlap).
	north := &Territory{ID: 1, Name: "North Side", Shape: box(-105.0, 39.7, -104.9, 39.8), RepIDs: []int64{10}}
	south := &Territory{ID: 2, Name: "South Side", Shape: box(-104.92, 39.7, -104.8, 39.8), RepIDs: []int64{11}}
	hills := &Territory{ID: 3, Name: "Foothills", Shape: box(-105.0, 39.82, -104.8, 39.9)}
	down := &Territory{ID: 4, Name: "Downtown", ParentID: 1, Shape: box(-104.99, 39.71, -104.95, 39.75), RepIDs: []int64{10}}
	var accounts []geo.Point
	add := func(n int, lon, lat float64) {
		for i := 0; i < n; i++ {
			accounts = append(accounts, geo.Point{Lon: lon + float64(i)*0.001, Lat: lat})
		}
	}
	add(3, -104.915, 39.75) // in the overlap
	add(2, -104.85, 39.81)  // in the gap
	add(5, -104.96, 39.78)  // North Side only
	add(4, -104.97, 39.72)  // Downtown
	add(1, -104.5, 39.5)    // outside everything
	rep := Check(CheckInput{
		Territories: []*Territory{north, south, hills, down},
		Accounts:    accounts,
		Reps:        []Rep{{ID: 10, Email: "ann@example.com"}, {ID: 11, Email: "bob@example.com"}, {ID: 12, Email: "cy@example.com"}},
	})
	if len(rep.Overlaps) != 1 {
		t.Fatalf("overlaps = %+v, want one", rep.Overlaps)
	}
	o := rep.Overlaps[0]
	if o.A != "North Side" || o.B != "South Side" {
		t.Errorf("overlap pair = %q, %q; want North Side, South Side", o.A, o.B)
	}
	if want := exactKm2(-104.92, 39.7, -104.9, 39.8); math.Abs(o.AreaKm2-want) > 0.01*want {
		t.Errorf("overlap area = %v km², want %v within 1%%", o.AreaKm2, want)
	}
	if o.Accounts != 3 {
		t.Errorf("overlap accounts = %d, want 3", o.Accounts)
	}
	if len(rep.Gaps) != 1 {
		t.Fatalf("gaps = %+v, want one", rep.Gaps)
	}
	if want := exactKm2(-105.0, 39.8, -104.8, 39.82); math.Abs(rep.Gaps[0].AreaKm2-want) > 0.01*want {
		t.Errorf("gap area = %v km², want %v within 1%%", rep.Gaps[0].AreaKm2, want)
	}
	if rep.Gaps[0].Accounts != 2 {
		t.Errorf("gap accounts = %d, want 2", rep.Gaps[0].Accounts)
	}
	if rep.UnassignedAccounts != 3 {
		t.Errorf("unassigned accounts = %d, want 3 (2 in the gap, 1 outside)", rep.UnassignedAccounts)
	}
	if diff := cmp.Diff([]Named{{ID: 3, Name: "Foothills"}}, rep.TerritoriesWithoutRep); diff != "" {
		t.Errorf("territories without rep (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]Named{{ID: 12, Name: "cy@example.com"}}, rep.RepsWithoutTerritory); diff != "" {
		t.Errorf("reps without territory (-want +got):\n%s", diff)
	}

	// A wider boundary adds the land around the territories to the gaps.
	within := box(-105.1, 39.6, -104.7, 40.0)
	rep = Check(CheckInput{Territories: []*Territory{north, south, hills, down}, Accounts: accounts, Within: within})
	want := exactKm2(-105.1, 39.6, -104.7, 40.0) - exactKm2(-105.0, 39.7, -104.8, 39.8) - exactKm2(-105.0, 39.82, -104.8, 39.9)
	got := 0.0
	for _, g := range rep.Gaps {
		got += g.AreaKm2
	}
	if math.Abs(got-want) > 0.01*want {
		t.Errorf("gaps within a wider boundary = %v km², want %v", got, want)
	}
	if len(rep.Gaps) != 1 || len(rep.Gaps[0].Shape[0]) != 3 {
		t.Errorf("gaps within the wider boundary: want one polygon with two holes, got %d gaps", len(rep.Gaps))
	}
}

func TestCheckAdjacentTerritoriesAreClean(t *testing.T) {
	// A jittered grid: neighbours share their edges exactly.
	ts := jitteredGrid(6, 5, 1)
	rep := Check(CheckInput{Territories: ts})
	if len(rep.Overlaps) != 0 || len(rep.Gaps) != 0 {
		t.Errorf("a tiling gave %d overlaps and %d gaps, want none: %+v %+v", len(rep.Overlaps), len(rep.Gaps), rep.Overlaps, rep.Gaps)
	}
}

// jitteredGrid tiles a box with cols×rows quadrilaterals whose shared
// corners are moved at random, so neighbours share edges exactly.
func jitteredGrid(cols, rows int, seed uint64) []*Territory {
	rng := rand.New(rand.NewPCG(seed, 3))
	const cell = 0.02
	corner := make([][]geo.Point, cols+1)
	for i := range corner {
		corner[i] = make([]geo.Point, rows+1)
		for j := range corner[i] {
			dx, dy := 0.0, 0.0
			if i > 0 && i < cols && j > 0 && j < rows {
				dx, dy = (rng.Float64()-0.5)*cell*0.4, (rng.Float64()-0.5)*cell*0.4
			}
			corner[i][j] = geo.Point{Lon: -105 + float64(i)*cell + dx, Lat: 39.5 + float64(j)*cell + dy}
		}
	}
	var ts []*Territory
	for i := 0; i < cols; i++ {
		for j := 0; j < rows; j++ {
			r := geo.Ring{corner[i][j], corner[i+1][j], corner[i+1][j+1], corner[i][j+1], corner[i][j]}
			ts = append(ts, &Territory{ID: int64(len(ts) + 1), Name: "T" + string(rune('A'+i%26)) + string(rune('a'+j%26)) + string(rune('0'+len(ts)%10)), Shape: geo.MultiPolygon{{r}}})
		}
	}
	return ts
}

func BenchmarkCheck1000(b *testing.B) {
	// 1,000 territories (a 40×25 tiling, with every 7th one grown so it
	// overlaps its neighbours and every 11th left out as a gap) and 50,000
	// accounts.
	grid := jitteredGrid(40, 25, 2)
	var ts []*Territory
	for i, t := range grid {
		switch {
		case i%11 == 5:
			continue
		case i%7 == 3:
			bb := t.Shape.Bounds()
			t.Shape = box(bb.MinLon-0.003, bb.MinLat-0.003, bb.MaxLon+0.003, bb.MaxLat+0.003)
		}
		ts = append(ts, t)
	}
	for len(ts) < 1000 {
		bb := ts[len(ts)%100].Shape.Bounds()
		ts = append(ts, &Territory{ID: int64(5000 + len(ts)), Name: "extra" + string(rune('A'+len(ts)%26)) + string(rune('0'+len(ts)%10)) + string(rune('a'+len(ts)/26%26)),
			Shape: box(bb.MinLon+0.002, bb.MinLat+0.002, bb.MaxLon+0.004, bb.MaxLat+0.004)})
	}
	rng := rand.New(rand.NewPCG(4, 4))
	accounts := make([]geo.Point, 50000)
	for i := range accounts {
		accounts[i] = geo.Point{Lon: -105 + rng.Float64()*0.8, Lat: 39.5 + rng.Float64()*0.5}
	}
	b.ResetTimer()
	for b.Loop() {
		rep := Check(CheckInput{Territories: ts, Accounts: accounts})
		if len(rep.Overlaps) == 0 || len(rep.Gaps) == 0 {
			b.Fatalf("%d overlaps, %d gaps: the fixture should have both", len(rep.Overlaps), len(rep.Gaps))
		}
	}
}
