package journey

import (
	"context"
	"time"
)

// Journey is a stored journey map: its latest version and what the list
// shows of it.
type Journey struct {
	ID              int64
	Name            string
	Status          string
	Owner           string // email
	PersonaID       int64
	PersonaName     string
	ReviewEveryDays int
	// Version is the latest version's number (1 for a new journey).
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time // when the latest version was saved
	// ReviewedAt is when the journey was last saved or marked reviewed.
	ReviewedAt time.Time
	// ReviewNotifiedAt is the due time of the last review whose reminder
	// went to the owner; zero if none did.
	ReviewNotifiedAt time.Time
	// Document is the latest version's document.
	Document *Document
}

// ReviewDueAt is when the next review falls due; zero when the journey has
// no cadence or is archived.
func (j *Journey) ReviewDueAt() time.Time {
	if j.ReviewEveryDays <= 0 || j.Status == StatusArchived {
		return time.Time{}
	}
	return j.ReviewedAt.AddDate(0, 0, j.ReviewEveryDays)
}

// ReviewDue reports whether the review is due at now.
func (j *Journey) ReviewDue(now time.Time) bool {
	due := j.ReviewDueAt()
	return !due.IsZero() && !now.Before(due)
}

// Version is one immutable saved state of a journey.
type Version struct {
	JourneyID   int64
	Version     int
	AuthorID    int64
	AuthorEmail string
	CreatedAt   time.Time
	Document    *Document // nil in lists
}

// Store keeps personas, journeys and their versions.
type Store interface {
	// ListPersonas returns every persona by name.
	ListPersonas(ctx context.Context) ([]*Persona, error)
	// GetPersona returns a persona, or NotFound.
	GetPersona(ctx context.Context, id int64) (*Persona, error)
	// SavePersona creates (ID 0, setting ID) or replaces a persona; Conflict
	// when another persona has the name, NotFound for an unknown ID.
	SavePersona(ctx context.Context, p *Persona) error
	// DeletePersona removes a persona; NotFound, or Conflict while a
	// journey uses it.
	DeletePersona(ctx context.Context, id int64) error

	// SaveJourney writes doc as a new version in one transaction: with
	// j.ID 0 it creates the journey (version 1), otherwise it appends the
	// next version (NotFound for an unknown journey; Conflict when
	// baseVersion is not 0 and not the latest version, i.e. someone saved
	// meanwhile). doc.Persona is matched to a stored persona by name, which
	// is created or updated to doc's fields. j is filled in as stored.
	SaveJourney(ctx context.Context, j *Journey, doc *Document, baseVersion int, authorID int64) error
	// GetJourney returns a journey with its latest document, or NotFound.
	GetJourney(ctx context.Context, id int64) (*Journey, error)
	// ListJourneys returns every journey (without documents), newest
	// change first.
	ListJourneys(ctx context.Context) ([]*Journey, error)
	// ListJourneyVersions returns a journey's versions (without documents),
	// newest first; NotFound for an unknown journey.
	ListJourneyVersions(ctx context.Context, id int64) ([]*Version, error)
	// GetJourneyVersion returns one version with its document, or NotFound.
	GetJourneyVersion(ctx context.Context, id int64, version int) (*Version, error)
	// MarkJourneyReviewed sets the journey's review time; NotFound.
	MarkJourneyReviewed(ctx context.Context, id int64, at time.Time) error
	// ClaimJourneyReviewNotice records that the reminder for the review due
	// at dueAt is being sent, and reports false when it already was (by
	// this or another process): claim first, then send, so it goes once.
	ClaimJourneyReviewNotice(ctx context.Context, id int64, dueAt time.Time) (bool, error)
}
