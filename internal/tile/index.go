package tile

import (
	"math"
	"sort"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Point is one placed account as the map needs it.
type Point struct {
	ID          int64
	Lon, Lat    float64
	Stage       uint8 // index into the pipeline
	OwnerID     int64
	TerritoryID int64
	Value       float64
	CreatedAt   int64 // Unix seconds
	LastVisitAt int64 // Unix seconds; 0 never
	Name        string
	LastResult  string // result of the last visit
}

// Index holds points column by column, sorted by tile key. It is immutable
// once built and safe for concurrent use.
type Index struct {
	keys      []uint64
	ids       []int64
	lon, lat  []float64
	stage     []uint8
	owner     []int64
	territory []int64
	value     []float64
	created   []int64
	lastVisit []int64
	name      []string
	result    []string
	pos       map[int64]int32 // account id → position

	// Owners and territories also as small dense codes, so filters test a
	// bit in a slice instead of looking up a map for every account.
	ownerCode, terrCode []uint16
	ownerCodes          map[int64]uint16
	terrCodes           map[int64]uint16

	// Positions of each territory's and each owner's accounts, in key order,
	// so a rep's tile visits only their accounts, not the whole tile.
	byTerr, byOwner map[uint16][]int32
	// Running totals along each territory's list, so a territory's part of a
	// tile is summed cell by cell like an unfiltered tile.
	terrTotals map[uint16]*totals

	// Running totals over the key order, for tiles without a filter: the
	// accounts of any key range are counted and summed with two lookups.
	cumLon, cumLat, cumValue []float64
	cumStage                 [][]int32 // per stage index
}

// codes assigns each distinct id a small code (0 for id 0).
func codes(ids []int64) ([]uint16, map[int64]uint16) {
	m := map[int64]uint16{0: 0}
	out := make([]uint16, len(ids))
	for i, id := range ids {
		c, ok := m[id]
		if !ok {
			if len(m) > 65535 {
				c = 65535 // more than 65,535 owners: the rest share a code and fall back to exact checks
			} else {
				c = uint16(len(m))
			}
			m[id] = c
		}
		out[i] = c
	}
	return out, m
}

// Build indexes points (which it may reorder).
func Build(points []Point) *Index {
	keys := make([]uint64, len(points))
	for i := range points {
		keys[i] = uint64(geo.TileKey(geo.Point{Lon: points[i].Lon, Lat: points[i].Lat}))
	}
	order := make([]int, len(points))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		ka, kb := keys[order[a]], keys[order[b]]
		if ka != kb {
			return ka < kb
		}
		return points[order[a]].ID < points[order[b]].ID
	})
	n := len(points)
	ix := &Index{
		keys: make([]uint64, n), ids: make([]int64, n), lon: make([]float64, n), lat: make([]float64, n),
		stage: make([]uint8, n), owner: make([]int64, n), territory: make([]int64, n), value: make([]float64, n),
		created: make([]int64, n), lastVisit: make([]int64, n), name: make([]string, n), result: make([]string, n),
		pos: make(map[int64]int32, n),
	}
	for j, i := range order {
		p := &points[i]
		ix.keys[j], ix.ids[j], ix.lon[j], ix.lat[j] = keys[i], p.ID, p.Lon, p.Lat
		ix.stage[j], ix.owner[j], ix.territory[j], ix.value[j] = p.Stage, p.OwnerID, p.TerritoryID, p.Value
		ix.created[j], ix.lastVisit[j] = p.CreatedAt, p.LastVisitAt
		ix.name[j], ix.result[j] = p.Name, p.LastResult
		ix.pos[p.ID] = int32(j)
	}
	ix.ownerCode, ix.ownerCodes = codes(ix.owner)
	ix.terrCode, ix.terrCodes = codes(ix.territory)
	ix.byTerr, ix.byOwner = map[uint16][]int32{}, map[uint16][]int32{}
	for i := 0; i < n; i++ {
		ix.byTerr[ix.terrCode[i]] = append(ix.byTerr[ix.terrCode[i]], int32(i))
		ix.byOwner[ix.ownerCode[i]] = append(ix.byOwner[ix.ownerCode[i]], int32(i))
	}
	maxStage := 0
	for _, s := range ix.stage {
		maxStage = max(maxStage, int(s))
	}
	ix.terrTotals = map[uint16]*totals{}
	for c, list := range ix.byTerr {
		ix.terrTotals[c] = ix.totalsOf(list, maxStage+1)
	}
	ix.cumLon, ix.cumLat, ix.cumValue = make([]float64, n+1), make([]float64, n+1), make([]float64, n+1)
	ix.cumStage = make([][]int32, maxStage+1)
	for s := range ix.cumStage {
		ix.cumStage[s] = make([]int32, n+1)
	}
	for i := 0; i < n; i++ {
		ix.cumLon[i+1] = ix.cumLon[i] + ix.lon[i]
		ix.cumLat[i+1] = ix.cumLat[i] + ix.lat[i]
		ix.cumValue[i+1] = ix.cumValue[i] + ix.value[i]
		for s := range ix.cumStage {
			ix.cumStage[s][i+1] = ix.cumStage[s][i]
		}
		ix.cumStage[ix.stage[i]][i+1]++
	}
	return ix
}

// Len is the number of points.
func (ix *Index) Len() int { return len(ix.keys) }

// At returns the point at position i (as Features refer to them).
func (ix *Index) At(i int) Point {
	return Point{ID: ix.ids[i], Lon: ix.lon[i], Lat: ix.lat[i], Stage: ix.stage[i], OwnerID: ix.owner[i],
		TerritoryID: ix.territory[i], Value: ix.value[i], CreatedAt: ix.created[i], LastVisitAt: ix.lastVisit[i],
		Name: ix.name[i], LastResult: ix.result[i]}
}

// span returns the positions [lo, hi) of keys within the inclusive range.
func (ix *Index) span(r geo.KeyRange) (int, int) {
	lo := sort.Search(len(ix.keys), func(i int) bool { return ix.keys[i] >= uint64(r.Lo) })
	hi := lo + sort.Search(len(ix.keys)-lo, func(i int) bool { return ix.keys[lo+i] > uint64(r.Hi) })
	return lo, hi
}

// Filter selects points. Zero fields select everything; a nil Scope sees
// all. Allowed, when set, is a further per-id test (for filters the index
// cannot answer itself, such as text or custom fields).
type Filter struct {
	Stages       []uint8
	OwnerIDs     []int64
	TerritoryIDs []int64 // 0 selects points in no territory
	// LastVisitFrom/To bound the last visit (Unix seconds, inclusive); with
	// NeverVisited, points never visited pass too.
	LastVisitFrom, LastVisitTo int64
	NeverVisited               bool
	Scope                      *Scope
	Allowed                    func(id int64) bool
}

// Scope is what a rep may see: their own accounts and their territories'.
type Scope struct {
	OwnerID      int64
	TerritoryIDs []int64
}

// matcher is a compiled Filter.
type matcher struct {
	all        bool
	stages     uint64 // bit per stage index; 0 = any
	owners     []bool // by owner code
	terrs      []bool // by territory code
	visitFrom  int64
	visitTo    int64
	visitRange bool
	never      bool
	scope      *Scope
	scopeOwner uint16 // code of the scope's owner; 0 when they own nothing here
	scopeTerr  []bool // by territory code
	allowed    func(int64) bool
}

func (ix *Index) compile(f Filter) *matcher {
	m := &matcher{scope: f.Scope, allowed: f.Allowed, never: f.NeverVisited}
	for _, s := range f.Stages {
		m.stages |= 1 << (s & 63)
	}
	set := func(ids []int64, codes map[int64]uint16, zeroMeansNone bool) []bool {
		if ids == nil {
			return nil
		}
		s := make([]bool, len(codes)+1)
		for _, id := range ids {
			if id == 0 && !zeroMeansNone {
				continue
			}
			if c, ok := codes[id]; ok {
				s[c] = true
			}
		}
		return s
	}
	if len(f.OwnerIDs) > 0 {
		m.owners = set(f.OwnerIDs, ix.ownerCodes, false)
	}
	if len(f.TerritoryIDs) > 0 {
		m.terrs = set(f.TerritoryIDs, ix.terrCodes, true)
	}
	if f.Scope != nil {
		m.scopeTerr = set(append([]int64{}, f.Scope.TerritoryIDs...), ix.terrCodes, false)
		m.scopeOwner = ix.ownerCodes[f.Scope.OwnerID]
		if f.Scope.OwnerID == 0 {
			m.scopeOwner = 0
		}
	}
	if f.LastVisitFrom != 0 || f.LastVisitTo != 0 {
		m.visitRange, m.visitFrom, m.visitTo = true, f.LastVisitFrom, f.LastVisitTo
		if m.visitTo == 0 {
			m.visitTo = math.MaxInt64
		}
	}
	m.all = m.stages == 0 && m.owners == nil && m.terrs == nil && !m.visitRange && m.scope == nil && m.allowed == nil
	return m
}

func (m *matcher) match(ix *Index, i int) bool {
	if m.all {
		return true
	}
	if m.stages != 0 && m.stages&(1<<(ix.stage[i]&63)) == 0 {
		return false
	}
	if m.owners != nil && !m.owners[ix.ownerCode[i]] {
		return false
	}
	if m.terrs != nil && !m.terrs[ix.terrCode[i]] {
		return false
	}
	if m.visitRange {
		lv := ix.lastVisit[i]
		if !(lv != 0 && lv >= m.visitFrom && lv <= m.visitTo) && !(m.never && lv == 0) {
			return false
		}
	}
	if m.scope != nil {
		if !(m.scopeOwner != 0 && ix.ownerCode[i] == m.scopeOwner) && !m.scopeTerr[ix.terrCode[i]] {
			return false
		}
	}
	if m.allowed != nil && !m.allowed(ix.ids[i]) {
		return false
	}
	return true
}

// totals are running sums along a list of positions.
type totals struct {
	lon, lat, value []float64
	stage           [][]int32
}

func (ix *Index) totalsOf(list []int32, stages int) *totals {
	n := len(list)
	t := &totals{lon: make([]float64, n+1), lat: make([]float64, n+1), value: make([]float64, n+1), stage: make([][]int32, stages)}
	for s := range t.stage {
		t.stage[s] = make([]int32, n+1)
	}
	for k, p := range list {
		t.lon[k+1] = t.lon[k] + ix.lon[p]
		t.lat[k+1] = t.lat[k] + ix.lat[p]
		t.value[k+1] = t.value[k] + ix.value[p]
		for s := range t.stage {
			t.stage[s][k+1] = t.stage[s][k]
		}
		t.stage[ix.stage[p]][k+1]++
	}
	return t
}
