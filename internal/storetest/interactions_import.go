package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/visit"
)

// testInteractionImportLastVisit checks that an import leaves each account's
// last visit at its newest visit of all (ties: the later row), whether the
// table was empty (SQLite then sets it from the file), small next to the
// import (indexes dropped and rebuilt) or large next to it.
func testInteractionImportLastVisit(t *testing.T, s Store) {
	a := mustCreate(t, s, newAccount("LVA", "A", nil)).ID
	b := mustCreate(t, s, newAccount("LVB", "B", nil)).ID
	c := mustCreate(t, s, newAccount("LVC", "C", nil)).ID
	d := mustCreate(t, s, newAccount("LVD", "D", nil)).ID
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	row := func(acct int64, h int, channel, outcome string) *visit.Interaction {
		return &visit.Interaction{AccountID: acct, At: at(h), Channel: channel, Type: channel, Outcome: outcome, Source: "import"}
	}
	imp := func(batch ...*visit.Interaction) {
		t.Helper()
		if err := s.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, batch) }); err != nil {
			t.Fatal(err)
		}
	}
	want := func(step string, id int64, h int, result string) {
		t.Helper()
		got, err := s.GetAccount(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		wantAt := time.Time{}
		if h >= 0 {
			wantAt = at(h)
		}
		if !got.LastVisitAt.Equal(wantAt) || got.LastVisitResult != result {
			t.Errorf("%s: account %s last visit = %v %q, want %v %q", step, got.ExternalID, got.LastVisitAt, got.LastVisitResult, wantAt, result)
		}
	}

	// Into an empty table.
	imp(row(a, 1, "visit", "no_answer"), row(a, 2, "visit", "sale"), row(a, 2, "visit", "follow_up"), row(a, 3, "web", ""),
		row(b, 3, "visit", "appointment"), row(b, 1, "visit", "sale"),
		row(c, 4, "web", ""))
	want("first import", a, 2, "follow_up") // equal times: the later row
	want("first import", b, 3, "appointment")
	want("first import", c, -1, "")

	// A small import next to what is there: the newest of old and new wins.
	if err := s.CreateInteraction(ctx, &visit.Interaction{AccountID: d, At: at(5), Channel: "visit", Type: "visit", Outcome: "sale", Source: "manual"}); err != nil {
		t.Fatal(err)
	}
	want("check-in", d, 5, "sale")
	imp(row(a, 2, "visit", "appointment"), row(d, 4, "visit", "no_answer"), row(b, 1, "visit", "no_answer"))
	want("second import", a, 2, "appointment") // ties an old visit: the later id
	want("second import", b, 3, "appointment")
	want("second import", d, 5, "sale")

	// A larger import than the table (SQLite drops and rebuilds indexes).
	var batch []*visit.Interaction
	for i := 0; i < 40; i++ {
		batch = append(batch, row(c, 6, "email", fmt.Sprint(i)))
	}
	batch = append(batch, row(a, 0, "visit", "sale"), row(c, 1, "visit", "follow_up"), row(d, 5, "visit", "appointment"))
	imp(batch...)
	want("third import", a, 2, "appointment")
	want("third import", c, 1, "follow_up")
	want("third import", d, 5, "appointment")
}
