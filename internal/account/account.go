package account

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Precision says how exactly an account's location is known.
type Precision string

// Geocode precisions, most exact first.
const (
	PrecisionExact   Precision = "exact"   // coordinates from the CRM or a GPS check-in
	PrecisionAddress Precision = "address" // a street address geocoded
	PrecisionPostal  Precision = "postal"  // the centroid of a ZIP / postal code
	PrecisionCity    Precision = "city"    // the centre of a city
	PrecisionNone    Precision = "none"    // not placed
)

// Account is a lead, opportunity or customer.
type Account struct {
	ID         int64  // Meridian's id, used in URLs
	ExternalID string // the CRM's id; unique when set
	Name       string

	Street, City, Region, PostalCode, Country string

	// Location is nil when the account is not placed on the map.
	Location  *geo.Point
	Precision Precision
	GeoSource string // where the location came from: "file", "gazetteer:zip", "nominatim", …

	Stage          string // a Stage.Key
	OwnerID        int64  // 0: no owner
	TerritoryID    int64  // 0: in no territory; derived from Location
	EstimatedValue float64
	SourceChannel  string
	PersonaID      int64
	Tags           []string
	Custom         map[string]string

	CreatedAt       time.Time
	UpdatedAt       time.Time
	LastVisitAt     time.Time // zero: never visited
	LastVisitResult string
	NextFollowUpAt  time.Time // zero: none set
	DoNotContact    bool
}

// TileKey is the Morton key of the account's location, or -1 when unplaced.
func (a *Account) TileKey() int64 {
	if a.Location == nil {
		return -1
	}
	return geo.TileKey(*a.Location)
}

// validCustomKey reports whether k is a custom field name: 1 to 64 letters,
// digits, spaces and _ . - /, not starting with a space or punctuation other
// than _. (Checked by hand: it runs for every field of every imported row.)
func validCustomKey(k string) bool {
	if len(k) == 0 || len(k) > 64 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == ' ' || c == '.' || c == '-' || c == '/') && i > 0:
		default:
			return false
		}
	}
	return true
}

// Validate checks the fields of a as a user would enter them. Stage keys are
// checked against the pipeline by the caller that knows it.
func (a *Account) Validate() error {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return derrors.Invalidf("name: required")
	}
	if len(a.Name) > 500 {
		return derrors.Invalidf("name: at most 500 characters, got %d", len(a.Name))
	}
	if len(a.ExternalID) > 200 {
		return derrors.Invalidf("external_id: at most 200 characters")
	}
	if a.Location != nil {
		if err := a.Location.Validate(); err != nil {
			return derrors.Invalidf("location: %v", err)
		}
		if a.Precision == "" || a.Precision == PrecisionNone {
			a.Precision = PrecisionExact
		}
	} else {
		a.Precision = PrecisionNone
	}
	switch a.Precision {
	case PrecisionExact, PrecisionAddress, PrecisionPostal, PrecisionCity, PrecisionNone:
	default:
		return derrors.Invalidf("precision: %q is not one of exact, address, postal, city, none", a.Precision)
	}
	if math.IsNaN(a.EstimatedValue) || math.IsInf(a.EstimatedValue, 0) {
		return derrors.Invalidf("estimated_value: must be a finite number")
	}
	if a.Stage == "" {
		return derrors.Invalidf("stage: required")
	}
	for k := range a.Custom {
		if !validCustomKey(k) {
			return derrors.Invalidf("custom field name %q: use letters, digits, spaces and _ . - / (at most 64)", k)
		}
	}
	a.Tags = NormalizeTags(a.Tags)
	return nil
}

// NormalizeTags trims, lower-cases, drops empties and duplicates, and sorts.
func NormalizeTags(tags []string) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Located is the part of an account that territory assignment needs.
type Located struct {
	ID          int64
	Location    geo.Point
	TerritoryID int64
}

// Assignment moves an account to a territory (0: none).
type Assignment struct {
	AccountID   int64
	TerritoryID int64
}

// String is for messages.
func (a Assignment) String() string { return fmt.Sprintf("%d→%d", a.AccountID, a.TerritoryID) }
