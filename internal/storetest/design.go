package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/territory"
)

// testTerritoryDesign: an applied balance replaces, updates and creates
// territories, moves accounts and records history in one transaction.
func testTerritoryDesign(t *testing.T, s Store) {
	rep := mustUser(t, s, "design-rep@example.com", auth.RoleRep)
	mgr := mustUser(t, s, "design-mgr@example.com", auth.RoleManager)
	west := &territory.Territory{Name: "West", Color: "#111111", Shape: square(0, 0, 1), RepIDs: []int64{rep.ID}}
	east := &territory.Territory{Name: "East", Color: "#222222", Shape: square(1, 0, 1)}
	for _, tr := range []*territory.Territory{west, east} {
		if err := s.SaveTerritory(ctx, tr, nil); err != nil {
			t.Fatal(err)
		}
	}
	a := mustCreate(t, s, newAccount("D1", "One", pt(0.5, 0.5)))
	b := mustCreate(t, s, newAccount("D2", "Two", pt(1.5, 0.5)))
	if err := s.SetTerritories(ctx, []account.Assignment{{AccountID: a.ID, TerritoryID: west.ID}, {AccountID: b.ID, TerritoryID: east.ID}}); err != nil {
		t.Fatal(err)
	}

	// A failing assignment leaves everything as it was.
	boom := errors.New("boom")
	err := s.ApplyBalance(ctx, &territory.BalanceChange{
		Delete: []int64{east.ID},
		Save:   []*territory.Territory{{Name: "New", Color: "#333333", Shape: square(0, 0, 2)}},
		Assign: func([]int64) ([]account.Assignment, error) { return nil, boom },
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ApplyBalance with a failing Assign = %v, want boom", err)
	}
	if _, err := s.GetTerritory(ctx, east.ID); err != nil {
		t.Errorf("East after a rolled-back balance: %v", err)
	}
	if _, err := s.GetTerritoryByName(ctx, "New"); derrors.KindOf(err) != derrors.NotFound {
		t.Errorf("New after a rolled-back balance: %v, want NotFound", err)
	}

	// West becomes the south half, East goes, "East" is reused by a new one.
	west.Shape = square(0, 0, 2)
	west.Shape[0][0][2].Lat, west.Shape[0][0][3].Lat = 1, 1
	fresh := &territory.Territory{Name: "East", Color: "#444444", Shape: square(0, 1, 2), RepIDs: []int64{mgr.ID}}
	var got []int64
	h := &territory.HistoryEntry{ActorID: mgr.ID, Action: "balance", Summary: `{"k":2}`, Before: `{"type":"FeatureCollection","features":[]}`, After: `{}`}
	err = s.ApplyBalance(ctx, &territory.BalanceChange{
		Delete: []int64{east.ID},
		Save:   []*territory.Territory{west, fresh},
		Assign: func(ids []int64) ([]account.Assignment, error) {
			got = ids
			return []account.Assignment{{AccountID: b.ID, TerritoryID: ids[0]}}, nil
		},
		History: h,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != west.ID || got[1] == 0 || got[1] != fresh.ID {
		t.Errorf("Assign got ids %v, want [%d, new id %d]", got, west.ID, fresh.ID)
	}
	ts, err := s.ListTerritories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int64{}
	for _, tr := range ts {
		names[tr.Name] = tr.ID
	}
	if diff := cmp.Diff(map[string]int64{"West": west.ID, "East": fresh.ID}, names); diff != "" {
		t.Errorf("territories after balance (-want +got):\n%s", diff)
	}
	gb, _ := s.GetAccount(ctx, b.ID)
	if gb.TerritoryID != west.ID {
		t.Errorf("account Two territory = %d, want West %d", gb.TerritoryID, west.ID)
	}
	gf, _ := s.GetTerritory(ctx, fresh.ID)
	if diff := cmp.Diff([]int64{mgr.ID}, gf.RepIDs); diff != "" {
		t.Errorf("new territory reps (-want +got):\n%s", diff)
	}
	hl, err := s.TerritoryHistory(ctx, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	if hs := hl.Items; len(hs) != 1 || hl.Total != 1 || hs[0].ID != h.ID || hs[0].ActorID != mgr.ID || hs[0].Summary != `{"k":2}` || hs[0].At.IsZero() {
		t.Errorf("history = %+v, want the one entry recorded", hl)
	}
	if older, _ := s.TerritoryHistory(ctx, 10, h.ID); len(older.Items) != 0 || older.Total != 1 {
		t.Errorf("history before the first entry = %d entries of %d, want 0 of 1", len(older.Items), older.Total)
	}

	// Pages: newest first, and Total counts every entry whatever the page.
	hids := []int64{h.ID}
	for i := range 2 {
		h := &territory.HistoryEntry{Action: "balance", Summary: fmt.Sprintf(`{"k":%d}`, 3+i), Before: `{}`, After: `{}`}
		if err := s.ApplyBalance(ctx, &territory.BalanceChange{History: h}); err != nil {
			t.Fatal(err)
		}
		hids = append(hids, h.ID)
	}
	pageIDs := func(l territory.HistoryList) []int64 {
		out := []int64{}
		for _, e := range l.Items {
			out = append(out, e.ID)
		}
		return out
	}
	first, err := s.TerritoryHistory(ctx, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{hids[2], hids[1]}, pageIDs(first)); diff != "" || first.Total != 3 {
		t.Errorf("TerritoryHistory(2, 0): total %d, want 3; ids (-want +got):\n%s", first.Total, diff)
	}
	second, err := s.TerritoryHistory(ctx, 2, hids[1])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{hids[0]}, pageIDs(second)); diff != "" || second.Total != 3 {
		t.Errorf("TerritoryHistory(2, %d): total %d, want 3; ids (-want +got):\n%s", hids[1], second.Total, diff)
	}

	// Deleting a territory that is gone: NotFound, nothing written.
	err = s.ApplyBalance(ctx, &territory.BalanceChange{Delete: []int64{987654321}})
	wantKind(t, "ApplyBalance(delete a missing territory)", err, derrors.NotFound)
}
