package roads

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/routing"
)

// Provider computes travel matrices.
type Provider interface {
	// Name is "great-circle", "osrm" or "valhalla".
	Name() string
	// Matrix returns distances (metres) and times (seconds) between every
	// pair of pts, row-major.
	Matrix(ctx context.Context, pts []geo.Point) (routing.Matrix, error)
}

// Unreachable is the distance (metres) and time (seconds) recorded for a
// pair the road server finds no route between: large enough that the solver
// avoids it, finite so the arithmetic stays sound.
const Unreachable = 1e8

// GreatCircle is the offline provider: the great-circle distance times
// DetourFactor, driven at SpeedKmh.
type GreatCircle struct {
	DetourFactor float64 // default 1.3
	SpeedKmh     float64 // default 50
}

// Name implements Provider.
func (GreatCircle) Name() string { return "great-circle" }

// Matrix implements Provider.
func (g GreatCircle) Matrix(_ context.Context, pts []geo.Point) (routing.Matrix, error) {
	detour, speed := g.DetourFactor, g.SpeedKmh
	if detour <= 0 {
		detour = 1.3
	}
	if speed <= 0 {
		speed = 50
	}
	n := len(pts)
	m := routing.Matrix{N: n, Dist: make([]float64, n*n), Time: make([]float64, n*n)}
	mps := speed / 3.6
	for i := range n {
		for j := i + 1; j < n; j++ {
			d := geo.DistanceMeters(pts[i], pts[j]) * detour
			m.Dist[i*n+j], m.Dist[j*n+i] = d, d
			m.Time[i*n+j], m.Time[j*n+i] = d/mps, d/mps
		}
	}
	return m, nil
}

// Config configures a road-routing server.
type Config struct {
	// Kind is "osrm" or "valhalla".
	Kind string
	// BaseURL is the server's root, e.g. http://localhost:5000 for OSRM or
	// http://localhost:8002 for Valhalla.
	BaseURL string
	// Profile is OSRM's profile (default "driving") or Valhalla's costing
	// (default "auto").
	Profile string
	// Timeout bounds each request (default 30 s).
	Timeout time.Duration
	// Chunk is the most sources (and the most destinations) one request
	// asks for; bigger matrices are fetched in Chunk × Chunk blocks. The
	// defaults match the servers' default limits: 100 for OSRM
	// (--max-table-size), 50 for Valhalla (max_matrix_location_pairs 2500).
	Chunk int
	// CacheEntries is the most point pairs the cache keeps (default 250,000;
	// 0 uses the default, a negative value turns the cache off).
	CacheEntries int
	// Client is the HTTP client (default one with Timeout).
	Client *http.Client
	// UserAgent identifies Meridian to the server.
	UserAgent string
}

// ParseFlag reads the serve flag's value: "great-circle" (or empty), or
// "osrm=URL" or "valhalla=URL".
func ParseFlag(s string) (Config, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "great-circle" {
		return Config{}, nil
	}
	kind, u, ok := strings.Cut(s, "=")
	if !ok || (kind != "osrm" && kind != "valhalla") || u == "" {
		return Config{}, fmt.Errorf("road matrix %q: want great-circle, osrm=URL or valhalla=URL", s)
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return Config{}, fmt.Errorf("road matrix %q: the URL must start with http:// or https://", s)
	}
	return Config{Kind: kind, BaseURL: u}, nil
}

// tabler fetches one block: distances and times from every point of from
// to every point of to. Missing routes are NaN.
type tabler interface {
	table(ctx context.Context, from, to []geo.Point) (dist, dur [][]float64, err error)
}

// Client is a Provider backed by a road-routing server.
type Client struct {
	kind  string
	t     tabler
	chunk int
	cache *Cache
}

// New returns a client for the server c describes.
func New(c Config) (*Client, error) {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: c.Timeout}
	}
	if c.UserAgent == "" {
		c.UserAgent = "Meridian route planning"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	cl := &Client{kind: c.Kind, chunk: c.Chunk}
	switch c.Kind {
	case "osrm":
		if c.Profile == "" {
			c.Profile = "driving"
		}
		if cl.chunk <= 0 {
			cl.chunk = 100
		}
		cl.t = &osrm{c: c}
	case "valhalla":
		if c.Profile == "" {
			c.Profile = "auto"
		}
		if cl.chunk <= 0 {
			cl.chunk = 50
		}
		cl.t = &valhalla{c: c}
	default:
		return nil, fmt.Errorf("road matrix: unknown server kind %q (want osrm or valhalla)", c.Kind)
	}
	if c.BaseURL == "" {
		return nil, fmt.Errorf("road matrix: %s needs a base URL", c.Kind)
	}
	switch {
	case c.CacheEntries == 0:
		cl.cache = NewCache(250_000)
	case c.CacheEntries > 0:
		cl.cache = NewCache(c.CacheEntries)
	}
	return cl, nil
}

// Name implements Provider.
func (c *Client) Name() string { return c.kind }

// Matrix implements Provider. Pairs already in the cache are not asked for
// again: when some places are new, only the rows and columns of the new
// places are fetched.
func (c *Client) Matrix(ctx context.Context, pts []geo.Point) (routing.Matrix, error) {
	n := len(pts)
	m := routing.Matrix{N: n, Dist: make([]float64, n*n), Time: make([]float64, n*n)}
	if n == 0 {
		return m, nil
	}
	keys := make([]pointKey, n)
	for i, p := range pts {
		keys[i] = keyOf(p)
	}
	// known[i*n+j] says the pair came from the cache.
	known := make([]bool, n*n)
	hits := 0
	for i := range n {
		for j := range n {
			if i == j || keys[i] == keys[j] {
				known[i*n+j] = true
				continue
			}
			if c.cache != nil {
				if e, ok := c.cache.get(c.kind, keys[i], keys[j]); ok {
					m.Dist[i*n+j], m.Time[i*n+j] = e.dist, e.dur
					known[i*n+j] = true
					hits++
				}
			}
		}
	}
	// Places with no cached pair at all are new; any other missing pair
	// (evicted between old places) means fetching the whole matrix.
	var fresh, old []int
	for i := range n {
		any := false
		for j := range n {
			if i != j && keys[i] != keys[j] && (known[i*n+j] || known[j*n+i]) {
				any = true
				break
			}
		}
		if any {
			old = append(old, i)
		} else {
			fresh = append(fresh, i)
		}
	}
	missingOld := false
	for _, i := range old {
		for _, j := range old {
			if !known[i*n+j] {
				missingOld = true
			}
		}
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	var err error
	switch {
	case missingOld:
		err = c.fetch(ctx, pts, all, all, &m, keys)
	case len(fresh) > 0:
		if err = c.fetch(ctx, pts, fresh, all, &m, keys); err == nil && len(old) > 0 {
			err = c.fetch(ctx, pts, old, fresh, &m, keys)
		}
	}
	if err != nil {
		return routing.Matrix{}, err
	}
	return m, nil
}

// fetch fills the rows sources × columns targets of m in blocks of at most
// chunk × chunk, and caches what it gets.
func (c *Client) fetch(ctx context.Context, pts []geo.Point, sources, targets []int, m *routing.Matrix, keys []pointKey) error {
	n := m.N
	for a := 0; a < len(sources); a += c.chunk {
		src := sources[a:min(a+c.chunk, len(sources))]
		for b := 0; b < len(targets); b += c.chunk {
			dst := targets[b:min(b+c.chunk, len(targets))]
			from := make([]geo.Point, len(src))
			for k, i := range src {
				from[k] = pts[i]
			}
			to := make([]geo.Point, len(dst))
			for k, j := range dst {
				to[k] = pts[j]
			}
			dist, dur, err := c.t.table(ctx, from, to)
			if err != nil {
				return err
			}
			if len(dist) != len(src) || len(dur) != len(src) {
				return fmt.Errorf("%s: asked for %d sources, got %d rows", c.kind, len(src), len(dur))
			}
			for k, i := range src {
				if len(dist[k]) != len(dst) || len(dur[k]) != len(dst) {
					return fmt.Errorf("%s: asked for %d destinations, got %d in row %d", c.kind, len(dst), len(dur[k]), k)
				}
				for l, j := range dst {
					d, t := dist[k][l], dur[k][l]
					if i == j {
						d, t = 0, 0
					}
					if math.IsNaN(d) || math.IsNaN(t) {
						d, t = Unreachable, Unreachable
					}
					m.Dist[i*n+j], m.Time[i*n+j] = d, t
					if c.cache != nil && i != j && keys[i] != keys[j] {
						c.cache.put(c.kind, keys[i], keys[j], entry{dist: d, dur: t})
					}
				}
			}
		}
	}
	return nil
}

// CacheLen says how many pairs the cache holds (for tests and metrics).
func (c *Client) CacheLen() int {
	if c.cache == nil {
		return 0
	}
	return c.cache.Len()
}
