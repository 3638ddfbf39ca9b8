package api_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/tile"
)

func (f *fixture) tile(t *testing.T, role string, z int, x, y uint32, query string) (int, []tile.Decoded) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/tiles/accounts/%d/%d/%d.mvt?%s", f.srv.URL, z, x, y, query), nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
		t.Errorf("tile content type = %q", ct)
	}
	feats, err := tile.DecodeMVT(b, "accounts")
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, feats
}

func count(feats []tile.Decoded) int {
	n := 0
	for _, f := range feats {
		if c, ok := f.Props["point_count"].(int64); ok {
			n += int(c)
		} else {
			n++
		}
	}
	return n
}

func TestTilesRespectAccessAndFilters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		role, query string
		want        int
	}{
		{"manager", "", 5}, {"rep1", "", 3}, {"rep2", "", 3},
		{"manager", "territory=West", 2}, {"manager", "territory=none", 1}, {"manager", "q=Account%20E", 2},
		{"rep1", "owner=rep2@example.com", 1}, {"manager", "stage=customer", 0},
		{"manager", "last_visit=never", 5}, {"manager", "last_visit_after=2000-01-01", 0},
	}
	for _, tt := range tests {
		// Zoom 0 holds everything; the tiles of zoom 3 must add up the same.
		code, feats := f.tile(t, tt.role, 0, 0, 0, tt.query)
		if code != 200 || count(feats) != tt.want {
			t.Errorf("%s %q: zoom-0 tile = %d with %d accounts, want %d", tt.role, tt.query, code, count(feats), tt.want)
		}
		total := 0
		for x := uint32(0); x < 8; x++ {
			for y := uint32(0); y < 8; y++ {
				_, feats := f.tile(t, tt.role, 3, x, y, tt.query)
				total += count(feats)
			}
		}
		if total != tt.want {
			t.Errorf("%s %q: zoom-3 tiles add up to %d, want %d", tt.role, tt.query, total, tt.want)
		}
	}
	// Deep enough, accounts are single features with their names, as text.
	x, y := geo.TileXY(geo.Point{Lon: 1, Lat: 1}, 18)
	_, feats := f.tile(t, "admin", 18, x, y, "color=territory")
	if len(feats) != 1 || feats[0].Props["name"] != "Account W1" || feats[0].Props["color"] != "West" || feats[0].Props["stage"] != "lead" {
		t.Errorf("zoom-18 tile at W1 = %+v", feats)
	}
	_, feats = f.tile(t, "admin", 18, x, y, "color=custom.Industry")
	if len(feats) != 1 || feats[0].Props["color"] != "" {
		t.Errorf("zoom-18 tile coloured by a custom field = %+v", feats)
	}
	for _, bad := range []string{"/api/v1/tiles/accounts/0/0/0.mvt?last_visit=sometimes", "/api/v1/tiles/accounts/30/0/0.mvt", "/api/v1/tiles/accounts/2/9/0.mvt", "/api/v1/tiles/accounts/0/0/0.mvt?color=shoe_size"} {
		if code, body := f.do(t, "admin", "GET", bad, nil); code != 400 {
			t.Errorf("GET %s = %d %v, want 400", bad, code, body)
		}
	}
}

func TestAreaMetrics(t *testing.T) {
	f := newFixture(t)
	code, body := f.do(t, "manager", "GET", "/api/v1/metrics/area?bbox=-180,-85,180,85", nil)
	if code != 200 || body["accounts"] != 5.0 || body["by_stage"].(map[string]any)["lead"] != 5.0 || body["leads_created"] != 5.0 {
		t.Errorf("manager world metrics = %d %v", code, body)
	}
	code, body = f.do(t, "rep1", "GET", "/api/v1/metrics/area?bbox=-180,-85,180,85", nil)
	if code != 200 || body["accounts"] != 3.0 {
		t.Errorf("rep1 world metrics = %d %v, want 3 accounts", code, body)
	}
	code, body = f.do(t, "manager", "GET", "/api/v1/metrics/area?bbox=0,0,5,5", nil)
	if code != 200 || body["accounts"] != 2.0 {
		t.Errorf("West box metrics = %d %v, want 2", code, body)
	}
	tri := map[string]any{"polygon": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {3, 0}, {0, 3}, {0, 0}}}}}
	code, body = f.do(t, "manager", "POST", "/api/v1/metrics/area", tri)
	if code != 200 || body["accounts"] != 1.0 { // W1 (1,1) is inside, W2 (2,2) is not
		t.Errorf("triangle metrics = %d %v, want 1", code, body)
	}
	if code, _ := f.do(t, "manager", "GET", "/api/v1/metrics/area", nil); code != 400 {
		t.Errorf("metrics without bbox = %d, want 400", code)
	}
}

func TestPMTilesRangeRequests(t *testing.T) {
	f := newFixture(t)
	path := t.TempDir() + "/base.pmtiles"
	data := make([]byte, 10000)
	for i := range data {
		data[i] = byte(i % 251)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = api.New(f.svc, nil, api.Options{Map: api.MapConfig{PMTilesPath: path}})
	code, cfg := f.do(t, "rep1", "GET", "/api/v1/map/config", nil)
	if code != 200 || cfg["basemap"] != "pmtiles" || cfg["pmtiles_url"] != "/api/v1/basemap.pmtiles" {
		t.Errorf("map config = %d %v", code, cfg)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/basemap.pmtiles", nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens["rep1"])
	req.Header.Set("Range", "bytes=100-199")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 206 || !bytes.Equal(got, data[100:200]) {
		t.Errorf("range request = %d, %d bytes; want 206 and bytes 100-199", resp.StatusCode, len(got))
	}
}
