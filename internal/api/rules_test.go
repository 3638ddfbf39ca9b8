package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/notify"
)

func TestRulesAndNotificationsAPI(t *testing.T) {
	f := newFixture(t)
	f.svc.Now = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) } // every account: never visited, added 40 days ago
	var mu sync.Mutex
	var named []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !notify.Verify("per-rule", body, r.Header.Get(notify.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var b struct {
			Rule     struct{ Name string }
			Accounts []struct {
				ExternalID string `json:"external_id"`
			}
		}
		json.Unmarshal(body, &b)
		mu.Lock()
		for _, a := range b.Accounts {
			named = append(named, b.Rule.Name+":"+a.ExternalID)
		}
		mu.Unlock()
	}))
	defer hook.Close()
	f.svc.Notifier = notify.New(notify.Config{})

	rule := map[string]any{"name": "West lapsed", "kind": "not_visited", "days": 30, "territory": "West",
		"notify": map[string]any{"webhook": hook.URL, "secret": "per-rule", "inbox": true}}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/rules", rule); code != http.StatusForbidden {
		t.Errorf("rep POST /rules = %d, want 403", code)
	}
	code, body := f.do(t, "manager", "POST", "/api/v1/rules", map[string]any{"name": "x", "kind": "sometimes", "days": 3})
	if code != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body), "kind") {
		t.Errorf("bad kind = %d %v, want 400 naming kind", code, body)
	}
	code, body = f.do(t, "manager", "POST", "/api/v1/rules", rule)
	if code != http.StatusCreated {
		t.Fatalf("POST /rules = %d %v", code, body)
	}
	id := int64(body["id"].(float64))
	if n := body["notify"].(map[string]any); n["has_secret"] != true || n["secret"] != nil || body["territory"] != "West" {
		t.Errorf("rule answer = %v: want has_secret, no secret, territory West", body)
	}

	code, body = f.do(t, "manager", "POST", "/api/v1/rules/run", nil)
	if code != http.StatusOK || body["notified"] != float64(2) {
		t.Fatalf("run = %d %v, want 2 notified", code, body)
	}
	sort.Strings(named)
	if diff := cmp.Diff([]string{"West lapsed:W1", "West lapsed:W2"}, named); diff != "" {
		t.Errorf("webhook (-want +got):\n%s", diff)
	}
	if code, body = f.do(t, "manager", "POST", "/api/v1/rules/run", nil); body["notified"] != float64(0) {
		t.Errorf("second run the same day = %d %v, want 0 notified", code, body)
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/rules/run", nil); code != http.StatusForbidden {
		t.Errorf("rep run = %d, want 403", code)
	}

	// W2 is rep2's; W1 has no owner, so it goes to the manager who made the rule.
	_, inbox := f.do(t, "rep2", "GET", "/api/v1/notifications", nil)
	items, _ := inbox["items"].([]any)
	if inbox["unread"] != float64(1) || len(items) != 1 || items[0].(map[string]any)["account_external_id"] != "W2" {
		t.Fatalf("rep2 inbox = %v", inbox)
	}
	nid := int64(items[0].(map[string]any)["id"].(float64))
	if code, _ := f.do(t, "manager", "POST", fmt.Sprintf("/api/v1/notifications/%d/read", nid), nil); code != http.StatusNotFound {
		t.Errorf("manager reading rep2's notification = %d, want 404", code)
	}
	if code, _ := f.do(t, "rep2", "POST", fmt.Sprintf("/api/v1/notifications/%d/read", nid), nil); code != http.StatusNoContent {
		t.Errorf("read = %d", code)
	}
	if _, inbox = f.do(t, "rep2", "GET", "/api/v1/notifications", nil); inbox["unread"] != float64(0) || inbox["total"] != float64(1) {
		t.Errorf("after read: %v", inbox)
	}
	if _, b := f.do(t, "manager", "POST", "/api/v1/notifications/read-all", nil); b["marked"] != float64(1) {
		t.Errorf("read-all = %v, want marked 1", b)
	}

	if code, b := f.do(t, "manager", "PUT", fmt.Sprintf("/api/v1/rules/%d", id), map[string]any{"days": 60, "enabled": false}); code != 200 || b["days"] != float64(60) || b["enabled"] != false || b["territory"] != "West" {
		t.Errorf("PUT = %d %v", code, b)
	}
	if code, b := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/rules/%d/deliveries", id), nil); code != 200 || b["total"] != float64(1) {
		t.Errorf("deliveries = %d %v, want one", code, b)
	}
	if code, b := f.do(t, "manager", "GET", "/api/v1/rules", nil); code != 200 || b["total"] != float64(1) {
		t.Errorf("GET /rules = %d %v", code, b)
	}
	if code, _ := f.do(t, "rep1", "GET", "/api/v1/rules", nil); code != http.StatusForbidden {
		t.Errorf("rep GET /rules = %d, want 403", code)
	}
	if code, _ := f.do(t, "manager", "DELETE", fmt.Sprintf("/api/v1/rules/%d", id), nil); code != http.StatusNoContent {
		t.Errorf("DELETE = %d", code)
	}
	if code, _ := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/rules/%d", id), nil); code != http.StatusNotFound {
		t.Errorf("GET deleted = %d", code)
	}
}

func TestOverlaysAPI(t *testing.T) {
	f := newFixture(t)
	// Around W1 (1,1) and W2 (2,2) and E1 (11,1), with properties.
	fc := map[string]any{"type": "FeatureCollection", "name": "Storm <script>", "features": []any{
		map[string]any{"type": "Feature", "properties": map[string]any{"name": "swath", "date": "2025-06-01", "severity": 3},
			"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0.5, 0.5}, {2.5, 0.5}, {2.5, 2.5}, {0.5, 2.5}, {0.5, 0.5}}}}},
		map[string]any{"type": "Feature", "properties": map[string]any{"severity": 1},
			"geometry": map[string]any{"type": "MultiPolygon", "coordinates": [][][][]float64{{{{10.5, 0.5}, {11.5, 0.5}, {11.5, 1.5}, {10.5, 1.5}, {10.5, 0.5}}}}}},
	}}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/overlays", fc); code != http.StatusForbidden {
		t.Errorf("rep POST overlay = %d, want 403", code)
	}
	bad := map[string]any{"type": "FeatureCollection", "name": "bad", "features": []any{
		map[string]any{"type": "Feature", "properties": map[string]any{"name": "Swath 9"}, "geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {500, 0}, {1, 1}, {0, 0}}}}}}}
	if code, b := f.do(t, "manager", "POST", "/api/v1/overlays", bad); code != 400 || !strings.Contains(fmt.Sprint(b), `feature 1 ("Swath 9"): polygon 1 ring 1 point 2: longitude 500`) {
		t.Errorf("bad overlay = %d %v, want 400 naming feature 1 (\"Swath 9\")", code, b)
	}
	code, b := f.do(t, "manager", "POST", "/api/v1/overlays", fc)
	if code != http.StatusCreated || b["features"] != float64(2) || b["name"] != "Storm <script>" {
		t.Fatalf("POST overlay = %d %v", code, b)
	}
	id := int64(b["id"].(float64))
	_, g := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/overlays/%d", id), nil)
	feats, _ := g["features"].([]any)
	if g["type"] != "FeatureCollection" || len(feats) != 2 {
		t.Fatalf("GET overlay = %v", g)
	}
	if p := feats[0].(map[string]any)["properties"].(map[string]any); p["severity"] != float64(3) || p["date"] != "2025-06-01" {
		t.Errorf("properties = %v", p)
	}
	if _, l := f.do(t, "rep1", "GET", "/api/v1/overlays", nil); l["total"] != float64(1) {
		t.Errorf("GET /overlays = %v", l)
	}

	_, l := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/accounts?overlay=%d", id), nil)
	if diff := cmp.Diff([]string{"E1", "W1", "W2"}, externalIDs(t, l)); diff != "" {
		t.Errorf("manager's accounts inside (-want +got):\n%s", diff)
	}
	_, l = f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts?overlay=%d", id), nil)
	if diff := cmp.Diff([]string{"W1", "W2"}, externalIDs(t, l)); diff != "" {
		t.Errorf("rep1's accounts inside (-want +got):\n%s", diff)
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/accounts?overlay=abc", nil); code != 400 {
		t.Errorf("overlay=abc = %d, want 400", code)
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/accounts?overlay=99999", nil); code != 400 {
		t.Errorf("overlay=99999 = %d, want 400", code)
	}
	// Area figures over the whole world, only inside the overlay.
	_, m := f.do(t, "manager", "GET", fmt.Sprintf("/api/v1/metrics/area?bbox=-180,-85,180,85&overlay=%d", id), nil)
	if m["accounts"] != float64(3) {
		t.Errorf("area figures inside the overlay = %v, want 3 accounts", m["accounts"])
	}
	if code, _ := f.do(t, "manager", "DELETE", fmt.Sprintf("/api/v1/overlays/%d", id), nil); code != http.StatusNoContent {
		t.Errorf("DELETE overlay = %d", code)
	}
}
