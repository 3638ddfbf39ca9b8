package api_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/web"
)

// screenshotDir is where browser tests save screenshots: MERIDIAN_SCREENSHOTS
// when set (CI keeps them), else the test's temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("MERIDIAN_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestBrowserMap signs in as a manager, lets the map draw the account tiles
// and checks the area metrics panel counts the accounts in view.
func TestBrowserMap(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	var tileRequests atomic.Int64
	h := api.New(f.svc, nil, api.Options{UI: web.Handler()})
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v1/tiles/accounts/") {
			tileRequests.Add(1)
		}
		h.ServeHTTP(w, r)
	})
	var metrics string
	var png []byte
	err := chromedp.Do(ctx,
		chromedp.Navigate(f.srv.URL+"/login"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", "manager@example.com"),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Click("#sign-in"),
		chromedp.WaitVisible("#map"),
		chromedp.WaitReady("#map canvas"),
		ignore(chromedp.Poll[bool](`(() => { const e = document.querySelector('#metrics-accounts'); return !!e && /[0-9]/.test(e.textContent) })()`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&metrics, chromedp.Text("#metrics-panel")),
		chromedp.Sleep(500*time.Millisecond),
		into(&png, chromedp.CaptureScreenshot()),
	)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(screenshotDir(t), "map-manager.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if tileRequests.Load() == 0 {
		t.Errorf("the map requested no account tiles")
	}
	// The fixture's view holds the four accounts of the two territories.
	if !strings.Contains(metrics, "4") {
		t.Errorf("metrics panel = %q, want the 4 accounts in view", metrics)
	}
}
