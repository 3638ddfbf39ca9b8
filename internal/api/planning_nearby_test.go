package api_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

func TestRouteNearbyAPI(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mk := func(name, stage string, p geo.Point) int64 {
		a := &account.Account{Name: name, Stage: stage, Location: &p}
		if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	w1 := geo.Point{Lon: 1, Lat: 1}
	edge := geo.Point{Lon: 4.997, Lat: 1} // West ends at lon 5
	edgeID := mk("Edge", "lead", edge)
	near := mk(`<img src=x onerror=alert(1)>`, "contacted", geo.Offset(w1, 300, 0))
	farther := mk("Farther", "proposal", geo.Offset(w1, 0, -600))
	mk("Customer", "customer", geo.Offset(w1, 0, 200))
	mk("Too far", "lead", geo.Offset(w1, 0, 1500))
	across := mk("Across", "lead", geo.Point{Lon: 5.003, Lat: 1}) // no territory: rep1 cannot see it
	rep1 := f.users["rep1"].ID
	p := &plan.Plan{Name: "nearby", Day: "2025-03-14", TimeZone: "UTC", CreatedBy: rep1, Request: plan.Request{RepIDs: []int64{rep1}}}
	p.Routes = []plan.Route{{RepID: rep1, RepName: "REP1", Start: w1, End: w1, Stops: []plan.Stop{
		{AccountID: f.ids["W1"], Name: "Account W1", Location: w1}, {AccountID: edgeID, Name: "Edge", Location: edge}}}}
	if err := f.svc.Store.CreatePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/routes/%d/nearby", p.ID)

	type item struct {
		id       int64
		stop     int64
		position int
		distance float64
	}
	items := func(res map[string]any) []item {
		var out []item
		for _, it := range res["items"].([]any) {
			m := it.(map[string]any)
			ns := m["near_stop"].(map[string]any)
			out = append(out, item{int64(m["id"].(float64)), int64(ns["account_id"].(float64)), int(ns["position"].(float64)), m["distance_m"].(float64)})
		}
		return out
	}
	code, res := f.do(t, "rep1", "GET", path, nil)
	if code != 200 {
		t.Fatalf("GET %s as rep1 = %d %v", path, code, res)
	}
	got := items(res)
	if len(got) != 2 || got[0].id != near || got[1].id != farther {
		t.Fatalf("rep1's prospects = %+v, want %d then %d (not the stops, the customer, the far one or the one outside the scope)", got, near, farther)
	}
	if got[0].stop != f.ids["W1"] || got[0].position != 1 || math.Abs(got[0].distance-300) > 1 {
		t.Errorf("nearest prospect = %+v, want 300 m from stop 1 (W1)", got[0])
	}
	if name := res["items"].([]any)[0].(map[string]any)["name"]; name != `<img src=x onerror=alert(1)>` {
		t.Errorf("name = %q, want it as stored", name)
	}

	code, res = f.do(t, "manager", "GET", path+"?limit=5", nil)
	if code != 200 {
		t.Fatalf("manager GET = %d %v", code, res)
	}
	got = items(res)
	if len(got) != 3 || got[2].id != across || got[2].stop != edgeID || got[2].position != 2 {
		t.Errorf("manager's prospects = %+v, want the across-the-edge one last, near stop 2", got)
	}
	if code, res = f.do(t, "manager", "GET", path+"?limit=1", nil); code != 200 || len(items(res)) != 1 || items(res)[0].id != near {
		t.Errorf("limit=1 = %d %v, want the nearest only", code, res)
	}
	if code, res = f.do(t, "rep1", "GET", path+"?stage=customer&radius_m=500", nil); code != 200 || len(items(res)) != 1 {
		t.Errorf("stage=customer = %d %v, want the customer", code, res)
	}
	if code, _ := f.do(t, "rep2", "GET", path, nil); code != 404 {
		t.Errorf("rep2 GET rep1's plan's prospects = %d, want 404", code)
	}
	for _, q := range []string{"?radius_m=abc", "?radius_m=0", "?radius_m=20000", "?limit=0", "?limit=1000", "?stage=nope", "?rep_id=x", fmt.Sprintf("?rep_id=%d", f.users["rep2"].ID)} {
		if code, res := f.do(t, "rep1", "GET", path+q, nil); code != 400 {
			t.Errorf("GET %s = %d %v, want 400", q, code, res)
		}
	}
	if code, _ := f.do(t, "rep1", "GET", "/api/v1/routes/999999/nearby", nil); code != 404 {
		t.Errorf("missing plan = %d, want 404", code)
	}
	_, doc := f.do(t, "", "GET", "/api/v1/openapi.json", nil)
	if _, ok := doc["paths"].(map[string]any)["/api/v1/routes/{id}/nearby"]; !ok {
		t.Error("openapi.json lacks /api/v1/routes/{id}/nearby")
	}
}
