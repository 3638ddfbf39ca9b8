package visit

import (
	"context"
	"math"
	"regexp"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Channels Meridian knows by name; others are allowed if well formed.
var Channels = []string{"visit", "phone", "email", "web", "social", "event", "ad", "referral", "chat", "sms", "other"}

// Interaction is one touchpoint with an account.
type Interaction struct {
	ID         int64
	AccountID  int64
	At         time.Time
	Channel    string
	Type       string // the touchpoint's name: demo, quote, test_drive…
	Outcome    string // for visits: no_answer, not_interested, follow_up, appointment, sale…
	UserID     int64  // 0: nobody in particular
	Variant    string // campaign variant
	Stage      string // the journey stage it marks, if any
	Value      float64
	Location   *geo.Point
	Notes      string
	Source     string // manual, import, auto
	Properties map[string]string
	CreatedAt  time.Time

	// EndedAt and Duration: when a visit ended and how long it took (set
	// for automatic visits; zero when unknown).
	EndedAt  time.Time
	Duration time.Duration
	// Verified and DistanceM: for a check-in with a location, whether it
	// was within the verification radius of the account and how far; nil
	// when the check-in had no location or the account none.
	Verified  *bool
	DistanceM *float64
	// FollowUpAt, when set, becomes the account's next follow-up.
	FollowUpAt time.Time
}

var token = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-.]{0,63}$`)

// Validate checks an interaction's fields; the message names the field.
func (in *Interaction) Validate() error {
	if in.AccountID <= 0 {
		return derrors.Invalidf("account: required")
	}
	if in.At.IsZero() {
		return derrors.Invalidf("at: required")
	}
	if !token.MatchString(in.Channel) {
		return derrors.Invalidf("channel: %q must be a lower-case word such as visit, phone, email, web", in.Channel)
	}
	if in.Type == "" {
		in.Type = in.Channel
	}
	if len(in.Type) > 100 {
		return derrors.Invalidf("type: at most 100 characters")
	}
	if len(in.Outcome) > 100 || len(in.Variant) > 100 || len(in.Stage) > 100 {
		return derrors.Invalidf("outcome, variant and stage: at most 100 characters each")
	}
	if math.IsNaN(in.Value) || math.IsInf(in.Value, 0) {
		return derrors.Invalidf("value: must be a finite number")
	}
	if in.Location != nil {
		if err := in.Location.Validate(); err != nil {
			return derrors.Invalidf("location: %v", err)
		}
	}
	if in.Source == "" {
		in.Source = "manual"
	}
	if !in.EndedAt.IsZero() && in.EndedAt.Before(in.At) {
		return derrors.Invalidf("ended_at: before at")
	}
	if in.Duration < 0 {
		return derrors.Invalidf("duration: must not be negative")
	}
	return nil
}

// Page asks for up to Limit interactions after a cursor.
type Page struct {
	Limit  int
	Cursor string
}

// List is a page of interactions.
type List struct {
	Items      []*Interaction
	Total      int
	NextCursor string
}

// Store keeps interactions.
type Store interface {
	// CreateInteraction inserts in, setting ID and CreatedAt, and updates the
	// account's last visit when in is a visit newer than the last one.
	CreateInteraction(ctx context.Context, in *Interaction) error
	// ListInteractions returns an account's interactions, newest first.
	ListInteractions(ctx context.Context, accountID int64, p Page) (List, error)
	// EachInteraction calls fn for every interaction in time order (ties in
	// insertion order).
	EachInteraction(ctx context.Context, fn func(*Interaction) error) error
	// ImportInteractions runs fn in one write transaction, then refreshes the
	// last visit of the accounts it touched: all of it lands or none.
	ImportInteractions(ctx context.Context, fn func(Importer) error) error
}

// Importer writes inside an import's transaction.
type Importer interface {
	// Insert adds interactions in the order given, setting their ids.
	Insert(ctx context.Context, batch []*Interaction) error
}
