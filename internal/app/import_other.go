package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/importer"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/visit"
)

// ImportInteractions reads touchpoints (CSV or XLSX) in one transaction.
// Rows naming an account that does not exist, or that cannot be read, go to
// the rejects file. Rows with equal times keep the file's order.
func (s *Service) ImportInteractions(ctx context.Context, actor *auth.Actor, r io.Reader, name string, opt ImportOptions) (*ImportSummary, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	start := time.Now()
	tab, err := importer.OpenTable(r, name)
	if err != nil {
		return nil, err
	}
	defer tab.Close()
	m, err := importer.NewInteractionMapping(tab.Header(), opt.overrides(tab.Header(), "reject_reason"))
	if err != nil {
		return nil, err
	}
	accounts, err := s.Store.ExternalIDs(ctx)
	if err != nil {
		return nil, err
	}
	users, err := s.ownerIndex(ctx)
	if err != nil {
		return nil, err
	}
	rej := opt.rejects(name, tab.Header())
	batchSize := opt.batchSize()
	sum := &ImportSummary{}
	// Reading and parsing run in one goroutine and the writes in another
	// (pipelined), so the two cores share the work.
	produce := func(ctx context.Context, out chan<- []*visit.Interaction) error {
		defer close(out)
		batch := make([]*visit.Interaction, 0, batchSize)
		err := eachRow(ctx, tab, rej, &sum.Rows, func(row importer.Row) error {
			ir, err := m.Parse(row)
			if err != nil {
				return reject(row, err)
			}
			in, err := interactionFromRow(ir, accounts, users)
			if err != nil {
				return reject(row, err)
			}
			batch = append(batch, in)
			sum.Imported++
			if len(batch) == batchSize {
				select {
				case out <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([]*visit.Interaction, 0, batchSize)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(batch) > 0 {
			select {
			case out <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	err = s.Store.ImportInteractions(ctx, func(im visit.Importer) error {
		return pipelined(ctx, produce, func(batch []*visit.Interaction) error { return im.Insert(ctx, batch) })
	})
	s.AnalyticsChanged()
	s.mapChanged()
	if err != nil {
		rej.abort()
		return nil, err
	}
	sum.Rejected = rej.n
	if sum.RejectsFile, err = rej.commit(); err != nil {
		return nil, err
	}
	sum.Seconds = time.Since(start).Seconds()
	s.audit(ctx, actor, "import.interactions", filepath.Base(name), fmt.Sprintf("imported=%d rejected=%d", sum.Imported, sum.Rejected))
	return sum, nil
}

func interactionFromRow(ir importer.InteractionRow, accounts, users map[string]int64) (*visit.Interaction, error) {
	id, ok := accounts[ir.AccountExternalID]
	if !ok {
		return nil, derrors.Invalidf("account_id: no account has external id %q", ir.AccountExternalID)
	}
	in := &visit.Interaction{AccountID: id, At: ir.At, Channel: ir.Channel, Type: ir.Type, Outcome: ir.Outcome,
		Variant: ir.Variant, Stage: ir.Stage, Notes: ir.Notes, Properties: ir.Properties, Source: "import"}
	if ir.Value != nil {
		in.Value = *ir.Value
	}
	if ir.Lat != nil && ir.Lon != nil {
		in.Location = &geo.Point{Lon: *ir.Lon, Lat: *ir.Lat}
	}
	if u := strings.ToLower(strings.TrimSpace(ir.User)); u != "" {
		uid, ok := users[u]
		if !ok {
			return nil, derrors.Invalidf("user: no user with email or name %q", ir.User)
		}
		in.UserID = uid
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// TerritoryImportSummary counts an import of territories.
type TerritoryImportSummary struct {
	Imported int      `json:"imported"`
	Updated  int      `json:"updated"`
	Rejected int      `json:"rejected"`
	Names    []string `json:"names"`
	// RejectsFile is always empty: an invalid feature refuses the whole file.
	RejectsFile string `json:"rejects_file"`
}

// ImportTerritories reads a GeoJSON FeatureCollection. Every feature is
// checked first (geometry, reps, parents), so one bad feature refuses the
// file with a message naming it; then territories are created or, by name,
// updated, parents before children, each moving its accounts. Running the
// same import again is safe: it updates the same territories.
func (s *Service) ImportTerritories(ctx context.Context, actor *auth.Actor, r io.Reader) (*TerritoryImportSummary, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	feats, err := importer.ReadTerritories(r)
	if err != nil {
		return nil, err
	}
	existing, err := s.Store.ListTerritories(ctx)
	if err != nil {
		return nil, err
	}
	byName := map[string]*territory.Territory{}
	for _, t := range existing {
		byName[strings.ToLower(t.Name)] = t
	}
	inFile := map[string]bool{}
	for _, f := range feats {
		inFile[strings.ToLower(f.Name)] = true
	}
	type planned struct {
		f   importer.TerritoryFeature
		t   *territory.Territory
		new bool
	}
	var plan []planned
	for _, f := range feats {
		where := fmt.Sprintf("feature %d (%q)", f.Index, f.Name)
		t := &territory.Territory{Name: f.Name, Color: f.Color, Shape: f.Shape}
		isNew := true
		if old := byName[strings.ToLower(f.Name)]; old != nil {
			t.ID, t.CreatedAt, isNew = old.ID, old.CreatedAt, false
			if t.Color == "" {
				t.Color = old.Color
			}
		}
		if err := t.Validate(); err != nil {
			return nil, derrors.Invalidf("%s: %s", where, derrors.Message(err))
		}
		ids, err := s.RepIDsByEmail(ctx, f.Reps)
		if err != nil {
			return nil, derrors.Invalidf("%s: %s", where, derrors.Message(err))
		}
		t.RepIDs = ids
		if f.Parent != "" && byName[strings.ToLower(f.Parent)] == nil && !inFile[strings.ToLower(f.Parent)] {
			return nil, derrors.Invalidf("%s: parent %q is neither in the file nor an existing territory", where, f.Parent)
		}
		plan = append(plan, planned{f: f, t: t, new: isNew})
	}
	// Save parents before children: repeat passes over what is ready.
	sum := &TerritoryImportSummary{Names: []string{}}
	done := map[string]bool{}
	for len(done) < len(plan) {
		progress := false
		for _, p := range plan {
			key := strings.ToLower(p.f.Name)
			if done[key] {
				continue
			}
			if par := strings.ToLower(p.f.Parent); par != "" {
				if inFile[par] && !done[par] {
					continue
				}
				p.t.ParentID = byName[par].ID
			}
			if err := s.SaveTerritory(ctx, actor, p.t); err != nil {
				return sum, fmt.Errorf("feature %d (%q): %w", p.f.Index, p.f.Name, err)
			}
			byName[key] = p.t
			done[key] = true
			progress = true
			if p.new {
				sum.Imported++
			} else {
				sum.Updated++
			}
			sum.Names = append(sum.Names, p.t.Name)
		}
		if !progress {
			return sum, derrors.Invalidf("territories: the parent properties form a loop")
		}
	}
	return sum, nil
}
