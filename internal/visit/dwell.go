package visit

import (
	"math"
	"sort"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Place is an account a rep may have stopped at.
type Place struct {
	AccountID int64
	Location  geo.Point
}

// DwellRule says what counts as a stay: pings within RadiusM of a place for
// at least Dwell, with no silence between pings longer than MaxGap.
type DwellRule struct {
	RadiusM float64
	Dwell   time.Duration
	MaxGap  time.Duration
}

// DetectVisits finds automatic visits in one rep's pings (in time order).
//
// A stay at a place is a run of consecutive pings each within RadiusM of it,
// no two further apart than MaxGap. Every stay whose first and last pings
// are at least Dwell apart is a visit, from the first ping to the last. The
// time between two pings belongs to the places near both; when several
// places share it (neighbouring shops), it is split evenly, and a visit's
// Duration is its share. A rep who drives past a place is near it for
// seconds, far less than the dwell time, so makes no visit.
func DetectVisits(pings []Ping, places []Place, rule DwellRule) []AutoVisit {
	if len(pings) == 0 || len(places) == 0 {
		return nil
	}
	// A box per place in degrees rules out most pairs before the haversine.
	const rad = math.Pi / 180
	type box struct{ dLat, dLon float64 }
	boxes := make([]box, len(places))
	for i, p := range places {
		dLat := rule.RadiusM / geo.EarthRadiusMeters / rad * 1.01
		c := math.Cos(math.Min(89, math.Abs(p.Location.Lat)+dLat) * rad)
		boxes[i] = box{dLat: dLat, dLon: dLat / math.Max(c, 1e-6)}
	}
	near := func(pg Ping, dst []int) []int {
		dst = dst[:0]
		for i, p := range places {
			dLon := math.Abs(pg.Location.Lon - p.Location.Lon)
			if math.Abs(pg.Location.Lat-p.Location.Lat) > boxes[i].dLat || (dLon > boxes[i].dLon && dLon < 360-boxes[i].dLon) {
				continue
			}
			if geo.DistanceMeters(pg.Location, p.Location) <= rule.RadiusM {
				dst = append(dst, i)
			}
		}
		return dst
	}
	type stay struct {
		open       bool
		start, end time.Time
		share      time.Duration
	}
	stays := make([]stay, len(places))
	var out []AutoVisit
	closeStay := func(i int) {
		s := &stays[i]
		if s.open && s.end.Sub(s.start) >= rule.Dwell {
			out = append(out, AutoVisit{AccountID: places[i].AccountID, Start: s.start, End: s.end, Duration: s.share})
		}
		*s = stay{}
	}
	var prev, cur []int
	inPrev := make([]bool, len(places))
	for k, pg := range pings {
		cur = near(pg, cur)
		gap := time.Duration(0)
		cont := false
		if k > 0 {
			gap = pg.At.Sub(pings[k-1].At)
			cont = gap <= rule.MaxGap
		}
		// Places near this ping and the one before share the gap.
		shared := 0
		if cont {
			for _, i := range cur {
				if inPrev[i] {
					shared++
				}
			}
		}
		inCur := make(map[int]bool, len(cur))
		for _, i := range cur {
			inCur[i] = true
			s := &stays[i]
			if s.open && cont && inPrev[i] {
				s.end = pg.At
				s.share += gap / time.Duration(shared)
				continue
			}
			closeStay(i)
			stays[i] = stay{open: true, start: pg.At, end: pg.At}
		}
		for _, i := range prev {
			inPrev[i] = false
			if !inCur[i] {
				closeStay(i)
			}
		}
		for _, i := range cur {
			inPrev[i] = true
		}
		prev, cur = cur, prev
	}
	for i := range stays {
		closeStay(i)
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Start.Equal(out[b].Start) {
			return out[a].Start.Before(out[b].Start)
		}
		return out[a].AccountID < out[b].AccountID
	})
	return out
}
