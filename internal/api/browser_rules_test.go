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
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/web"
)

// TestBrowserInboxAndOverlays: a rule's notifications show in the header's
// inbox with an unread badge (hostile names as text), "Mark all read"
// clears the badge, and on the map an overlay's "only accounts inside"
// choice narrows the accounts in view.
func TestBrowserInboxAndOverlays(t *testing.T) {
	ctx := browserFor(t, 90*time.Second)
	f := newFixture(t)
	bg := context.Background()
	f.svc.Now = func() time.Time { return time.Now().Add(40 * 24 * time.Hour) }
	evil := &account.Account{Name: `<img src=x onerror="document.title='pwned'">`, Location: &geo.Point{Lon: 3.5, Lat: 3.5}}
	if err := f.svc.CreateAccount(bg, auth.System, evil); err != nil {
		t.Fatal(err)
	}
	manager := &auth.Actor{User: f.users["manager"]}
	rule := &rules.Rule{Name: `Lapsed <b>west</b>`, Kind: rules.NotVisited, Days: 30, TerritoryID: f.terrs["West"].ID, Enabled: true, Notify: rules.Notify{Inbox: true}}
	if err := f.svc.CreateRule(bg, manager, rule); err != nil {
		t.Fatal(err)
	}
	run, err := f.svc.RunRules(bg, manager)
	if err != nil {
		t.Fatal(err)
	}
	if run.Notified != 3 { // W1, W2 (rep2's) and the hostile one
		t.Fatalf("rules notified %d, want 3", run.Notified)
	}
	// Around W1 (1, 1) only.
	o, err := f.svc.CreateOverlay(bg, manager, "", []byte(`{"type":"FeatureCollection","name":"Storm <i>1</i>","features":[
		{"type":"Feature","properties":{"severity":4,"date":"2025-06-01"},"geometry":{"type":"Polygon","coordinates":[[[0.5,0.5],[1.5,0.5],[1.5,1.5],[0.5,1.5],[0.5,0.5]]]}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})

	var badge, inbox, title, badgeAfter, overlayList, listText, hash string
	var png []byte
	err = chromedp.Do(ctx,
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#inbox-badge"),
		into(&badge, chromedp.Text("#inbox-badge")),
		chromedp.Click("#inbox-button"),
		chromedp.WaitVisible("#inbox-panel"),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('#inbox-list .inbox-item').length === 2`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&inbox, chromedp.Text("#inbox-list")),
		chromedp.Click("#inbox-read-all"),
		ignore(chromedp.Poll[bool](`document.querySelector('#inbox-badge').hidden`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&badgeAfter, chromedp.Text("#inbox-badge")),
		into(&title, chromedp.Title()),

		chromedp.Navigate(f.srv.URL+"/#/map"),
		chromedp.WaitReady("#map canvas"),
		chromedp.WaitVisible("#overlay-tools"),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`!!document.querySelector('#overlay-only-%d')`, o.ID), chromedp.WithPollingTimeout(15*time.Second))),
		ignore(chromedp.Poll[bool](`document.querySelector('#view-list').textContent.includes('Account W2')`, chromedp.WithPollingTimeout(20*time.Second))),
		chromedp.Click("#overlay-tools summary"),
		into(&overlayList, chromedp.Text("#overlay-list")),
		chromedp.Click(fmt.Sprintf("#overlay-only-%d", o.ID)),
		ignore(chromedp.Poll[bool](`(() => { const t = document.querySelector('#view-list').textContent; return t.includes('Account W1') && !t.includes('Account W2') })()`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&listText, chromedp.Text("#view-list")),
		into(&hash, chromedp.Evaluate[string](`location.hash`)),
		chromedp.Sleep(500*time.Millisecond),
		into(&png, chromedp.CaptureScreenshot()),
	)
	if err != nil {
		t.Fatal(err)
	}
	if badge != "2" {
		t.Errorf("unread badge = %q, want 2 (W1 and the hostile account are the manager's)", badge)
	}
	if !strings.Contains(inbox, `<img src=x`) || !strings.Contains(inbox, "Lapsed <b>west</b>") || title == "pwned" {
		t.Errorf("inbox did not show user text as text (title %q): %q", title, inbox)
	}
	if badgeAfter != "" {
		t.Errorf("badge after Mark all read = %q, want empty", badgeAfter)
	}
	if !strings.Contains(overlayList, "Storm <i>1</i>") {
		t.Errorf("overlay list = %q, want the overlay's name as text", overlayList)
	}
	if !strings.Contains(listText, "Account W1") || strings.Contains(listText, "Account E1") {
		t.Errorf("accounts in view inside the overlay = %q, want W1 only", listText)
	}
	if !strings.Contains(hash, fmt.Sprintf("overlay=%d", o.ID)) {
		t.Errorf("address %q does not keep the overlay filter", hash)
	}
	path := filepath.Join(screenshotDir(t), "map-overlay.png")
	if err := os.WriteFile(path, png, 0o644); err == nil {
		t.Logf("screenshot: %s", path)
	}
}
