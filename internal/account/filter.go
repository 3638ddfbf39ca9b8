package account

import (
	"encoding/base64"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Scope limits what a caller may see: accounts they own or whose territory is
// one of theirs. A nil *Scope means everything (admins and managers).
type Scope struct {
	OwnerID      int64
	TerritoryIDs []int64
}

// Allows reports whether an account with this owner and territory is in s.
func (s *Scope) Allows(ownerID, territoryID int64) bool {
	if s == nil {
		return true
	}
	if ownerID != 0 && ownerID == s.OwnerID {
		return true
	}
	for _, t := range s.TerritoryIDs {
		if t != 0 && t == territoryID {
			return true
		}
	}
	return false
}

// Filter selects accounts. Zero fields select everything.
type Filter struct {
	BBox         *geo.BBox
	Stages       []string
	OwnerIDs     []int64
	TerritoryIDs []int64 // 0 selects accounts in no territory
	Text         string  // in name, city, postal code or external id, case-insensitive
	Tags         []string
	Custom       map[string]string // custom field → exact value
	IDs          []int64           // only these accounts
	// Overlay keeps only the accounts inside a map overlay's features. The
	// app resolves it to ids before a store sees the filter.
	Overlay int64
	// LastVisitFrom/To bound the last visit (inclusive; zero: open); with
	// NeverVisited, accounts never visited pass too (alone: only those).
	LastVisitFrom, LastVisitTo time.Time
	NeverVisited               bool
	Scope                      *Scope
}

// MaxLimit caps a page.
const MaxLimit = 1000

// DefaultLimit is the page size when none is asked for.
const DefaultLimit = 100

// Page asks for up to Limit accounts after the cursor.
type Page struct {
	Limit  int
	Cursor string
}

// Normalize applies the default and cap to the limit and checks the cursor.
func (p Page) Normalize() (limit int, afterID int64, err error) {
	limit = p.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if p.Cursor != "" {
		afterID, err = DecodeCursor(p.Cursor)
	}
	return limit, afterID, err
}

// EncodeCursor makes the opaque cursor that resumes after id.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("a" + strconv.FormatInt(id, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'a' {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id >= 0 {
			return id, nil
		}
	}
	return 0, derrors.Invalidf("cursor: %q is not a cursor this server gave out", c)
}

// List is a page of accounts.
type List struct {
	Items      []*Account
	Total      int
	NextCursor string
}
