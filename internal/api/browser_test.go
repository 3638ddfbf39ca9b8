package api_test

import (
	"context"
	"os"
	"os/exec"
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

// chromium finds Debian's headless browser, or skips (fails in CI, where
// MERIDIAN_REQUIRE_CHROMIUM is set and a skip would hide a broken UI).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MERIDIAN_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("MERIDIAN_REQUIRE_CHROMIUM") != "" {
		t.Fatal("MERIDIAN_REQUIRE_CHROMIUM is set but no chromium is installed")
	}
	t.Skip("browser tests skipped: install Debian's chromium to run them")
	return ""
}

// into runs a value-returning action as a step, storing its value in dst.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

// ignore runs a value-returning action as a step, dropping its value.
func ignore[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	var v T
	return into(&v, a)
}

// signIn opens the sign-in page of the server at base and signs in with the
// fixture's password.
func signIn(base, email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible("#email"),
		chromedp.SendKeys("#email", email),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Click("#sign-in"),
	)
}

// browser starts a headless Chromium for one test, for at most a minute.
func browser(t *testing.T) context.Context {
	t.Helper()
	return browserFor(t, 60*time.Second)
}

// browserFor starts a headless Chromium whose session lasts at most limit.
func browserFor(t *testing.T, limit time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("use-angle", "swiftshader"),
		chromedp.Flag("enable-unsafe-swiftshader", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, limit)
	t.Cleanup(cancel3)
	return ctx
}

func TestBrowserSignInAndAccounts(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	// A hostile account name must show as text, never run.
	evil := &account.Account{Name: `<img src=x onerror="document.title='pwned'">`, Location: &geo.Point{Lon: 1.5, Lat: 1.5}}
	if err := f.svc.CreateAccount(context.Background(), auth.System, evil); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})
	base := f.srv.URL

	var userName, total, title, tableText, errText string
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible("#email"), // not signed in: sent to the login page
		chromedp.SendKeys("#email", "rep1@example.com"),
		chromedp.SendKeys("#password", "wrong password!"),
		chromedp.Click("#sign-in"),
		chromedp.WaitVisible("#login-error"),
		into(&errText, chromedp.Text("#login-error")),
		ignore(chromedp.Evaluate[bool](`document.querySelector('#password').value = ''; true`)),
		chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.Click("#sign-in"),
		chromedp.WaitVisible("#user-name"),
		into(&userName, chromedp.Text("#user-name")),
		chromedp.Navigate(base+"/#/accounts"),
		chromedp.WaitVisible("#accounts-total"),
		ignore(chromedp.Poll[bool](`document.querySelector('#accounts-total').textContent.includes('4')`, chromedp.WithPollingTimeout(10*time.Second))),
		into(&total, chromedp.Text("#accounts-total")),
		into(&tableText, chromedp.Text("#accounts-table")),
		into(&title, chromedp.Title()),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(errText), "wrong email or password") {
		t.Errorf("login error shown = %q", errText)
	}
	if !strings.Contains(userName, "REP1") {
		t.Errorf("user name shown = %q, want REP1", userName)
	}
	// rep1 sees W1, W2, E2 and the new account in West: 4.
	if !strings.Contains(total, "4") {
		t.Errorf("accounts total shown = %q, want 4", total)
	}
	if !strings.Contains(tableText, "<img src=x") || title == "pwned" {
		t.Errorf("hostile name not shown as text (title %q): %q", title, tableText)
	}
	if strings.Contains(tableText, "Account E1") || strings.Contains(tableText, "Account N1") {
		t.Errorf("rep1's page shows accounts outside their scope: %q", tableText)
	}
	var loginVisible bool
	err = chromedp.Do(ctx,
		chromedp.Click("#sign-out"),
		chromedp.WaitVisible("#email"),
		into(&loginVisible, chromedp.Evaluate[bool](`!!document.querySelector('#email')`)),
	)
	if err != nil || !loginVisible {
		t.Errorf("sign out did not return to the login page: %v", err)
	}
}

func TestBrowserPhoneLayout(t *testing.T) {
	ctx := browser(t)
	f := newFixture(t)
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{UI: web.Handler()})
	var scrollWidth int
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile),
		signIn(f.srv.URL, "manager@example.com"),
		chromedp.WaitReady("#sign-out"),
		chromedp.Navigate(f.srv.URL+"/#/accounts"),
		chromedp.WaitVisible("#accounts-total"),
		into(&scrollWidth, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if scrollWidth > 380 {
		t.Errorf("page is %d px wide on a 375 px phone; it should not scroll sideways", scrollWidth)
	}
}
