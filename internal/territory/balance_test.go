package territory

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/meridian-crm/meridian/internal/geo"
)

// metro returns n accounts of one synthetic metro around Denver: a dense
// downtown, a handful of suburban clusters and a thin spread out to 40 km,
// with estimated values that vary over two orders of magnitude.
func metro(n int, seed uint64) []Item {
	rng := rand.New(rand.NewPCG(seed, 7))
	centre := geo.Point{Lon: -104.99, Lat: 39.74}
	type cluster struct{ x, y, sigma, share float64 }
	clusters := []cluster{{0, 0, 3, 0.30}, {-14, 8, 2.5, 0.10}, {12, -10, 3, 0.10}, {5, 18, 2, 0.07}, {-18, -15, 4, 0.08}, {22, 5, 2, 0.05}, {0, 0, 15, 0.30}}
	items := make([]Item, n)
	for i := range items {
		u, c := rng.Float64(), clusters[len(clusters)-1]
		for _, cl := range clusters {
			if u < cl.share {
				c = cl
				break
			}
			u -= cl.share
		}
		var x, y float64
		for {
			x, y = c.x+rng.NormFloat64()*c.sigma, c.y+rng.NormFloat64()*c.sigma
			if math.Hypot(x, y) <= 40 {
				break
			}
		}
		items[i] = Item{ID: int64(i + 1), Location: geo.Offset(centre, x*1000, y*1000), Weight: 1}
	}
	return items
}

// checkPartition verifies the invariants every balance must keep: each
// account inside exactly one cell's polygon (the one it was assigned to),
// cells not overlapping.
func checkPartition(t *testing.T, items []Item, p *Partition) {
	t.Helper()
	shapes := map[int64]geo.MultiPolygon{}
	for c, cell := range p.Cells {
		shapes[int64(c)] = cell.Shape
	}
	ix := geo.NewPolygonIndex(shapes)
	for i, it := range items {
		in := ix.Containing(it.Location)
		if len(in) != 1 || in[0] != int64(p.Of[i]) {
			t.Fatalf("account %d at %v is inside cells %v, assigned to %d; want exactly its own", it.ID, it.Location, in, p.Of[i])
		}
	}
	for a := range p.Cells {
		for b := a + 1; b < len(p.Cells); b++ {
			if x := geo.Intersection(p.Cells[a].Shape, p.Cells[b].Shape).AreaKm2(); x > 1e-6 {
				t.Errorf("cells %d and %d overlap by %v km²", a, b, x)
			}
		}
	}
}

func TestBalanceMetro40kInto8(t *testing.T) {
	items := metro(40000, 1)
	p, err := Balance(items, BalanceOptions{K: 8})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cells) != 8 {
		t.Fatalf("%d cells, want 8", len(p.Cells))
	}
	checkPartition(t, items, p)
	min, max := math.Inf(1), 0.0
	for c, cell := range p.Cells {
		n := float64(len(cell.Items))
		min, max = math.Min(min, n), math.Max(max, n)
		if len(cell.Shape) != 1 || len(cell.Shape[0]) != 1 {
			t.Errorf("cell %d is %d polygons / %d rings, want one polygon without holes", c, len(cell.Shape), len(cell.Shape[0]))
		}
	}
	if max/min > 1.10 {
		t.Errorf("largest/smallest by accounts = %.4f, want ≤ 1.10", max/min)
	}
	if p.MeanPolsbyPopper < 0.4 {
		t.Errorf("mean Polsby–Popper = %.3f, want ≥ 0.4", p.MeanPolsbyPopper)
	}
	t.Logf("40,000 accounts into 8: ratio %.4f, mean Polsby–Popper %.3f", max/min, p.MeanPolsbyPopper)
}

func TestBalanceByValue(t *testing.T) {
	items := metro(5000, 2)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range items {
		items[i].Weight = math.Exp(rng.NormFloat64()) * 1000
	}
	p, err := Balance(items, BalanceOptions{K: 5})
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, items, p)
	if p.Ratio > 1.10 {
		t.Errorf("value ratio = %.3f, want ≤ 1.10", p.Ratio)
	}
}

func TestBalanceWithinRegion(t *testing.T) {
	// A locked territory in the middle: the region is the box minus it, and
	// its accounts are left out by the caller.
	all := metro(8000, 5)
	locked := geo.BBoxPolygon(geo.BBox{MinLon: -105.02, MinLat: 39.72, MaxLon: -104.96, MaxLat: 39.76})
	var items []Item
	box := geo.EmptyBBox()
	for _, it := range all {
		box = box.Extend(it.Location)
		if !locked.Contains(it.Location) {
			items = append(items, it)
		}
	}
	box = geo.BBox{MinLon: box.MinLon - 0.01, MinLat: box.MinLat - 0.01, MaxLon: box.MaxLon + 0.01, MaxLat: box.MaxLat + 0.01}
	region := geo.Difference(geo.BBoxPolygon(box), locked)
	p, err := Balance(items, BalanceOptions{K: 4, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, items, p)
	for c, cell := range p.Cells {
		if x := geo.Intersection(cell.Shape, locked).AreaKm2(); x > 1e-6 {
			t.Errorf("cell %d covers %v km² of the locked territory", c, x)
		}
	}
	covered := 0.0
	for _, cell := range p.Cells {
		covered += cell.AreaKm2
	}
	if want := region.AreaKm2(); math.Abs(covered-want) > 1e-3*want {
		t.Errorf("cells cover %v km², want the region's %v", covered, want)
	}
}

func TestBalanceAroundCentres(t *testing.T) {
	items := metro(6000, 9)
	centres := []geo.Point{
		geo.Offset(geo.Point{Lon: -104.99, Lat: 39.74}, -10000, 5000),
		geo.Offset(geo.Point{Lon: -104.99, Lat: 39.74}, 10000, 5000),
		geo.Offset(geo.Point{Lon: -104.99, Lat: 39.74}, 0, -12000),
		geo.Offset(geo.Point{Lon: -104.99, Lat: 39.74}, 2000, 1000),
	}
	p, err := Balance(items, BalanceOptions{K: 4, Centres: centres})
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, items, p)
	if p.Ratio > 1.05 {
		t.Errorf("ratio around centres = %.3f, want ≤ 1.05", p.Ratio)
	}
	for c, cell := range p.Cells {
		if !cell.Shape.Contains(centres[c]) && len(cell.Items) > 0 {
			t.Logf("centre %d lies outside its own cell (its weight pushed it out)", c)
		}
	}
}

func TestBalanceErrors(t *testing.T) {
	items := metro(10, 1)
	if _, err := Balance(items, BalanceOptions{K: 0}); err == nil {
		t.Error("k=0 accepted")
	}
	if _, err := Balance(nil, BalanceOptions{K: 2}); err == nil {
		t.Error("no items accepted")
	}
	zero := append([]Item(nil), items...)
	for i := range zero {
		zero[i].Weight = 0
	}
	if _, err := Balance(zero, BalanceOptions{K: 2}); err == nil {
		t.Error("all-zero weights accepted")
	}
	if _, err := Weight("size", 0, ""); err == nil {
		t.Error(`Weight("size") accepted`)
	}
}

func BenchmarkBalance100k(b *testing.B) {
	items := metro(100000, 11)
	b.ResetTimer()
	for b.Loop() {
		p, err := Balance(items, BalanceOptions{K: 20})
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Cells) != 20 {
			b.Fatalf("%d cells", len(p.Cells))
		}
	}
}
