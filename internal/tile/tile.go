package tile

import (
	"math"
	"sort"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Extent is the coordinate range of a tile's features (MVT's default).
const Extent = 4096

// GridBits sets the cluster grid: a tile is split into 2^GridBits cells a
// side (16 × 16: cells of 32 px on a 512 px tile).
const GridBits = 4

// MaxClusterZoom is the deepest zoom that clusters; beyond it every account
// is its own feature.
const MaxClusterZoom = 16

// Feature is one point of a tile: a single account (Count 1, Index its
// position in the index) or a cluster of Count accounts.
type Feature struct {
	Count    int
	Index    int     // position of the account, for single accounts; -1 for clusters
	X, Y     int     // position in the tile, 0..Extent
	Lon, Lat float64 // mean position of the accounts
	SumValue float64
	TopStage uint8 // the most common stage
	CellKey  int64 // a stable id for a cluster
}

// cell accumulates one grid cell.
type cell struct {
	count          int
	first          int
	sumLon, sumLat float64
	sumValue       float64
	stages         [16]int32
	key            uint64
}

// Tile returns the features of tile (z, x, y) for the points that pass f.
func (ix *Index) Tile(z int, x, y uint32, f Filter) []Feature {
	m := ix.compile(f)
	lo, hi := ix.span(geo.TileKeyRange(z, x, y))
	if lo == hi {
		return nil
	}
	n := math.Exp2(float64(z))
	project := func(lon, lat float64) (int, int) {
		fx := (lon+180)/360*n - float64(x)
		s := math.Sin(math.Max(-geo.MaxMercatorLat, math.Min(geo.MaxMercatorLat, lat)) * math.Pi / 180)
		fy := (0.5-math.Log((1+s)/(1-s))/(4*math.Pi))*n - float64(y)
		px, py := int(fx*Extent), int(fy*Extent)
		return min(max(px, 0), Extent-1), min(max(py, 0), Extent-1)
	}
	var out []Feature
	if z > MaxClusterZoom {
		for i := lo; i < hi; i++ {
			if m.match(ix, i) {
				out = append(out, ix.single(i, project))
			}
		}
		return out
	}
	// Keys are Z-ordered, so the accounts of one grid cell are one run: a
	// cell changes when the key prefix at zoom z+GridBits changes.
	shift := uint(2 * (geo.KeyZoom - min(z+GridBits, geo.KeyZoom)))
	if m.all && hi-lo > 4096 {
		return ix.tileFromTotals(lo, hi, shift, project)
	}
	if lists := ix.candidates(f, m); lists != nil && hi-lo > 4096 {
		return ix.tileFromLists(lo, hi, shift, lists, m, project)
	}
	var c cell
	flush := func() {
		if c.count == 0 {
			return
		}
		if c.count == 1 {
			i := c.first
			out = append(out, ix.single(i, project))
		} else {
			out = append(out, c.cluster(project))
		}
		c = cell{}
	}
	cur := ^uint64(0)
	for i := lo; i < hi; i++ {
		if !m.match(ix, i) {
			continue
		}
		if k := ix.keys[i] >> shift; k != cur {
			flush()
			cur = k
			c.first, c.key = i, k<<shift
		}
		c.count++
		c.sumLon += ix.lon[i]
		c.sumLat += ix.lat[i]
		c.sumValue += ix.value[i]
		c.stages[ix.stage[i]&15]++
	}
	flush()
	return out
}

// tileFromTotals clusters an unfiltered tile from the running totals: each
// occupied cell is found by binary search and summed in constant time, so a
// tile costs the same for ten accounts or a million.
func (ix *Index) tileFromTotals(lo, hi int, shift uint, project func(lon, lat float64) (int, int)) []Feature {
	var out []Feature
	for i := lo; i < hi; {
		cellKey := ix.keys[i] >> shift
		// The first position past this cell.
		end := i + sort.Search(hi-i, func(k int) bool { return ix.keys[i+k]>>shift != cellKey })
		n := end - i
		if n == 1 {
			out = append(out, ix.single(i, project))
		} else {
			lon := (ix.cumLon[end] - ix.cumLon[i]) / float64(n)
			lat := (ix.cumLat[end] - ix.cumLat[i]) / float64(n)
			top, best := 0, int32(-1)
			for s, cum := range ix.cumStage {
				if c := cum[end] - cum[i]; c > best {
					top, best = s, c
				}
			}
			px, py := project(lon, lat)
			out = append(out, Feature{Count: n, Index: -1, X: px, Y: py, Lon: lon, Lat: lat, SumValue: ix.cumValue[end] - ix.cumValue[i],
				TopStage: uint8(top), CellKey: int64(cellKey << shift)})
		}
		i = end
	}
	return out
}

// candidates returns, for a filter that names territories or a scope, the
// position lists that hold every account it can pass (nil when it cannot be
// narrowed so). Territory lists never overlap (an account has one
// territory); a scope's owner list comes last, and tileFromLists skips its
// accounts that lie in the scope's territories, counted already.
func (ix *Index) candidates(f Filter, m *matcher) [][]int32 {
	var lists [][]int32
	switch {
	case f.Scope != nil:
		for _, t := range f.Scope.TerritoryIDs {
			if c, ok := ix.terrCodes[t]; ok && t != 0 {
				lists = append(lists, ix.byTerr[c])
			}
		}
		if m.scopeOwner != 0 {
			lists = append(lists, ix.byOwner[m.scopeOwner])
		}
		if lists == nil {
			lists = [][]int32{}
		}
	case len(f.TerritoryIDs) > 0:
		for _, t := range f.TerritoryIDs {
			if c, ok := ix.terrCodes[t]; ok {
				lists = append(lists, ix.byTerr[c])
			}
		}
		if lists == nil {
			lists = [][]int32{}
		}
	}
	return lists
}

// tileFromLists clusters a tile from candidate position lists, each visited
// only within the tile, into a fixed grid of cells.
func (ix *Index) tileFromLists(lo, hi int, shift uint, lists [][]int32, m *matcher, project func(lon, lat float64) (int, int)) []Feature {
	const cells = 1 << (2 * GridBits)
	var grid [cells]cell
	ownerList := -1
	if m.scope != nil && m.scopeOwner != 0 {
		ownerList = len(lists) - 1
	}
	// With nothing to test but the scope or territory, a territory's
	// accounts are summed run by run from its running totals.
	plain := m.stages == 0 && m.owners == nil && !m.visitRange && m.allowed == nil
	for li, list := range lists {
		a := sort.Search(len(list), func(k int) bool { return int(list[k]) >= lo })
		if plain && li != ownerList && len(list) > 0 {
			if tot := ix.terrTotals[ix.terrCode[list[0]]]; tot != nil {
				for k := a; k < len(list) && int(list[k]) < hi; {
					cellKey := ix.keys[list[k]] >> shift
					end := k + sort.Search(len(list)-k, func(j int) bool {
						p := int(list[k+j])
						return p >= hi || ix.keys[p]>>shift != cellKey
					})
					c := &grid[cellKey&(cells-1)]
					if c.count == 0 {
						c.first, c.key = int(list[k]), cellKey<<shift
					}
					c.count += end - k
					c.sumLon += tot.lon[end] - tot.lon[k]
					c.sumLat += tot.lat[end] - tot.lat[k]
					c.sumValue += tot.value[end] - tot.value[k]
					for s := range tot.stage {
						c.stages[s&15] += tot.stage[s][end] - tot.stage[s][k]
					}
					k = end
				}
				continue
			}
		}
		for _, p := range list[a:] {
			i := int(p)
			if i >= hi {
				break
			}
			if !m.match(ix, i) {
				continue
			}
			if li == ownerList && m.scopeTerr[ix.terrCode[i]] {
				continue // counted with its territory
			}
			c := &grid[(ix.keys[i]>>shift)&(cells-1)]
			if c.count == 0 {
				c.first, c.key = i, (ix.keys[i]>>shift)<<shift
			}
			c.count++
			c.sumLon += ix.lon[i]
			c.sumLat += ix.lat[i]
			c.sumValue += ix.value[i]
			c.stages[ix.stage[i]&15]++
		}
	}
	var out []Feature
	for k := range grid {
		c := &grid[k]
		switch {
		case c.count == 1:
			i := c.first
			out = append(out, ix.single(i, project))
		case c.count > 1:
			out = append(out, c.cluster(project))
		}
	}
	return out
}

// single is the feature of the one account at position i.
func (ix *Index) single(i int, project func(lon, lat float64) (int, int)) Feature {
	px, py := project(ix.lon[i], ix.lat[i])
	return Feature{Count: 1, Index: i, X: px, Y: py, Lon: ix.lon[i], Lat: ix.lat[i], SumValue: ix.value[i], TopStage: ix.stage[i]}
}

// cluster is the feature of a cell of several accounts: at their mean
// position, in their most common stage.
func (c *cell) cluster(project func(lon, lat float64) (int, int)) Feature {
	lon, lat := c.sumLon/float64(c.count), c.sumLat/float64(c.count)
	px, py := project(lon, lat)
	top := 0
	for s := range c.stages {
		if c.stages[s] > c.stages[top] {
			top = s
		}
	}
	return Feature{Count: c.count, Index: -1, X: px, Y: py, Lon: lon, Lat: lat, SumValue: c.sumValue, TopStage: uint8(top), CellKey: int64(c.key)}
}
