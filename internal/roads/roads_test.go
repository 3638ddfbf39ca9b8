package roads

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Both fake servers answer with the great-circle distance × 1.25 and a speed
// of 10 m/s; a place north of 80° has no road to or from it.
func fakeDist(a, b geo.Point) (float64, bool) {
	if a.Lat > 80 || b.Lat > 80 {
		return 0, false
	}
	return geo.DistanceMeters(a, b) * 1.25, true
}

type fakeServer struct {
	*httptest.Server
	requests atomic.Int64
	pairs    atomic.Int64 // source × destination cells asked for
	maxPairs int          // the server's limit on sources × destinations
}

func ints(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ";") {
		n, _ := strconv.Atoi(f)
		out = append(out, n)
	}
	return out
}

// newOSRM speaks OSRM's table service.
func newOSRM(t *testing.T, maxPairs int) *fakeServer {
	f := &fakeServer{maxPairs: maxPairs}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		rest, ok := strings.CutPrefix(r.URL.Path, "/table/v1/driving/")
		if !ok || r.Method != http.MethodGet {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"code":"InvalidUrl","message":"URL string malformed close to position 1: \"/x\""}`)
			return
		}
		// OSRM separates indices with ";", which net/url's Query drops.
		q := map[string]string{}
		for _, kv := range strings.Split(r.URL.RawQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = v
		}
		if q["annotations"] != "distance,duration" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"code":"InvalidOptions","message":"annotations must be distance,duration"}`)
			return
		}
		var pts []geo.Point
		for _, c := range strings.Split(rest, ";") {
			lon, lat, _ := strings.Cut(c, ",")
			x, err1 := strconv.ParseFloat(lon, 64)
			y, err2 := strconv.ParseFloat(lat, 64)
			if err1 != nil || err2 != nil {
				w.WriteHeader(400)
				fmt.Fprintf(w, `{"code":"InvalidQuery","message":"Query string malformed close to %q"}`, c)
				return
			}
			pts = append(pts, geo.Point{Lon: x, Lat: y})
		}
		src, dst := ints(q["sources"]), ints(q["destinations"])
		if len(src)*len(dst) > f.maxPairs {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"code":"TooBig","message":"Too many table coordinates"}`)
			return
		}
		f.pairs.Add(int64(len(src) * len(dst)))
		dist := make([][]*float64, len(src))
		dur := make([][]*float64, len(src))
		for i, s := range src {
			dist[i] = make([]*float64, len(dst))
			dur[i] = make([]*float64, len(dst))
			for j, d := range dst {
				if m, ok := fakeDist(pts[s], pts[d]); ok {
					sec := m / 10
					dist[i][j], dur[i][j] = &m, &sec
				}
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"code": "Ok", "distances": dist, "durations": dur})
	}))
	t.Cleanup(f.Close)
	return f
}

// newValhalla speaks Valhalla's sources_to_targets, verbose or columnar.
func newValhalla(t *testing.T, maxPairs int, columnar bool) *fakeServer {
	f := &fakeServer{maxPairs: maxPairs}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		var req valhallaRequest
		if r.URL.Path != "/sources_to_targets" || r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil || req.Costing != "auto" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error_code":100,"error":"Failed to parse json request","status_code":400,"status":"Bad Request"}`)
			return
		}
		if len(req.Sources)*len(req.Targets) > f.maxPairs {
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error_code":154,"error":"Exceeded max locations: %d","status_code":400,"status":"Bad Request"}`, f.maxPairs)
			return
		}
		f.pairs.Add(int64(len(req.Sources) * len(req.Targets)))
		cells := make([][]map[string]any, len(req.Sources))
		dist := make([][]*float64, len(req.Sources))
		dur := make([][]*float64, len(req.Sources))
		for i, s := range req.Sources {
			dist[i] = make([]*float64, len(req.Targets))
			dur[i] = make([]*float64, len(req.Targets))
			for j, d := range req.Targets {
				c := map[string]any{"from_index": i, "to_index": j, "distance": nil, "time": nil}
				if m, ok := fakeDist(geo.Point{Lon: s.Lon, Lat: s.Lat}, geo.Point{Lon: d.Lon, Lat: d.Lat}); ok {
					km, sec := m/1000, m/10
					c["distance"], c["time"] = km, sec
					dist[i][j], dur[i][j] = &km, &sec
				}
				cells[i] = append(cells[i], c)
			}
		}
		if columnar {
			json.NewEncoder(w).Encode(map[string]any{"sources_to_targets": map[string]any{"distances": dist, "durations": dur}, "units": "kilometers"})
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"sources_to_targets": cells, "units": "kilometers"})
	}))
	t.Cleanup(f.Close)
	return f
}

// grid returns n points around Lyon.
func grid(n int) []geo.Point {
	pts := make([]geo.Point, n)
	for i := range pts {
		pts[i] = geo.Point{Lon: 4.7 + 0.013*float64(i%17), Lat: 45.7 + 0.011*float64(i/17)}
	}
	return pts
}

func checkMatrix(t *testing.T, name string, pts []geo.Point, dist, dur []float64) {
	t.Helper()
	n := len(pts)
	for i := range n {
		for j := range n {
			want, ok := fakeDist(pts[i], pts[j])
			wantT := want / 10
			if i == j {
				want, wantT, ok = 0, 0, true
			}
			if !ok {
				want, wantT = Unreachable, Unreachable
			}
			if math.Abs(dist[i*n+j]-want) > 0.01 || math.Abs(dur[i*n+j]-wantT) > 0.01 {
				t.Fatalf("%s: cell (%d,%d) = %.2f m %.2f s, want %.2f m %.2f s", name, i, j, dist[i*n+j], dur[i*n+j], want, wantT)
			}
		}
	}
}

func TestMatrixChunked(t *testing.T) {
	for _, tt := range []struct {
		name  string
		kind  string
		srv   *fakeServer
		chunk int
		n     int
	}{
		{"osrm small", "osrm", newOSRM(t, 100*100), 0, 7},
		{"osrm chunked", "osrm", newOSRM(t, 10*10), 10, 35},
		{"valhalla verbose chunked", "valhalla", newValhalla(t, 8*8, false), 8, 30},
		{"valhalla columnar", "valhalla", newValhalla(t, 50*50, true), 0, 12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Config{Kind: tt.kind, BaseURL: tt.srv.URL + "/", Chunk: tt.chunk})
			if err != nil {
				t.Fatal(err)
			}
			pts := grid(tt.n)
			m, err := c.Matrix(context.Background(), pts)
			if err != nil {
				t.Fatal(err)
			}
			if m.N != tt.n {
				t.Fatalf("N = %d, want %d", m.N, tt.n)
			}
			checkMatrix(t, tt.name, pts, m.Dist, m.Time)
			chunk := tt.chunk
			if chunk == 0 {
				chunk = tt.n
			}
			blocks := (tt.n + chunk - 1) / chunk
			if got, want := tt.srv.requests.Load(), int64(blocks*blocks); got != want {
				t.Errorf("requests = %d, want %d (%d × %d blocks)", got, want, blocks, blocks)
			}
		})
	}
}

// TestCacheFetchesOnlyNewPlaces: a second plan with the same places asks
// nothing; adding two places asks only their rows and columns.
func TestCacheFetchesOnlyNewPlaces(t *testing.T) {
	srv := newOSRM(t, 100*100)
	c, err := New(Config{Kind: "osrm", BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	pts := grid(20)
	if _, err := c.Matrix(context.Background(), pts); err != nil {
		t.Fatal(err)
	}
	if got, want := c.CacheLen(), 20*19; got != want {
		t.Errorf("cached pairs = %d, want %d", got, want)
	}
	srv.requests.Store(0)
	srv.pairs.Store(0)
	// The same places in another order, nudged by less than the rounding.
	again := make([]geo.Point, len(pts))
	for i := range pts {
		p := pts[len(pts)-1-i]
		again[i] = geo.Point{Lon: p.Lon + 1e-7, Lat: p.Lat}
	}
	m, err := c.Matrix(context.Background(), again)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.requests.Load(); n != 0 {
		t.Errorf("a repeated matrix made %d requests, want 0", n)
	}
	checkMatrix(t, "cached", again, m.Dist, m.Time)

	more := append(append([]geo.Point{}, pts...), geo.Point{Lon: 4.95, Lat: 45.9}, geo.Point{Lon: 4.96, Lat: 45.91})
	m, err = c.Matrix(context.Background(), more)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "two new places", more, m.Dist, m.Time)
	if got, want := srv.pairs.Load(), int64(2*22+20*2); got != want {
		t.Errorf("cells fetched for two new places = %d, want %d (their rows and columns)", got, want)
	}
}

func TestCacheEviction(t *testing.T) {
	c := NewCache(3)
	k := func(i int) pointKey { return pointKey{int32(i), 0} }
	for i := range 4 {
		c.put("osrm", k(i), k(i+1), entry{dist: float64(i)})
	}
	if c.Len() != 3 {
		t.Errorf("Len = %d, want 3", c.Len())
	}
	if _, ok := c.get("osrm", k(0), k(1)); ok {
		t.Error("the least recently used pair was kept")
	}
	if e, ok := c.get("osrm", k(3), k(4)); !ok || e.dist != 3 {
		t.Errorf("get(3,4) = %v, %v, want 3, true", e, ok)
	}
	if _, ok := c.get("valhalla", k(3), k(4)); ok {
		t.Error("a pair cached for osrm was found for valhalla")
	}
	// Evicted pairs between known places are fetched again in full.
	srv := newValhalla(t, 50*50, false)
	cl, _ := New(Config{Kind: "valhalla", BaseURL: srv.URL, CacheEntries: 10})
	pts := grid(6)
	if _, err := cl.Matrix(context.Background(), pts); err != nil {
		t.Fatal(err)
	}
	m, err := cl.Matrix(context.Background(), pts)
	if err != nil {
		t.Fatal(err)
	}
	checkMatrix(t, "after eviction", pts, m.Dist, m.Time)
}

func TestUnreachable(t *testing.T) {
	for _, kind := range []string{"osrm", "valhalla"} {
		srv := newOSRM(t, 100)
		if kind == "valhalla" {
			srv = newValhalla(t, 100, false)
		}
		c, _ := New(Config{Kind: kind, BaseURL: srv.URL})
		pts := []geo.Point{{Lon: 4.8, Lat: 45.7}, {Lon: 10, Lat: 85}, {Lon: 4.9, Lat: 45.8}}
		m, err := c.Matrix(context.Background(), pts)
		if err != nil {
			t.Fatal(err)
		}
		if m.Dist[0*3+1] != Unreachable || m.Time[1*3+2] != Unreachable {
			t.Errorf("%s: no-route cells = %v, %v, want %v", kind, m.Dist[1], m.Time[5], Unreachable)
		}
		checkMatrix(t, kind, pts, m.Dist, m.Time)
	}
}

func TestServerErrorsNameTheMessage(t *testing.T) {
	small := newOSRM(t, 4)
	c, _ := New(Config{Kind: "osrm", BaseURL: small.URL, Chunk: 10})
	_, err := c.Matrix(context.Background(), grid(5))
	if err == nil || !strings.Contains(err.Error(), "TooBig: Too many table coordinates") {
		t.Errorf("OSRM TooBig: err = %v, want the server's code and message", err)
	}
	vs := newValhalla(t, 4, false)
	c, _ = New(Config{Kind: "valhalla", BaseURL: vs.URL, Chunk: 10})
	_, err = c.Matrix(context.Background(), grid(5))
	if err == nil || !strings.Contains(err.Error(), "Exceeded max locations: 4 (error_code 154)") {
		t.Errorf("Valhalla limit: err = %v, want the server's message and code", err)
	}
	// Not JSON at all (a proxy's error page).
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		fmt.Fprint(w, "<html>Bad Gateway</html>")
	}))
	defer html.Close()
	c, _ = New(Config{Kind: "osrm", BaseURL: html.URL})
	_, err = c.Matrix(context.Background(), grid(3))
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") || !strings.Contains(err.Error(), "Bad Gateway") {
		t.Errorf("HTML answer: err = %v, want the status and the body's start", err)
	}
}

func TestTimeout(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(time.Second):
		}
	}))
	defer slow.Close()
	c, _ := New(Config{Kind: "valhalla", BaseURL: slow.URL, Timeout: 100 * time.Millisecond})
	start := time.Now()
	_, err := c.Matrix(context.Background(), grid(3))
	if err == nil {
		t.Fatal("a server slower than the timeout gave no error")
	}
	if d := time.Since(start); d > 1500*time.Millisecond {
		t.Errorf("gave up after %v, want about the 100 ms timeout", d)
	}
}

func TestGreatCircle(t *testing.T) {
	pts := []geo.Point{{Lon: 4.8357, Lat: 45.764}, {Lon: 2.3522, Lat: 48.8566}}
	m, _ := GreatCircle{DetourFactor: 1.2, SpeedKmh: 72}.Matrix(context.Background(), pts)
	d := geo.DistanceMeters(pts[0], pts[1]) * 1.2
	if math.Abs(m.Dist[1]-d) > 1e-6 || math.Abs(m.Dist[2]-d) > 1e-6 {
		t.Errorf("Dist = %v, want %v both ways", m.Dist, d)
	}
	if math.Abs(m.Time[1]-d/20) > 1e-6 {
		t.Errorf("Time = %v, want %v (72 km/h is 20 m/s)", m.Time[1], d/20)
	}
	if m.Dist[0] != 0 || m.Dist[3] != 0 {
		t.Errorf("diagonal = %v, %v, want 0", m.Dist[0], m.Dist[3])
	}
}

func TestParseFlag(t *testing.T) {
	for _, tt := range []struct {
		in, kind, url, err string
	}{
		{"", "", "", ""},
		{"great-circle", "", "", ""},
		{"osrm=http://localhost:5000", "osrm", "http://localhost:5000", ""},
		{"valhalla=https://v.example/", "valhalla", "https://v.example/", ""},
		{"graphhopper=http://x", "", "", "want great-circle, osrm=URL or valhalla=URL"},
		{"osrm=localhost:5000", "", "", "must start with http"},
	} {
		c, err := ParseFlag(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseFlag(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || c.Kind != tt.kind || c.BaseURL != tt.url {
			t.Errorf("ParseFlag(%q) = %+v, %v, want kind %q url %q", tt.in, c, err, tt.kind, tt.url)
		}
	}
}
