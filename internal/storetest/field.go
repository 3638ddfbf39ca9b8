package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// testCheckIns: the fields of a check-in round-trip, a follow-up date
// becomes the account's, and concurrent check-ins (group commit) are all
// stored, a bad one failing alone.
func testCheckIns(t *testing.T, s Store) {
	rep := mustUser(t, s, "fieldrep@example.com", auth.RoleRep)
	a := mustCreate(t, s, newAccount("C1", "Checked", pt(1, 1)))
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	yes, d := true, 42.5
	in := &visit.Interaction{AccountID: a.ID, At: t0, Channel: "visit", Type: "visit", Outcome: "follow_up", UserID: rep.ID, Source: "manual",
		Location: pt(1.0003, 1), Verified: &yes, DistanceM: &d, FollowUpAt: t0.AddDate(0, 0, 7), Notes: "<b>call back</b>", Properties: map[string]string{}}
	if err := s.CreateInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListInteractions(ctx, a.ID, visit.Page{})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("ListInteractions = %+v, %v", list, err)
	}
	if d := list.Items[0].CreatedAt.Sub(in.CreatedAt); d < -time.Millisecond || d > time.Millisecond {
		t.Errorf("created_at = %v, want %v", list.Items[0].CreatedAt, in.CreatedAt)
	}
	in.CreatedAt = list.Items[0].CreatedAt // stored to the millisecond
	if diff := cmp.Diff(in, list.Items[0]); diff != "" {
		t.Errorf("check-in round trip (-want +got):\n%s", diff)
	}
	got, _ := s.GetAccount(ctx, a.ID)
	if !got.NextFollowUpAt.Equal(in.FollowUpAt) || !got.LastVisitAt.Equal(t0) || got.LastVisitResult != "follow_up" {
		t.Errorf("account after check-in: follow-up %v, last visit %v %q; want %v, %v follow_up", got.NextFollowUpAt, got.LastVisitAt, got.LastVisitResult, in.FollowUpAt, t0)
	}

	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acc := a.ID
			if i%50 == 7 {
				acc = 999999 // no such account
			}
			errs[i] = s.CreateInteraction(ctx, &visit.Interaction{AccountID: acc, At: t0.Add(time.Duration(i+1) * time.Second), Channel: "visit", Type: "visit",
				Outcome: fmt.Sprint("o", i), Source: "manual", Properties: map[string]string{}})
		}()
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		if i%50 == 7 {
			wantKind(t, fmt.Sprintf("check-in %d at a missing account", i), err, derrors.NotFound)
			continue
		}
		if err != nil {
			t.Errorf("check-in %d: %v", i, err)
		}
		ok++
	}
	list, _ = s.ListInteractions(ctx, a.ID, visit.Page{Limit: 1})
	if list.Total != ok+1 {
		t.Errorf("stored %d interactions, want %d", list.Total, ok+1)
	}
	got, _ = s.GetAccount(ctx, a.ID)
	if want := t0.Add(n * time.Second); !got.LastVisitAt.Equal(want) || got.LastVisitResult != fmt.Sprint("o", n-1) {
		t.Errorf("last visit = %v %q, want the newest: %v o%d", got.LastVisitAt, got.LastVisitResult, want, n-1)
	}
}

// testPings: pings are stored once per (user, time), read back by period,
// purged by age; tracking is off until set.
func testPings(t *testing.T, s Store) {
	u := mustUser(t, s, "pinger@example.com", auth.RoleRep)
	other := mustUser(t, s, "other@example.com", auth.RoleRep)
	if on, set, err := s.Tracking(ctx, u.ID); err != nil || on || set {
		t.Errorf("Tracking before any choice = %v %v %v, want off, unset", on, set, err)
	}
	if err := s.SetTracking(ctx, u.ID, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if on, set, _ := s.Tracking(ctx, u.ID); !on || !set {
		t.Errorf("Tracking after turning on = %v %v", on, set)
	}
	if err := s.SetTracking(ctx, u.ID, false, time.Now()); err != nil {
		t.Fatal(err)
	}
	if on, _, _ := s.Tracking(ctx, u.ID); on {
		t.Error("Tracking after turning off = on")
	}
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	var batch []visit.Ping
	for i := range 1200 { // more than one multi-row insert
		p := visit.Ping{UserID: u.ID, At: t0.Add(time.Duration(i) * time.Second), AccuracyM: float64(i % 20)}
		p.Location.Lon, p.Location.Lat = 1+float64(i)*1e-5, 2
		batch = append(batch, p)
	}
	n, err := s.AddPings(ctx, u.ID, batch)
	if err != nil || n != 1200 {
		t.Fatalf("AddPings = %d, %v; want 1200", n, err)
	}
	if n, err := s.AddPings(ctx, u.ID, batch[100:300]); err != nil || n != 0 {
		t.Errorf("AddPings again = %d, %v; want 0 new", n, err)
	}
	if n, err := s.AddPings(ctx, other.ID, batch[:10]); err != nil || n != 10 {
		t.Errorf("AddPings for another user at the same times = %d, %v; want 10", n, err)
	}
	got, err := s.Pings(ctx, u.ID, t0.Add(100*time.Second), t0.Add(200*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(batch[100:200], got); diff != "" {
		t.Errorf("Pings (-want +got):\n%s", diff)
	}
	purged, err := s.PurgePings(ctx, t0.Add(1000*time.Second))
	if err != nil || purged != 1010 {
		t.Errorf("PurgePings = %d, %v; want 1010 (1000 of one user, 10 of the other)", purged, err)
	}
	left, _ := s.Pings(ctx, u.ID, t0, t0.Add(time.Hour))
	if len(left) != 200 || !left[0].At.Equal(t0.Add(1000*time.Second)) {
		t.Errorf("after purge %d pings from %v, want 200 from %v", len(left), left[0].At, t0.Add(1000*time.Second))
	}
	// Deleting the user deletes their pings.
	if err := s.DeleteUser(ctx, u.ID); err != nil {
		t.Fatalf("DeleteUser with pings and tracking: %v", err)
	}
	if left, _ := s.Pings(ctx, u.ID, t0, t0.Add(time.Hour)); len(left) != 0 {
		t.Errorf("pings of a deleted user: %d", len(left))
	}
}

// testAutoVisits: saving the same visit twice adds one; an extension
// replaces it; the last visit follows.
func testAutoVisits(t *testing.T, s Store) {
	u := mustUser(t, s, "auto@example.com", auth.RoleRep)
	a := mustCreate(t, s, newAccount("AV1", "Auto", pt(1, 1)))
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	v := visit.AutoVisit{AccountID: a.ID, Start: t0, End: t0.Add(8 * time.Minute), Duration: 8 * time.Minute}
	if n, err := s.SaveAutoVisits(ctx, u.ID, []visit.AutoVisit{v}); err != nil || n != 1 {
		t.Fatalf("SaveAutoVisits = %d, %v; want 1", n, err)
	}
	if n, err := s.SaveAutoVisits(ctx, u.ID, []visit.AutoVisit{v}); err != nil || n != 0 {
		t.Errorf("SaveAutoVisits again = %d, %v; want 0", n, err)
	}
	list, _ := s.ListInteractions(ctx, a.ID, visit.Page{})
	if list.Total != 1 {
		t.Fatalf("%d interactions, want 1", list.Total)
	}
	in := list.Items[0]
	if in.Source != "auto" || in.Channel != "visit" || in.UserID != u.ID || !in.At.Equal(t0) || !in.EndedAt.Equal(v.End) || in.Duration != 8*time.Minute {
		t.Errorf("auto visit = %+v", in)
	}
	longer := v
	longer.End, longer.Duration = t0.Add(20*time.Minute), 20*time.Minute
	if n, err := s.SaveAutoVisits(ctx, u.ID, []visit.AutoVisit{longer}); err != nil || n != 1 {
		t.Errorf("SaveAutoVisits(extended) = %d, %v; want 1", n, err)
	}
	list, _ = s.ListInteractions(ctx, a.ID, visit.Page{})
	if list.Total != 1 || !list.Items[0].EndedAt.Equal(longer.End) || list.Items[0].Duration != 20*time.Minute {
		t.Errorf("after extension: %d interactions, first %+v", list.Total, list.Items[0])
	}
	got, _ := s.GetAccount(ctx, a.ID)
	if !got.LastVisitAt.Equal(t0) {
		t.Errorf("last visit = %v, want %v", got.LastVisitAt, t0)
	}
	act, err := s.RepActivity(ctx, t0.Add(-time.Hour), t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(act.Visits) != 1 || act.Visits[0] != (visit.VisitCount{UserID: u.ID, Outcome: "", Visits: 1}) {
		t.Errorf("RepActivity visits = %+v", act.Visits)
	}
}
