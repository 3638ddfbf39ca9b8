package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/web"
)

// The browser tests in this file run the real demo company (5,000 accounts
// around Denver, six territories) behind the web UI, as `meridian serve
// --demo` does, and walk through the Map page as a manager and as a rep.
// They use the page's test hook (window.__meridianMap, present only when
// localStorage.meridianTest is '1') to read the view and find clusters and
// accounts on screen; every click is a real mouse event.

const (
	demoManager    = "manager@" + demo.EmailDomain
	demoRep        = "maria.garcia@" + demo.EmailDomain
	hostileName    = `<img src=x onerror=alert(1)>`
	demoTestTimout = 5 * time.Minute
)

// demoServer is the demo company served with the web UI, counting tile
// requests and remembering the query of the last area-metrics request.
type demoServer struct {
	srv         *httptest.Server
	svc         *app.Service
	ds          *demo.Dataset
	tiles       atomic.Int64
	mu          sync.Mutex
	lastMetrics string // raw query of the last GET /api/v1/metrics/area
}

func newDemoServer(t *testing.T) *demoServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := app.New(db, nil, nil)
	if err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	ds, err := svc.LoadDemo(ctx, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// A hostile name inside the metro: it must show as text, never run.
	evil := &account.Account{Name: hostileName, Location: &geo.Point{Lon: -104.99, Lat: 39.74}}
	if err := svc.CreateAccount(ctx, auth.System, evil); err != nil {
		t.Fatal(err)
	}
	d := &demoServer{svc: svc, ds: ds}
	h := api.New(svc, nil, api.Options{UI: web.Handler()})
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/tiles/accounts/") {
			d.tiles.Add(1)
		}
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/metrics/area" {
			d.mu.Lock()
			d.lastMetrics = r.URL.RawQuery
			d.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// token creates an API token for a demo user.
func (d *demoServer) token(t *testing.T, email string) string {
	t.Helper()
	tok, _, err := d.svc.CreateToken(context.Background(), auth.System, email, "browser test")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// getJSON sends GET path with a token and decodes the answer into out.
func (d *demoServer) getJSON(t *testing.T, tok, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, d.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

type demoTerritory struct {
	ID       int64 `json:"id"`
	Geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
	Properties struct {
		ID    int64    `json:"id"`
		Name  string   `json:"name"`
		Color string   `json:"color"`
		Reps  []string `json:"reps"`
	} `json:"properties"`
}

func (d *demoServer) territories(t *testing.T, tok string) []demoTerritory {
	t.Helper()
	var fc struct {
		Features []demoTerritory `json:"features"`
	}
	d.getJSON(t, tok, "/api/v1/territories", &fc)
	return fc.Features
}

func (d *demoServer) areaAccounts(t *testing.T, tok, rawQuery string) int {
	t.Helper()
	var m struct {
		Accounts int `json:"accounts"`
	}
	d.getJSON(t, tok, "/api/v1/metrics/area?"+rawQuery, &m)
	return m.Accounts
}

// demoBrowser starts a headless Chromium as browser() does, with the time
// a long walk through the map needs (WebGL runs on SwiftShader), and logs
// the page's uncaught exceptions.
func demoBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx := browserFor(t, demoTestTimout)
	if err := chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok && e.ExceptionDetails != nil {
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			t.Logf("page exception: %s", msg)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// shot saves a screenshot of the window as name in screenshotDir.
func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	var png []byte
	if err := chromedp.Do(ctx, into(&png, chromedp.CaptureScreenshot())); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// signInForTest opens the login page, turns the page's test hook on, signs
// in and waits for the map's account layers and area metrics.
func signInForTest(base, email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#email"),
		ignore(chromedp.Evaluate[bool](`localStorage.setItem('meridianTest', '1'); true`)),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", password),
		chromedp.Click("#sign-in"),
		chromedp.WaitVisible("#map"),
		chromedp.WaitReady("#map canvas"),
		ignore(chromedp.Poll[bool](`!!window.__meridianMap && window.__meridianMap.loaded() && !!window.__meridianMap.getLayer('account-clusters')`,
			chromedp.WithPollingTimeout(60*time.Second))),
		ignore(chromedp.Evaluate[bool](`window.__alerts = 0; window.alert = () => { window.__alerts++ }; true`)),
	)
}

// settled waits until the map has stopped, its tiles are drawn, and the
// metrics panel has shown the same figures for a second; it returns the
// accounts figure.
func settled(dst *string) chromedp.Action[chromedp.Void] {
	// Each wait starts afresh: a value left from an earlier wait must not
	// count as already stable.
	return chromedp.Steps(ignore(chromedp.Evaluate[bool](`delete window.__settle; true`)), into(dst, chromedp.Poll[string](`(() => {
		const m = window.__meridianMap;
		const panel = document.querySelector('#metrics-panel');
		const v = document.querySelector('#metrics-accounts').textContent;
		const busy = !m || m.isMoving() || !m.areTilesLoaded() || panel.getAttribute('aria-busy') === 'true';
		const now = performance.now();
		const s = window.__settle || (window.__settle = { v: null, t: now });
		if (busy || s.v !== v) { s.v = v; s.t = now; return ''; }
		return /[0-9]/.test(v) && now - s.t > 1000 ? v : '';
	})()`, chromedp.WithPollingTimeout(60*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))))
}

// jumpTo moves the map (through the test hook) and waits for it to settle.
func jumpTo(lon, lat, zoom float64, metrics *string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		ignore(chromedp.Evaluate[bool](fmt.Sprintf(`window.__meridianMap.jumpTo({center: [%f, %f], zoom: %f}); true`, lon, lat, zoom))),
		settled(metrics),
	)
}

// mapPoint is a point on screen (page coordinates) found by the page.
type mapPoint struct {
	X, Y float64
	Zoom float64
	N    int
}

func number(t *testing.T, s string) int {
	t.Helper()
	digits := regexp.MustCompile(`[^0-9]`).ReplaceAllString(s, "")
	n, err := strconv.Atoi(digits)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

// noInjection checks that the hostile account name never became markup.
func noInjection(t *testing.T, ctx context.Context, step string) {
	t.Helper()
	var bad struct {
		Img    int    `json:"img"`
		Alerts int    `json:"alerts"`
		Title  string `json:"title"`
	}
	err := chromedp.Do(ctx, into(&bad, chromedp.Evaluate[struct {
		Img    int    `json:"img"`
		Alerts int    `json:"alerts"`
		Title  string `json:"title"`
	}](`({img: document.querySelectorAll('img[src="x"]').length, alerts: window.__alerts || 0, title: document.title})`)))
	if err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if bad.Img != 0 || bad.Alerts != 0 || !strings.Contains(bad.Title, "Meridian") {
		t.Errorf("%s: the hostile name was run as markup: %d img[src=x], %d alerts, title %q", step, bad.Img, bad.Alerts, bad.Title)
	}
}

// TestBrowserDemoManager walks through the map as the demo's manager: the
// clusters, a cluster zoomed into, an account opened, a filter, colouring
// by territory, and a territory drawn, saved, reshaped and deleted.
func TestBrowserDemoManager(t *testing.T) {
	ctx := demoBrowser(t)
	d := newDemoServer(t)
	dir := screenshotDir(t)
	mgrToken := d.token(t, demoManager)

	// 1. Sign in: the map shows the demo's clusters and the view's figures.
	var first string
	err := chromedp.Do(ctx,
		signInForTest(d.srv.URL, demoManager, demo.ManagerPassword),
		ignore(chromedp.Poll[bool](`window.__meridianMap.queryRenderedFeatures({layers: ['account-clusters']}).length > 0`,
			chromedp.WithPollingTimeout(60*time.Second))),
		settled(&first),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "demo-01-manager-map.png")
	if d.tiles.Load() == 0 {
		t.Errorf("the map requested no account tiles")
	}
	if n := number(t, first); n <= 0 {
		t.Errorf("metrics panel shows %q accounts in view, want more than 0", first)
	}
	t.Logf("accounts in the first view: %s (%d tile requests)", first, d.tiles.Load())
	noInjection(t, ctx, "map")

	// 2. Click the biggest cluster near the centre: the map zooms into it.
	var cluster mapPoint
	var afterZoom float64
	var metrics string
	err = chromedp.Do(ctx,
		into(&cluster, chromedp.Evaluate[mapPoint](`(() => {
			const m = window.__meridianMap;
			const r = m.getContainer().getBoundingClientRect();
			const c = [r.width / 2, r.height / 2];
			let best = null, bestScore = -Infinity;
			for (const f of m.queryRenderedFeatures({layers: ['account-clusters']})) {
				const p = m.project(f.geometry.coordinates);
				if (p.x < 60 || p.y < 60 || p.x > r.width - 60 || p.y > r.height - 60) continue;
				const score = f.properties.point_count - Math.hypot(p.x - c[0], p.y - c[1]);
				if (score > bestScore) { bestScore = score; best = {X: r.left + p.x, Y: r.top + p.y, N: f.properties.point_count}; }
			}
			return Object.assign(best || {X: 0, Y: 0, N: 0}, {Zoom: m.getZoom()});
		})()`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cluster.N == 0 {
		t.Fatal("no cluster on screen to click")
	}
	err = chromedp.Do(ctx,
		chromedp.MouseClickXY(cluster.X, cluster.Y),
		into(&afterZoom, chromedp.Poll[float64](fmt.Sprintf(`(() => { const m = window.__meridianMap; return !m.isMoving() && m.getZoom() > %f + 1 ? m.getZoom() : 0 })()`, cluster.Zoom),
			chromedp.WithPollingTimeout(30*time.Second))),
		settled(&metrics),
	)
	if err != nil {
		t.Fatalf("clicking a cluster of %d at (%.0f, %.0f): %v", cluster.N, cluster.X, cluster.Y, err)
	}
	shot(t, ctx, dir, "demo-02-cluster-zoomed.png")
	t.Logf("cluster of %d: zoom %.2f → %.2f, %s accounts in view", cluster.N, cluster.Zoom, afterZoom, metrics)

	// 3. Open an account: the single account nearest the hostile one's place.
	var point mapPoint
	var drawerTitle string
	err = chromedp.Do(ctx,
		jumpTo(-104.99, 39.74, 16, &metrics),
		into(&point, chromedp.Poll[mapPoint](`(() => {
			const m = window.__meridianMap;
			const r = m.getContainer().getBoundingClientRect();
			const c = m.project([-104.99, 39.74]);
			let best = null, bestD = Infinity;
			for (const f of m.queryRenderedFeatures({layers: ['account-points']})) {
				const p = m.project(f.geometry.coordinates);
				const dd = Math.hypot(p.x - c.x, p.y - c.y);
				if (dd < bestD) { bestD = dd; best = {X: r.left + p.x, Y: r.top + p.y, N: f.properties.id, Zoom: m.getZoom()}; }
			}
			return best;
		})()`, chromedp.WithPollingTimeout(30*time.Second))),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.MouseClickXY(point.X, point.Y),
		chromedp.WaitVisible("#account-drawer"),
		chromedp.WaitVisible("#account-drawer-title"),
		into(&drawerTitle, chromedp.Text("#account-drawer-title")),
	)
	if err != nil {
		t.Fatalf("opening account %d at (%.0f, %.0f): %v", point.N, point.X, point.Y, err)
	}
	shot(t, ctx, dir, "demo-03-account.png")
	if strings.TrimSpace(drawerTitle) == "" {
		t.Errorf("the account drawer shows no name")
	}
	t.Logf("account opened: %q", drawerTitle)
	noInjection(t, ctx, "account drawer")

	// 4. A text filter: only the hostile account matches "img", shown as text.
	var before, filtered, listText string
	err = chromedp.Do(ctx,
		chromedp.Click("#account-drawer .drawer-close"),
		chromedp.WaitNotVisible("#account-drawer"),
		jumpTo(-104.99, 39.74, 13, &before),
		chromedp.SendKeys("#filter-text", "img"),
		// Wait for the one account matching "img", however slowly the
		// typing and the requests go (under -race they crawl); then make sure
		// it stays so.
		ignore(chromedp.Poll[bool](`document.querySelector('#metrics-accounts').textContent.trim() === '1' &&
			document.querySelector('#metrics-panel').getAttribute('aria-busy') !== 'true'`, chromedp.WithPollingTimeout(90*time.Second))),
		settled(&filtered),
		ignore(chromedp.Poll[bool](`document.querySelector('#view-list').textContent.includes('<img src=x')`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&listText, chromedp.Text("#view-list")),
	)
	if err != nil {
		t.Fatalf("filtering (before: %s accounts): %v", before, err)
	}
	shot(t, ctx, dir, "demo-04-filter-text.png")
	t.Logf("text filter: %s → %s accounts in view", before, filtered)
	if number(t, filtered) != 1 || number(t, before) <= 1 {
		t.Errorf("metrics with q=img = %s (before %s), want 1", filtered, before)
	}
	if !strings.Contains(listText, hostileName) {
		t.Errorf("list with q=img = %q, want the hostile name as text", listText)
	}
	noInjection(t, ctx, "filter")

	// 5. Colour by territory: the legend names demo territories.
	var legend, cleared string
	names := make([]string, len(d.ds.Territories))
	for i, tr := range d.ds.Territories {
		names[i] = tr.Name
	}
	namesJSON, _ := json.Marshal(names)
	err = chromedp.Do(ctx,
		chromedp.Click("#filter-clear"),
		ignore(chromedp.Poll[bool](`document.querySelector('#metrics-accounts').textContent !== '1'`, chromedp.WithPollingTimeout(30*time.Second))),
		jumpTo(d.ds.Center.Lon, d.ds.Center.Lat, 12, &cleared),
		ignore(chromedp.Evaluate[bool](`(() => { const s = document.querySelector('#color-by'); s.value = 'territory'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })()`)),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`%s.some((n) => document.querySelector('#map-legend').textContent.includes(n))`, namesJSON),
			chromedp.WithPollingTimeout(30*time.Second))),
		settled(&cleared),
		into(&legend, chromedp.Text("#map-legend")),
	)
	if err != nil {
		t.Fatalf("colouring by territory: %v", err)
	}
	shot(t, ctx, dir, "demo-05-color-by-territory.png")
	t.Logf("legend: %q", legend)
	if !strings.Contains(legend, "Territory") {
		t.Errorf("legend title = %q, want the territory colouring", legend)
	}

	// 6. A bow-tie first: the server refuses it and the form says why.
	var box struct{ Left, Top, Width, Height float64 }
	if err := chromedp.Do(ctx, into(&box, chromedp.Evaluate[struct{ Left, Top, Width, Height float64 }](
		`(() => { const r = document.querySelector('#map').getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: r.width, Height: r.height} })()`))); err != nil {
		t.Fatal(err)
	}
	at := func(fx, fy float64) [2]float64 { return [2]float64{box.Left + fx*box.Width, box.Top + fy*box.Height} }
	clicks := func(pts ...[2]float64) chromedp.Action[chromedp.Void] {
		var steps []chromedp.Action[chromedp.Void]
		for i, p := range pts {
			steps = append(steps,
				chromedp.MouseClickXY(p[0], p[1]),
				ignore(chromedp.Poll[bool](fmt.Sprintf(`document.querySelector('#draw-bar').dataset.vertices === '%d'`, i+1),
					chromedp.WithPollingTimeout(10*time.Second))),
			)
		}
		return chromedp.Steps(steps...)
	}
	corners := [][2]float64{at(0.45, 0.35), at(0.78, 0.33), at(0.8, 0.7), at(0.47, 0.72)}
	var drawErr string
	err = chromedp.Do(ctx,
		chromedp.Click("#draw-territory"),
		chromedp.WaitVisible("#draw-bar"),
		clicks(corners[0], corners[2], corners[1], corners[3]), // crossing
		chromedp.Click("#finish-drawing"),
		chromedp.WaitVisible("#territory-form"),
		chromedp.SendKeys("#territory-name", "Bow tie"),
		chromedp.Click("#save-territory"),
		chromedp.WaitVisible("#territory-error"),
		into(&drawErr, chromedp.Text("#territory-error")),
	)
	if err != nil {
		t.Fatalf("drawing a crossing polygon: %v", err)
	}
	shot(t, ctx, dir, "demo-06-refused.png")
	if !strings.Contains(drawErr, "Not saved") || !strings.Contains(drawErr, "itself") {
		t.Errorf("error shown for a crossing polygon = %q, want the server's message", drawErr)
	}
	t.Logf("refused: %q", drawErr)

	// 7. Draw a territory: four clicks, finish, its figures, the form, save.
	const newName = "Browser Test North"
	var scope, drawnMetrics string
	err = chromedp.Do(ctx,
		chromedp.Click("#cancel-territory"),
		chromedp.WaitNotVisible("#territory-form"),
		chromedp.WaitVisible("#draw-territory"),
		chromedp.Click("#draw-territory"),
		chromedp.WaitVisible("#draw-bar"),
		clicks(corners...),
	)
	if err != nil {
		t.Fatalf("drawing: %v", err)
	}
	shot(t, ctx, dir, "demo-07-drawing.png")
	err = chromedp.Do(ctx,
		chromedp.Click("#finish-drawing"),
		chromedp.WaitVisible("#territory-form"),
		chromedp.Click("#draw-metrics"),
		ignore(chromedp.Poll[bool](`document.querySelector('.metrics-scope').textContent.includes('polygon')`, chromedp.WithPollingTimeout(10*time.Second))),
		settled(&drawnMetrics),
		into(&scope, chromedp.Text("#metrics-panel .metrics-scope")),
		chromedp.SendKeys("#territory-name", newName),
		ignore(chromedp.Evaluate[bool](`(() => { const c = document.querySelector('#territory-color'); c.value = '#c2255c'; c.dispatchEvent(new Event('input', {bubbles: true})); return true })()`)),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`[...document.querySelector('#territory-reps').options].some((o) => o.value === %q)`, demoRep), chromedp.WithPollingTimeout(10*time.Second))),
		ignore(chromedp.Evaluate[bool](fmt.Sprintf(`(() => { for (const o of document.querySelector('#territory-reps').options) o.selected = o.value === %q; return true })()`, demoRep))),
	)
	if err != nil {
		t.Fatalf("filling the territory form: %v", err)
	}
	shot(t, ctx, dir, "demo-08-territory-form.png")
	t.Logf("figures of the polygon drawn (%s): %s accounts", scope, drawnMetrics)
	var afterSave string
	err = chromedp.Do(ctx,
		chromedp.Click("#save-territory"),
		chromedp.WaitNotVisible("#territory-form"),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`[...document.querySelector('#filter-territory').options].some((o) => o.textContent === %q)`, newName),
			chromedp.WithPollingTimeout(20*time.Second))),
		settled(&afterSave),
	)
	if err != nil {
		t.Fatalf("saving the territory: %v", err)
	}
	shot(t, ctx, dir, "demo-09-territory-saved.png")
	var created *demoTerritory
	all := d.territories(t, mgrToken)
	for i := range all {
		if all[i].Properties.Name == newName {
			created = &all[i]
		}
	}
	if created == nil {
		t.Fatalf("GET /api/v1/territories has no %q after saving (%d territories)", newName, len(all))
	}
	if len(all) != len(d.ds.Territories)+1 {
		t.Errorf("%d territories after saving one, want %d", len(all), len(d.ds.Territories)+1)
	}
	if created.Properties.Color != "#c2255c" || len(created.Properties.Reps) != 1 || created.Properties.Reps[0] != demoRep {
		t.Errorf("saved territory: colour %q reps %v, want #c2255c and [%s]", created.Properties.Color, created.Properties.Reps, demoRep)
	}
	var shape [][][][2]float64
	if err := json.Unmarshal(created.Geometry.Coordinates, &shape); err != nil || len(shape) != 1 || len(shape[0]) != 1 || len(shape[0][0]) != 5 {
		t.Errorf("saved shape = %s (%v), want one ring of 4 corners", created.Geometry.Coordinates, err)
	}
	t.Logf("metrics after saving: %s accounts in view", afterSave)

	// 8. Reshape it: click inside it (away from accounts), Edit shape, drag
	// a corner, save; the server has the new corner.
	var inside mapPoint
	err = chromedp.Do(ctx,
		into(&inside, chromedp.Poll[mapPoint](fmt.Sprintf(`(() => {
			const m = window.__meridianMap;
			const r = m.getContainer().getBoundingClientRect();
			for (let y = 0.36 * r.height; y <= 0.7 * r.height; y += 4) for (let x = 0.47 * r.width; x <= 0.78 * r.width; x += 4) {
				const p = [x, y];
				const box = [[p[0] - 4, p[1] - 4], [p[0] + 4, p[1] + 4]];
				if (m.queryRenderedFeatures(box, {layers: ['account-points', 'account-clusters']}).length) continue;
				const t = m.queryRenderedFeatures(p, {layers: ['territory-fill']});
				if (t.some((f) => f.properties.id === %d)) return {X: r.left + p[0], Y: r.top + p[1], N: 1, Zoom: m.getZoom()};
			}
			return null;
		})()`, created.ID), chromedp.WithPollingTimeout(20*time.Second))),
	)
	if err != nil {
		t.Fatalf("finding a free spot inside the new territory: %v", err)
	}
	from, to := corners[1], [2]float64{corners[1][0] + 40, corners[1][1] - 50}
	err = chromedp.Do(ctx,
		chromedp.MouseClickXY(inside.X, inside.Y),
		chromedp.WaitVisible("#territory-panel"),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`document.querySelector('#territory-panel-title').textContent === %q`, newName), chromedp.WithPollingTimeout(5*time.Second))),
		chromedp.Click("#edit-territory"),
		chromedp.WaitVisible("#territory-form"),
		chromedp.MouseEvent(chromedp.MouseMoved, from[0], from[1]),
		chromedp.MouseEvent(chromedp.MousePressed, from[0], from[1], chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, from[0]+10, from[1]-12, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, from[0]+25, from[1]-30, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, to[0], to[1], chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, to[0], to[1], chromedp.ButtonLeft),
	)
	if err != nil {
		t.Fatalf("reshaping: %v", err)
	}
	shot(t, ctx, dir, "demo-10-reshaping.png")
	err = chromedp.Do(ctx,
		chromedp.Click("#save-territory"),
		chromedp.WaitNotVisible("#territory-form"),
		settled(&afterSave),
	)
	if err != nil {
		t.Fatalf("saving the new shape: %v", err)
	}
	var moved demoTerritory
	d.getJSON(t, mgrToken, fmt.Sprintf("/api/v1/territories/%d", created.ID), &moved)
	var shape2 [][][][2]float64
	if err := json.Unmarshal(moved.Geometry.Coordinates, &shape2); err != nil || len(shape2) != 1 || len(shape2[0]) != 1 || len(shape2[0][0]) != 5 {
		t.Errorf("reshaped geometry = %s (%v), want one ring of 4 corners", moved.Geometry.Coordinates, err)
	} else {
		// One corner moved (north-east on the map), the others stayed.
		gone, added := ringDiff(shape[0][0][:4], shape2[0][0][:4]), ringDiff(shape2[0][0][:4], shape[0][0][:4])
		if len(gone) != 1 || len(added) != 1 {
			t.Errorf("corners before %v, after %v: want exactly one moved", shape[0][0], shape2[0][0])
		} else if !(added[0][0] > gone[0][0] && added[0][1] > gone[0][1]) {
			t.Errorf("corner moved from %v to %v, want east and north", gone[0], added[0])
		}
	}
	if moved.Properties.Name != newName || moved.Properties.Color != "#c2255c" {
		t.Errorf("reshaping changed name/colour: %q %q", moved.Properties.Name, moved.Properties.Color)
	}

	// 9. Delete it, through the confirm step.
	err = chromedp.Do(ctx,
		chromedp.MouseClickXY(inside.X, inside.Y),
		chromedp.WaitVisible("#territory-panel"),
		chromedp.Click("#delete-territory"),
		chromedp.WaitVisible("#confirm-delete-territory"),
	)
	if err != nil {
		t.Fatalf("deleting: %v", err)
	}
	shot(t, ctx, dir, "demo-11-confirm-delete.png")
	if n := len(d.territories(t, mgrToken)); n != len(d.ds.Territories)+1 {
		t.Errorf("the territory went before the delete was confirmed (%d left)", n)
	}
	var final string
	err = chromedp.Do(ctx,
		chromedp.Click("#confirm-delete-territory"),
		chromedp.WaitNotVisible("#territory-panel"),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`![...document.querySelector('#filter-territory').options].some((o) => o.textContent === %q)`, newName),
			chromedp.WithPollingTimeout(20*time.Second))),
		settled(&final),
		into(&metrics, chromedp.Text("#metrics-panel")),
	)
	if err != nil {
		t.Fatalf("confirming the delete: %v", err)
	}
	shot(t, ctx, dir, "demo-12-final.png")
	if n := len(d.territories(t, mgrToken)); n != len(d.ds.Territories) {
		t.Errorf("%d territories after the delete, want %d", n, len(d.ds.Territories))
	}
	t.Logf("metrics panel at the end: %q", strings.Join(strings.Fields(metrics), " "))
	noInjection(t, ctx, "end")
}

// TestBrowserDemoRep signs in as a rep: the metrics panel counts what the
// API gives her for the same box (less than the manager's), and she has no
// territory tools.
func TestBrowserDemoRep(t *testing.T) {
	ctx := demoBrowser(t)
	d := newDemoServer(t)
	dir := screenshotDir(t)
	repToken := d.token(t, demoRep)
	mgrToken := d.token(t, demoManager)

	var shown string
	var drawVisible bool
	err := chromedp.Do(ctx,
		signInForTest(d.srv.URL, demoRep, demo.RepPassword),
		settled(&shown),
		into(&drawVisible, chromedp.Evaluate[bool](`(() => { const b = document.querySelector('#draw-territory'); return !!b && b.offsetParent !== null })()`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "demo-rep-map.png")
	if drawVisible {
		t.Errorf("a rep sees the Draw territory button")
	}
	// The figure shown is the API's for the box the page last asked about
	// (asked again here with the rep's token): retry while the page catches up.
	deadline := time.Now().Add(20 * time.Second)
	for {
		d.mu.Lock()
		q := d.lastMetrics
		d.mu.Unlock()
		if q == "" {
			t.Fatal("the page asked for no area metrics")
		}
		want := d.areaAccounts(t, repToken, q)
		got := number(t, shown)
		if got == want {
			mgr := d.areaAccounts(t, mgrToken, q)
			t.Logf("rep sees %d accounts in view (manager: %d) for %s", got, mgr, q)
			if got >= mgr {
				t.Errorf("the rep sees %d accounts, the manager %d in the same box: want fewer", got, mgr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics panel shows %d accounts; the API gives the rep %d for %s", got, want, q)
		}
		if err := chromedp.Do(ctx, settled(&shown)); err != nil {
			t.Fatal(err)
		}
	}
	noInjection(t, ctx, "rep map")
}

// ringDiff returns the points of a that are not in b.
func ringDiff(a, b [][2]float64) [][2]float64 {
	var out [][2]float64
	for _, p := range a {
		found := false
		for _, q := range b {
			if math.Abs(p[0]-q[0]) < 1e-9 && math.Abs(p[1]-q[1]) < 1e-9 {
				found = true
			}
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}
