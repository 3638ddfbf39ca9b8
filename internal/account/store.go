package account

import (
	"context"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Store keeps accounts and the pipeline. Methods return derrors NotFound for
// a missing account and Conflict for a duplicate external id.
type Store interface {
	// CreateAccount inserts a, setting a.ID, CreatedAt and UpdatedAt.
	CreateAccount(ctx context.Context, a *Account) error
	// GetAccount returns the account with id, or NotFound.
	GetAccount(ctx context.Context, id int64) (*Account, error)
	// GetAccountByExternalID returns the account with that CRM id, or NotFound.
	GetAccountByExternalID(ctx context.Context, externalID string) (*Account, error)
	// UpdateAccount saves every field of a (by a.ID), or NotFound.
	UpdateAccount(ctx context.Context, a *Account) error
	// DeleteAccount removes the account and its interactions, or NotFound.
	DeleteAccount(ctx context.Context, id int64) error
	// ListAccounts returns a page of accounts matching f in id order, and the
	// total that match.
	ListAccounts(ctx context.Context, f Filter, p Page) (List, error)
	// EachAccount calls fn for every account matching f in id order.
	EachAccount(ctx context.Context, f Filter, fn func(*Account) error) error

	// Pipeline returns the configured stages in order.
	Pipeline(ctx context.Context) ([]Stage, error)
	// SetPipeline replaces the stages. Conflict if an account is in a stage
	// that the new pipeline drops.
	SetPipeline(ctx context.Context, stages []Stage) error

	// ExternalIDs maps every external id to its account id.
	ExternalIDs(ctx context.Context) (map[string]int64, error)
	// ImportAccounts runs fn in one write transaction: either everything fn
	// wrote lands or, when fn or the commit fails (or the process dies),
	// nothing does.
	ImportAccounts(ctx context.Context, fn func(Importer) error) error

	// SetTerritories applies territory assignments in one transaction.
	SetTerritories(ctx context.Context, as []Assignment) error
	// EachPlaced calls fn for every account with a location, with only what
	// the map needs (fast enough to load a million accounts in seconds).
	EachPlaced(ctx context.Context, fn func(Placed) error) error
	// Version returns a fingerprint that changes whenever an account is
	// added, changed or removed.
	Version(ctx context.Context) (string, error)

	// LocatedIn returns the placed accounts inside b (for reassigning them to
	// territories).
	LocatedIn(ctx context.Context, b geo.BBox) ([]Located, error)
}

// Placed is an account as the map sees it.
type Placed struct {
	ID              int64
	Name            string
	Location        geo.Point
	Stage           string
	OwnerID         int64
	TerritoryID     int64
	EstimatedValue  float64
	CreatedAt       int64 // Unix seconds
	LastVisitAt     int64 // Unix seconds, 0 never
	LastVisitResult string
}

// Fields says which imported columns an update overwrites. Name is always
// written; the location (with precision, source and territory) is written
// when the row has one, so a failed geocode never erases a known place.
type Fields uint32

// Importable fields.
const (
	FieldAddress Fields = 1 << iota
	FieldStage
	FieldOwner
	FieldValue
	FieldSource
	FieldTags
	FieldCustom // merged: keys in the file overwrite, others are kept
	FieldDoNotContact
	FieldPersona
	FieldExternalID
)

// Importer writes inside an import's transaction.
type Importer interface {
	// NextIDs reserves n account ids for accounts about to be inserted.
	NextIDs(ctx context.Context, n int) ([]int64, error)
	// Insert adds accounts whose ID came from NextIDs.
	Insert(ctx context.Context, batch []*Account) error
	// Update overwrites the given fields of existing accounts (by ID).
	Update(ctx context.Context, batch []*Account, f Fields) error
}
