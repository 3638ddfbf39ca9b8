package api_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/demo"
)

// TestBrowserFunnelDropOffToMap opens the analytics page on the demo
// company as a manager, clicks the drop-off of the funnel's third step and
// checks that the map opens with exactly those accounts.
func TestBrowserFunnelDropOffToMap(t *testing.T) {
	d := newDemoServer(t)
	ctx := demoBrowser(t)

	// What the page's default funnel should find, from the service.
	want, err := d.svc.Funnel(context.Background(), auth.System, app.FunnelRequest{
		Steps: []string{"stage=first_contact", "stage=research", "stage=demo", "stage=quote", "stage=sale"}, Window: "90d", DropOffStep: 3})
	if err != nil {
		t.Fatal(err)
	}
	dropped := want.Steps[2].DroppedOff
	if dropped == 0 || len(want.DropOffAccounts) != dropped {
		t.Fatalf("demo funnel: %d dropped off after step 3, %d ids; want some", dropped, len(want.DropOffAccounts))
	}

	var label, hash, shown string
	err = chromedp.Do(ctx, chromedp.Steps(
		signInForTest(d.srv.URL, demoManager, demo.ManagerPassword),
		chromedp.Navigate(d.srv.URL+"/#/analytics"),
		chromedp.WaitVisible("#dropoff-3"),
		into(&label, chromedp.Text("#dropoff-3")),
		chromedp.Click("#dropoff-3"),
		ignore(chromedp.Poll[bool](`location.hash.includes('selection=')`, chromedp.WithPollingTimeout(30*time.Second))),
		chromedp.WaitVisible("#map"),
		into(&hash, chromedp.Evaluate[string](`location.hash`)),
		// The map's accounts, through its own filter: the list's total.
		into(&shown, chromedp.Poll[string](`(() => {
			const sel = new URLSearchParams(location.hash.split('?')[1] || '').get('selection');
			if (!sel) return '';
			if (!window.__selTotal) {
				window.__selTotal = 'pending';
				fetch('/api/v1/accounts?limit=1&selection=' + encodeURIComponent(sel)).then((r) => r.json()).then((p) => { window.__selTotal = String(p.total); });
			}
			return window.__selTotal === 'pending' ? '' : window.__selTotal;
		})()`, chromedp.WithPollingTimeout(30*time.Second))),
	))
	if err != nil {
		t.Fatalf("%v (button %q, hash %q)", err, label, hash)
	}
	if !strings.Contains(label, strconv.Itoa(dropped)+" dropped off") {
		t.Errorf("drop-off button = %q, want it to name %d accounts", label, dropped)
	}
	if !strings.HasPrefix(hash, "#/map?selection=") {
		t.Errorf("after the click the address is %q, want the map with a selection", hash)
	}
	if shown != strconv.Itoa(dropped) {
		t.Errorf("the map's selection holds %s accounts, want %d", shown, dropped)
	}
	// The map's metrics for the view count only selected accounts.
	var metrics string
	if err := chromedp.Do(ctx, settled(&metrics)); err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(strings.ReplaceAll(metrics, ",", ""))
	if n <= 0 || n > dropped {
		t.Errorf("map metrics show %q accounts, want between 1 and %d (the selection, within the view)", metrics, dropped)
	}
}

// TestBrowserFunnelByStepOnMap runs the analytics page's default funnel on
// the demo company, clicks "Show on map by step" and checks that the map
// shows the accounts that entered the funnel, its legend lists the steps
// and the pins carry their furthest step. A group label with markup shows
// as text.
func TestBrowserFunnelByStepOnMap(t *testing.T) {
	d := newDemoServer(t)
	ctx := demoBrowser(t)
	bg := context.Background()

	steps := []string{"stage=first_contact", "stage=research", "stage=demo", "stage=quote", "stage=sale"}
	want, err := d.svc.Funnel(bg, auth.System, app.FunnelRequest{Steps: steps, Window: "90d", MapSelection: true})
	if err != nil {
		t.Fatal(err)
	}
	if want.Selection == nil || want.Selection.Accounts != want.Steps[0].Accounts || len(want.Selection.Groups) != len(steps) {
		t.Fatalf("demo funnel map selection = %+v, want the %d accounts of step 1 in %d groups", want.Selection, want.Steps[0].Accounts, len(steps))
	}
	var labels []string
	for _, g := range want.Selection.Groups {
		labels = append(labels, g.Label)
	}

	var hash, total string
	var legend []string
	err = chromedp.Do(ctx, chromedp.Steps(
		signInForTest(d.srv.URL, demoManager, demo.ManagerPassword),
		chromedp.Navigate(d.srv.URL+"/#/analytics"),
		chromedp.WaitVisible("#funnel-map"),
		chromedp.Click("#funnel-map"),
		ignore(chromedp.Poll[bool](`location.hash.includes('color=selection')`, chromedp.WithPollingTimeout(30*time.Second))),
		chromedp.WaitVisible("#map"),
		into(&hash, chromedp.Evaluate[string](`location.hash`)),
		// The legend, once the selection's groups are in it.
		into(&legend, chromedp.Poll[[]string](`(() => {
			const items = [...document.querySelectorAll('#map-legend .legend-item')].map((li) => li.textContent);
			return items.length && items[0].includes(' · ') ? items : null;
		})()`, chromedp.WithPollingTimeout(30*time.Second))),
		// The selection's accounts, through the map's own filter.
		into(&total, chromedp.Poll[string](`(() => {
			const sel = new URLSearchParams(location.hash.split('?')[1] || '').get('selection');
			if (!sel) return '';
			if (!window.__selTotal) {
				window.__selTotal = 'pending';
				fetch('/api/v1/accounts?limit=1&selection=' + encodeURIComponent(sel)).then((r) => r.json()).then((p) => { window.__selTotal = String(p.total); });
			}
			return window.__selTotal === 'pending' ? '' : window.__selTotal;
		})()`, chromedp.WithPollingTimeout(30*time.Second))),
	))
	if err != nil {
		t.Fatalf("%v (hash %q, legend %q)", err, hash, legend)
	}
	if !strings.HasPrefix(hash, "#/map?selection=") {
		t.Errorf("after the click the address is %q, want the map with a selection", hash)
	}
	if len(legend) != len(labels) {
		t.Fatalf("legend = %q, want the %d steps %q", legend, len(labels), labels)
	}
	for i, l := range labels {
		if !strings.HasPrefix(legend[i], l+" (") {
			t.Errorf("legend item %d = %q, want step %q with its count", i+1, legend[i], l)
		}
	}
	if total != strconv.Itoa(want.Selection.Accounts) {
		t.Errorf("the map's selection holds %s accounts, want %d", total, want.Selection.Accounts)
	}
	var metrics string
	if err := chromedp.Do(ctx, settled(&metrics)); err != nil {
		t.Fatal(err)
	}
	if n := number(t, metrics); n <= 0 || n > want.Selection.Accounts {
		t.Errorf("map metrics show %q accounts, want between 1 and %d (the selection, within the view)", metrics, want.Selection.Accounts)
	}

	// Closer, the pins are single accounts coloured by their step.
	sel, err := d.svc.GetSelection(bg, auth.System, strings.TrimPrefix(strings.SplitN(hash, "&", 2)[0], "#/map?selection="))
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.svc.GetAccount(bg, auth.System, sel.IDs[len(sel.IDs)/2])
	if err != nil || a.Location == nil {
		t.Fatalf("an account of the selection: %v, %v", a, err)
	}
	var pins []string
	err = chromedp.Do(ctx, chromedp.Steps(
		jumpTo(a.Location.Lon, a.Location.Lat, 14, &metrics),
		into(&pins, chromedp.Evaluate[[]string](`window.__meridianMap.querySourceFeatures('accounts', {sourceLayer: 'accounts'})
			.filter((f) => f.properties.point_count == null).map((f) => String(f.properties.color))`)),
	))
	if err != nil {
		t.Fatal(err)
	}
	if len(pins) == 0 {
		t.Fatalf("no single account drawn at zoom 14 around %s", a.Name)
	}
	t.Logf("legend %q; %d pins at zoom 14", legend, len(pins))
	shot(t, ctx, screenshotDir(t), "funnel-by-step.png")
	for _, p := range pins {
		if !slices.Contains(labels, p) {
			t.Errorf("a pin is coloured by %q, want one of the steps %q", p, labels)
			break
		}
	}

	// Segments open the same way, one legend entry per segment.
	var segLegend []string
	err = chromedp.Do(ctx, chromedp.Steps(
		chromedp.Navigate(d.srv.URL+"/#/analytics"),
		chromedp.WaitVisible("#seg-conversion"),
		chromedp.Click(`#segments button[type="submit"]`),
		chromedp.WaitVisible("#segments-map"),
		chromedp.Click("#segments-map"),
		chromedp.WaitVisible("#map"),
		into(&segLegend, chromedp.Poll[[]string](`(() => {
			const items = [...document.querySelectorAll('#map-legend .legend-item')].map((li) => li.textContent);
			return items.length && items[0].startsWith('Segment ') ? items : null;
		})()`, chromedp.WithPollingTimeout(60*time.Second))),
	))
	if err != nil {
		t.Fatalf("segments on the map: %v (legend %q)", err, segLegend)
	}
	t.Logf("segments legend %q", segLegend)
	if len(segLegend) < 2 {
		t.Errorf("segments legend = %q, want a segment each", segLegend)
	}

	// A group label is text: markup in it shows as typed and never runs.
	hostile, err := d.svc.SaveGroupedSelection(bg, auth.System, hostileName, []app.GroupInput{{Label: hostileName, IDs: sel.IDs[:10]}})
	if err != nil {
		t.Fatal(err)
	}
	var shown string
	var imgs, alerts int
	err = chromedp.Do(ctx, chromedp.Steps(
		chromedp.Navigate(d.srv.URL+"/#/map?color=selection&selection="+hostile.ID),
		into(&shown, chromedp.Poll[string](`(() => {
			const t = document.querySelector('#map-legend') && document.querySelector('#map-legend').textContent;
			return t && t.includes('(10)') ? t : '';
		})()`, chromedp.WithPollingTimeout(30*time.Second))),
		into(&imgs, chromedp.Evaluate[int](`document.querySelectorAll('#map-legend img').length`)),
		into(&alerts, chromedp.Evaluate[int](`window.__alerts || 0`)),
	))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(shown, hostileName) || imgs != 0 || alerts != 0 {
		t.Errorf("hostile group label: legend %q, %d img elements, %d alerts; want the markup as text", shown, imgs, alerts)
	}
}
