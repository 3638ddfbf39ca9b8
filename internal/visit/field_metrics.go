package visit

import (
	"sort"

	"github.com/meridian-crm/meridian/internal/geo"
)

// VisitCount is how many visits a rep made with one outcome, and how many
// of them were verified check-ins.
type VisitCount struct {
	UserID   int64
	Outcome  string
	Visits   int
	Verified int
}

// AccountCount is how many accounts a rep owns that were created in the
// period and are now in one stage, with their estimated value.
type AccountCount struct {
	OwnerID int64
	Stage   string
	N       int
	Value   float64
}

// RepActivity is what rep metrics are computed from.
type RepActivity struct {
	Visits   []VisitCount
	Accounts []AccountCount
}

// RepMetrics are one rep's figures for a period.
type RepMetrics struct {
	UserID         int64
	Visits         int
	VerifiedVisits int
	Outcomes       map[string]int
	// LeadsCreated counts the rep's accounts created in the period; Won and
	// Lost those of them now in a customer or lost stage (a cohort, so a
	// period's win rate does not move when older deals close).
	LeadsCreated     int
	Won, Lost        int
	WinRate          float64 // won / (won + lost); 0 with neither
	EstimatedRevenue float64 // estimated value of the won ones
}

// ComputeRepMetrics turns activity into one row per rep in reps (and any
// other user with activity), best first: most won revenue, then most visits.
// kind maps a stage key to "customer", "lost" or anything else.
func ComputeRepMetrics(act RepActivity, reps []int64, kind func(stage string) string) []RepMetrics {
	by := map[int64]*RepMetrics{}
	get := func(id int64) *RepMetrics {
		m := by[id]
		if m == nil {
			m = &RepMetrics{UserID: id, Outcomes: map[string]int{}}
			by[id] = m
		}
		return m
	}
	for _, id := range reps {
		get(id)
	}
	for _, v := range act.Visits {
		m := get(v.UserID)
		m.Visits += v.Visits
		m.VerifiedVisits += v.Verified
		if v.Outcome != "" {
			m.Outcomes[v.Outcome] += v.Visits
		}
	}
	for _, a := range act.Accounts {
		m := get(a.OwnerID)
		m.LeadsCreated += a.N
		switch kind(a.Stage) {
		case "customer":
			m.Won += a.N
			m.EstimatedRevenue += a.Value
		case "lost":
			m.Lost += a.N
		}
	}
	out := make([]RepMetrics, 0, len(by))
	for _, m := range by {
		if m.Won+m.Lost > 0 {
			m.WinRate = float64(m.Won) / float64(m.Won+m.Lost)
		}
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.EstimatedRevenue != b.EstimatedRevenue {
			return a.EstimatedRevenue > b.EstimatedRevenue
		}
		if a.Visits != b.Visits {
			return a.Visits > b.Visits
		}
		return a.UserID < b.UserID
	})
	return out
}

// Nearby is a place and its distance from somewhere.
type Nearby struct {
	AccountID int64
	DistanceM float64
}

// Nearest returns the places within radiusM of origin, nearest first (ties
// by account id), at most limit of them (0: all).
func Nearest(origin geo.Point, places []Place, radiusM float64, limit int) []Nearby {
	var out []Nearby
	for _, p := range places {
		if d := geo.DistanceMeters(origin, p.Location); d <= radiusM {
			out = append(out, Nearby{AccountID: p.AccountID, DistanceM: d})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].DistanceM != out[j].DistanceM {
			return out[i].DistanceM < out[j].DistanceM
		}
		return out[i].AccountID < out[j].AccountID
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// RadiusBBox is the box around p that holds every point within radiusM (a
// little more). Near the poles it widens to every longitude.
func RadiusBBox(p geo.Point, radiusM float64) geo.BBox {
	r := radiusM * 1.01
	sw, ne := geo.Offset(p, -r, -r), geo.Offset(p, r, r)
	b := geo.BBox{MinLon: sw.Lon, MinLat: max(-90, sw.Lat), MaxLon: ne.Lon, MaxLat: min(90, ne.Lat)}
	if b.MinLat <= -89 || b.MaxLat >= 89 || ne.Lon-sw.Lon >= 360 || b.MinLon < -180 || b.MaxLon > 180 {
		// Crossing the antimeridian or near a pole: take every longitude
		// (a box never wraps).
		b.MinLon, b.MaxLon = -180, 180
	}
	return b
}
