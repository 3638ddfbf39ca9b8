package api_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/visit"
	"github.com/meridian-crm/meridian/internal/web"
)

// TestBrowserJourneyEditor opens the car-purchase journey in the editor,
// types a new thought into one cell, saves, and sees version 2 in the
// versions list and in what changed; the live figures and touchpoint chips
// show, and hostile text stays text.
func TestBrowserJourneyEditor(t *testing.T) {
	ctx := browserFor(t, 90*time.Second)
	f := newFixture(t)
	bg := context.Background()
	manager := &auth.Actor{User: f.users["manager"]}
	doc, err := f.svc.JourneyFromTemplate(manager, "car_purchase")
	if err != nil {
		t.Fatal(err)
	}
	doc.Stages[0].Thoughts = append(doc.Stages[0].Thoughts, `<img src=x onerror="document.title='pwned'">`)
	j, err := f.svc.CreateJourney(bg, manager, doc)
	if err != nil {
		t.Fatal(err)
	}
	// Two accounts enter Discovery, one of them goes on to Comparing.
	at := time.Now().Add(-48 * time.Hour)
	ins := []*visit.Interaction{
		{AccountID: f.ids["W1"], At: at, Channel: "web", Type: "web_visit", Source: "import", Properties: map[string]string{}},
		{AccountID: f.ids["E1"], At: at, Channel: "web", Type: "web_visit", Source: "import", Properties: map[string]string{}},
		{AccountID: f.ids["W1"], At: at.Add(time.Hour), Channel: "web", Type: "configurator", Source: "import", Properties: map[string]string{}},
	}
	if err := f.svc.Store.ImportInteractions(bg, func(im visit.Importer) error { return im.Insert(bg, ins) }); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})

	cell := `#journey-grid tr[data-lane="thoughts"] td[data-stage="2"] textarea`
	var listText, header, stageNames, chips, status, versions, changes, title string
	var imgs int
	var png []byte
	err = chromedp.Do(ctx,
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#user-name"),
		chromedp.Navigate(f.srv.URL+"/#/journeys"),
		chromedp.WaitVisible("#journeys-table"),
		ignore(chromedp.Poll[bool](`document.querySelector('#journeys-table').textContent.includes('Family car purchase')`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&listText, chromedp.Text("#journeys-table")),
		chromedp.Click(`#journeys-table a`),
		chromedp.WaitVisible(cell),
		ignore(chromedp.Poll[bool](`!!document.querySelector('.jm-figures .jm-accounts')`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&header, chromedp.Text(`#journey-grid thead`)),
		into(&stageNames, chromedp.Evaluate[string](`[...document.querySelectorAll('#journey-grid .jm-stage-name')].map((i) => i.value).join('|')`)),
		into(&chips, chromedp.Text(`#journey-grid tr[data-lane="touchpoints"]`)),
		ignore(chromedp.Evaluate[bool](`(() => { const t = document.querySelector('`+cell+`'); t.focus(); t.setSelectionRange(t.value.length, t.value.length); return true })()`)),
		chromedp.SendKeys(cell, kb.Enter+"Is the boot big enough?"),
		chromedp.Click("#journey-save"),
		ignore(chromedp.Poll[bool](`document.querySelector('#journey-status').textContent.includes('version 2')`, chromedp.WithPollingTimeout(10*time.Second))),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('#journey-versions li').length === 2`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&status, chromedp.Text("#journey-status")),
		into(&versions, chromedp.Text("#journey-versions")),
		chromedp.Click("#diff-show"),
		ignore(chromedp.Poll[bool](`document.querySelectorAll('#journey-changes li').length > 0`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&changes, chromedp.Text("#journey-changes")),
		into(&imgs, chromedp.Evaluate[int](`document.querySelectorAll('#journey-grid img').length`)),
		into(&title, chromedp.Title()),
		into(&png, chromedp.CaptureScreenshot()),
	)
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(screenshotDir(t), "journey-editor.png"), png, 0o644)
	if !strings.Contains(listText, "Growing family") {
		t.Errorf("journey list = %q", listText)
	}
	if stageNames != "Discovery|Comparing|Considering|Purchase|Post-Purchase" {
		t.Errorf("stage names = %q", stageNames)
	}
	for _, want := range []string{"2 accounts", "1 accounts", "50% from previous", "median 1 h"} {
		if !strings.Contains(header, want) {
			t.Errorf("stage header lacks %q: %q", want, header)
		}
	}
	if !strings.Contains(chips, "Online configurator") {
		t.Errorf("touchpoint chips = %q", chips)
	}
	if !strings.Contains(status, "version 2") || !strings.Contains(versions, "v2") || !strings.Contains(versions, "manager@example.com") {
		t.Errorf("after save: status %q, versions %q", status, versions)
	}
	if !strings.Contains(changes, `Considering: thoughts: added "Is the boot big enough?"`) {
		t.Errorf("changes v1 → v2 = %q", changes)
	}
	if imgs != 0 || title == "pwned" {
		t.Errorf("hostile thought became markup (%d img, title %q)", imgs, title)
	}
	saved, err := f.svc.GetJourney(bg, manager, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Version != 2 || strings.Join(saved.Document.Stages[2].Thoughts, "|") != "Will the salesperson pressure us?|Can we trade in the old car?|Is the boot big enough?" {
		t.Errorf("stored version %d, Considering thoughts %q", saved.Version, saved.Document.Stages[2].Thoughts)
	}
}
