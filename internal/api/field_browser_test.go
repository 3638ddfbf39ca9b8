package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/visit"
	"github.com/meridian-crm/meridian/internal/web"
)

// TestBrowserCheckInAndLeaderboard: on the map a manager opens an account,
// sees its stored notes as text, checks in through the drawer's form with
// notes full of markup and sees them in the timeline as text; the check-in
// is stored; a rep's name full of markup is shown as text on the
// leaderboard.
func TestBrowserCheckInAndLeaderboard(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	bg := context.Background()
	evil := `<img src=x id=pwn-name>Rep One`
	if _, err := f.svc.UpdateUser(bg, auth.System, f.users["rep1"].ID, app.UserPatch{Name: &evil}); err != nil {
		t.Fatal(err)
	}
	actor, _ := f.svc.Actor(bg, f.users["rep1"])
	notes := `<b id=pwn-notes>bold</b> & more`
	if err := f.svc.CreateInteraction(bg, actor, &visit.Interaction{AccountID: f.ids["W1"], At: time.Now().Add(-time.Hour), Channel: "visit", Outcome: "sale", Notes: notes}); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})

	newNotes := `<img src=x id=pwn-new onerror="document.title='pwned'"> gate code 42`
	var board, timelineBefore, timelineAfter string
	var pwned, pwned2 bool
	err := chromedp.Do(ctx,
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#map"),
		// The list is redrawn as the map settles, so click it from the page
		// in one step rather than find a node and click it later.
		ignore(chromedp.Poll[bool](fmt.Sprintf(`(() => { const b = document.querySelector('#view-list .view-item[data-id="%d"]'); if (!b) return false; b.click(); return true })()`, f.ids["W1"]),
			chromedp.WithPollingTimeout(20*time.Second))),
		chromedp.WaitVisible("#account-timeline"),
		into(&timelineBefore, chromedp.Text("#account-timeline")),
		chromedp.WaitVisible("#checkin-form"),
		ignore(chromedp.Poll[bool](`document.querySelector('#checkin-outcome').options.length > 1`, chromedp.WithPollingTimeout(10*time.Second))),
		chromedp.SetValue("#checkin-outcome", "follow_up"),
		chromedp.SendKeys("#checkin-notes", newNotes),
		ignore(chromedp.Evaluate[bool](`(() => { document.querySelector('#checkin-location').checked = false; return true })()`)),
		chromedp.Click(`#checkin-form button[type="submit"]`),
		ignore(chromedp.Poll[bool](fmt.Sprintf(`(() => { const t = document.querySelector('#account-timeline'); return !!t && t.textContent.includes(%q) })()`, newNotes), chromedp.WithPollingTimeout(15*time.Second))),
		into(&timelineAfter, chromedp.Text("#account-timeline")),
		into(&pwned, chromedp.Evaluate[bool](`!!document.querySelector('#pwn-name, #pwn-notes, #pwn-new')`)),
		chromedp.Navigate(f.srv.URL+"/#/leaderboard"),
		chromedp.WaitVisible("#leaderboard"),
		into(&board, chromedp.Text("#leaderboard")),
		into(&pwned2, chromedp.Evaluate[bool](`!!document.querySelector('#pwn-name')`)),
	)
	pwned = pwned || pwned2
	if err != nil {
		var list string
		_ = chromedp.Do(ctx, into(&list, chromedp.Evaluate[string](`document.querySelector('#main').innerText.slice(0, 600)`)))
		t.Fatalf("%v; page: %s", err, list)
	}
	if !strings.Contains(timelineBefore, notes) {
		t.Errorf("timeline %q does not show the stored notes as text", timelineBefore)
	}
	if !strings.Contains(timelineAfter, newNotes) {
		t.Errorf("timeline after the check-in %q does not show the new notes as text", timelineAfter)
	}
	list, err := f.svc.ListInteractions(bg, auth.System, f.ids["W1"], visit.Page{})
	if err != nil {
		t.Fatal(err)
	}
	stored := false
	for _, in := range list.Items {
		stored = stored || (in.Notes == newNotes && in.Outcome == "follow_up" && in.Channel == "visit")
	}
	if !stored {
		t.Errorf("the check-in from the form is not stored: %+v", list.Items)
	}
	if !strings.Contains(board, evil) {
		t.Errorf("leaderboard text %q does not show the rep's name as text", board)
	}
	if pwned {
		t.Error("markup from a name or notes became an element")
	}
}
