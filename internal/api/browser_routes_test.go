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
