package storetest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

func samplePlanFor(name string, reps ...int64) *plan.Plan {
	day := time.Date(2025, 3, 14, 7, 0, 0, 0, time.UTC)
	p := &plan.Plan{
		Name: name, Day: "2025-03-14", TimeZone: "Europe/Paris", Matrix: "great-circle", DistanceMeters: 12345.5,
		Request:  plan.Request{RepIDs: reps, AccountIDs: []int64{11, 12}, Day: "2025-03-14", TimeZone: "Europe/Paris", ShiftStart: "08:00", ShiftEnd: "18:00", VisitMinutes: 30, Locked: map[int64]plan.LockedStops{reps[0]: {12}}},
		Warnings: []string{"a warning, with \"quotes\""},
	}
	for i, id := range reps {
		home := geo.Point{Lon: 4.8 + float64(i)/10, Lat: 45.7}
		p.Routes = append(p.Routes, plan.Route{
			RepID: id, RepName: "Rep", Start: home, End: home, Depart: day, Return: day.Add(9 * time.Hour), DistanceMeters: 12345.5, DurationSeconds: 9 * 3600,
			Stops: []plan.Stop{{AccountID: 12, Name: "Café; Bar", Location: geo.Point{Lon: 4.85, Lat: 45.75}, ServiceSeconds: 1800, WindowStart: "09:00", Locked: true,
				Arrival: day.Add(20 * time.Minute), Start: day.Add(2 * time.Hour), Depart: day.Add(150 * time.Minute)}},
			Break: &plan.Break{Start: day.Add(5 * time.Hour), DurationSeconds: 1800, AfterStop: 1},
		})
	}
	p.Unassigned = []plan.Stop{{AccountID: 11, Name: "Far away", Location: geo.Point{Lon: 6, Lat: 46}}}
	return p
}

// planStore is what the plan contract needs: users and plans.
type planStore interface {
	auth.Store
	plan.Store
}

func testPlans(t *testing.T, st Store) {
	s, ok := st.(planStore)
	if !ok {
		t.Fatalf("%T does not implement plan.Store", st)
	}
	alice := mustUser(t, st, "alice@example.com", auth.RoleRep)
	bob := mustUser(t, st, "bob@example.com", auth.RoleRep)
	opts := cmp.Options{cmp.Comparer(func(x, y time.Time) bool { return x.UnixMilli() == y.UnixMilli() })}

	p1 := samplePlanFor("Alice Friday", alice.ID)
	if err := s.CreatePlan(ctx, p1); err != nil {
		t.Fatal(err)
	}
	if p1.ID == 0 || p1.CreatedAt.IsZero() {
		t.Fatalf("CreatePlan did not set ID and CreatedAt: %d %v", p1.ID, p1.CreatedAt)
	}
	got, err := s.GetPlan(ctx, p1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(p1, got, opts); d != "" {
		t.Errorf("GetPlan mismatch (-want +got):\n%s", d)
	}
	p2 := samplePlanFor("Team", alice.ID, bob.ID)
	p3 := samplePlanFor("Bob", bob.ID)
	for _, p := range []*plan.Plan{p2, p3} {
		if err := s.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
	}

	ids := func(l plan.List) []int64 {
		out := []int64{}
		for _, p := range l.Items {
			out = append(out, p.ID)
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		f     plan.Filter
		pg    plan.Page
		want  []int64
		total int
	}{
		{"all newest first", plan.Filter{}, plan.Page{}, []int64{p3.ID, p2.ID, p1.ID}, 3},
		{"alice", plan.Filter{RepID: alice.ID}, plan.Page{}, []int64{p2.ID, p1.ID}, 2},
		{"bob", plan.Filter{RepID: bob.ID}, plan.Page{}, []int64{p3.ID, p2.ID}, 2},
		{"nobody", plan.Filter{RepID: 99999}, plan.Page{}, []int64{}, 0},
		{"first page", plan.Filter{}, plan.Page{Limit: 2}, []int64{p3.ID, p2.ID}, 3},
		{"second page", plan.Filter{}, plan.Page{Limit: 2, BeforeID: p2.ID}, []int64{p1.ID}, 3},
		{"alice second page", plan.Filter{RepID: alice.ID}, plan.Page{Limit: 1, BeforeID: p2.ID}, []int64{p1.ID}, 2},
	} {
		l, err := s.ListPlans(ctx, tt.f, tt.pg)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if d := cmp.Diff(tt.want, ids(l)); d != "" || l.Total != tt.total {
			t.Errorf("ListPlans(%s) = %v total %d, want %v total %d", tt.name, ids(l), l.Total, tt.want, tt.total)
		}
	}

	// Update: new routes and reps; the rep index follows.
	p2.Name = "Team, re-optimised"
	p2.Routes = p2.Routes[1:] // Bob only
	p2.Request.RepIDs = []int64{bob.ID}
	p2.DistanceMeters = 999
	before := p2.UpdatedAt
	if err := s.UpdatePlan(ctx, p2); err != nil {
		t.Fatal(err)
	}
	if p2.UpdatedAt.Before(before) {
		t.Errorf("UpdatedAt went back: %v before %v", p2.UpdatedAt, before)
	}
	got, err = s.GetPlan(ctx, p2.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(p2, got, opts); d != "" {
		t.Errorf("GetPlan after update (-want +got):\n%s", d)
	}
	l, _ := s.ListPlans(ctx, plan.Filter{RepID: alice.ID}, plan.Page{})
	if d := cmp.Diff([]int64{p1.ID}, ids(l)); d != "" {
		t.Errorf("alice's plans after she was taken off the team plan: %v, want [%d]", ids(l), p1.ID)
	}

	// Delete, and the kinds of errors.
	if err := s.DeletePlan(ctx, p3.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetPlan(ctx, p3.ID)
	wantKind(t, "GetPlan(deleted)", err, derrors.NotFound)
	wantKind(t, "DeletePlan(deleted)", s.DeletePlan(ctx, p3.ID), derrors.NotFound)
	wantKind(t, "UpdatePlan(deleted)", s.UpdatePlan(ctx, p3), derrors.NotFound)
	l, _ = s.ListPlans(ctx, plan.Filter{RepID: bob.ID}, plan.Page{})
	if d := cmp.Diff([]int64{p2.ID}, ids(l)); d != "" || l.Total != 1 {
		t.Errorf("bob's plans after a delete: %v total %d, want [%d] total 1", ids(l), l.Total, p2.ID)
	}
	// Deleting a user keeps the plans made for them.
	if err := s.DeleteUser(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetPlan(ctx, p1.ID); err != nil {
		t.Errorf("GetPlan after its rep was deleted: %v", err)
	}
}
