package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/meridian-crm/meridian/internal/account"

	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store {
		db, err := sqlite.Open(context.Background(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.SetPipeline(ctx, account.DefaultPipeline()); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAccount(ctx, &account.Account{Name: "Backed up", Stage: "lead", Precision: account.PrecisionNone}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "copy.db")
	if err := sqlite.Backup(ctx, db, out); err != nil {
		t.Fatal(err)
	}
	copyDB, err := sqlite.OpenFile(ctx, out)
	if err != nil {
		t.Fatalf("open backup: %v", err)
	}
	defer copyDB.Close()
	list, err := copyDB.ListAccounts(ctx, account.Filter{}, account.Page{})
	if err != nil || list.Total != 1 || list.Items[0].Name != "Backed up" {
		t.Errorf("backup holds %+v, %v; want the one account", list.Items, err)
	}
	if err := sqlite.Backup(ctx, db, out); err == nil {
		t.Errorf("Backup over an existing file = nil, want an error")
	}
}
