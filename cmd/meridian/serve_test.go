package main

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/sqlite"
)

// serve's housekeeping reminds the owner of a journey whose review fell
// due, once however often it runs.
func TestHousekeepRemindsDueReviews(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	svc := app.New(db, nil, log)
	if err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	svc.Now = func() time.Time { return now }
	owner := &auth.User{Email: "lea@example.com", Name: "Lea", Role: auth.RoleManager}
	if err := svc.CreateUser(ctx, auth.System, owner, ""); err != nil {
		t.Fatal(err)
	}
	actor := &auth.Actor{User: owner}
	d, err := svc.JourneyFromTemplate(actor, "car_purchase")
	if err != nil {
		t.Fatal(err)
	}
	d.ReviewEveryDays = 30
	j, err := svc.CreateJourney(ctx, actor, d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.MarkJourneyReviewed(ctx, actor, j.ID); err != nil {
		t.Fatal(err)
	}

	housekeepOnce(ctx, svc, log) // not due yet
	now = now.AddDate(0, 0, 31)
	housekeepOnce(ctx, svc, log)
	housekeepOnce(ctx, svc, log) // the next pass sends nothing new

	inbox, err := svc.Store.ListNotifications(ctx, owner.ID, rules.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.Items) != 1 || inbox.Items[0].RuleName != "Journey review" {
		t.Fatalf("owner's inbox after housekeeping = %d items %+v, want one journey review reminder", len(inbox.Items), inbox.Items)
	}
	if got := strings.Count(logs.String(), "journey review reminders"); got != 1 || !strings.Contains(logs.String(), "sent=1") {
		t.Errorf("housekeeping log = %q, want one line with sent=1", logs.String())
	}
}
