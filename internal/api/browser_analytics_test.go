package api_test

import (
	"context"
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
