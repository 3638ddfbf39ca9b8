package app_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/storetest"
)

// A square swath from (-105,39) to (-104,40) with a hole, and a second
// small square far east.
const swathGeoJSON = `{"type":"FeatureCollection","name":"Hail 2025-06-01","features":[
 {"type":"Feature","properties":{"name":"A","severity":3,"date":"2025-06-01"},"geometry":{"type":"Polygon","coordinates":[
   [[-105,39],[-104,39],[-104,40],[-105,40],[-105,39]],[[-104.6,39.4],[-104.4,39.4],[-104.4,39.6],[-104.6,39.6],[-104.6,39.4]]]}},
 {"type":"Feature","properties":{"name":"B","severity":1},"geometry":{"type":"Polygon","coordinates":[[[-90,30],[-89.9,30],[-89.9,30.1],[-90,30.1],[-90,30]]]}}]}`

func TestOverlayFiltersAccounts(t *testing.T) {
	ctx := context.Background()
	f := newRulesFixture(t, storetest.OpenSQLite) // 8 accounts at (-106, 39.7), west of the swath
	o, err := f.svc.CreateOverlay(ctx, f.manager, "", []byte(swathGeoJSON))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateOverlay(ctx, &auth.Actor{User: f.rep}, "x", []byte(swathGeoJSON)); !derrors.Is(err, derrors.Forbidden) {
		t.Errorf("a rep created an overlay: %v", err)
	}
	places := map[string]geo.Point{
		"in-1": {Lon: -104.9, Lat: 39.1}, "in-2": {Lon: -104.2, Lat: 39.9}, "in-3": {Lon: -89.95, Lat: 30.05}, "in-4": {Lon: -104.3, Lat: 39.5},
		"hole": {Lon: -104.5, Lat: 39.5}, "out": {Lon: -103.9, Lat: 39.5}, "far": {Lon: 10, Lat: 50},
	}
	want := []int64{}
	for _, ext := range []string{"in-1", "hole", "in-2", "out", "in-3", "far", "in-4"} {
		p := places[ext]
		a := &account.Account{ExternalID: ext, Name: ext, Stage: "lead", Location: &p}
		if ext == "in-4" {
			a.OwnerID = f.rep.ID
		}
		if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
			t.Fatal(err)
		}
		if ext[:2] == "in" {
			want = append(want, a.ID)
		}
	}
	unplaced := &account.Account{ExternalID: "nowhere", Name: "Nowhere", Stage: "lead"}
	if err := f.svc.CreateAccount(ctx, auth.System, unplaced); err != nil {
		t.Fatal(err)
	}

	// Paged two at a time: every account inside, in id order, the total each time.
	var got []int64
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		l, err := f.svc.ListAccounts(ctx, f.manager, account.Filter{Overlay: o.ID}, account.Page{Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if l.Total != 4 {
			t.Errorf("page %d total = %d, want 4", pages, l.Total)
		}
		for _, a := range l.Items {
			got = append(got, a.ID)
		}
		if cursor = l.NextCursor; cursor == "" {
			break
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("accounts inside (-want +got):\n%s", diff)
	}
	// With another filter and a rep's scope.
	l, err := f.svc.ListAccounts(ctx, &auth.Actor{User: f.rep, Scope: &account.Scope{OwnerID: f.rep.ID}}, account.Filter{Overlay: o.ID}, account.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if l.Total != 1 || len(l.Items) != 1 || l.Items[0].ExternalID != "in-4" {
		t.Errorf("rep's accounts inside = %d (%v), want in-4 only", l.Total, l.Items)
	}
	var each []int64
	if err := f.svc.EachAccount(ctx, f.manager, account.Filter{Overlay: o.ID, Stages: []string{"lead"}}, func(a *account.Account) error {
		each = append(each, a.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, each); diff != "" {
		t.Errorf("EachAccount inside (-want +got):\n%s", diff)
	}
	if _, err := f.svc.ListAccounts(ctx, f.manager, account.Filter{Overlay: 999999}, account.Page{}); !derrors.Is(err, derrors.Invalid) {
		t.Errorf("unknown overlay = %v, want Invalid", err)
	}

	// The map index's test agrees with the store's.
	mi, err := f.svc.MapIndex(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.svc.OverlayFilter(ctx, o.ID, mi, nil)
	if err != nil {
		t.Fatal(err)
	}
	var fromIndex []int64
	for i := 0; i < mi.Len(); i++ {
		if id := mi.At(i).ID; in(id) {
			fromIndex = append(fromIndex, id)
		}
	}
	sortIDs(fromIndex)
	if diff := cmp.Diff(want, fromIndex); diff != "" {
		t.Errorf("OverlayFilter (-want +got):\n%s", diff)
	}
	if err := f.svc.DeleteOverlay(ctx, f.manager, o.ID); err != nil {
		t.Fatal(err)
	}
}

func sortIDs(ids []int64) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && ids[j] < ids[j-1]; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
}
