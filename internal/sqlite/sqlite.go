// Package sqlite opens Meridian's embedded SQLite database (pure Go, through
// modernc.org/sqlite) and applies its migrations. The queries themselves are
// in sqlstore, shared with PostgreSQL.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// FileName is the database file inside the data directory.
const FileName = "meridian.db"

// pragmas are applied to every connection.
var pragmas = []string{
	// WAL lets readers run while one writer writes, and a crash never leaves
	// a half-applied transaction.
	"journal_mode(WAL)",
	// NORMAL under WAL is crash-consistent; only the last commits before a
	// power cut may be lost, never half of one.
	"synchronous(NORMAL)",
	"foreign_keys(ON)",
	// Wait for a lock instead of failing at once (another process such as
	// the CLI may be writing).
	"busy_timeout(15000)",
	"temp_store(MEMORY)",
}

// dsn builds a connection string. cacheKiB is the page cache of each
// connection (allocated only as used): the writer gets a large one, since
// an import that spills its cache mid-transaction writes twice; readers a
// modest one each.
func dsn(path string, txlock string, cacheKiB int) string {
	var b strings.Builder
	b.WriteString("file:" + path + "?_txlock=" + txlock)
	fmt.Fprintf(&b, "&_pragma=cache_size(-%d)", cacheKiB)
	for _, p := range pragmas {
		b.WriteString("&_pragma=" + p)
	}
	return b.String()
}

// Open opens (creating if needed) the database in dir and migrates it.
func Open(ctx context.Context, dir string) (*sqlstore.DB, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	return OpenFile(ctx, filepath.Join(dir, FileName))
}

// OpenFile opens the database file at path and migrates it.
func OpenFile(ctx context.Context, path string) (*sqlstore.DB, error) {
	// Writers take the lock when they begin (IMMEDIATE), so a transaction
	// that reads then writes never fails half-way on a lock upgrade.
	w, err := sql.Open("sqlite", dsn(path, "immediate", 256<<10))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := sqlstore.Migrate(ctx, w, mustSub(migrations, "migrations"), ""); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, "deferred", 32<<10))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU()*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return sqlstore.New(w, r, Dialect), nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// Dialect is SQLite's.
var Dialect = sqlstore.Dialect{
	Name:  "sqlite",
	ILike: "LIKE", // ASCII case-insensitive by default
	JSONField: func(col string) string {
		// The key goes in a quoted path label, so dots and spaces stay part
		// of it; inside the label SQLite takes JSON string escapes, so
		// backslashes and quotes are escaped with a backslash.
		return "json_extract(" + col + ", '$.\"' || replace(replace(?, '\\', '\\\\'), '\"', '\\\"') || '\"')"
	},
	JSONMerge: func(col string) string { return "json_patch(" + col + ", ?)" },
	IsUnique: func(err error) bool {
		var se *sqlite.Error
		if errors.As(err, &se) {
			return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
		}
		return false
	},
	ReserveIDs: func(ctx context.Context, tx *sql.Tx, table string, n int) ([]int64, error) {
		// The write transaction is IMMEDIATE, so no one else can take these.
		var maxID int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&maxID); err != nil {
			return nil, err
		}
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = maxID + int64(i) + 1
		}
		return ids, nil
	},
	MaxParams:  32766,
	BulkInsert: "INSERT OR FAIL",
	BulkBefore: []string{"PRAGMA foreign_keys = OFF", "PRAGMA threads = 2"},
	BulkAfter:  []string{"PRAGMA foreign_keys = ON", "PRAGMA threads = 0"},
	BulkCheck:  "PRAGMA foreign_key_check(%s)",
	SecondaryIndexes: func(ctx context.Context, tx *sql.Tx, table string) ([][2]string, error) {
		// Indexes made by CREATE INDEX have their statement in the schema;
		// those behind UNIQUE constraints have none and stay.
		rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out [][2]string
		for rows.Next() {
			var name, stmt string
			if err := rows.Scan(&name, &stmt); err != nil {
				return nil, err
			}
			out = append(out, [2]string{name, stmt})
		}
		return out, rows.Err()
	},
}

// Backup writes a consistent copy of the live database to path with VACUUM
// INTO, which reads one snapshot while the server goes on writing.
func Backup(ctx context.Context, db *sqlstore.DB, path string) error {
	if _, err := os.Stat(path); err == nil {
		return derrors.Invalidf("backup: %s already exists; choose a new file name", path)
	}
	_, err := db.Reader().ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
