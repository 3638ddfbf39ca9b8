package visit

import (
	"context"
	"math"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Ping is one GPS position of a rep's phone.
type Ping struct {
	UserID    int64
	At        time.Time
	Location  geo.Point
	AccuracyM float64 // 0: unknown
}

// ValidatePing checks a ping; the message names it by its index in the batch.
func ValidatePing(i int, p *Ping) error {
	if p.At.IsZero() {
		return derrors.Invalidf("pings[%d].at: required", i)
	}
	if math.IsNaN(p.Location.Lon) || math.IsInf(p.Location.Lon, 0) || p.Location.Lon < -180 || p.Location.Lon > 180 {
		return derrors.Invalidf("pings[%d].lon: %v is outside [-180, 180]", i, p.Location.Lon)
	}
	if math.IsNaN(p.Location.Lat) || math.IsInf(p.Location.Lat, 0) || p.Location.Lat < -90 || p.Location.Lat > 90 {
		return derrors.Invalidf("pings[%d].lat: %v is outside [-90, 90]", i, p.Location.Lat)
	}
	if math.IsNaN(p.AccuracyM) || p.AccuracyM < 0 || p.AccuracyM > 1e6 {
		return derrors.Invalidf("pings[%d].accuracy_m: %v must be a non-negative number of metres", i, p.AccuracyM)
	}
	return nil
}

// AutoVisit is a stay at an account found from pings: a visit recorded with
// source "auto".
type AutoVisit struct {
	AccountID  int64
	Start, End time.Time
	// Duration is the account's share of the stay: the time between pings
	// near it, split evenly among all the accounts near both pings.
	Duration time.Duration
}

// PingStore keeps pings, the tracking switch and automatic visits.
type PingStore interface {
	// AddPings stores pings of one user, skipping those whose (user, time)
	// is already stored; it returns how many were new.
	AddPings(ctx context.Context, userID int64, pings []Ping) (int, error)
	// Pings returns a user's pings with from <= at < to, in time order.
	Pings(ctx context.Context, userID int64, from, to time.Time) ([]Ping, error)
	// PurgePings deletes every ping older than before, returning how many.
	PurgePings(ctx context.Context, before time.Time) (int64, error)
	// Tracking reports a user's tracking switch; set is false when the user
	// never chose.
	Tracking(ctx context.Context, userID int64) (enabled, set bool, err error)
	// SetTracking turns a user's tracking on or off.
	SetTracking(ctx context.Context, userID int64, enabled bool, at time.Time) error
	// SaveAutoVisits records automatic visits of a user in one transaction.
	// A visit overlapping an automatic visit already stored for the same
	// user and account replaces it with their union (MergeAutoVisit); one
	// already covered changes nothing. It returns how many interactions
	// were added or changed, and updates the accounts' last visits.
	SaveAutoVisits(ctx context.Context, userID int64, visits []AutoVisit) (int, error)
	// RepActivity returns the figures rep metrics are made of, for the
	// period from <= t < to.
	RepActivity(ctx context.Context, from, to time.Time) (RepActivity, error)
}

// MergeAutoVisit joins a newly found stay v with the stored automatic
// visits it overlaps (same user and account). It returns the visit to store
// in their place, or ok false when a stored one already covers v (so
// re-uploading the same pings adds nothing).
func MergeAutoVisit(stored []AutoVisit, v AutoVisit) (merged AutoVisit, ok bool) {
	merged = v
	for _, s := range stored {
		if !s.Start.After(v.Start) && !s.End.Before(v.End) {
			return AutoVisit{}, false
		}
		if !merged.Start.Before(s.Start) || !merged.End.After(s.End) {
			// Partial overlap: the new stay was found from a window of
			// pings that cut an earlier one short. Add the part of the new
			// stay after the stored one's end, pro rata.
			start, end := merged.Start, merged.End
			extra := time.Duration(0)
			if span := end.Sub(start); span > 0 && end.After(s.End) {
				from := max(start.UnixNano(), s.End.UnixNano())
				extra = time.Duration(float64(merged.Duration) * float64(end.UnixNano()-from) / float64(span))
			}
			if s.Start.Before(start) {
				merged.Start = s.Start
			}
			if s.End.After(end) {
				merged.End = s.End
			}
			merged.Duration = s.Duration + extra
		}
		// Otherwise v contains s: the new stay (found with more pings) wins.
	}
	return merged, true
}
