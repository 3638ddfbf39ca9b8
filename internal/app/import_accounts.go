package app

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/geocode"
	"github.com/meridian-crm/meridian/internal/importer"
)

// ImportOptions tune an import.
type ImportOptions struct {
	// Overrides map file headers to fields ("Header" → "name", "custom.X",
	// "ignore"), as the CLI's --map.
	Overrides map[string]string
	// StageMap adds CRM value → stage key entries for this import.
	StageMap map[string]string
	// RejectsPath is where rejected rows go; "" picks FILE.rejects.csv
	// beside the input, or in the temporary directory for uploads.
	RejectsPath string
	// BatchSize is how many rows are written per statement group.
	BatchSize int
}

// ImportSummary counts what an import did. Imported + Updated + Rejected is
// the number of data rows in the file.
type ImportSummary struct {
	Imported     int     `json:"imported"`
	Updated      int     `json:"updated"`
	Rejected     int     `json:"rejected"`
	RejectsFile  string  `json:"rejects_file"`
	Rows         int     `json:"rows"`
	Geocoded     int     `json:"geocoded"`
	Unplaced     int     `json:"unplaced"`
	UnknownStage int     `json:"unknown_stages"`
	UnknownOwner int     `json:"unknown_owners"`
	Seconds      float64 `json:"seconds"`
}

// rejects writes rejected rows, with the file's header plus reject_reason,
// to a temporary file renamed into place when the import commits.
type rejects struct {
	path, tmp string
	header    []string
	f         *os.File
	w         *csv.Writer
	n         int
}

func (r *rejects) add(cells []string, reason string) error {
	if r.w == nil {
		dir := filepath.Dir(r.path)
		f, err := os.CreateTemp(dir, ".rejects-*.csv")
		if err != nil {
			return fmt.Errorf("rejects file in %s: %w", dir, err)
		}
		r.f, r.tmp = f, f.Name()
		r.w = csv.NewWriter(f)
		if err := r.w.Write(append(append([]string{}, r.header...), "reject_reason")); err != nil {
			return err
		}
	}
	r.n++
	row := make([]string, len(r.header), len(r.header)+1)
	copy(row, cells)
	return r.w.Write(append(row, reason))
}

// commit moves the rejects into place; abort removes them.
func (r *rejects) commit() (string, error) {
	if r.w == nil {
		return "", nil
	}
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return "", err
	}
	if err := r.f.Close(); err != nil {
		return "", err
	}
	return r.path, os.Rename(r.tmp, r.path)
}

func (r *rejects) abort() {
	if r.f != nil {
		r.f.Close()
		os.Remove(r.tmp)
	}
}

// rowRejected marks a row that eachRow's callback turned away; the reason
// is the error's message.
type rowRejected struct{ reason string }

func (r rowRejected) Error() string { return r.reason }

// reject returns the error that tells eachRow to send the row to the rejects
// file, with a reason naming the row.
func reject(row importer.Row, err error) error {
	var re *importer.RowError
	if errors.As(err, &re) {
		return rowRejected{re.Error()}
	}
	return rowRejected{fmt.Sprintf("row %d: %s", row.Number, derrors.Message(err))}
}

// eachRow reads tab to its end, counting rows. Rows that cannot be read, and
// rows fn rejects (with reject), go to rej; any other error from fn or the
// reader stops the import.
// pipelined runs produce in a goroutine and hands each batch it sends to
// consume, so reading and parsing overlap the writes. The first error of
// either side ends both (the producer's context is cancelled and its
// batches drained) and is returned.
func pipelined[T any](ctx context.Context, produce func(context.Context, chan<- T) error, consume func(T) error) error {
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan T, 2)
	produced := make(chan error, 1)
	go func() { produced <- produce(pctx, batches) }()
	var err error
	for batch := range batches {
		if err = consume(batch); err != nil {
			break
		}
	}
	cancel()
	for range batches { // let the producer finish
	}
	if perr := <-produced; err == nil {
		err = perr
	}
	return err
}

func eachRow(ctx context.Context, tab *importer.Table, rej *rejects, rows *int, fn func(importer.Row) error) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		row, err := tab.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		*rows++
		if err != nil {
			var re *importer.RowError
			if !errors.As(err, &re) {
				return err
			}
			err = rowRejected{re.Error()}
		} else {
			err = fn(row)
		}
		var rr rowRejected
		if errors.As(err, &rr) {
			if err := rej.add(row.Cells, rr.reason); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
	}
}

// overrides returns the column mapping overrides for a file's header: the
// derived columns named in ignored (matched case-insensitively) are
// ignored, then the caller's own overrides apply.
func (opt ImportOptions) overrides(header []string, ignored ...string) map[string]string {
	out := map[string]string{}
	for _, h := range header {
		for _, ig := range ignored {
			if strings.EqualFold(strings.TrimSpace(h), ig) {
				out[h] = "ignore"
			}
		}
	}
	for k, v := range opt.Overrides {
		out[k] = v
	}
	return out
}

// rejects returns the rejects file of an import of the named input.
func (opt ImportOptions) rejects(name string, header []string) *rejects {
	path := opt.RejectsPath
	if path == "" {
		path = RejectsPathFor(name)
	}
	return &rejects{path: path, header: header}
}

// batchSize is the number of rows written per group of statements.
func (opt ImportOptions) batchSize() int {
	if opt.BatchSize <= 0 {
		return 2000
	}
	return opt.BatchSize
}

// RejectsPathFor is the default rejects file for an input file.
func RejectsPathFor(input string) string {
	ext := filepath.Ext(input)
	return strings.TrimSuffix(input, ext) + ".rejects.csv"
}

// ImportAccounts reads a CRM export (CSV or XLSX) and creates or updates the
// accounts in it, keyed by external id, in one transaction: a failure or a
// crash leaves the database as it was, and running the import again ends
// with exactly the file's accounts. Rows that cannot be imported go to a
// rejects file with the reason; they do not stop the import.
func (s *Service) ImportAccounts(ctx context.Context, actor *auth.Actor, r io.Reader, name string, opt ImportOptions) (*ImportSummary, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	start := time.Now()
	tab, err := importer.OpenTable(r, name)
	if err != nil {
		return nil, err
	}
	defer tab.Close()
	precisionCol := -1 // Meridian's own exports say how exact each location is
	for i, h := range tab.Header() {
		if strings.EqualFold(strings.TrimSpace(h), "precision") {
			precisionCol = i
		}
	}
	// Columns Meridian writes on export that are derived, not imported.
	overrides := opt.overrides(tab.Header(), "reject_reason", "territory", "precision", "geo_source", "owner_name",
		"last_visit_at", "last_visit_result", "created_at", "updated_at")
	m, err := importer.NewAccountMapping(tab.Header(), overrides)
	if err != nil {
		return nil, err
	}
	pipeline, err := s.Pipeline(ctx)
	if err != nil {
		return nil, err
	}
	table, err := s.StageMap(ctx)
	if err != nil {
		return nil, err
	}
	for k, v := range opt.StageMap {
		if err := pipeline.CheckStage("stage map "+k, v); err != nil {
			return nil, err
		}
		table[k] = v
	}
	stages, err := account.NewStageMapper(pipeline, table)
	if err != nil {
		return nil, err
	}
	owners, err := s.ownerIndex(ctx)
	if err != nil {
		return nil, err
	}
	_, terrIx, err := s.territories(ctx)
	if err != nil {
		return nil, err
	}
	existing, err := s.Store.ExternalIDs(ctx)
	if err != nil {
		return nil, err
	}
	rej := opt.rejects(name, tab.Header())
	batchSize := opt.batchSize()
	fields := importFields(m)
	sum := &ImportSummary{}
	now := s.Now()
	b := &accountBuilder{svc: s, ctx: ctx, stages: stages, pipeline: pipeline, owners: owners, terrIx: terrIx, now: now, sum: sum}

	// Reading, parsing, geocoding and territory assignment run in one
	// goroutine and the writes in another, so the two cores share the work.
	produce := func(ctx context.Context, out chan<- []*account.Account) error {
		defer close(out)
		batch := make([]*account.Account, 0, batchSize)
		err := eachRow(ctx, tab, rej, &sum.Rows, func(row importer.Row) error {
			ar, err := m.Parse(row)
			if err != nil {
				return reject(row, err)
			}
			a, err := b.build(ar)
			if err != nil {
				return reject(row, err)
			}
			if a.Location != nil && a.GeoSource == "file" && precisionCol >= 0 && precisionCol < len(row.Cells) {
				switch p := account.Precision(strings.TrimSpace(row.Cells[precisionCol])); p {
				case account.PrecisionAddress, account.PrecisionPostal, account.PrecisionCity:
					a.Precision = p
				}
			}
			batch = append(batch, a)
			if len(batch) == batchSize {
				select {
				case out <- batch:
				case <-ctx.Done():
					return ctx.Err()
				}
				batch = make([]*account.Account, 0, batchSize)
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

	err = s.Store.ImportAccounts(ctx, func(im account.Importer) error {
		var ids []int64
		var inserts, updates []*account.Account
		return pipelined(ctx, produce, func(batch []*account.Account) error {
			inserts, updates = inserts[:0], updates[:0]
			for _, a := range batch {
				if id, ok := existing[a.ExternalID]; ok && a.ExternalID != "" {
					a.ID = id
					updates = append(updates, a)
					sum.Updated++
					continue
				}
				if len(ids) == 0 {
					var err error
					if ids, err = im.NextIDs(ctx, batchSize); err != nil {
						return err
					}
				}
				a.ID, ids = ids[0], ids[1:]
				a.CreatedAt = now
				if a.ExternalID != "" {
					existing[a.ExternalID] = a.ID
				}
				inserts = append(inserts, a)
				sum.Imported++
			}
			// Inserts first: an update may be to an account this batch adds.
			if len(inserts) > 0 {
				if err := im.Insert(ctx, inserts); err != nil {
					return err
				}
			}
			if len(updates) > 0 {
				if err := im.Update(ctx, updates, fields); err != nil {
					return err
				}
			}
			return nil
		})
	})
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
	s.audit(ctx, actor, "import.accounts", filepath.Base(name), fmt.Sprintf("imported=%d updated=%d rejected=%d", sum.Imported, sum.Updated, sum.Rejected))
	return sum, nil
}

// importFields says which fields an update overwrites: those the file has.
func importFields(m *importer.AccountMapping) account.Fields {
	f := account.Fields(0)
	for field, flag := range map[string]account.Fields{
		"external_id": account.FieldExternalID, "street": account.FieldAddress, "city": account.FieldAddress,
		"region": account.FieldAddress, "postal_code": account.FieldAddress, "country": account.FieldAddress,
		"stage": account.FieldStage, "owner": account.FieldOwner, "estimated_value": account.FieldValue,
		"source_channel": account.FieldSource, "tags": account.FieldTags, "do_not_contact": account.FieldDoNotContact,
	} {
		if m.Has(field) {
			f |= flag
		}
	}
	if m.HasCustom() {
		f |= account.FieldCustom
	}
	// Unmatched stages and owners are kept as custom fields.
	if m.Has("stage") || m.Has("owner") {
		f |= account.FieldCustom
	}
	return f
}

// ownerIndex matches owners by email or full name, case-insensitively.
func (s *Service) ownerIndex(ctx context.Context) (map[string]int64, error) {
	us, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	m := map[string]int64{}
	for _, u := range us {
		m[strings.ToLower(strings.TrimSpace(u.Name))] = u.ID
	}
	for _, u := range us { // emails win over names
		m[u.Email] = u.ID
	}
	return m, nil
}

// accountBuilder turns parsed rows into accounts.
type accountBuilder struct {
	svc      *Service
	ctx      context.Context
	stages   *account.StageMapper
	pipeline *account.Pipeline
	owners   map[string]int64
	terrIx   interface{ Assign(geo.Point) int64 }
	now      time.Time
	sum      *ImportSummary
}

func (b *accountBuilder) build(ar importer.AccountRow) (*account.Account, error) {
	a := &account.Account{
		ExternalID: ar.ExternalID, Name: ar.Name, Street: ar.Street, City: ar.City, Region: ar.Region,
		PostalCode: ar.PostalCode, Country: ar.Country, SourceChannel: ar.SourceChannel, Tags: ar.Tags,
		DoNotContact: ar.DoNotContact, Custom: ar.Custom, UpdatedAt: b.now,
	}
	if a.Custom == nil {
		a.Custom = map[string]string{}
	}
	if ar.EstimatedValue != nil {
		a.EstimatedValue = *ar.EstimatedValue
	}
	if key, ok := b.stages.Map(ar.Stage); ok {
		a.Stage = key
	} else {
		a.Stage = b.pipeline.First()
		a.Custom["CRM stage"] = ar.Stage
		b.sum.UnknownStage++
	}
	if o := strings.ToLower(strings.TrimSpace(ar.Owner)); o != "" {
		if id, ok := b.owners[o]; ok {
			a.OwnerID = id
		} else {
			a.Custom["CRM owner"] = ar.Owner
			b.sum.UnknownOwner++
		}
	}
	switch {
	case ar.Lat != nil && ar.Lon != nil:
		a.Location = &geo.Point{Lon: *ar.Lon, Lat: *ar.Lat}
		a.Precision, a.GeoSource = account.PrecisionExact, "file"
	case b.svc.Geocoder != nil && (ar.PostalCode != "" || ar.City != ""):
		res, err := b.svc.Geocoder.Geocode(b.ctx, geocode.Query{Street: ar.Street, City: ar.City, Region: ar.Region, PostalCode: ar.PostalCode, Country: ar.Country})
		if err == nil {
			p := res.Location
			a.Location, a.Precision, a.GeoSource = &p, res.Precision, res.Source
			b.sum.Geocoded++
		}
	}
	if a.Location == nil {
		a.Precision = account.PrecisionNone
		b.sum.Unplaced++
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if a.Location != nil {
		a.TerritoryID = b.terrIx.Assign(*a.Location)
	}
	return a, nil
}
