package territory

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Territory is a named area assigned to reps.
type Territory struct {
	ID        int64
	Name      string
	ParentID  int64 // 0: top level
	Color     string
	Shape     geo.MultiPolygon
	RepIDs    []int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

var color = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Validate checks name, colour and geometry; the message names the field.
func (t *Territory) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return derrors.Invalidf("name: required")
	}
	if len(t.Name) > 200 {
		return derrors.Invalidf("name: at most 200 characters")
	}
	if t.Color == "" {
		t.Color = DefaultColor(t.Name)
	}
	if !color.MatchString(t.Color) {
		return derrors.Invalidf("color: %q is not a #rrggbb colour", t.Color)
	}
	if err := t.Shape.Validate(); err != nil {
		return derrors.Invalidf("geometry: %v", err)
	}
	if t.ParentID != 0 && t.ParentID == t.ID {
		return derrors.Invalidf("parent: a territory cannot be its own parent")
	}
	return nil
}

var palette = []string{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}

// DefaultColor picks a stable palette colour from the name.
func DefaultColor(name string) string {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(name[i])) * 16777619
	}
	return palette[h%uint32(len(palette))]
}

// Store keeps territories. Methods return NotFound for a missing territory and
// Conflict for a duplicate name.
type Store interface {
	// GetTerritory returns the territory with id, or NotFound.
	GetTerritory(ctx context.Context, id int64) (*Territory, error)
	// GetTerritoryByName returns the territory with that name, or NotFound.
	GetTerritoryByName(ctx context.Context, name string) (*Territory, error)
	// ListTerritories returns every territory, by name.
	ListTerritories(ctx context.Context) ([]*Territory, error)
	// SaveTerritory inserts t (ID 0) or updates it, then, in the same
	// transaction, applies the assignments that reassign(t.ID) returns.
	SaveTerritory(ctx context.Context, t *Territory, reassign func(id int64) ([]account.Assignment, error)) error
	// TerritoriesVersion returns a fingerprint that changes whenever a
	// territory is created, changed or deleted, by this process or another.
	TerritoriesVersion(ctx context.Context) (string, error)
	// DeleteTerritory removes the territory and applies the assignments, in
	// one transaction. Children move to its parent.
	DeleteTerritory(ctx context.Context, id int64, assign []account.Assignment) error
}

// Index finds the territory of a point: the smallest one containing it.
type Index struct {
	poly *geo.PolygonIndex
}

// NewIndex indexes territories by their shapes.
func NewIndex(ts []*Territory) *Index {
	shapes := make(map[int64]geo.MultiPolygon, len(ts))
	for _, t := range ts {
		shapes[t.ID] = t.Shape
	}
	return &Index{poly: geo.NewPolygonIndex(shapes)}
}

// Assign returns the territory id of p, or 0 when p is in none.
func (ix *Index) Assign(p geo.Point) int64 {
	id, _ := ix.poly.Smallest(p)
	return id
}

// Reassign computes which of the located accounts change territory under ix.
func (ix *Index) Reassign(located []account.Located) []account.Assignment {
	var out []account.Assignment
	for _, l := range located {
		if id := ix.Assign(l.Location); id != l.TerritoryID {
			out = append(out, account.Assignment{AccountID: l.ID, TerritoryID: id})
		}
	}
	return out
}

// Descendants returns ids and every territory below them.
func Descendants(ts []*Territory, ids []int64) []int64 {
	children := map[int64][]int64{}
	for _, t := range ts {
		children[t.ParentID] = append(children[t.ParentID], t.ID)
	}
	seen := map[int64]bool{}
	var out []int64
	var walk func(id int64)
	walk = func(id int64) {
		if seen[id] {
			return
		}
		seen[id] = true
		out = append(out, id)
		for _, c := range children[id] {
			walk(c)
		}
	}
	for _, id := range ids {
		walk(id)
	}
	return out
}
