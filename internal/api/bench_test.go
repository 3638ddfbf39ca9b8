package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/sqlite"
)

// httpBench is a server over a SQLite store of MERIDIAN_BENCH_ROWS accounts
// (default 100,000) around one metro, with a manager's token.
type httpBench struct {
	srv   *httptest.Server
	token string
	pts   []geo.Point
}

var benchServer *httpBench

func newHTTPBench(b *testing.B) *httpBench {
	if benchServer != nil {
		return benchServer
	}
	rows := 100_000
	if n, err := strconv.Atoi(os.Getenv("MERIDIAN_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	ctx := context.Background()
	// Built once for every run of the benchmarks in this process (b's
	// cleanups would close it after the first), so not tied to b.
	dir, err := os.MkdirTemp("", "meridian-bench-")
	if err != nil {
		b.Fatal(err)
	}
	db, err := sqlite.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	svc := app.New(db, nil, nil)
	if err := svc.Init(ctx); err != nil {
		b.Fatal(err)
	}
	if err := svc.CreateUser(ctx, auth.System, &auth.User{Email: "m@example.com", Name: "M", Role: auth.RoleManager}, ""); err != nil {
		b.Fatal(err)
	}
	var tok string
	tok, _, err = svc.CreateToken(ctx, auth.System, "m@example.com", "bench")
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 9))
	hb := &httpBench{token: tok}
	stages := []string{"lead", "contacted", "qualified", "proposal", "customer", "lost"}
	now := time.Now()
	err = db.ImportAccounts(ctx, func(im account.Importer) error {
		for off := 0; off < rows; off += 5000 {
			n := min(5000, rows-off)
			ids, err := im.NextIDs(ctx, n)
			if err != nil {
				return err
			}
			batch := make([]*account.Account, n)
			for i := range batch {
				d := math.Abs(r.NormFloat64()) * 0.2
				a := r.Float64() * 2 * math.Pi
				p := geo.Point{Lon: -104.99 + d*math.Cos(a)*1.3, Lat: 39.74 + d*math.Sin(a)}
				hb.pts = append(hb.pts, p)
				batch[i] = &account.Account{ID: ids[i], Name: fmt.Sprintf("Company %d", off+i), Location: &p, Precision: account.PrecisionExact,
					Stage: stages[r.IntN(len(stages))], EstimatedValue: float64(r.IntN(100000)), CreatedAt: now, UpdatedAt: now}
			}
			if err := im.Insert(ctx, batch); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.MapIndex(ctx); err != nil {
		b.Fatal(err)
	}
	hb.srv = httptest.NewServer(api.New(svc, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), api.Options{}))
	benchServer = hb
	return hb
}

func (hb *httpBench) get(b *testing.B, path string) time.Duration {
	req, _ := http.NewRequest("GET", hb.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+hb.token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 {
		b.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	return d
}

func reportLatency(b *testing.B, ds []time.Duration) {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkTileHTTP requests tiles over HTTP (loopback, token auth, MVT
// encoding, the whole handler), zooms 0 to 18 equally, at random accounts.
func BenchmarkTileHTTP(b *testing.B) {
	hb := newHTTPBench(b)
	r := rand.New(rand.NewPCG(5, 5))
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := hb.pts[r.IntN(len(hb.pts))]
		z := i % 19
		x, y := geo.TileXY(p, z)
		ds = append(ds, hb.get(b, fmt.Sprintf("/api/v1/tiles/accounts/%d/%d/%d.mvt?i=%d", z, x, y, i)))
	}
	reportLatency(b, ds)
}

// BenchmarkAreaMetricsHTTP asks for area figures over HTTP for viewports
// from a few streets to the whole metro.
func BenchmarkAreaMetricsHTTP(b *testing.B) {
	hb := newHTTPBench(b)
	r := rand.New(rand.NewPCG(6, 6))
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := hb.pts[r.IntN(len(hb.pts))]
		half := 0.005 * math.Pow(2, float64(i%10))
		ds = append(ds, hb.get(b, fmt.Sprintf("/api/v1/metrics/area?bbox=%f,%f,%f,%f", p.Lon-half, p.Lat-half/2, p.Lon+half, p.Lat+half/2)))
	}
	reportLatency(b, ds)
}
