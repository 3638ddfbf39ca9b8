package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/visit"
)

// bulkInteractionImporter writes an import's interactions the way account
// imports are written (accounts.go): multi-row INSERTs with the dialect's
// BulkInsert (SQLite: INSERT OR FAIL, no statement journal), the bind
// values of the next statement built while the current one runs, ids
// reserved once per batch without asking the database again, and, once the
// import has added more rows than the table held, its secondary indexes
// dropped and rebuilt before commit. Foreign keys are checked once, for the
// whole table, by inBulkTx.
type bulkInteractionImporter struct {
	db       *DB
	tx       *sql.Tx
	stmts    map[int]*sql.Stmt // by rows per statement
	touched  map[int64]bool
	inserted int64
	existing int64 // rows when the import began; -1 unknown
	dropped  [][2]string
}

func newBulkInteractionImporter(db *DB, tx *sql.Tx) *bulkInteractionImporter {
	return &bulkInteractionImporter{db: db, tx: tx, stmts: map[int]*sql.Stmt{}, touched: map[int64]bool{}, existing: -1}
}

func (im *bulkInteractionImporter) close() {
	for _, s := range im.stmts {
		s.Close()
	}
}

func (im *bulkInteractionImporter) stmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if s, ok := im.stmts[n]; ok {
		return s, nil
	}
	one := "(" + placeholders(interactionColCount) + ")"
	s, err := im.tx.PrepareContext(ctx, im.db.q(im.db.dialect.BulkInsert+` INTO interactions (`+interactionCols+`) VALUES `+strings.TrimSuffix(strings.Repeat(one+",", n), ",")))
	if err != nil {
		return nil, err
	}
	im.stmts[n] = s
	return s, nil
}

// maybeDropIndexes drops the table's secondary indexes once the import has
// added bulkThreshold rows and more than the table held before.
func (im *bulkInteractionImporter) maybeDropIndexes(ctx context.Context) error {
	if im.dropped != nil || im.db.dialect.SecondaryIndexes == nil || im.inserted < bulkThreshold {
		return nil
	}
	if im.existing < 0 {
		if err := im.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM interactions`).Scan(&im.existing); err != nil {
			return err
		}
		im.existing -= im.inserted
	}
	if im.inserted < im.existing {
		return nil
	}
	idx, err := im.db.dialect.SecondaryIndexes(ctx, im.tx, "interactions")
	if err != nil {
		return err
	}
	// Statements prepared against the old schema are prepared again.
	im.close()
	im.stmts = map[int]*sql.Stmt{}
	for _, ix := range idx {
		if _, err := im.tx.ExecContext(ctx, "DROP INDEX "+ix[0]); err != nil {
			return err
		}
	}
	im.dropped = append([][2]string{}, idx...)
	return nil
}

func (im *bulkInteractionImporter) rebuildIndexes(ctx context.Context) error {
	for _, ix := range im.dropped {
		if _, err := im.tx.ExecContext(ctx, ix[1]); err != nil {
			return fmt.Errorf("rebuild index %s: %w", ix[0], err)
		}
	}
	im.dropped = nil
	return nil
}

// Insert implements visit.Importer.
func (im *bulkInteractionImporter) Insert(ctx context.Context, batch []*visit.Interaction) error {
	if len(batch) == 0 {
		return nil
	}
	ids, err := im.db.dialect.ReserveIDs(ctx, im.tx, "interactions", len(batch))
	if err != nil {
		return err
	}
	now := im.db.Now()
	// ids ascend, so interactions with equal times keep the file's order.
	for i, in := range batch {
		in.ID, in.CreatedAt = ids[i], now
		if in.Channel == "visit" {
			im.touched[in.AccountID] = true
		}
	}
	per := min(500, im.db.dialect.MaxParams/interactionColCount)
	type chunk struct {
		n    int
		args []any
	}
	chunks := make(chan chunk, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		for rest := batch; len(rest) > 0; {
			n := min(per, len(rest))
			args := make([]any, 0, n*interactionColCount)
			for _, in := range rest[:n] {
				args = append(args, interactionArgs(in)...)
			}
			select {
			case chunks <- chunk{n, args}:
			case <-stop:
				return
			}
			rest = rest[n:]
		}
	}()
	for c := range chunks {
		if err := im.maybeDropIndexes(ctx); err != nil {
			return err
		}
		s, err := im.stmt(ctx, c.n)
		if err != nil {
			return err
		}
		if _, err := s.ExecContext(ctx, c.args...); err != nil {
			return err
		}
		im.inserted += int64(c.n)
	}
	return nil
}

// finish rebuilds dropped indexes and refreshes the last visit of the
// accounts the import gave visits to.
func (im *bulkInteractionImporter) finish(ctx context.Context) error {
	if err := im.rebuildIndexes(ctx); err != nil {
		return err
	}
	ids := make([]int64, 0, len(im.touched))
	for id := range im.touched {
		ids = append(ids, id)
	}
	return im.db.refreshLastVisit(ctx, im.tx, ids)
}
