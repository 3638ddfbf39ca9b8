package geocode

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Query is an address as a CRM export gives it. Any field may be empty.
type Query struct {
	Street     string // house number and street: "1600 Pennsylvania Ave NW"
	City       string
	Region     string // state, province or region: "NY", "New York", "Ontario"
	PostalCode string // ZIP or postal code: "10001", "10001-1234", "SW1A 1AA"
	Country    string // name or ISO code: "US", "USA", "United States", "France"
}

// String is the non-empty fields of q joined by commas, for messages.
func (q Query) String() string {
	var parts []string
	for _, f := range []string{q.Street, q.City, q.Region, q.PostalCode, q.Country} {
		if f = strings.TrimSpace(f); f != "" {
			parts = append(parts, f)
		}
	}
	if len(parts) == 0 {
		return "(empty address)"
	}
	return strings.Join(parts, ", ")
}

// Result is where a query was placed.
type Result struct {
	Location  geo.Point
	Precision account.Precision // address, postal or city
	Source    string            // SourceZIP, SourceCity, SourceNominatim or SourceCensus
}

// The sources a Result may name; account.Account.GeoSource stores them.
const (
	SourceZIP       = "gazetteer:zip"  // the embedded US ZIP centroids
	SourceCity      = "gazetteer:city" // the embedded world cities
	SourceNominatim = "nominatim"      // a Nominatim (OpenStreetMap) server
	SourceCensus    = "census"         // the US Census Bureau geocoder
)

// Geocoder places an address.
//
// Geocode returns an error of kind derrors.NotFound when the place is
// unknown; any other error means the answer is unknown for now (a service is
// down, timed out or refused, or ctx was cancelled). Implementations are safe
// for concurrent use.
type Geocoder interface {
	Geocode(ctx context.Context, q Query) (Result, error)
}

// Stats counts what a geocoder was asked and how it answered. Calls is always
// Hits + Misses + Errors.
type Stats struct {
	Calls  int64 // Geocode calls
	Hits   int64 // answered with a location
	Misses int64 // answered "no such place" (derrors.NotFound)
	Errors int64 // failed otherwise: outage, time-out, cancellation, skipped
	// Cached counts the Hits and Misses a Cache answered from memory.
	Cached int64
	// Skipped counts the Errors a Breaker returned without calling its
	// geocoder because the geocoder had been failing.
	Skipped int64
}

// StatsOf returns g's counters when g keeps them; every geocoder of this
// package does.
func StatsOf(g Geocoder) (Stats, bool) {
	if r, ok := g.(interface{ Stats() Stats }); ok {
		return r.Stats(), true
	}
	return Stats{}, false
}

// counters are the atomic form of Stats.
type counters struct {
	calls, hits, misses, errors, cached, skipped atomic.Int64
}

// record counts one call that ended with err.
func (c *counters) record(err error) {
	c.calls.Add(1)
	switch {
	case err == nil:
		c.hits.Add(1)
	case derrors.Is(err, derrors.NotFound):
		c.misses.Add(1)
	default:
		c.errors.Add(1)
	}
}

func (c *counters) snapshot() Stats {
	return Stats{
		Calls:   c.calls.Load(),
		Hits:    c.hits.Load(),
		Misses:  c.misses.Load(),
		Errors:  c.errors.Load(),
		Cached:  c.cached.Load(),
		Skipped: c.skipped.Load(),
	}
}

// notFound is the error for a query no geocoder knows.
func notFound(source string, q Query) error {
	return derrors.NotFoundf("%s: no place matches %q", source, q.String())
}

// isNotFound reports whether err says the place is unknown.
func isNotFound(err error) bool { return derrors.Is(err, derrors.NotFound) }

// ErrUnavailable is returned, wrapped, by a Breaker that skips its geocoder
// after repeated failures. Test for it with errors.Is.
var ErrUnavailable = errors.New("geocoder unavailable after repeated failures")
