package app_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/sqlstore"
	"github.com/meridian-crm/meridian/internal/visit"
)

// snapshotProcess is what a fresh `meridian analyze` has: a new service
// over the data directory, told where the snapshot lives.
func snapshotProcess(t *testing.T, db *sqlstore.DB, path string) *app.Service {
	t.Helper()
	svc := app.New(db, nil, nil)
	svc.SetAnalyticsSnapshot(path)
	return svc
}

// snapshotFunnel runs a funnel over stages (and a custom property, which
// the snapshot leaves out) and says whether the columns came from the
// snapshot.
func snapshotFunnel(t *testing.T, svc *app.Service) (steps any, interactions int, fromSnapshot bool) {
	t.Helper()
	ctx := context.Background()
	ai, err := svc.Analytics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Funnel(ctx, auth.System, app.FunnelRequest{
		Steps: []string{"stage=first_contact", "stage=demo,prop.campaign=spring", "stage=sale"}, Window: "90d", PerAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	return []any{rep.Steps, rep.PerAccount}, rep.Interactions, ai.FromSnapshot
}

func TestAnalyticsSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	setup := app.New(db, nil, nil)
	if err := setup.Init(ctx); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 30 {
		a := &account.Account{Name: "Account " + string(rune('A'+i%26)) + string(rune('0'+i/26))}
		if err := setup.CreateAccount(ctx, auth.System, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	// Stages in turn over all accounts, so the rows are not in account
	// order and the columns carry an Order (which properties need).
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var ins []*visit.Interaction
	for k, stage := range []string{"first_contact", "demo", "sale"} {
		for i, id := range ids {
			if i%(k+1) != 0 {
				continue
			}
			campaign := []string{"spring", "autumn"}[i%2]
			ins = append(ins, &visit.Interaction{AccountID: id, At: start.Add(time.Duration(k*72+i) * time.Hour), Channel: "web", Type: "web_form",
				Stage: stage, Source: "import", Properties: map[string]string{"campaign": campaign}})
		}
	}
	if err := setup.Store.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, ins) }); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "analytics.snapshot")

	// Without a snapshot: read from the store, snapshot written.
	want, n, from := snapshotFunnel(t, snapshotProcess(t, db, path))
	if from || n != len(ins) {
		t.Fatalf("first run: from snapshot %v, %d interactions; want from the store, %d", from, n, len(ins))
	}
	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("snapshot not written: %v", err)
	}
	if tmp, _ := filepath.Glob(path + ".*.tmp"); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}

	// Next process: from the snapshot, the same results.
	got, n, from := snapshotFunnel(t, snapshotProcess(t, db, path))
	if !from || n != len(ins) {
		t.Fatalf("second run: from snapshot %v, %d interactions", from, n)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("from the snapshot:\n%+v\nwant\n%+v", got, want)
	}

	// A damaged snapshot is ignored and rewritten.
	for name, bad := range map[string][]byte{
		"truncated": written[:len(written)/2],
		"flipped":   append(append([]byte{}, written[:len(written)-40]...), append([]byte{written[len(written)-40] ^ 4}, written[len(written)-39:]...)...),
		"garbage":   []byte("not a snapshot at all"),
	} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		got, _, from = snapshotFunnel(t, snapshotProcess(t, db, path))
		if from || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s snapshot: from snapshot %v, results equal %v; want rebuilt from the store", name, from, reflect.DeepEqual(got, want))
		}
		if rewritten, _ := os.ReadFile(path); !reflect.DeepEqual(rewritten, written) {
			t.Fatalf("%s snapshot not rewritten", name)
		}
	}

	// A new interaction moves the version: rebuilt, rewritten, included.
	last := &visit.Interaction{AccountID: ids[2], At: start.Add(200 * time.Hour), Channel: "web", Type: "web_form", Stage: "sale", Source: "import", Properties: map[string]string{}}
	if err := setup.Store.CreateInteraction(ctx, last); err != nil {
		t.Fatal(err)
	}
	_, n, from = snapshotFunnel(t, snapshotProcess(t, db, path))
	if from || n != len(ins)+1 {
		t.Fatalf("after a new interaction: from snapshot %v, %d interactions; want rebuilt with %d", from, n, len(ins)+1)
	}
	rebuilt, n, from := snapshotFunnel(t, snapshotProcess(t, db, path))
	if !from || n != len(ins)+1 {
		t.Fatalf("after the rebuild: from snapshot %v, %d interactions; want the rewritten snapshot with %d", from, n, len(ins)+1)
	}
	if reflect.DeepEqual(rebuilt, want) {
		t.Fatal("the new sale changed nothing in the funnel")
	}

	// No path, no file: the service works as before.
	os.Remove(path)
	if _, _, from := snapshotFunnel(t, app.New(db, nil, nil)); from {
		t.Fatal("from a snapshot without a path")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("snapshot written without a path: %v", err)
	}
}
