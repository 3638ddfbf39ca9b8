package postgres_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/postgres"

	"github.com/meridian-crm/meridian/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.PostgresURL(t)
	storetest.Run(t, func(t *testing.T) storetest.Store { return storetest.OpenPostgres(t) })
}

func TestBackup(t *testing.T) {
	base := storetest.PostgresURL(t)
	if _, err := exec.LookPath("pg_dump"); err != nil {
		t.Skip("pg_dump not installed")
	}
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	if err := db.SetPipeline(ctx, account.DefaultPipeline()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dump")
	if err := postgres.Backup(ctx, base, out); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(out); err != nil || st.Size() == 0 {
		t.Fatalf("backup file: %v, %v", st, err)
	}
	if err := postgres.Backup(ctx, base, out); err == nil {
		t.Error("Backup over an existing file = nil error")
	}
}
