package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/overlay"
	"github.com/meridian-crm/meridian/internal/rules"
)

// rulesStore is what the rules and overlay contracts need; Store embeds it
// through rules.Store and overlay.Store.
type rulesStore interface {
	rules.Store
	overlay.Store
}

func asRules(t *testing.T, s Store) rulesStore {
	t.Helper()
	rs, ok := any(s).(rulesStore)
	if !ok {
		t.Fatal("the store does not implement rules.Store and overlay.Store")
	}
	return rs
}

func testRules(t *testing.T, st Store) {
	s := asRules(t, st)
	r := &rules.Rule{Name: "Lapsed customers", Kind: rules.NotVisited, Days: 30, Stage: "customer", TerritoryID: 7, OwnerID: 9,
		Notify: rules.Notify{Webhook: "https://hooks.example.com/x", Secret: "s3", Email: true, Inbox: true}, Enabled: true, CreatedBy: 3}
	if err := s.CreateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	if r.ID == 0 || r.CreatedAt.IsZero() {
		t.Fatalf("CreateRule set ID %d, CreatedAt %v", r.ID, r.CreatedAt)
	}
	got, err := s.GetRule(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("GetRule (-want +got):\n%s", diff)
	}
	dup := *r
	if err := s.CreateRule(ctx, &dup); !derrors.Is(err, derrors.Conflict) {
		t.Errorf("CreateRule(same name) = %v, want Conflict", err)
	}
	r.Days, r.Notify.Webhook, r.Enabled, r.TerritoryID = 45, "", false, 0
	if err := s.UpdateRule(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetRule(ctx, r.ID)
	if got.Days != 45 || got.Notify.Webhook != "" || got.Enabled || got.TerritoryID != 0 {
		t.Errorf("after UpdateRule got %+v", got)
	}
	r2 := &rules.Rule{Name: "a follow-ups", Kind: rules.FollowUpDue, Notify: rules.Notify{Inbox: true}, Enabled: true}
	if err := s.CreateRule(ctx, r2); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListRules(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != r2.ID || list[1].ID != r.ID {
		t.Errorf("ListRules = %d rules, want r2 then r by name", len(list))
	}
	if err := s.DeleteRule(ctx, r2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetRule(ctx, r2.ID); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("GetRule(deleted) = %v, want NotFound", err)
	}
	if err := s.DeleteRule(ctx, r2.ID); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("DeleteRule(deleted) = %v, want NotFound", err)
	}
	if err := s.UpdateRule(ctx, r2); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("UpdateRule(deleted) = %v, want NotFound", err)
	}
}

func testNotifications(t *testing.T, st Store) {
	s := asRules(t, st)
	mk := func(rule, acct int64, day string, user int64, inbox, email bool) *rules.Notification {
		return &rules.Notification{UserID: user, RuleID: rule, RuleName: "R", AccountID: acct, AccountName: "A", AccountExternalID: "X", Day: day, Message: "m", Inbox: inbox, Email: email}
	}
	first := []*rules.Notification{mk(1, 10, "2025-06-30", 5, true, true), mk(1, 11, "2025-06-30", 5, true, false), mk(2, 10, "2025-06-30", 6, false, true)}
	got, err := s.RecordNotifications(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID == 0 || got[0].ID == got[1].ID {
		t.Fatalf("RecordNotifications(3 new) = %d, ids %v", len(got), got)
	}
	// The same keys again, plus one new day and one new account: only the new ones.
	again := []*rules.Notification{mk(1, 10, "2025-06-30", 5, true, true), mk(1, 10, "2025-07-01", 5, true, true), mk(2, 10, "2025-06-30", 6, false, true), mk(2, 12, "2025-06-30", 5, true, false)}
	got, err = s.RecordNotifications(ctx, again)
	if err != nil {
		t.Fatal(err)
	}
	var keys []rules.Key
	for _, n := range got {
		keys = append(keys, n.Key())
	}
	want := []rules.Key{{RuleID: 1, AccountID: 10, Day: "2025-07-01"}, {RuleID: 2, AccountID: 12, Day: "2025-06-30"}}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("second RecordNotifications (-want +got):\n%s", diff)
	}

	// User 5's inbox: 4 rows, newest first, paged by 3.
	l, err := s.ListNotifications(ctx, 5, rules.Page{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != 4 || l.Unread != 4 || len(l.Items) != 3 || l.NextCursor == "" {
		t.Fatalf("ListNotifications = total %d unread %d items %d cursor %q; want 4, 4, 3, a cursor", l.Total, l.Unread, len(l.Items), l.NextCursor)
	}
	if !(l.Items[0].ID > l.Items[1].ID && l.Items[1].ID > l.Items[2].ID) {
		t.Errorf("inbox not newest first: %d %d %d", l.Items[0].ID, l.Items[1].ID, l.Items[2].ID)
	}
	l2, err := s.ListNotifications(ctx, 5, rules.Page{Limit: 3, Cursor: l.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(l2.Items) != 1 || l2.NextCursor != "" || l2.Items[0].ID >= l.Items[2].ID {
		t.Errorf("second page = %d items, cursor %q", len(l2.Items), l2.NextCursor)
	}
	// User 6's notification is not in an inbox.
	if l6, _ := s.ListNotifications(ctx, 6, rules.Page{}); l6.Total != 0 {
		t.Errorf("user 6 inbox total = %d, want 0 (inbox off)", l6.Total)
	}

	at := time.Date(2025, 7, 1, 8, 0, 0, 0, time.UTC)
	if err := s.MarkRead(ctx, 5, l.Items[0].ID, at); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkRead(ctx, 6, l.Items[1].ID, at); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("MarkRead(someone else's) = %v, want NotFound", err)
	}
	l, _ = s.ListNotifications(ctx, 5, rules.Page{})
	if l.Unread != 3 || !l.Items[0].ReadAt.Equal(at) {
		t.Errorf("after MarkRead unread = %d, read_at %v", l.Unread, l.Items[0].ReadAt)
	}
	n, err := s.MarkAllRead(ctx, 5, at)
	if err != nil || n != 3 {
		t.Errorf("MarkAllRead = %d, %v; want 3", n, err)
	}
	if l, _ = s.ListNotifications(ctx, 5, rules.Page{}); l.Unread != 0 {
		t.Errorf("after MarkAllRead unread = %d", l.Unread)
	}

	// Email: pending are those with email set, until marked.
	pend, err := s.PendingEmail(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 3 {
		t.Fatalf("PendingEmail = %d, want 3", len(pend))
	}
	if err := s.MarkEmailed(ctx, []int64{pend[0].ID, pend[1].ID}, at); err != nil {
		t.Fatal(err)
	}
	if pend, _ = s.PendingEmail(ctx); len(pend) != 1 {
		t.Errorf("PendingEmail after MarkEmailed = %d, want 1", len(pend))
	}
	ok, err := s.ClaimDigest(ctx, 5, "2025-07-01")
	if err != nil || !ok {
		t.Fatalf("ClaimDigest = %v, %v; want true", ok, err)
	}
	if ok, _ = s.ClaimDigest(ctx, 5, "2025-07-01"); ok {
		t.Error("ClaimDigest twice = true, want false")
	}
	if err := s.ReleaseDigest(ctx, 5, "2025-07-01"); err != nil {
		t.Fatal(err)
	}
	if ok, _ = s.ClaimDigest(ctx, 5, "2025-07-01"); !ok {
		t.Error("ClaimDigest after ReleaseDigest = false, want true")
	}

	// Deliveries, newest first, by rule.
	for i, d := range []*rules.Delivery{{RuleID: 1, Channel: rules.ChannelWebhook, Target: "http://x", Accounts: 2, Attempts: 1, OK: true},
		{RuleID: 2, Channel: rules.ChannelWebhook, Target: "http://y", Attempts: 3, Error: "503"}, {Channel: rules.ChannelEmail, Target: "a@b", OK: true}} {
		if err := s.AddDelivery(ctx, d); err != nil || d.ID == 0 {
			t.Fatalf("AddDelivery %d = %v, id %d", i, err, d.ID)
		}
	}
	ds, err := s.ListDeliveries(ctx, 0, 10)
	if err != nil || len(ds) != 3 || ds[0].Channel != rules.ChannelEmail {
		t.Errorf("ListDeliveries = %d, %v", len(ds), err)
	}
	if ds, _ = s.ListDeliveries(ctx, 2, 10); len(ds) != 1 || ds[0].Error != "503" || ds[0].Attempts != 3 || ds[0].OK {
		t.Errorf("ListDeliveries(rule 2) = %+v", ds)
	}
}

func testOverlays(t *testing.T, st Store) {
	s := asRules(t, st)
	o, err := overlay.Parse("Hail", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"severity":2,"date":"2025-06-01"},
		"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	o.CreatedBy = 4
	if err := s.CreateOverlay(ctx, o); err != nil {
		t.Fatal(err)
	}
	dup, _ := overlay.Parse("Hail", []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,0]]]}}]}`))
	if err := s.CreateOverlay(ctx, dup); !derrors.Is(err, derrors.Conflict) {
		t.Errorf("CreateOverlay(same name) = %v, want Conflict", err)
	}
	got, err := s.GetOverlay(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Hail" || got.Count != 1 || got.BBox != o.BBox || got.CreatedBy != 4 || string(got.Features[0].Properties["severity"]) != "2" {
		t.Errorf("GetOverlay = %+v", got)
	}
	if diff := cmp.Diff(o.Features[0].Shape, got.Features[0].Shape); diff != "" {
		t.Errorf("shape (-want +got):\n%s", diff)
	}
	list, err := s.ListOverlays(ctx)
	if err != nil || len(list) != 1 || list[0].Features != nil || list[0].Count != 1 {
		t.Errorf("ListOverlays = %+v, %v", list, err)
	}
	if err := s.DeleteOverlay(ctx, o.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetOverlay(ctx, o.ID); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("GetOverlay(deleted) = %v, want NotFound", err)
	}
	if err := s.DeleteOverlay(ctx, o.ID); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("DeleteOverlay(deleted) = %v, want NotFound", err)
	}
}
