// Package postgres opens Meridian's PostgreSQL database (through pgx's
// database/sql driver) and applies its migrations. The queries are in
// sqlstore, shared with SQLite.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock keeps two replicas starting together from migrating at once.
const migrationLock = `SELECT pg_advisory_xact_lock(7262534101)`

// Open connects to the database at url (postgres://…) and migrates it.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := sqlstore.Migrate(ctx, db, sub, migrationLock); err != nil {
		db.Close()
		return nil, err
	}
	return sqlstore.New(db, db, Dialect), nil
}

// Dialect is PostgreSQL's.
var Dialect = sqlstore.Dialect{
	Name:      "postgres",
	Numbered:  true,
	ILike:     "ILIKE",
	JSONField: func(col string) string { return "(" + col + "::jsonb ->> ?)" },
	JSONMerge: func(col string) string { return "(" + col + "::jsonb || ?::jsonb)::text" },
	IsUnique: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
	ReserveIDs: func(ctx context.Context, tx *sql.Tx, _ string, n int) ([]int64, error) {
		rows, err := tx.QueryContext(ctx, `SELECT nextval('meridian_ids') FROM generate_series(1, $1)`, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		ids := make([]int64, 0, n)
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	},
	MaxParams:  65535,
	BulkInsert: "INSERT",
}

// Backup writes a consistent dump of the database at url to path with
// pg_dump (custom format), which reads one snapshot while the server runs.
func Backup(ctx context.Context, url, path string) error {
	if _, err := os.Stat(path); err == nil {
		return derrors.Invalidf("backup: %s already exists; choose a new file name", path)
	}
	bin, err := exec.LookPath("pg_dump")
	if err != nil {
		return derrors.Invalidf("backup: pg_dump is not installed; install the PostgreSQL client tools or back up with your own PostgreSQL tooling")
	}
	cmd := exec.CommandContext(ctx, bin, "--format=custom", "--file="+path, "--dbname="+url)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_dump: %v: %s", err, out)
	}
	return nil
}
