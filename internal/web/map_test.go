package web

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// vendored are the third-party files the map page loads (see
// scripts/vendor-web.sh), with the licence files that must ship with them.
var vendored = []string{
	"vendor/maplibre-gl/maplibre-gl-csp.js",
	"vendor/maplibre-gl/maplibre-gl-csp-worker.js",
	"vendor/maplibre-gl/maplibre-gl.css",
	"vendor/maplibre-gl/LICENSE.txt",
	"vendor/pmtiles/pmtiles.js",
	"vendor/pmtiles/LICENSE",
	"vendor/boundaries/land.json",
	"vendor/boundaries/countries.json",
	"vendor/boundaries/countries-50m.json",
	"vendor/boundaries/us-states.json",
	"vendor/boundaries/us-counties.json",
	"vendor/boundaries/LICENSE-world-atlas",
	"vendor/boundaries/LICENSE-us-atlas",
}

// TestVendored checks that the vendored files are there, are served with
// the right types, that the MapLibre build is the CSP one (no eval, which
// the Content-Security-Policy forbids), and that the boundaries are GeoJSON.
func TestVendored(t *testing.T) {
	root, err := fs.Sub(staticFiles, "static")
	if err != nil {
		t.Fatal(err)
	}
	h := Handler()
	total := 0
	for _, p := range vendored {
		b, err := fs.ReadFile(root, p)
		if err != nil {
			t.Errorf("%s: %v (run scripts/vendor-web.sh)", p, err)
			continue
		}
		total += len(b)
		res := get(t, h, http.MethodGet, "/static/"+p, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET /static/%s: status %d", p, res.StatusCode)
		}
		switch {
		case strings.HasSuffix(p, ".js"):
			if got := res.Header.Get("Content-Type"); got != "text/javascript; charset=utf-8" {
				t.Errorf("GET /static/%s: Content-Type %q", p, got)
			}
			src := string(b)
			if strings.Contains(p, "maplibre") && (strings.Contains(src, "new Function(") || regexp.MustCompile(`\beval\(`).MatchString(src)) {
				t.Errorf("%s evaluates strings: not the CSP build", p)
			}
			if strings.Contains(src, "sourceMappingURL=") {
				t.Errorf("%s refers to a source map that is not shipped", p)
			}
		case strings.HasSuffix(p, ".json"):
			if got := res.Header.Get("Content-Type"); got != "application/json" {
				t.Errorf("GET /static/%s: Content-Type %q", p, got)
			}
			var fc struct {
				Type     string
				Features []struct {
					Type     string
					Geometry struct{ Type string }
				}
			}
			if err := json.Unmarshal(b, &fc); err != nil {
				t.Errorf("%s: %v", p, err)
			} else if fc.Type != "FeatureCollection" || len(fc.Features) == 0 || fc.Features[0].Geometry.Type == "" {
				t.Errorf("%s: not a GeoJSON FeatureCollection with geometries", p)
			}
		}
	}
	// The whole vendor directory is embedded in the binary: keep it lean.
	if total > 3<<20 {
		t.Errorf("vendored files take %d bytes; keep them under 3 MiB", total)
	}
}

// TestMapPage checks that the map page is the start page, that it and its
// territory tools carry the ids the browser tests and docs rely on, and that
// it loads MapLibre's CSP build and worker from the vendor directory.
func TestMapPage(t *testing.T) {
	root, err := fs.Sub(staticFiles, "static")
	if err != nil {
		t.Fatal(err)
	}
	read := func(p string) string {
		b, err := fs.ReadFile(root, p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	routes := read("js/routes.js")
	if !strings.Contains(routes, "DEFAULT_PATH = 'map'") || !strings.Contains(routes, "import('./pages/map.js')") {
		t.Error("routes.js: the map page is not the start page")
	}
	page := read("js/pages/map.js")
	for _, id := range []string{
		"map", "map-legend", "metrics-panel", "metrics-accounts", "view-list",
		"account-drawer", "color-by", "filter-stage", "filter-text", "locate-me",
	} {
		if !strings.Contains(page, "id: '"+id+"'") {
			t.Errorf("map.js lacks the element #%s", id)
		}
	}
	// The territory tools (managers): drawing, editing, deleting.
	tools := read("js/map/territories.js")
	for _, id := range []string{
		"territory-tools", "draw-territory", "draw-bar", "draw-hint", "undo-vertex", "finish-drawing",
		"cancel-drawing", "draw-metrics", "remove-vertex", "territory-form", "territory-name",
		"territory-color", "territory-reps", "save-territory", "cancel-territory", "territory-error",
		"territory-panel", "edit-territory", "delete-territory", "confirm-delete-territory",
	} {
		if !strings.Contains(tools, "id: '"+id+"'") {
			t.Errorf("map/territories.js lacks the element #%s", id)
		}
		if !strings.Contains(tools, "#"+id) {
			t.Errorf("map/territories.js does not list #%s among its fixed ids", id)
		}
	}
	for _, want := range []string{"territoryTools(", "window.__meridianMap", "meridianTest"} {
		if !strings.Contains(page, want) {
			t.Errorf("map.js lacks %s", want)
		}
	}
	for _, want := range []string{"/api/v1/territories", "/api/v1/users", "type: 'color'", "multiple: true"} {
		if !strings.Contains(tools, want) {
			t.Errorf("map/territories.js lacks %s", want)
		}
	}
	draw := read("js/map/draw.js")
	for _, want := range []string{"pointerdown", "pointermove", "pointerup", "contextmenu", "dragPan.disable()", "dragPan.enable()"} {
		if !strings.Contains(draw, want) {
			t.Errorf("map/draw.js lacks %s", want)
		}
	}
	for _, want := range []string{"/api/v1/tiles/accounts/{z}/{x}/{y}.mvt", "/api/v1/metrics/area", "/api/v1/territories", "/api/v1/map/config"} {
		if !strings.Contains(page, want) {
			t.Errorf("map.js does not use %s", want)
		}
	}
	loader := read("js/map/maplibre.js")
	for _, want := range []string{"maplibre-gl-csp.js", "maplibre-gl-csp-worker.js", "setWorkerUrl", "maplibre-gl.css"} {
		if !strings.Contains(loader, want) {
			t.Errorf("map/maplibre.js lacks %s", want)
		}
	}
	app, err := Page("app.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(app), "/css/map.css") {
		t.Error("app.html does not load css/map.css")
	}
}
