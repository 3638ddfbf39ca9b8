package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/meridian-crm/meridian/internal/visit"
)

// bulkInteractionImporter writes an import's interactions the way account
// imports are written (accounts.go): multi-row INSERTs with the dialect's
// BulkInsert (SQLite: INSERT OR FAIL, no statement journal), the bind
// values of the next statement built while the current one runs, ids
// reserved once per batch without asking the database again, and, once the
// import is at least as large as the table was, its secondary indexes
// dropped and rebuilt before commit. Foreign keys are checked once, for the
// whole table, by inBulkTx.
type bulkInteractionImporter struct {
	db      *DB
	tx      *sql.Tx
	stmts   map[int]*sql.Stmt // by rows per statement
	touched map[int64]bool
	// newest is each touched account's newest imported visit; when the
	// table was empty before the import, that is the account's newest
	// visit of all and finish sets it without searching the table again.
	newest map[int64]lastVisit
	// accounts and users the rows refer to, checked before commit (the
	// dialect's bulk mode may have turned foreign keys off).
	accounts, users map[int64]bool
	empty           bool // the table was empty when the import began
	inserted        int64
	existing        int64 // rows when the import began; -1 unknown
	dropped         [][2]string
}

func newBulkInteractionImporter(db *DB, tx *sql.Tx) *bulkInteractionImporter {
	return &bulkInteractionImporter{db: db, tx: tx, stmts: map[int]*sql.Stmt{}, touched: map[int64]bool{}, newest: map[int64]lastVisit{}, existing: -1,
		accounts: map[int64]bool{}, users: map[int64]bool{}}
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

// maybeDropIndexes drops the table's secondary indexes when the import is
// at least as large as the table was: at the first batch if that batch
// alone is (a bounded count keeps this cheap on a large table), else once
// the import has added bulkThreshold rows and more than the table held.
// An index limited to automatic visits stays: it never holds an imported
// row, so keeping it costs nothing and rebuilding it a table scan.
func (im *bulkInteractionImporter) maybeDropIndexes(ctx context.Context, batch int) error {
	if im.dropped != nil || im.db.dialect.SecondaryIndexes == nil {
		return nil
	}
	if im.inserted == 0 {
		var n int64
		if err := im.tx.QueryRowContext(ctx, im.db.q(`SELECT COUNT(*) FROM (SELECT 1 FROM interactions LIMIT ?) t`), batch+1).Scan(&n); err != nil {
			return err
		}
		if n > int64(batch) {
			return nil
		}
		im.existing, im.empty = n, n == 0
	} else {
		if im.inserted < bulkThreshold {
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
	}
	idx, err := im.db.dialect.SecondaryIndexes(ctx, im.tx, "interactions")
	if err != nil {
		return err
	}
	// Statements prepared against the old schema are prepared again.
	im.close()
	im.stmts = map[int]*sql.Stmt{}
	im.dropped = [][2]string{}
	for _, ix := range idx {
		if autoOnly.MatchString(ix[1]) {
			continue
		}
		if _, err := im.tx.ExecContext(ctx, "DROP INDEX "+ix[0]); err != nil {
			return err
		}
		im.dropped = append(im.dropped, ix)
	}
	return nil
}

// autoOnly matches a CREATE INDEX statement limited to automatic visits.
var autoOnly = regexp.MustCompile(`(?is)\)\s*WHERE\s+source\s*=\s*'auto'\s*$`)

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
		im.accounts[in.AccountID] = true
		if in.UserID != 0 {
			im.users[in.UserID] = true
		}
		if in.Channel == "visit" {
			// ids ascend, so at equal times the later row wins, as in
			// refreshLastVisit.
			if at, old, ok := ms(in.At), im.newest[in.AccountID], im.touched[in.AccountID]; !ok || at >= old.at {
				im.newest[in.AccountID] = lastVisit{at: at, result: in.Outcome}
			}
			im.touched[in.AccountID] = true
		}
	}
	chunks, stop := bindChunks(batch, min(500, im.db.dialect.MaxParams/interactionColCount), interactionColCount, interactionArgs)
	defer stop()
	if err := im.maybeDropIndexes(ctx, len(batch)); err != nil {
		return err
	}
	for c := range chunks {
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

// lastVisit is an account's newest visit: its time (ms) and outcome.
type lastVisit struct {
	at     int64
	result string
}

// finish rebuilds dropped indexes and refreshes the last visit of the
// accounts the import gave visits to.
func (im *bulkInteractionImporter) finish(ctx context.Context) error {
	if im.db.dialect.BulkCheck != "" {
		if err := im.checkRefs(ctx, "accounts", im.accounts); err != nil {
			return err
		}
		if err := im.checkRefs(ctx, "users", im.users); err != nil {
			return err
		}
	}
	if err := im.rebuildIndexes(ctx); err != nil {
		return err
	}
	ids := make([]int64, 0, len(im.touched))
	for id := range im.touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if im.empty {
		return im.setLastVisits(ctx, ids)
	}
	return im.db.refreshLastVisit(ctx, im.tx, ids)
}

// setLastVisits sets the accounts' last visit to their newest imported
// visit, lastVisitChunk accounts a statement; it is refreshLastVisit for an
// import into an empty table, where the file holds every visit there is.
func (im *bulkInteractionImporter) setLastVisits(ctx context.Context, ids []int64) error {
	now := ms(im.db.Now())
	for len(ids) > 0 {
		n := min(lastVisitChunk, len(ids))
		args := make([]any, 0, 1+3*n)
		args = append(args, now)
		for _, id := range ids[:n] {
			v := im.newest[id]
			args = append(args, id, v.at, v.result)
		}
		// CASTs type the VALUES for PostgreSQL; both engines name their
		// columns column1, column2, column3.
		row := "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS TEXT)),"
		if _, err := im.tx.ExecContext(ctx, im.db.q(`UPDATE accounts SET last_visit_at = v.column2, last_visit_result = v.column3, updated_at = ?
			FROM (VALUES `+strings.TrimSuffix(strings.Repeat(row, n), ",")+`) AS v WHERE accounts.id = v.column1`), args...); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// lastVisitChunk is how many accounts one setLastVisits statement sets.
const lastVisitChunk = 500

// checkRefs fails unless every id in refs is a row of table: the foreign
// key check of the rows this import wrote, a few thousand lookups instead
// of a scan of the whole interactions table.
func (im *bulkInteractionImporter) checkRefs(ctx context.Context, table string, refs map[int64]bool) error {
	ids := make([]int64, 0, len(refs))
	for id := range refs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	per := min(500, im.db.dialect.MaxParams)
	for rest := ids; len(rest) > 0; rest = rest[min(per, len(rest)):] {
		chunk := rest[:min(per, len(rest))]
		var n int
		if err := im.tx.QueryRowContext(ctx, im.db.q(`SELECT COUNT(*) FROM `+table+` WHERE id IN (`+placeholders(len(chunk))+`)`), int64Args(chunk)...).Scan(&n); err != nil {
			return err
		}
		if n != len(chunk) {
			return fmt.Errorf("interactions refer to %d %s that no longer exist (deleted during the import?); nothing was saved", len(chunk)-n, table)
		}
	}
	return nil
}

// bindChunk is the bind values of n rows of one multi-row INSERT.
type bindChunk struct {
	n    int
	args []any
}

// bindChunks turns rows into the bind values of INSERTs of per rows each,
// in a goroutine, so the next statement's values are built while the
// current one executes (turning rows into values costs about a fifth of an
// insert). Call stop when done reading, early or not.
func bindChunks[T any](rows []T, per, cols int, args func(T) []any) (<-chan bindChunk, func()) {
	chunks := make(chan bindChunk, 1)
	done := make(chan struct{})
	go func() {
		defer close(chunks)
		for rest := rows; len(rest) > 0; {
			n := min(per, len(rest))
			vals := make([]any, 0, n*cols)
			for _, r := range rest[:n] {
				vals = append(vals, args(r)...)
			}
			select {
			case chunks <- bindChunk{n, vals}:
			case <-done:
				return
			}
			rest = rest[n:]
		}
	}()
	return chunks, func() { close(done) }
}
