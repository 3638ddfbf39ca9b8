package tile

import (
	"github.com/meridian-crm/meridian/internal/geo"
)

// Outcomes says which stage indexes count as won and as lost, as bitmasks.
type Outcomes struct {
	Won, Lost uint64
}

// AreaStats are the figures of an area: how many accounts, by stage, how
// many leads were created in the period, how many are won and lost, and
// their estimated values.
type AreaStats struct {
	Accounts         int
	ByStage          []int // by stage index
	LeadsCreated     int   // accounts created within the period
	Won, Lost        int
	EstimatedRevenue float64 // sum of estimated values of all accounts in the area
	WonRevenue       float64 // of the won ones
}

// WinRate is won / (won + lost), or 0 with neither.
func (a AreaStats) WinRate() float64 {
	if a.Won+a.Lost == 0 {
		return 0
	}
	return float64(a.Won) / float64(a.Won+a.Lost)
}

// Area computes the figures for the accounts inside b (and, when shape is
// not nil, inside shape too) that pass f. Period bounds the creation time
// for LeadsCreated (Unix seconds, inclusive; zero To means no end).
func (ix *Index) Area(b geo.BBox, shape geo.MultiPolygon, f Filter, from, to int64, out Outcomes, stages int) AreaStats {
	m := ix.compile(f)
	st := AreaStats{ByStage: make([]int, stages)}
	if to == 0 {
		to = 1<<63 - 1
	}
	for _, r := range geo.CoverBBox(b, 16) {
		lo, hi := ix.span(r)
		for i := lo; i < hi; i++ {
			lon, lat := ix.lon[i], ix.lat[i]
			if lon < b.MinLon || lon > b.MaxLon || lat < b.MinLat || lat > b.MaxLat {
				continue
			}
			if !m.match(ix, i) {
				continue
			}
			if shape != nil && !shape.Contains(geo.Point{Lon: lon, Lat: lat}) {
				continue
			}
			s := ix.stage[i]
			st.Accounts++
			if int(s) < stages {
				st.ByStage[s]++
			}
			if c := ix.created[i]; c >= from && c <= to {
				st.LeadsCreated++
			}
			st.EstimatedRevenue += ix.value[i]
			switch bit := uint64(1) << (s & 63); {
			case out.Won&bit != 0:
				st.Won++
				st.WonRevenue += ix.value[i]
			case out.Lost&bit != 0:
				st.Lost++
			}
		}
	}
	return st
}
