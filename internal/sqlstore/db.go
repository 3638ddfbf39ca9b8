package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Numbered placeholders ($1, $2…) instead of "?".
	Numbered bool
	// ILike is the case-insensitive LIKE operator.
	ILike string
	// JSONField returns an expression for the text value of key in the JSON
	// object column col; the key is bound as the placeholder "?".
	JSONField func(col string) string
	// JSONMerge returns an expression merging the JSON object bound as "?"
	// into col (keys of the bound object win).
	JSONMerge func(col string) string
	// IsUnique reports whether err is a unique-constraint violation.
	IsUnique func(err error) bool
	// ReserveIDs returns n unused ids for table inside tx.
	ReserveIDs func(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error)
	// MaxParams is the most bind parameters one statement may have.
	MaxParams int
}

// DB implements the store interfaces over database/sql.
type DB struct {
	// w takes writes; r takes reads. For SQLite w has one connection, since
	// SQLite has one writer at a time and queuing in Go beats busy-waiting in
	// SQLite; r has several for concurrent reads under WAL. For PostgreSQL
	// both are the same pool.
	w, r    *sql.DB
	dialect Dialect
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// New wraps open connection pools.
func New(w, r *sql.DB, d Dialect) *DB {
	return &DB{w: w, r: r, dialect: d, Now: time.Now}
}

// Dialect returns the engine's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes both pools.
func (db *DB) Close() error {
	err := db.w.Close()
	if db.r != db.w {
		if err2 := db.r.Close(); err == nil {
			err = err2
		}
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Reader is the read pool, for packages that run their own queries
// (benchmarks, health checks).
func (db *DB) Reader() *sql.DB { return db.r }

// q rewrites "?" placeholders for the dialect.
func (db *DB) q(query string) string {
	if !db.dialect.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// inTx runs fn in a write transaction, committing if it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
			return
		}
		err = tx.Commit()
	}()
	return fn(tx)
}

// notFound turns sql.ErrNoRows into a NotFound error.
func notFound(err error, format string, args ...any) error {
	if err == sql.ErrNoRows {
		return derrors.NotFoundf(format, args...)
	}
	return err
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of strings and slices of strings are stored
	}
	return string(b)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

func int64Args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, v := range ids {
		out[i] = v
	}
	return out
}
