package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerAllowing(t *testing.T) {
	rec := httptest.NewRecorder()
	HandlerAllowing("https://tiles.example.com").ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	csp := rec.Header().Get("Content-Security-Policy")
	for _, want := range []string{"img-src 'self' data: blob: https://tiles.example.com;", "connect-src 'self' https://tiles.example.com;", "script-src 'self';"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	rec = httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	if got := rec.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("default CSP changed: %q", got)
	}
}
