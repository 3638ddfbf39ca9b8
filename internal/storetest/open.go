package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for creating schemas

	"github.com/meridian-crm/meridian/internal/postgres"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/sqlstore"
)

// OpenSQLite opens a new SQLite store in a temporary directory.
func OpenSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns the test database from MERIDIAN_TEST_POSTGRES. Without
// it the test skips, unless MERIDIAN_REQUIRE_POSTGRES is set (as in CI),
// where a skip would hide a broken store, so it fails instead.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("MERIDIAN_REQUIRE_POSTGRES") != "" {
			t.Fatal("MERIDIAN_REQUIRE_POSTGRES is set but MERIDIAN_TEST_POSTGRES is empty")
		}
		t.Skip("PostgreSQL tests skipped: set MERIDIAN_TEST_POSTGRES=postgres://… to run them")
	}
	return u
}

// OpenPostgres opens a store in a new schema of the test database, dropped
// when the test ends.
func OpenPostgres(t testing.TB) *sqlstore.DB {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	schema := fmt.Sprintf("mtest_%d_%d", os.Getpid(), time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + schema + " CASCADE") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Engines lists the stores to run a test against: SQLite always, and
// PostgreSQL when configured.
var Engines = []struct {
	Name string
	Open func(testing.TB) *sqlstore.DB
}{
	{"sqlite", OpenSQLite},
	{"postgres", OpenPostgres},
}
