package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/sqlstore"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/visit"
)

// hangLimit is how long a step may take before the test calls it a hang;
// without the fix each of these tests waited forever.
const hangLimit = 20 * time.Second

// within runs fn and fails the test if it has not returned after d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		t.Fatalf("%s: still waiting after %v (deadlock); goroutines:\n%s", what, d, buf)
	}
}

func checkInAccount(t *testing.T, db *sqlstore.DB) int64 {
	t.Helper()
	ctx := context.Background()
	if err := db.SetPipeline(ctx, account.DefaultPipeline()); err != nil {
		t.Fatal(err)
	}
	a := &account.Account{Name: "Checked in", Stage: "lead", Precision: account.PrecisionExact, Location: &geo.Point{Lon: 2.35, Lat: 48.85}}
	if err := db.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func checkIn(accountID int64, outcome string, at time.Time) *visit.Interaction {
	return &visit.Interaction{AccountID: accountID, At: at, Channel: "visit", Type: "visit", Outcome: outcome, Source: "manual", Properties: map[string]string{}}
}

// storedOutcomes maps the outcome of each stored interaction of the account
// to its id.
func storedOutcomes(t *testing.T, db *sqlstore.DB, accountID int64) map[string]int64 {
	t.Helper()
	list, err := db.ListInteractions(context.Background(), accountID, visit.Page{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, in := range list.Items {
		out[in.Outcome] = in.ID
	}
	return out
}

// holdWriter runs an import transaction, which holds SQLite's one writer
// connection, until release is closed. It returns once the writer is held.
func holdWriter(t *testing.T, db *sqlstore.DB, release <-chan struct{}) (finished <-chan error) {
	t.Helper()
	held, fin := make(chan struct{}), make(chan error, 1)
	go func() {
		fin <- db.ImportInteractions(context.Background(), func(visit.Importer) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	return fin
}

// TestCheckInInsideWriterTransaction: a check-in made while its own caller
// holds the writer (inside an import's transaction) used to wait forever for
// the committer, which waited for that writer. Now the caller's deadline
// ends the wait, nothing is written, and the committer goes on working.
func TestCheckInInsideWriterTransaction(t *testing.T) {
	db := storetest.OpenSQLite(t)
	acc := checkInAccount(t, db)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	ctx := context.Background()
	within(t, hangLimit, "check-in inside an import transaction", func() {
		err := db.ImportInteractions(ctx, func(visit.Importer) error {
			cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			if err := db.CreateInteraction(cctx, checkIn(acc, "inside", t0)); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("CreateInteraction inside the import = %v, want %v", err, context.DeadlineExceeded)
			}
			return nil
		})
		if err != nil {
			t.Errorf("ImportInteractions = %v", err)
		}
	})
	within(t, hangLimit, "check-in after the import", func() {
		if err := db.CreateInteraction(ctx, checkIn(acc, "after", t0.Add(time.Minute))); err != nil {
			t.Errorf("CreateInteraction after the import = %v", err)
		}
	})
	got := storedOutcomes(t, db, acc)
	if _, ok := got["inside"]; ok {
		t.Error("the check-in that timed out was stored")
	}
	if _, ok := got["after"]; !ok {
		t.Error("the check-in after the import was not stored")
	}
}

// TestCheckInCancelledWhileQueued: while the writer is busy, callers who
// give up get their context's error at once (not when the writer frees),
// and after it frees every check-in answered with success is stored and
// none answered with an error is.
func TestCheckInCancelledWhileQueued(t *testing.T) {
	db := storetest.OpenSQLite(t)
	acc := checkInAccount(t, db)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	finished := holdWriter(t, db, release)

	const n = 60
	var wg sync.WaitGroup
	errs := make([]error, n)
	cancels := make([]context.CancelFunc, n)
	answered := make([]chan struct{}, n)
	for i := range n {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		answered[i] = make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(answered[i])
			errs[i] = db.CreateInteraction(ctx, checkIn(acc, fmt.Sprint("o", i), t0.Add(time.Duration(i)*time.Second)))
		}()
	}
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()
	time.Sleep(100 * time.Millisecond) // let the committer take a batch and wait for the writer
	// Every third caller gives up; each must be answered while the writer
	// is still held.
	var gaveUp sync.WaitGroup
	for i := 0; i < n; i += 3 {
		gaveUp.Add(1)
		go func() {
			defer gaveUp.Done()
			cancels[i]()
		}()
	}
	gaveUp.Wait()
	within(t, hangLimit, "cancelled check-ins while the writer is held", func() {
		for i := 0; i < n; i += 3 {
			<-answered[i]
		}
	})
	if t.Failed() {
		close(release)
		return
	}
	close(release)
	within(t, hangLimit, "check-ins after the writer is free", wg.Wait)
	if err := <-finished; err != nil {
		t.Fatalf("holding import = %v", err)
	}
	got := storedOutcomes(t, db, acc)
	for i, err := range errs {
		_, stored := got[fmt.Sprint("o", i)]
		switch {
		case err == nil && !stored:
			t.Errorf("check-in %d answered success but is not stored", i)
		case err != nil && stored:
			t.Errorf("check-in %d answered %v but is stored", i, err)
		case err != nil && i%3 != 0:
			t.Errorf("check-in %d (not cancelled) = %v", i, err)
		case err != nil && !errors.Is(err, context.Canceled):
			t.Errorf("cancelled check-in %d = %v, want %v", i, err, context.Canceled)
		}
	}
}

// TestCheckInClosedWhilePending: closing the store while check-ins wait for
// the writer answers them (with an error) instead of leaving them waiting.
func TestCheckInClosedWhilePending(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	acc := checkInAccount(t, db)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	finished := holdWriter(t, db, release)
	const n = 20
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.CreateInteraction(context.Background(), checkIn(acc, fmt.Sprint("o", i), t0.Add(time.Duration(i)*time.Second)))
		}()
	}
	time.Sleep(100 * time.Millisecond)
	db.Close()
	close(release)
	within(t, hangLimit, "check-ins pending at Close", wg.Wait)
	<-finished
	db, err = sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := storedOutcomes(t, db, acc)
	for i, err := range errs {
		if _, stored := got[fmt.Sprint("o", i)]; err == nil && !stored {
			t.Errorf("check-in %d answered success but is not stored", i)
		}
	}
}

// TestCheckInFailedBatchAnswers: when a batch's transaction fails (here a
// check-in by a user who does not exist), each check-in is written alone;
// one at a missing account must still be answered NotFound, not success.
func TestCheckInFailedBatchAnswers(t *testing.T) {
	db := storetest.OpenSQLite(t)
	acc := checkInAccount(t, db)
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	release := make(chan struct{})
	finished := holdWriter(t, db, release)
	// A first check-in is taken alone and waits for the writer; the three
	// after it queue up behind it as one batch.
	var pilotErr error
	pilotDone := make(chan struct{})
	go func() {
		defer close(pilotDone)
		pilotErr = db.CreateInteraction(context.Background(), checkIn(acc, "pilot", t0.Add(-time.Second)))
	}()
	time.Sleep(50 * time.Millisecond)
	bad := checkIn(acc, "bad-user", t0)
	bad.UserID = 987654 // no such user: the foreign key fails the batch
	ins := []*visit.Interaction{bad, checkIn(424242, "no-account", t0.Add(time.Second)), checkIn(acc, "good", t0.Add(2*time.Second))}
	errs := make([]error, len(ins))
	var wg sync.WaitGroup
	for i, in := range ins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.CreateInteraction(context.Background(), in)
		}()
	}
	time.Sleep(100 * time.Millisecond) // all three queued, in one batch
	close(release)
	within(t, hangLimit, "check-ins of a failed batch", func() { wg.Wait(); <-pilotDone })
	if pilotErr != nil {
		t.Errorf("first check-in = %v", pilotErr)
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
	if errs[0] == nil {
		t.Error("check-in by a missing user = nil, want an error")
	}
	if !derrors.Is(errs[1], derrors.NotFound) {
		t.Errorf("check-in at a missing account = %v, want NotFound", errs[1])
	}
	if errs[2] != nil {
		t.Errorf("good check-in = %v, want nil", errs[2])
	}
	got := storedOutcomes(t, db, acc)
	if _, ok := got["good"]; !ok || len(got) != 2 {
		t.Errorf("stored %v, want the first and the good check-in", got)
	}
}
