package api_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/web"
)

// TestBrowserTerritories opens the Territories page as a manager: the
// hierarchy lists the territories (a hostile name shown as text), Check
// lists the one overlap, Build loads the states to click, Balance proposes
// k territories (after locking the region the server names).
func TestBrowserTerritories(t *testing.T) {
	ctx := browserFor(t, 90*time.Second)
	f := newFixture(t)
	bg := context.Background()
	middle := &territory.Territory{Name: "Middle", Shape: geo.BBoxPolygon(geo.BBox{MinLon: 4, MinLat: 0, MaxLon: 6, MaxLat: 5})}
	if err := f.svc.SaveTerritory(bg, auth.System, middle); err != nil {
		t.Fatal(err)
	}
	hostile := &territory.Territory{Name: `<img src=x id=pwned>`, ParentID: f.terrs["East"].ID, Shape: geo.BBoxPolygon(geo.BBox{MinLon: 11, MinLat: 1, MaxLon: 12, MaxLat: 2})}
	if err := f.svc.SaveTerritory(bg, auth.System, hostile); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})

	var tree, overlaps, states, summary string
	var pwned, nested, rows int
	var png []byte
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return ignore(chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second)))
	}
	stage := func(name string, as ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, as...); err != nil {
			var body string
			_ = chromedp.Do(ctx, into(&body, chromedp.Evaluate[string](`document.querySelector('main, #main, body').innerText`)))
			t.Fatalf("%s: %v\npage text: %s", name, err, body)
		}
	}
	stage("hierarchy",
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#topbar"),
		chromedp.Navigate(f.srv.URL+"/#/territories"),
		poll(`document.querySelectorAll('#territory-tree .territory-node').length >= 4`),
		into(&tree, chromedp.Text("#territory-tree")),
		into(&pwned, chromedp.Evaluate[int](`document.querySelectorAll('#pwned').length`)),
		into(&nested, chromedp.Evaluate[int](`document.querySelectorAll('#territory-tree li ul .territory-node').length`)),
	)
	stage("check",
		chromedp.Click("#design-tab-check"),
		poll(`!!document.querySelector('#check-overlaps li')`),
		into(&overlaps, chromedp.Text("#check-overlaps")),
	)
	stage("build",
		chromedp.Click("#design-tab-build"),
		poll(`/areas loaded/.test((document.querySelector('#build-count') || {}).textContent || '')`),
		into(&states, chromedp.Text("#build-count")),
	)
	stage("balance",
		chromedp.Click("#design-tab-balance"),
		chromedp.SetValue("#balance-k", "2"),
		chromedp.Click("#balance-propose"),
		// East is a region (it has a child): the server says to lock it.
		poll(`/has child territories/.test(document.querySelector('#balance-result').textContent)`),
		chromedp.Click(`.balance-lock[value="East"]`),
		chromedp.Click("#balance-propose"),
		poll(`!!document.querySelector('#balance-summary')`),
		into(&summary, chromedp.Text("#balance-summary")),
		into(&rows, chromedp.Evaluate[int](`document.querySelectorAll('.balance-table tbody tr').length`)),
		poll(`document.querySelector('#territory-map').dataset.ready === 'true'`),
		chromedp.Sleep(500*time.Millisecond),
		into(&png, chromedp.CaptureScreenshot()),
	)
	path := filepath.Join(screenshotDir(t), "territories-balance.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	for _, want := range []string{"West", "East", "Middle", hostile.Name} {
		if !strings.Contains(tree, want) {
			t.Errorf("hierarchy %q lacks %q", tree, want)
		}
	}
	if pwned != 0 {
		t.Errorf("a territory name was parsed as HTML")
	}
	if nested != 1 {
		t.Errorf("%d territories shown under a parent, want 1 (the child of East)", nested)
	}
	if !strings.Contains(overlaps, "Middle × West") || !strings.Contains(overlaps, "Overlaps (1)") {
		t.Errorf("check overlaps = %q, want the one Middle × West", overlaps)
	}
	if !strings.Contains(states, "areas loaded") || strings.HasPrefix(states, "0 ") {
		t.Errorf("build = %q, want the states loaded", states)
	}
	if rows != 2 || !strings.Contains(summary, "Proposal") {
		t.Errorf("balance: %d rows, summary %q; want a proposal of 2", rows, summary)
	}
}

// TestDesignAPI covers the design endpoints without a browser: roles, the
// check's numbers, a union saved as a territory, a balance applied and its
// history, and the KML export.
func TestDesignAPI(t *testing.T) {
	f := newFixture(t)
	if code, _ := f.do(t, "rep1", "GET", "/api/v1/territories/check", nil); code != 403 {
		t.Errorf("a rep's check: %d, want 403", code)
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/territories/balance", map[string]any{"k": 2}); code != 403 {
		t.Errorf("a rep's balance: %d, want 403", code)
	}
	sq := func(lon float64) map[string]any {
		return map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{lon, 0}, {lon + 5, 0}, {lon + 5, 5}, {lon, 5}, {lon, 0}}}}
	}
	code, body := f.do(t, "manager", "POST", "/api/v1/territories/union", map[string]any{"geometries": []any{sq(5), sq(4)}, "save": map[string]any{"name": "Bridge"}})
	if code != 201 {
		t.Fatalf("union: %d %v", code, body)
	}
	if got := len(body["geometry"].(map[string]any)["coordinates"].([]any)); got != 1 {
		t.Errorf("union of two overlapping squares: %d polygons, want 1", got)
	}
	code, body = f.do(t, "manager", "POST", "/api/v1/territories/check", map[string]any{})
	if code != 200 {
		t.Fatalf("check: %d %v", code, body)
	}
	// Bridge [4,10]×[0,5] overlaps West [0,5]×[0,5]; it only touches East.
	overlaps := body["overlaps"].([]any)
	if len(overlaps) != 1 || overlaps[0].(map[string]any)["b"] != "West" {
		t.Errorf("overlaps = %v, want Bridge × West", overlaps)
	}
	if n := body["unassigned_accounts"].(float64); n != 1 {
		t.Errorf("unassigned = %v, want 1 (N1)", n)
	}
	code, body = f.do(t, "manager", "POST", "/api/v1/territories/balance", map[string]any{"k": 2, "apply": true})
	if code != 200 || body["applied"] != true {
		t.Fatalf("balance: %d %v", code, body)
	}
	code, body = f.do(t, "manager", "GET", "/api/v1/territories/history", nil)
	if code != 200 || len(body["items"].([]any)) != 1 || body["total"] != float64(1) {
		t.Errorf("history: %d %v", code, body)
	}
	// A second balance, then pages of one: total is every entry, not the page.
	if code, body = f.do(t, "manager", "POST", "/api/v1/territories/balance", map[string]any{"k": 2, "apply": true}); code != 200 {
		t.Fatalf("second balance: %d %v", code, body)
	}
	code, body = f.do(t, "manager", "GET", "/api/v1/territories/history?limit=1", nil)
	next, _ := body["next_cursor"].(string)
	if code != 200 || len(body["items"].([]any)) != 1 || body["total"] != float64(2) || next == "" {
		t.Errorf("history?limit=1: %d %v, want 1 item of total 2 and a next_cursor", code, body)
	}
	code, body = f.do(t, "manager", "GET", "/api/v1/territories/history?limit=1&cursor="+next, nil)
	if code != 200 || len(body["items"].([]any)) != 1 || body["total"] != float64(2) || body["next_cursor"] != nil {
		t.Errorf("history page 2: %d %v, want the last item of total 2", code, body)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/exports/territories?format=kml", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["manager"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "kml") || !strings.Contains(string(raw), "<Placemark") {
		t.Errorf("KML export: %d %s %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
}
