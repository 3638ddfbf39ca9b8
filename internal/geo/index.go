package geo

import (
	"sort"

	"github.com/tidwall/rtree"
)

// PolygonIndex answers "which shapes contain this point" quickly: an R-tree
// of bounding boxes narrows the candidates, then an exact test decides.
// It is immutable once built and safe for concurrent use.
type PolygonIndex struct {
	tree   rtree.RTreeG[int]
	shapes []indexed
}

type indexed struct {
	id    int64
	shape MultiPolygon
	area  float64
}

// NewPolygonIndex indexes shapes by id.
func NewPolygonIndex(shapes map[int64]MultiPolygon) *PolygonIndex {
	ix := &PolygonIndex{}
	ids := make([]int64, 0, len(shapes))
	for id := range shapes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		s := shapes[id]
		b := s.Bounds()
		if b.IsEmpty() {
			continue
		}
		ix.tree.Insert([2]float64{b.MinLon, b.MinLat}, [2]float64{b.MaxLon, b.MaxLat}, len(ix.shapes))
		ix.shapes = append(ix.shapes, indexed{id: id, shape: s, area: s.AreaKm2()})
	}
	return ix
}

// Len is the number of shapes indexed.
func (ix *PolygonIndex) Len() int { return len(ix.shapes) }

// Containing returns the ids of every shape containing p, smallest area first
// (ties by id).
func (ix *PolygonIndex) Containing(p Point) []int64 {
	var hits []indexed
	ix.tree.Search([2]float64{p.Lon, p.Lat}, [2]float64{p.Lon, p.Lat}, func(_, _ [2]float64, i int) bool {
		if ix.shapes[i].shape.Contains(p) {
			hits = append(hits, ix.shapes[i])
		}
		return true
	})
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].area != hits[j].area {
			return hits[i].area < hits[j].area
		}
		return hits[i].id < hits[j].id
	})
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.id
	}
	return ids
}

// Smallest returns the id of the smallest shape containing p, the most
// specific territory when territories nest, and false when none does.
func (ix *PolygonIndex) Smallest(p Point) (int64, bool) {
	best, found := indexed{}, false
	ix.tree.Search([2]float64{p.Lon, p.Lat}, [2]float64{p.Lon, p.Lat}, func(_, _ [2]float64, i int) bool {
		s := ix.shapes[i]
		if (!found || s.area < best.area || (s.area == best.area && s.id < best.id)) && s.shape.Contains(p) {
			best, found = s, true
		}
		return true
	})
	return best.id, found
}
