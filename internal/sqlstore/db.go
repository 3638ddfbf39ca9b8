package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

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
	// BulkInsert starts a multi-row insert used inside a transaction that is
	// rolled back whole on any error. SQLite's "INSERT OR FAIL" spares it the
	// statement journal that a plain INSERT keeps to undo half a statement
	// (about a tenth of a large import's time).
	BulkInsert string
	// BulkSession lists statements run on the writer connection before and
	// after a bulk transaction (SQLite turns foreign-key enforcement off for
	// it, since each enforced row also forces the statement journal), and
	// BulkCheck a query (with %s for the table written) run before commit
	// that returns a row for each violation, so a bulk load is held to the
	// same constraints.
	BulkBefore, BulkAfter []string
	BulkCheck             string
	// SecondaryIndexes returns the name and CREATE statement of each index
	// of table that a large bulk insert may drop and rebuild: filling a table
	// and then sorting its keys once is several times faster than inserting
	// into a B-tree row by row at random places. Nil where dropping an index
	// would lock readers out (PostgreSQL).
	SecondaryIndexes func(ctx context.Context, tx *sql.Tx, table string) ([][2]string, error)
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
	db.forgetCommitter() // field.go
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

// inBulkTx is inTx for large writes: the dialect's bulk settings apply to
// the connection for the transaction, and its check runs before commit.
func (db *DB) inBulkTx(ctx context.Context, table string, fn func(tx *sql.Tx) error) (err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range db.dialect.BulkBefore {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	defer func() {
		for _, q := range db.dialect.BulkAfter {
			if _, aerr := conn.ExecContext(context.WithoutCancel(ctx), q); aerr != nil {
				// A connection left in bulk mode must not be reused.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
				if err == nil {
					err = aerr
				}
			}
		}
	}()
	tx, err := conn.BeginTx(ctx, nil)
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
	if err := fn(tx); err != nil {
		return err
	}
	if db.dialect.BulkCheck != "" && table != "" {
		check := fmt.Sprintf(db.dialect.BulkCheck, table)
		rows, err := tx.QueryContext(ctx, check)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			return fmt.Errorf("bulk write to %s refers to rows that do not exist (%s); nothing was saved", table, check)
		}
		return rows.Err()
	}
	return nil
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

// jsonStrings encodes a string slice as a JSON array. It runs for every
// imported row, so it skips encoding/json's reflection.
func jsonStrings(v []string) string {
	if len(v) == 0 {
		return "[]"
	}
	b := make([]byte, 0, 16*len(v))
	b = append(b, '[')
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return string(append(b, ']'))
}

// jsonMap encodes a string map as a JSON object with sorted keys, as
// encoding/json would.
func jsonMap(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	keys := make([]string, 0, len(m))
	n := 2
	for k, v := range m {
		keys = append(keys, k)
		n += len(k) + len(v) + 6
	}
	sort.Strings(keys)
	b := make([]byte, 0, n)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return string(append(b, '}'))
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped; invalid UTF-8 becomes U+FFFD as in
// encoding/json.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
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
