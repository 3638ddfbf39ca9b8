package web

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string, header map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func checkSecurityHeaders(t *testing.T, target string, res *http.Response) {
	t.Helper()
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{
		"default-src 'self'", "script-src 'self'", "style-src 'self'",
		"img-src 'self' data: blob:", "connect-src 'self'", "worker-src 'self' blob:",
		"frame-ancestors 'none'",
	} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: Content-Security-Policy %q lacks %q", target, csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: Content-Security-Policy %q allows inline code", target, csp)
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options = %q, want nosniff", target, got)
	}
	if got := res.Header.Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("%s: Referrer-Policy = %q, want same-origin", target, got)
	}
}

func TestPages(t *testing.T) {
	h := Handler()
	for _, tc := range []struct {
		target string
		ids    []string
	}{
		{"/", []string{`id="user-name"`, `id="sign-out"`, `id="nav"`, `id="view"`, `id="nav-toggle"`}},
		{"/login", []string{`id="email"`, `id="password"`, `id="sign-in"`, `id="login-error"`, `autocomplete="current-password"`}},
	} {
		res := get(t, h, http.MethodGet, tc.target, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: status %d", tc.target, res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tc.target, got)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", tc.target, got)
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag", tc.target)
		}
		checkSecurityHeaders(t, tc.target, res)
		b := body(t, res)
		for _, id := range tc.ids {
			if !strings.Contains(b, id) {
				t.Errorf("GET %s: page lacks %s", tc.target, id)
			}
		}
		if !strings.Contains(b, `"/static/v-`+Version()+`/`) {
			t.Errorf("GET %s: assets not referred to by versioned URLs", tc.target)
		}
	}
}

var assetRef = regexp.MustCompile(`(?:src|href)="(/static/[^"]+)"`)

// TestPageAssets fetches every asset the pages refer to, at its versioned
// URL, which may be cached for good.
func TestPageAssets(t *testing.T) {
	h := Handler()
	wantType := map[string]string{
		".js":  "text/javascript; charset=utf-8",
		".css": "text/css; charset=utf-8",
		".svg": "image/svg+xml",
	}
	seen := 0
	for _, page := range []string{"app.html", "login.html", "404.html"} {
		b, err := Page(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range assetRef.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			seen++
			res := get(t, h, http.MethodGet, target, nil)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s refers to %s: status %d", page, target, res.StatusCode)
				continue
			}
			if want := wantType[path.Ext(target)]; res.Header.Get("Content-Type") != want {
				t.Errorf("GET %s: Content-Type %q, want %q", target, res.Header.Get("Content-Type"), want)
			}
			if got := res.Header.Get("Cache-Control"); !strings.Contains(got, "max-age=31536000") || !strings.Contains(got, "immutable") {
				t.Errorf("GET %s: Cache-Control %q, want a long max-age", target, got)
			}
			checkSecurityHeaders(t, target, res)
		}
	}
	if seen < 5 {
		t.Errorf("found only %d asset references in the pages", seen)
	}
}

func TestStaticUnversioned(t *testing.T) {
	h := Handler()
	for target, ctype := range map[string]string{
		"/static/js/app.js":                "text/javascript; charset=utf-8",
		"/static/js/pages/accounts.js":     "text/javascript; charset=utf-8",
		"/static/css/app.css":              "text/css; charset=utf-8",
		"/static/favicon.svg":              "image/svg+xml",
		"/static/v-0123456789ab/js/app.js": "text/javascript; charset=utf-8", // another version
	} {
		res := get(t, h, http.MethodGet, target, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", target, res.StatusCode)
			continue
		}
		if got := res.Header.Get("Content-Type"); got != ctype {
			t.Errorf("GET %s: Content-Type %q, want %q", target, got, ctype)
		}
		if got := res.Header.Get("Cache-Control"); got != "no-cache" {
			t.Errorf("GET %s: Cache-Control %q, want no-cache", target, got)
		}
		if res.Header.Get("ETag") == "" {
			t.Errorf("GET %s: no ETag", target)
		}
		checkSecurityHeaders(t, target, res)
	}
}

func TestConditionalGet(t *testing.T) {
	h := Handler()
	for _, target := range []string{"/", "/static/js/api.js"} {
		res := get(t, h, http.MethodGet, target, nil)
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("GET %s: no ETag", target)
		}
		res = get(t, h, http.MethodGet, target, map[string]string{"If-None-Match": etag})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match: status %d, want 304", target, res.StatusCode)
		}
		checkSecurityHeaders(t, target, res)
		res = get(t, h, http.MethodGet, target, map[string]string{"If-None-Match": `"stale"`})
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s with a stale ETag: status %d, want 200", target, res.StatusCode)
		}
	}
}

func TestGzip(t *testing.T) {
	h := Handler()
	plain := body(t, get(t, h, http.MethodGet, "/static/css/app.css", nil))
	res := get(t, h, http.MethodGet, "/static/css/app.css", map[string]string{"Accept-Encoding": "gzip, deflate, br"})
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", res.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(unzipped) != plain {
		t.Error("gzip body differs from the plain one")
	}
	res = get(t, h, http.MethodGet, "/static/css/app.css", map[string]string{"Accept-Encoding": "gzip;q=0, br"})
	if res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
}

func TestNotFound(t *testing.T) {
	h := Handler()
	for _, target := range []string{
		"/nope", "/login/", "/app.html", "/index.html", "/static/", "/static/js/", "/static/nope.js",
		"/static/../web.go", "/static/js/../../web.go", "/static/v-" + Version() + "/nope.css", "/favicon.ico",
	} {
		res := get(t, h, http.MethodGet, target, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", target, res.StatusCode)
		}
		if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", target, got)
		}
		if res.Header.Get("Cache-Control") == "max-age=31536000" || res.Header.Get("ETag") != "" {
			t.Errorf("GET %s: a 404 must not be cached", target)
		}
		checkSecurityHeaders(t, target, res)
	}
}

func TestAPINotFound(t *testing.T) {
	h := Handler()
	res := get(t, h, http.MethodPost, "/api/v1/nope", nil)
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("Content-Type %q", got)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.NewDecoder(res.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	if e.Error.Code != "not_found" || e.Error.Message == "" {
		t.Errorf("error %+v", e.Error)
	}
	checkSecurityHeaders(t, "/api/v1/nope", res)
}

func TestMethods(t *testing.T) {
	h := Handler()
	res := get(t, h, http.MethodPost, "/login", nil)
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /login: status %d, want 405", res.StatusCode)
	}
	if got := res.Header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("POST /login: Allow %q", got)
	}
	checkSecurityHeaders(t, "POST /login", res)

	res = get(t, h, http.MethodHead, "/", nil)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /: status %d, Content-Type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	if b := body(t, res); b != "" {
		t.Errorf("HEAD /: body of %d bytes", len(b))
	}
}

func TestPage(t *testing.T) {
	b, err := Page("login.html")
	if err != nil || !bytes.Contains(b, []byte(`id="login-form"`)) {
		t.Errorf("Page(login.html) = %d bytes, %v", len(b), err)
	}
	for _, name := range []string{"nope.html", "js/app.js", ""} {
		if _, err := Page(name); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Page(%q): err %v, want fs.ErrNotExist", name, err)
		}
	}
	b[0] = 'X' // the caller's copy
	if again, _ := Page("login.html"); again[0] == 'X' {
		t.Error("Page returns the served bytes, not a copy")
	}
}

var (
	inlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>`)
	inlineStyle  = regexp.MustCompile(`(?i)<style\b|\sstyle\s*=`)
	inlineEvent  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	jsImport     = regexp.MustCompile(`(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]`)
	unsafeDOM    = regexp.MustCompile(`\.(?:innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
)

// TestStaticSources keeps the files within what the Content-Security-Policy
// allows and the module graph whole: no inline script, style or event
// handler; no HTML parsing of strings; every relative import resolves.
func TestStaticSources(t *testing.T) {
	root, err := fs.Sub(staticFiles, "static")
	if err != nil {
		t.Fatal(err)
	}
	jsFiles := 0
	err = fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == "vendor" {
				// Third-party builds, checked by TestVendored.
				return fs.SkipDir
			}
			return nil
		}
		b, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		src := string(b)
		switch path.Ext(p) {
		case ".html":
			for _, m := range inlineScript.FindAllStringSubmatch(src, -1) {
				if !strings.Contains(m[1], "src=") {
					t.Errorf("%s: inline <script%s>", p, m[1])
				}
			}
			if inlineStyle.MatchString(src) {
				t.Errorf("%s: inline style", p)
			}
			if inlineEvent.MatchString(src) {
				t.Errorf("%s: inline event handler", p)
			}
		case ".js":
			jsFiles++
			if m := unsafeDOM.FindString(src); m != "" {
				t.Errorf("%s: uses %s; build elements with dom.js", p, m)
			}
			for _, m := range jsImport.FindAllStringSubmatch(src, -1) {
				spec := m[1]
				if !strings.HasPrefix(spec, "./") && !strings.HasPrefix(spec, "../") {
					t.Errorf("%s: import %q: use relative imports so versioned URLs carry over", p, spec)
					continue
				}
				target := path.Join(path.Dir(p), spec)
				if _, err := fs.Stat(root, target); err != nil {
					t.Errorf("%s: import %q: %s does not exist", p, spec, target)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if jsFiles < 8 {
		t.Errorf("found only %d JavaScript files", jsFiles)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"":                  false,
		"gzip":              true,
		"GZIP":              true,
		"br, gzip;q=0.8":    true,
		"gzip;q=0":          false,
		"gzip; q=0.000":     false,
		"*":                 true,
		"br, *;q=0.1":       true,
		"identity":          false,
		"deflate, *;q=0":    false,
		"gzip;q=0, *;q=0.5": false,
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			req.Header.Set("Accept-Encoding", header)
		}
		if got := acceptsGzip(req); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}
