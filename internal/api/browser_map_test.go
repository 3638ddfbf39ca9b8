package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
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
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#map"),
		chromedp.WaitReady("#map canvas"),
		ignore(chromedp.Poll[bool](`(() => { const e = document.querySelector('#metrics-accounts'); return !!e && /[0-9]/.test(e.textContent) })()`, chromedp.WithPollingTimeout(20*time.Second))),
		into(&metrics, chromedp.Text("#metrics-panel")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The metrics panel may fill before the map has loaded its style and
	// asked for tiles (software WebGL is slow): wait for the tiles.
	for deadline := time.Now().Add(20 * time.Second); tileRequests.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	if err := chromedp.Do(ctx, chromedp.Sleep(500*time.Millisecond), into(&png, chromedp.CaptureScreenshot())); err != nil {
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

// TestBrowserSatellite turns on the satellite layer and checks the map asks
// the configured imagery source for tiles.
func TestBrowserSatellite(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	var satRequests atomic.Int64
	// A 1×1 transparent PNG stands in for the imagery.
	png1 := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	h := api.New(f.svc, nil, api.Options{UI: web.Handler(), Map: api.MapConfig{SatelliteURL: f.srv.URL + "/sat/{z}/{x}/{y}.png"}})
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/sat/") {
			satRequests.Add(1)
			w.Header().Set("Content-Type", "image/png")
			w.Write(png1)
			return
		}
		h.ServeHTTP(w, r)
	})
	var pressed chromedp.AttributeResult
	err := chromedp.Do(ctx,
		signIn(f.srv.URL, "rep1@example.com"),
		chromedp.WaitVisible("#toggle-satellite"),
		chromedp.Click("#toggle-satellite"),
		ignore(chromedp.Poll[bool](`document.querySelector('#toggle-satellite').getAttribute('aria-pressed') === 'true'`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&pressed, chromedp.AttributeValue("#toggle-satellite", "aria-pressed")),
	)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for satRequests.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if satRequests.Load() == 0 {
		t.Errorf("satellite on (aria-pressed %q) but no imagery tile was requested", pressed.Value)
	}
}

// TestBrowserTagAndCustomFilter narrows the map to a tag, then to a custom
// field's value, through the filter box.
func TestBrowserTagAndCustomFilter(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	vip := &account.Account{Name: "Tagged", Location: &geo.Point{Lon: 3, Lat: 3}, Tags: []string{"vip"}, Custom: map[string]string{"Industry": "Retail"}}
	if err := f.svc.CreateAccount(context.Background(), auth.System, vip); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})
	metric := func(want string) chromedp.Action[chromedp.Void] {
		return ignore(chromedp.Poll[bool](`document.querySelector('#metrics-accounts').textContent.trim() === '`+want+`'`, chromedp.WithPollingTimeout(15*time.Second)))
	}
	err := chromedp.Do(ctx,
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitVisible("#filter-field"),
		metric("5"), // the four territory accounts and the tagged one are in view
		chromedp.SendKeys("#filter-field", "vip"),
		metric("1"),
		ignore(chromedp.Evaluate[bool](`(() => { const e = document.querySelector('#filter-field'); e.value = 'Industry=Retail'; e.dispatchEvent(new Event('change')); return true })()`)),
		metric("1"),
		ignore(chromedp.Evaluate[bool](`(() => { const e = document.querySelector('#filter-field'); e.value = 'Industry=Mining'; e.dispatchEvent(new Event('change')); return true })()`)),
		metric("0"),
	)
	if err != nil {
		var got string
		_ = chromedp.Do(ctx, into(&got, chromedp.Text("#metrics-accounts")))
		t.Fatalf("%v (metrics show %q)", err, got)
	}
}
