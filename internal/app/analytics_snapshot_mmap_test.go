package app

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/analytics"
	"github.com/meridian-crm/meridian/internal/visit"
)

func mmapTestEvents(n, shift int) *analytics.Events {
	b := analytics.NewBuilder(0)
	for i := range n {
		b.Add(&analytics.Row{AccountID: int64(1 + (i*7+shift)%97), AtMS: int64(1_700_000_000_000 + i*3_600_000),
			Fields: [6]string{"web", "web_form", "", "", []string{"first_contact", "demo", "sale"}[(i+shift)%3], "import"}, Value: float64(i % 5)})
	}
	return b.Build()
}

// TestLoadSnapshotFile loads a snapshot the way the service does (mapped
// on Unix): the same Events and funnel as those written, the mapping
// still good after the file is replaced by rename, and a damaged, stale or
// missing file rejected.
func TestLoadSnapshotFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "analytics.snapshot")
	ev := mmapTestEvents(5_000, 0)
	if err := writeSnapshotFile(path, "3/1", ev); err != nil {
		t.Fatal(err)
	}
	got, err := loadSnapshotFile(path, "3/1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ev) {
		t.Fatal("loaded events differ from those written")
	}
	var fs []visit.Filter
	for _, s := range []string{"stage=first_contact", "stage=demo", "stage=sale"} {
		f, err := visit.ParseFilter(s)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	q := analytics.FunnelQuery{Steps: fs, Window: 90 * 24 * time.Hour, PerAccount: true}
	want, err := analytics.Funnel(ev, q)
	if err != nil {
		t.Fatal(err)
	}
	funnel := func(what string, ev *analytics.Events) {
		t.Helper()
		res, err := analytics.Funnel(ev, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res, want) {
			t.Fatalf("%s: funnel differs:\n%+v\nwant\n%+v", what, res.Steps, want.Steps)
		}
	}
	funnel("loaded", got)

	// Replaced by rename (as the service rewrites it): the loaded events
	// still read the old file.
	if err := writeSnapshotFile(path, "4/1", mmapTestEvents(3_000, 1)); err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	funnel("after the file was replaced", got)
	if _, err := loadSnapshotFile(path, "3/1"); !errors.Is(err, analytics.ErrSnapshotStale) {
		t.Fatalf("stale: %v, want ErrSnapshotStale", err)
	}

	written, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bad := range map[string][]byte{
		"flipped":   append(append(append([]byte{}, written[:len(written)/2]...), written[len(written)/2]^0x10), written[len(written)/2+1:]...),
		"truncated": written[:len(written)-3],
		"empty":     nil,
	} {
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if ev, err := loadSnapshotFile(path, "4/1"); ev != nil || !errors.Is(err, analytics.ErrSnapshotCorrupt) {
			t.Fatalf("%s: got events %v, %v; want ErrSnapshotCorrupt", name, ev != nil, err)
		}
	}
	os.Remove(path)
	if _, err := loadSnapshotFile(path, "4/1"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing: %v, want ErrNotExist", err)
	}
	runtime.KeepAlive(got)
}
