package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/web"
)

// stopOrder is the JS that lists the account ids of the first route's
// stops as shown.
const stopOrder = `[...document.querySelectorAll('.route-card .route-stop')].map((r) => r.dataset.account).join(',')`

func TestBrowserRoutePlanning(t *testing.T) {
	ctx := browserFor(t, 120*time.Second)
	f := newFixture(t)
	f.setHome(t, "rep1", geo.Point{Lon: 2.5, Lat: 2.45})
	var ids []int64
	for i, name := range []string{"Stop A", "Stop B", "Stop C", `Stop <b>D</b>`} {
		a := &account.Account{Name: name, OwnerID: f.users["rep1"].ID, Location: &geo.Point{Lon: 2.5 + 0.02*float64(i%2), Lat: 2.5 + 0.015*float64(i/2)}}
		if err := f.svc.CreateAccount(context.Background(), auth.System, a); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	// Near the stops: a prospect (shown "while you're there") and a
	// customer (not a prospect).
	for _, a := range []*account.Account{
		{Name: `<i>Near</i> prospect`, Stage: "contacted", OwnerID: f.users["rep1"].ID, Location: &geo.Point{Lon: 2.503, Lat: 2.502}},
		{Name: "Near customer", Stage: "customer", OwnerID: f.users["rep1"].ID, Location: &geo.Point{Lon: 2.501, Lat: 2.501}},
	} {
		if err := f.svc.CreateAccount(context.Background(), auth.System, a); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})
	base := f.srv.URL

	var clicks []chromedp.Action[chromedp.Void]
	for _, id := range ids {
		clicks = append(clicks, chromedp.Click(fmt.Sprintf(`#plan-accounts input[data-account="%d"]`, id)))
	}
	var count, firstTime, gpx, order1, order2, order3, lockedFirst, names string
	var nearbyNames, nearbyDistance, nearbyStop, nearbyAfter string
	var markers, stopsAfter int
	var nearbyMarkup bool
	var png []byte
	steps := []chromedp.Action[chromedp.Void]{
		signIn(base, "rep1@example.com"),
		chromedp.WaitVisible("#user-name"),
		chromedp.Navigate(base + "/#/routes"),
		chromedp.WaitVisible(fmt.Sprintf(`#plan-accounts input[data-account="%d"]`, ids[3])),
	}
	steps = append(steps, clicks...)
	steps = append(steps,
		into(&count, chromedp.Text("#plan-selected-count")),
		chromedp.Click("#plan-submit"),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('.route-card .route-stop').length === 4`, chromedp.WithPollingTimeout(30*time.Second))),
		into(&firstTime, chromedp.Text(".route-card .route-stop .route-time")),
		into(&names, chromedp.Text(".route-card .route-stops")),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('.route-marker').length >= 5`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&markers, chromedp.Evaluate[int](`document.querySelectorAll('.route-marker:not(.route-marker-home)').length`)),
		into(&gpx, chromedp.Evaluate[string](`fetch(document.querySelector('#plan-gpx').href).then((r) => r.text())`, chromedp.EvalAwaitPromise)),
		into(&order1, chromedp.Evaluate[string](stopOrder)),
		// Move the first stop down one place and keep that order.
		chromedp.Click(".route-card .route-stop .route-down"),
		into(&order2, chromedp.Evaluate[string](stopOrder)),
		chromedp.Click("#plan-save-order"),
		ignore(chromedp.Poll[bool](`document.querySelector('#plan-save-order') && document.querySelector('#plan-save-order').disabled`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&order3, chromedp.Evaluate[string](stopOrder)),
		// Lock the (new) first stop and re-optimise the rest.
		chromedp.Click(".route-card .route-stop .route-lock"),
		chromedp.Click("#plan-reoptimize"),
		ignore(chromedp.Poll[bool](`(() => { const r = document.querySelector('.route-card .route-stop'); return !!r && r.querySelector('.route-lock').checked && document.querySelector('#plan-save-order').disabled })()`, chromedp.WithPollingTimeout(30*time.Second))),
		into(&lockedFirst, chromedp.Evaluate[string](`document.querySelector('.route-card .route-stop').dataset.account`)),
		// While you're there: the prospect near the stops, as text.
		chromedp.WaitVisible(`#plan-nearby[data-state="loaded"] .route-nearby-item`),
		into(&nearbyNames, chromedp.Evaluate[string](`[...document.querySelectorAll('#plan-nearby .route-nearby-item .routes-name')].map((e) => e.textContent).join('|')`)),
		into(&nearbyMarkup, chromedp.Evaluate[bool](`document.querySelector('#plan-nearby .route-nearby-item i') !== null`)),
		into(&nearbyDistance, chromedp.Text("#plan-nearby .route-nearby-distance")),
		into(&nearbyStop, chromedp.Text("#plan-nearby .route-nearby-stop")),
		chromedp.Sleep(500*time.Millisecond),
		into(&png, chromedp.CaptureScreenshot()),
		// Add it: the day is re-planned with it as a fifth stop.
		chromedp.Click("#plan-nearby .route-nearby-add"),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('.route-card .route-stop').length === 5 && document.querySelector('#plan-nearby[data-state="loaded"]') !== null`, chromedp.WithPollingTimeout(30*time.Second))),
		into(&stopsAfter, chromedp.Evaluate[int](`document.querySelectorAll('.route-card .route-stop').length`)),
		into(&nearbyAfter, chromedp.Text("#plan-nearby .route-nearby-list")),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotDir(t), "routes-rep.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if !strings.Contains(count, "4") {
		t.Errorf("selected count = %q, want 4", count)
	}
	if !strings.Contains(firstTime, "arrive ") || !strings.ContainsAny(firstTime, "0123456789") {
		t.Errorf("first stop time = %q, want an arrival time", firstTime)
	}
	if !strings.Contains(names, "Stop <b>D</b>") {
		t.Errorf("stop names = %q, want the markup shown as text", names)
	}
	if markers != 4 {
		t.Errorf("numbered stop markers on the map = %d, want 4", markers)
	}
	if !strings.Contains(gpx, `<gpx version="1.1"`) || strings.Count(gpx, "<wpt ") != 4 {
		t.Errorf("GPX export = %.200q…, want GPX 1.1 with 4 waypoints", gpx)
	}
	o1 := strings.Split(order1, ",")
	want2 := append([]string{o1[1], o1[0]}, o1[2:]...)
	if order2 != strings.Join(want2, ",") {
		t.Errorf("after moving the first stop down: %s, want %s", order2, strings.Join(want2, ","))
	}
	if order3 != order2 {
		t.Errorf("the server's order after saving = %s, want the order chosen %s", order3, order2)
	}
	if lockedFirst != want2[0] {
		t.Errorf("after re-optimising, the first stop is account %s, want the locked %s", lockedFirst, want2[0])
	}
	if nearbyNames != "<i>Near</i> prospect" || nearbyMarkup {
		t.Errorf("while you're there = %q (markup as elements: %v), want only the prospect, its name as text", nearbyNames, nearbyMarkup)
	}
	if !strings.HasSuffix(nearbyDistance, " m") || !strings.HasPrefix(nearbyStop, "Stop ") {
		t.Errorf("prospect distance %q from stop %q, want metres from one of the stops", nearbyDistance, nearbyStop)
	}
	if stopsAfter != 5 || strings.Contains(nearbyAfter, "Near") {
		t.Errorf("after adding the prospect: %d stops, nearby list %q; want 5 stops and the prospect gone from the list", stopsAfter, nearbyAfter)
	}
	// The stored plans agree: the first, and the one re-planned with the
	// prospect.
	code, l := f.do(t, "rep1", "GET", "/api/v1/routes", nil)
	if code != 200 || l["total"] != float64(2) {
		t.Errorf("plans stored = %d %v, want 2", code, l)
	}
}

// TestBrowserRouteLasso draws a lasso around the accounts on the route
// planner's map and checks they are picked: every account the map shows
// inside the ring, and only those.
func TestBrowserRouteLasso(t *testing.T) {
	ctx := browserFor(t, 90*time.Second)
	f := newFixture(t)
	f.setHome(t, "rep1", geo.Point{Lon: 2.5, Lat: 2.45})
	for i := 0; i < 5; i++ {
		a := &account.Account{Name: fmt.Sprintf("Lasso %d", i), OwnerID: f.users["rep1"].ID, Location: &geo.Point{Lon: 2.5 + 0.01*float64(i), Lat: 2.5 + 0.005*float64(i%2)}}
		if err := f.svc.CreateAccount(context.Background(), auth.System, a); err != nil {
			t.Fatal(err)
		}
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})
	base := f.srv.URL
	var box struct{ Left, Top, Width, Height float64 }
	err := chromedp.Do(ctx,
		signIn(base, "rep1@example.com"),
		chromedp.WaitVisible("#user-name"),
		chromedp.Navigate(base+"/#/routes"),
		chromedp.WaitReady("#routes-map canvas"),
		// The map has drawn its candidate accounts (it fits the view to them).
		ignore(chromedp.Poll[bool](`document.querySelectorAll('#plan-accounts input[data-account]').length >= 5`, chromedp.WithPollingTimeout(20*time.Second))),
		chromedp.Sleep(1500*time.Millisecond),
		into(&box, chromedp.Evaluate[struct{ Left, Top, Width, Height float64 }](
			`(() => { const r = document.querySelector('#routes-map').getBoundingClientRect(); return {Left: r.left, Top: r.top, Width: r.width, Height: r.height} })()`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// A ring just inside the map's edges: every account drawn is inside.
	at := func(fx, fy float64) (float64, float64) { return box.Left + fx*box.Width, box.Top + fy*box.Height }
	ring := [][2]float64{{0.03, 0.03}, {0.5, 0.02}, {0.97, 0.03}, {0.97, 0.5}, {0.97, 0.97}, {0.5, 0.97}, {0.03, 0.97}, {0.03, 0.5}}
	x0, y0 := at(ring[0][0], ring[0][1])
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Click("#plan-lasso"),
		ignore(chromedp.Poll[bool](`document.querySelector('#plan-lasso').getAttribute('aria-pressed') === 'true'`, chromedp.WithPollingTimeout(5*time.Second))),
		chromedp.MouseEvent(chromedp.MouseMoved, x0, y0),
		chromedp.MouseEvent(chromedp.MousePressed, x0, y0, chromedp.ButtonLeft),
	}
	for _, p := range ring[1:] {
		x, y := at(p[0], p[1])
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, x, y, chromedp.ButtonLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, x0, y0, chromedp.ButtonLeft))
	var count string
	var onMap, checked int
	steps = append(steps,
		ignore(chromedp.Poll[bool](`!/^0 /.test(document.querySelector('#plan-selected-count').textContent)`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&count, chromedp.Text("#plan-selected-count")),
		into(&checked, chromedp.Evaluate[int](`document.querySelectorAll('#plan-accounts input[data-account]:checked').length`)),
		into(&onMap, chromedp.Evaluate[int](`document.querySelectorAll('#plan-accounts input[data-account]').length`)),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("lasso: %v", err)
	}
	t.Logf("lasso: %q, %d of %d accounts ticked", count, checked, onMap)
	if checked < 5 || !strings.HasPrefix(count, fmt.Sprint(checked)) {
		t.Errorf("after the lasso: count %q, %d ticked; want every one of the %d accounts on the map", count, checked, onMap)
	}
}
