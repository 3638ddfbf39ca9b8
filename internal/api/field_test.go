package api_test

import (
	"context"
	"fmt"
	"math"
	"math/rand"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
)

func TestCheckInVerification(t *testing.T) {
	f := newFixture(t)
	w1 := geo.Point{Lon: 1, Lat: 1}
	near, far := geo.Offset(w1, 30, 40), geo.Offset(w1, 0, 1000)
	follow := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	code, body := f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "visit", "outcome": "follow_up",
		"notes": "<script>alert(1)</script>", "lon": near.Lon, "lat": near.Lat, "follow_up_at": follow.Format(time.RFC3339), "at": "2026-08-01T10:00:00Z"})
	if code != 201 {
		t.Fatalf("check-in = %d %v", code, body)
	}
	if body["verified"] != true || math.Abs(body["distance_m"].(float64)-50) > 0.5 {
		t.Errorf("check-in 50 m away: verified %v distance %v, want true, 50", body["verified"], body["distance_m"])
	}
	if body["notes"] != "<script>alert(1)</script>" || body["user"] != "rep1@example.com" {
		t.Errorf("notes %v user %v: want the notes as sent (JSON, escaped by the UI) and the caller", body["notes"], body["user"])
	}
	_, acc := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts/%d", f.ids["W1"]), nil)
	if acc["next_follow_up_at"] != follow.Format(time.RFC3339) || acc["last_visit_at"] != "2026-08-01T10:00:00Z" || acc["last_visit_result"] != "follow_up" {
		t.Errorf("account after check-in: follow-up %v, last visit %v %v", acc["next_follow_up_at"], acc["last_visit_at"], acc["last_visit_result"])
	}
	code, body = f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "visit", "outcome": "sale", "lon": far.Lon, "lat": far.Lat})
	if code != 201 || body["verified"] != false || math.Abs(body["distance_m"].(float64)-1000) > 1 {
		t.Errorf("check-in 1 km away = %d verified %v distance %v, want 201 false 1000", code, body["verified"], body["distance_m"])
	}
	code, body = f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "phone"})
	if code != 201 || body["verified"] != nil || body["distance_m"] != nil {
		t.Errorf("call without location = %d verified %v distance %v, want nulls", code, body["verified"], body["distance_m"])
	}
	// A larger radius verifies the far one.
	if code, body := f.do(t, "manager", "PUT", "/api/v1/settings/field", map[string]any{"verify_radius_m": 2000}); code != 200 || body["verify_radius_m"] != 2000.0 || body["dwell_radius_m"] != 100.0 {
		t.Fatalf("PUT settings/field = %d %v", code, body)
	}
	if _, body := f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "visit", "lon": far.Lon, "lat": far.Lat}); body["verified"] != true {
		t.Errorf("1 km with a 2 km radius: verified %v", body["verified"])
	}
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{map[string]any{"account": f.ids["W1"], "channel": "visit", "lon": 500, "lat": 1}, "lon: 500"},
		{map[string]any{"account": f.ids["W1"], "channel": "visit", "lon": 1, "lat": -91}, "lat: -91"},
		{map[string]any{"account": f.ids["W1"], "channel": "visit", "outcome": "maybe"}, `outcome: "maybe"`},
		{map[string]any{"account": f.ids["W1"], "channel": "visit", "follow_up_at": "next week"}, "follow_up_at"},
	} {
		code, body := f.do(t, "rep1", "POST", "/api/v1/interactions", tc.body)
		msg, _ := body["error"].(map[string]any)["message"].(string)
		if code != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("POST %v = %d %q, want 400 naming %q", tc.body, code, msg, tc.want)
		}
	}
	// A rep cannot check in at an account outside their scope.
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["E1"], "channel": "visit"}); code != 404 {
		t.Errorf("rep1 at E1 = %d, want 404", code)
	}
	_, list := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts/%d/interactions", f.ids["W1"]), nil)
	if list["total"] != 4.0 {
		t.Errorf("interactions total = %v, want 4", list["total"])
	}
}

func TestOutcomeSettings(t *testing.T) {
	f := newFixture(t)
	_, body := f.do(t, "rep1", "GET", "/api/v1/settings/outcomes", nil)
	if items, _ := body["items"].([]any); len(items) != 5 {
		t.Fatalf("default outcomes = %v", body)
	}
	list := map[string]any{"items": []map[string]string{{"key": "no_answer", "name": "No answer"}, {"key": "demo_booked", "name": "Demo booked"}}}
	if code, _ := f.do(t, "rep1", "PUT", "/api/v1/settings/outcomes", list); code != 403 {
		t.Errorf("rep PUT outcomes = %d, want 403", code)
	}
	if code, body := f.do(t, "manager", "PUT", "/api/v1/settings/outcomes", list); code != 200 || len(body["items"].([]any)) != 2 {
		t.Fatalf("manager PUT outcomes = %d %v", code, body)
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "visit", "outcome": "demo_booked"}); code != 201 {
		t.Errorf("new outcome = %d, want 201", code)
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/interactions", map[string]any{"account": f.ids["W1"], "channel": "visit", "outcome": "sale"}); code != 400 {
		t.Errorf("removed outcome = %d, want 400", code)
	}
	if code, body := f.do(t, "manager", "PUT", "/api/v1/settings/outcomes", map[string]any{"items": []map[string]string{{"key": "Bad Key", "name": "x"}}}); code != 400 || !strings.Contains(fmt.Sprint(body), "outcomes[0].key") {
		t.Errorf("bad outcome key = %d %v", code, body)
	}
}

type pingIn struct {
	At  string  `json:"at"`
	Lon float64 `json:"lon"`
	Lat float64 `json:"lat"`
}

func pingsAt(start time.Time, step time.Duration, n int, pos func(i int) geo.Point) []pingIn {
	out := make([]pingIn, n)
	for i := range out {
		p := pos(i)
		out[i] = pingIn{At: start.Add(time.Duration(i) * step).UTC().Format(time.RFC3339), Lon: p.Lon, Lat: p.Lat}
	}
	return out
}

func TestTrackingAndAutomaticVisits(t *testing.T) {
	f := newFixture(t)
	w1 := geo.Point{Lon: 1, Lat: 1}
	w2 := geo.Offset(w1, 2000, 0)
	// A second account on the way, in West too.
	code, body := f.do(t, "manager", "POST", "/api/v1/accounts", map[string]any{"external_id": "W3", "name": "Drive-by", "lon": w2.Lon, "lat": w2.Lat})
	if code != 201 {
		t.Fatalf("create W3 = %d %v", code, body)
	}
	w3 := int64(body["id"].(float64))
	day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	start := day.Add(14 * time.Hour)
	var batch []pingIn
	// Drive from 4 km east past W3 to W1 at ~50 km/h, a ping every 10 s.
	batch = append(batch, pingsAt(start, 10*time.Second, 28, func(i int) geo.Point { return geo.Offset(w1, 4000-float64(i)*140, 0) })...)
	// 8 minutes within 30 m of W1, a ping every 20 s.
	rng := rand.New(rand.NewSource(5))
	stay := start.Add(5 * time.Minute)
	batch = append(batch, pingsAt(stay, 20*time.Second, 25, func(int) geo.Point { return geo.Offset(w1, rng.Float64()*40-20, rng.Float64()*40-20) })...)
	// Leave north.
	batch = append(batch, pingsAt(stay.Add(9*time.Minute), 10*time.Second, 20, func(i int) geo.Point { return geo.Offset(w1, 0, 300+float64(i)*140) })...)
	post := map[string]any{"pings": batch}

	// Tracking is off until the rep turns it on: refused, nothing stored.
	if code, body := f.do(t, "rep1", "POST", "/api/v1/pings", post); code != 409 {
		t.Errorf("pings with tracking never turned on = %d %v, want 409", code, body)
	}
	trailPath := fmt.Sprintf("/api/v1/users/%d/trail?date=%s", f.users["rep1"].ID, day.Format("2006-01-02"))
	if _, body := f.do(t, "rep1", "GET", trailPath, nil); body["total"] != 0.0 {
		t.Errorf("trail after refused pings = %v, want none", body["total"])
	}
	if code, _ := f.do(t, "rep1", "PUT", "/api/v1/me/tracking", map[string]any{"enabled": true}); code != 200 {
		t.Fatalf("tracking on = %d", code)
	}
	code, body = f.do(t, "rep1", "POST", "/api/v1/pings", post)
	if code != 200 || body["stored"] != float64(len(batch)) || body["auto_visits"] != 1.0 {
		t.Fatalf("pings = %d %v, want all stored and one automatic visit", code, body)
	}
	autoVisits := func(id int64) []map[string]any {
		_, body := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/accounts/%d/interactions", id), nil)
		var out []map[string]any
		for _, it := range body["items"].([]any) {
			if m := it.(map[string]any); m["source"] == "auto" {
				out = append(out, m)
			}
		}
		return out
	}
	got := autoVisits(f.ids["W1"])
	if len(got) != 1 {
		t.Fatalf("automatic visits at W1 = %v, want one", got)
	}
	v := got[0]
	wantStart, wantEnd := stay.Format(time.RFC3339), stay.Add(8*time.Minute).Format(time.RFC3339)
	if v["at"] != wantStart || v["ended_at"] != wantEnd || v["duration_s"] != 480.0 || v["channel"] != "visit" || v["user"] != "rep1@example.com" {
		t.Errorf("automatic visit = %v, want %s–%s, 480 s, by rep1", v, wantStart, wantEnd)
	}
	if got := autoVisits(w3); len(got) != 0 {
		t.Errorf("automatic visits at the account driven past = %v, want none", got)
	}
	// The same pings again add nothing.
	code, body = f.do(t, "rep1", "POST", "/api/v1/pings", post)
	if code != 200 || body["stored"] != 0.0 || body["duplicates"] != float64(len(batch)) || body["auto_visits"] != 0.0 {
		t.Errorf("re-upload = %d %v, want all duplicates and no visit", code, body)
	}
	if got := autoVisits(f.ids["W1"]); len(got) != 1 {
		t.Errorf("after re-upload %d automatic visits, want 1", len(got))
	}

	// Trails: reps see their own, managers anyone's, other reps nobody's.
	if code, body := f.do(t, "rep1", "GET", trailPath, nil); code != 200 || body["total"] != float64(len(batch)) {
		t.Errorf("own trail = %d %v", code, body["total"])
	}
	if code, body := f.do(t, "manager", "GET", trailPath, nil); code != 200 || body["total"] != float64(len(batch)) {
		t.Errorf("manager's view of the trail = %d %v", code, body["total"])
	}
	if code, _ := f.do(t, "rep2", "GET", trailPath, nil); code != 403 {
		t.Errorf("rep2 reading rep1's trail = %d, want 403", code)
	}
	if code, _ := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/users/%d/trail?date=yesterday", f.users["rep1"].ID), nil); code != 400 {
		t.Errorf("bad date = %d, want 400", code)
	}

	// Off again: refused, nothing stored.
	f.do(t, "rep1", "PUT", "/api/v1/me/tracking", map[string]any{"enabled": false})
	later := pingsAt(start.Add(2*time.Hour), time.Minute, 3, func(int) geo.Point { return w1 })
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/pings", map[string]any{"pings": later}); code != 409 {
		t.Errorf("pings with tracking off = %d, want 409", code)
	}
	if _, body := f.do(t, "rep1", "GET", trailPath, nil); body["total"] != float64(len(batch)) {
		t.Errorf("trail after refused pings = %v, want %d", body["total"], len(batch))
	}
	if code, body := f.do(t, "rep1", "POST", "/api/v1/pings", map[string]any{"pings": []map[string]any{{"at": "2026-01-01T00:00:00Z", "lon": 500, "lat": 1}}}); code != 400 || !strings.Contains(fmt.Sprint(body), "pings[0].lon") {
		t.Errorf("ping at lon 500 = %d %v, want 400 naming pings[0].lon", code, body)
	}
}

func TestPingWorkingHoursAndRetention(t *testing.T) {
	f := newFixture(t)
	f.do(t, "rep1", "PUT", "/api/v1/me/tracking", map[string]any{"enabled": true})
	if code, body := f.do(t, "manager", "PUT", "/api/v1/settings/field", map[string]any{"working_hours": map[string]any{"days": []int{1, 2, 3, 4, 5}, "start": "08:00", "end": "18:00", "time_zone": "UTC"}}); code != 200 {
		t.Fatalf("working hours = %d %v", code, body)
	}
	// Find last week's Sunday and Monday.
	sunday := time.Now().UTC().Truncate(24 * time.Hour)
	for sunday.Weekday() != time.Sunday || time.Since(sunday) < 24*time.Hour {
		sunday = sunday.AddDate(0, 0, -1)
	}
	monday := sunday.AddDate(0, 0, 1)
	old := sunday.AddDate(0, 0, -120)
	batch := []pingIn{
		{At: sunday.Add(12 * time.Hour).Format(time.RFC3339), Lon: 1, Lat: 1},           // Sunday: outside
		{At: monday.Add(7 * time.Hour).Format(time.RFC3339), Lon: 1, Lat: 1},            // before 08:00
		{At: monday.Add(9 * time.Hour).Format(time.RFC3339), Lon: 1, Lat: 1},            // inside
		{At: monday.Add(10 * time.Hour).Format(time.RFC3339), Lon: 1, Lat: 1},           // inside
		{At: old.Add(10*time.Hour + 24*time.Hour).Format(time.RFC3339), Lon: 1, Lat: 1}, // beyond 90 days
	}
	code, body := f.do(t, "rep1", "POST", "/api/v1/pings", map[string]any{"pings": batch})
	if code != 200 || body["stored"] != 2.0 || body["dropped_outside_hours"] != 2.0 || body["dropped_expired"] != 1.0 {
		t.Fatalf("pings = %d %v, want 2 stored, 2 outside hours, 1 expired", code, body)
	}
	trail := fmt.Sprintf("/api/v1/users/%d/trail?date=%s", f.users["rep1"].ID, monday.Format("2006-01-02"))
	if _, body := f.do(t, "rep1", "GET", trail, nil); body["total"] != 2.0 {
		t.Fatalf("trail = %v", body)
	}
	// Housekeeping keeps pings younger than the retention period…
	ctx := context.Background()
	if _, err := f.svc.Housekeep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, body := f.do(t, "rep1", "GET", trail, nil); body["total"] != 2.0 {
		t.Errorf("after housekeeping within retention: %v pings, want 2", body["total"])
	}
	// …and purges them once it is shorter than their age.
	if code, _ := f.do(t, "manager", "PUT", "/api/v1/settings/field", map[string]any{"retention_days": 1}); code != 200 {
		t.Fatal("retention")
	}
	n, err := f.svc.Housekeep(ctx)
	if err != nil || n < 2 {
		t.Errorf("Housekeep = %d, %v; want at least the 2 pings", n, err)
	}
	if _, body := f.do(t, "rep1", "GET", trail, nil); body["total"] != 0.0 {
		t.Errorf("after purge: %v pings, want 0", body["total"])
	}
	if code, body := f.do(t, "manager", "PUT", "/api/v1/settings/field", map[string]any{"working_hours": map[string]any{"start": "8am", "end": "6pm"}}); code != 400 || !strings.Contains(fmt.Sprint(body), "working_hours.start") {
		t.Errorf("bad working hours = %d %v", code, body)
	}
}

func TestNearbyAgreesWithBruteForce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewSource(9))
	w1 := geo.Point{Lon: 1, Lat: 1}
	stages := []string{"lead", "customer"}
	var rep2Origin int64
	for i := range 300 {
		p := geo.Offset(w1, rng.Float64()*8000-4000, rng.Float64()*8000-4000)
		a := &account.Account{ExternalID: fmt.Sprint("NB", i), Name: fmt.Sprint("Near ", i), Location: &p, Stage: stages[i%2]}
		if i%3 == 0 {
			a.OwnerID = f.users["rep2"].ID
		}
		if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			rep2Origin = a.ID
		}
	}
	for _, tc := range []struct {
		role, stage string
		radius      float64
		origin      int64
	}{{"manager", "", 2500, f.ids["W1"]}, {"manager", "customer", 3000, f.ids["W1"]}, {"rep2", "", 2500, rep2Origin}} {
		path := fmt.Sprintf("/api/v1/accounts/%d/nearby?radius_m=%v&limit=1000", tc.origin, tc.radius)
		if tc.stage != "" {
			path += "&stage=" + url.QueryEscape(tc.stage)
		}
		code, body := f.do(t, tc.role, "GET", path, nil)
		if code != 200 {
			t.Fatalf("%s nearby = %d %v", tc.role, code, body)
		}
		actor, _ := f.svc.Actor(ctx, f.users[tc.role])
		w2, err := f.svc.GetAccount(ctx, actor, tc.origin)
		if err != nil {
			t.Fatal(err)
		}
		type hit struct {
			ext string
			d   float64
		}
		var want []hit
		_ = f.svc.EachAccount(ctx, actor, account.Filter{}, func(a *account.Account) error {
			if a.ID == w2.ID || a.Location == nil || (tc.stage != "" && a.Stage != tc.stage) {
				return nil
			}
			if d := geo.DistanceMeters(*w2.Location, *a.Location); d <= tc.radius {
				want = append(want, hit{a.ExternalID, math.Round(d*10) / 10})
			}
			return nil
		})
		sort.Slice(want, func(i, j int) bool { return want[i].d < want[j].d })
		items := body["items"].([]any)
		if len(items) != len(want) || len(want) == 0 {
			t.Fatalf("%s %s: %d accounts, brute force %d", tc.role, tc.stage, len(items), len(want))
		}
		for i, it := range items {
			m := it.(map[string]any)
			if m["external_id"] != want[i].ext || m["distance_m"] != want[i].d {
				t.Errorf("%s %s: [%d] = %v at %v, want %s at %v", tc.role, tc.stage, i, m["external_id"], m["distance_m"], want[i].ext, want[i].d)
				break
			}
		}
	}
	code, body := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts/%d/nearby?radius_m=1000&limit=5", f.ids["W1"]), nil)
	if code != 200 || len(body["items"].([]any)) != 5 {
		t.Errorf("limit 5 = %d %v", code, body)
	}
	if code, _ := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts/%d/nearby", f.ids["E1"]), nil); code != 404 {
		t.Errorf("nearby an account outside the rep's scope = %d, want 404", code)
	}
	if code, _ := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/accounts/%d/nearby?radius_m=-5", f.ids["W1"]), nil); code != 400 {
		t.Errorf("negative radius = %d, want 400", code)
	}
}

func TestRepMetrics(t *testing.T) {
	f := newFixture(t)
	w1 := geo.Point{Lon: 1, Lat: 1}
	for i, tc := range []struct {
		role, outcome string
		dist          float64
	}{{"rep1", "sale", 10}, {"rep1", "no_answer", 5000}, {"rep1", "sale", 20}, {"rep2", "no_answer", 10}} {
		acc := f.ids["W1"]
		if tc.role == "rep2" {
			acc = f.ids["E1"]
		}
		p := geo.Offset(w1, tc.dist, 0)
		if tc.role == "rep2" {
			p = geo.Offset(geo.Point{Lon: 11, Lat: 1}, tc.dist, 0)
		}
		if code, body := f.do(t, tc.role, "POST", "/api/v1/interactions", map[string]any{"account": acc, "channel": "visit", "outcome": tc.outcome, "lon": p.Lon, "lat": p.Lat}); code != 201 {
			t.Fatalf("check-in %d = %d %v", i, code, body)
		}
	}
	// rep1 owns E2 (fixture) and creates two more: 3 leads, 1 won, 1 lost.
	code, body := f.do(t, "rep1", "POST", "/api/v1/accounts", map[string]any{"name": "<b>Won deal</b>", "stage": "customer", "estimated_value": 1200, "lon": 1.5, "lat": 1.5})
	if code != 201 {
		t.Fatalf("create = %d %v", code, body)
	}
	if code, body := f.do(t, "rep1", "POST", "/api/v1/accounts", map[string]any{"name": "Lost deal", "stage": "lost", "lon": 1.6, "lat": 1.5}); code != 201 {
		t.Fatalf("create = %d %v", code, body)
	}
	code, body = f.do(t, "manager", "GET", "/api/v1/reps/metrics", nil)
	if code != 200 {
		t.Fatalf("metrics = %d %v", code, body)
	}
	rows := map[string]map[string]any{}
	for _, it := range body["items"].([]any) {
		m := it.(map[string]any)
		rows[m["user"].(string)] = m
	}
	r1 := rows["rep1@example.com"]
	if r1 == nil || r1["visits"] != 3.0 || r1["verified_visits"] != 2.0 || r1["outcomes"].(map[string]any)["sale"] != 2.0 ||
		r1["leads_created"] != 3.0 || r1["won"] != 1.0 || r1["win_rate"] != 0.5 || r1["estimated_revenue"] != 1200.0 {
		t.Errorf("rep1 = %v", r1)
	}
	if r2 := rows["rep2@example.com"]; r2 == nil || r2["visits"] != 1.0 || r2["verified_visits"] != 1.0 {
		t.Errorf("rep2 = %v", r2)
	}
	if first := body["items"].([]any)[0].(map[string]any); first["user"] != "rep1@example.com" {
		t.Errorf("leaderboard first = %v, want rep1 (most revenue)", first["user"])
	}
	_, body = f.do(t, "rep2", "GET", "/api/v1/reps/metrics", nil)
	if items := body["items"].([]any); len(items) != 1 || items[0].(map[string]any)["user"] != "rep2@example.com" {
		t.Errorf("rep2's metrics = %v, want their own row only", body)
	}
	_, body = f.do(t, "manager", "GET", "/api/v1/reps/metrics?from=2020-01-01&to=2020-02-01", nil)
	for _, it := range body["items"].([]any) {
		if it.(map[string]any)["visits"] != 0.0 {
			t.Errorf("visits in 2020: %v", it)
		}
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/reps/metrics?from=soon", nil); code != 400 {
		t.Errorf("bad from = %d, want 400", code)
	}
}
