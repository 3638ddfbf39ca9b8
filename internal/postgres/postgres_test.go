package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/meridian-crm/meridian/internal/postgres"
	"github.com/meridian-crm/meridian/internal/storetest"
)

// testURL returns the database to test against, from MERIDIAN_TEST_POSTGRES.
// Without it the tests skip, unless MERIDIAN_REQUIRE_POSTGRES is set (as in
// CI), where skipping would hide a broken store.
func testURL(t *testing.T) string {
	u := os.Getenv("MERIDIAN_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("MERIDIAN_REQUIRE_POSTGRES") != "" {
			t.Fatal("MERIDIAN_REQUIRE_POSTGRES is set but MERIDIAN_TEST_POSTGRES is empty")
		}
		t.Skip("PostgreSQL tests skipped: set MERIDIAN_TEST_POSTGRES=postgres://… to run them")
	}
	return u
}

// freshSchema creates an empty schema for one test and returns a URL whose
// connections use it, dropping it when the test ends.
func freshSchema(t *testing.T, base string) string {
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
	return u.String()
}

// OpenTest opens a store in a fresh schema of the test database.
func OpenTest(t *testing.T) storetest.Store {
	db, err := postgres.Open(context.Background(), freshSchema(t, testURL(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	testURL(t)
	storetest.Run(t, OpenTest)
}
