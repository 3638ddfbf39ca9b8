package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

// groupsOf reads a selection's groups as "label:accounts".
func groupsOf(t *testing.T, sel any) []string {
	t.Helper()
	m, _ := sel.(map[string]any)
	gs, _ := m["groups"].([]any)
	var out []string
	for _, g := range gs {
		g := g.(map[string]any)
		out = append(out, g["label"].(string)+":"+formatCount(g["accounts"]))
	}
	return out
}

func formatCount(v any) string {
	n, _ := v.(float64)
	return fmt.Sprint(n)
}

// tileColor is the colour property of the single account at p in a
// zoom-18 tile with query.
func (f *fixture) tileColor(t *testing.T, p geo.Point, query string) (int, any) {
	t.Helper()
	x, y := geo.TileXY(p, 18)
	code, feats := f.tile(t, "manager", 18, x, y, query)
	if code != 200 || len(feats) != 1 {
		return code, nil
	}
	return code, feats[0].Props["color"]
}

// TestFunnelAndSegmentsOnTheMap saves a funnel's accounts grouped by the
// furthest step and the segments as selections, reads their groups back
// and checks that the tiles colour each account by its group.
func TestFunnelAndSegmentsOnTheMap(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	// W1 and E1 get to the demo, W2 only visits, E2 has a call only (no
	// step), N1 visits, is shown a demo and buys.
	touches := map[string][]string{"W1": {"visit", "demo"}, "E1": {"visit", "demo"}, "W2": {"visit"}, "E2": {"call"}, "N1": {"visit", "demo", "sale"}}
	for ext, types := range touches {
		for i, typ := range types {
			in := &visit.Interaction{AccountID: f.ids[ext], At: start.Add(time.Duration(i) * 24 * time.Hour), Channel: "visit", Type: typ}
			if err := f.svc.CreateInteraction(ctx, auth.System, in); err != nil {
				t.Fatal(err)
			}
		}
	}

	steps := []string{"type=visit", "type=demo", "type=sale"}
	code, rep := f.do(t, "manager", "POST", "/api/v1/analytics/funnel", map[string]any{"steps": steps, "window": "30d", "map_selection": true})
	if code != 200 {
		t.Fatalf("funnel with map_selection = %d %v", code, rep)
	}
	if rep["per_account"] != nil {
		t.Errorf("funnel with map_selection answered per_account %v, not asked for", rep["per_account"])
	}
	sel, _ := rep["selection"].(map[string]any)
	if sel == nil || sel["accounts"] != 4.0 || sel["ids"] != nil || sel["group_of"] != nil {
		t.Fatalf("funnel selection = %v, want 4 accounts without ids", sel)
	}
	wantGroups := []string{"1 · type=visit:1", "2 · type=demo:2", "3 · type=sale:1"}
	if diff := cmp.Diff(wantGroups, groupsOf(t, sel)); diff != "" {
		t.Errorf("funnel selection groups (-want +got):\n%s", diff)
	}
	id := sel["id"].(string)

	// Stored: the groups, and each account's group, served in full...
	code, got := f.do(t, "rep1", "GET", "/api/v1/analytics/selections/"+id, nil)
	if code != 200 || len(got["ids"].([]any)) != 4 || len(got["group_of"].([]any)) != 4 {
		t.Fatalf("GET selection = %d %v", code, got)
	}
	byAccount := map[float64]float64{}
	for i, v := range got["ids"].([]any) {
		byAccount[v.(float64)] = got["group_of"].([]any)[i].(float64)
	}
	for ext, want := range map[string]float64{"W2": 0, "W1": 1, "E1": 1, "N1": 2} {
		if g, ok := byAccount[float64(f.ids[ext])]; !ok || g != want {
			t.Errorf("selection: %s in group %v (held %v), want %v", ext, g, ok, want)
		}
	}
	if diff := cmp.Diff(wantGroups, groupsOf(t, got)); diff != "" {
		t.Errorf("GET selection groups (-want +got):\n%s", diff)
	}
	// ...or for the legend only.
	code, got = f.do(t, "manager", "GET", "/api/v1/analytics/selections/"+id+"?ids=false", nil)
	if code != 200 || got["ids"] != nil || got["group_of"] != nil || len(groupsOf(t, got)) != 3 {
		t.Errorf("GET selection?ids=false = %d %v", code, got)
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/analytics/selections/"+id+"?ids=maybe", nil); code != 400 {
		t.Errorf("GET selection?ids=maybe = %d, want 400", code)
	}

	// The tiles colour by group, for the accounts the caller sees.
	for _, tt := range []struct {
		ext  string
		at   geo.Point
		want any
	}{
		{"W1", geo.Point{Lon: 1, Lat: 1}, "2 · type=demo"},
		{"W2", geo.Point{Lon: 2, Lat: 2}, "1 · type=visit"},
		{"N1", geo.Point{Lon: 50, Lat: 50}, "3 · type=sale"},
		{"E2", geo.Point{Lon: 12, Lat: 2}, nil}, // not in the selection: not on the tile
	} {
		code, c := f.tileColor(t, tt.at, "selection="+id+"&color=selection")
		if code != 200 || c != tt.want {
			t.Errorf("tile at %s coloured by selection = %d %v, want %v", tt.ext, code, c, tt.want)
		}
	}
	if _, feats := f.tile(t, "manager", 0, 0, 0, "selection="+id+"&color=selection"); count(feats) != 4 {
		t.Errorf("zoom-0 tile of the selection holds %d accounts, want 4", count(feats))
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/tiles/accounts/0/0/0.mvt?color=selection", nil); code != 400 {
		t.Errorf("color=selection without selection= = %d, want 400", code)
	}
	// A plain selection has no groups: its accounts have no colour.
	code, plain := f.do(t, "manager", "POST", "/api/v1/analytics/selections", map[string]any{"label": "two", "account_ids": []int64{f.ids["W1"], f.ids["W2"]}})
	if code != 201 {
		t.Fatalf("save a plain selection = %d %v", code, plain)
	}
	if code, c := f.tileColor(t, geo.Point{Lon: 1, Lat: 1}, "selection="+plain["id"].(string)+"&color=selection"); code != 200 || c != "" {
		t.Errorf("tile of a selection without groups = %d %v, want no colour", code, c)
	}

	// Segments grouped likewise: every account with interactions in one.
	code, seg := f.do(t, "manager", "POST", "/api/v1/analytics/segments", map[string]any{"seed": 1, "max_k": 2, "map_selection": true})
	if code != 200 {
		t.Fatalf("segments with map_selection = %d %v", code, seg)
	}
	ssel, _ := seg["selection"].(map[string]any)
	if ssel == nil || ssel["accounts"] != 5.0 || len(groupsOf(t, ssel)) != 2 {
		t.Fatalf("segments selection = %v, want 5 accounts in 2 groups", ssel)
	}
	for i, s := range seg["segments"].([]any) {
		s := s.(map[string]any)
		g := ssel["groups"].([]any)[i].(map[string]any)
		if want := "Segment " + formatID(s["id"]) + " · " + s["name"].(string); g["label"] != want || g["accounts"] != s["accounts"] {
			t.Errorf("segments group %d = %v, want %q with %v accounts", i, g, want, s["accounts"])
		}
	}
}

func formatID(v any) string {
	return fmt.Sprint(v.(float64))
}

func TestSaveGroupedSelection(t *testing.T) {
	f := newFixture(t)
	w1, w2, e1 := f.ids["W1"], f.ids["W2"], f.ids["E1"]
	hostile := `<img src=x onerror="alert(1)">`
	code, sel := f.do(t, "manager", "POST", "/api/v1/analytics/selections", map[string]any{"label": "Mine", "groups": []map[string]any{
		{"label": " Hot ", "account_ids": []int64{e1, w1}}, {"label": hostile, "account_ids": []int64{w2}}, {"label": "Empty", "account_ids": []int64{}}}})
	if code != 201 {
		t.Fatalf("save grouped selection = %d %v", code, sel)
	}
	if diff := cmp.Diff([]string{"Hot:2", hostile + ":1", "Empty:0"}, groupsOf(t, sel)); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	// The label is stored as given (text, escaped where shown).
	if code, c := f.tileColor(t, geo.Point{Lon: 2, Lat: 2}, "selection="+sel["id"].(string)+"&color=selection"); code != 200 || c != hostile {
		t.Errorf("tile at W2 = %d %v, want %q", code, c, hostile)
	}
	code, got := f.do(t, "manager", "GET", "/api/v1/analytics/selections/"+sel["id"].(string), nil)
	if diff := cmp.Diff([]any{float64(w1), float64(w2), float64(e1)}, got["ids"]); code != 200 || diff != "" {
		t.Errorf("GET grouped selection ids = %d (-want +got):\n%s", code, diff)
	}

	long := make([]byte, 101)
	for i := range long {
		long[i] = 'x'
	}
	tooMany := make([]map[string]any, 51)
	for i := range tooMany {
		tooMany[i] = map[string]any{"label": string(rune('A'+i%26)) + string(rune('a'+i/26)), "account_ids": []int64{}}
	}
	for _, tt := range []struct {
		name string
		body map[string]any
	}{
		{"both", map[string]any{"account_ids": []int64{w1}, "groups": []map[string]any{{"label": "a", "account_ids": []int64{w2}}}}},
		{"neither", map[string]any{"label": "x"}},
		{"no groups", map[string]any{"groups": []map[string]any{}}},
		{"too many groups", map[string]any{"groups": tooMany}},
		{"empty label", map[string]any{"groups": []map[string]any{{"label": " ", "account_ids": []int64{w1}}}}},
		{"long label", map[string]any{"groups": []map[string]any{{"label": string(long), "account_ids": []int64{w1}}}}},
		{"same label", map[string]any{"groups": []map[string]any{{"label": "a", "account_ids": []int64{w1}}, {"label": "a", "account_ids": []int64{w2}}}}},
		{"account twice", map[string]any{"groups": []map[string]any{{"label": "a", "account_ids": []int64{w1}}, {"label": "b", "account_ids": []int64{w2, w1}}}}},
	} {
		if code, body := f.do(t, "manager", "POST", "/api/v1/analytics/selections", tt.body); code != 400 {
			t.Errorf("%s: POST selection = %d %v, want 400", tt.name, code, body)
		}
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/analytics/selections", map[string]any{"groups": []map[string]any{{"label": "a", "account_ids": []int64{w1}}}}); code != 403 {
		t.Errorf("a rep saved a selection: %d, want 403", code)
	}
	if code, _ := f.do(t, "manager", "POST", "/api/v1/analytics/funnel", map[string]any{"steps": []string{"type=visit"}, "dropoff_step": 1, "map_selection": true}); code != 400 {
		t.Errorf("funnel with dropoff_step and map_selection = %d, want 400", code)
	}
}
