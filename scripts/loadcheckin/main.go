// Command loadcheckin measures field activity under load: it starts a real
// Meridian server (the same api and app as `meridian serve`, minus request
// logging) on a real SQLite file, then sends check-ins (POST
// /api/v1/interactions with a location) or batches of GPS pings (POST
// /api/v1/pings) over TCP from N connections for a while, and reports the
// rate, latency percentiles, and whether every answered success is stored.
//
//	go run ./scripts/loadcheckin -mode checkin -conns 16 -duration 20s
//	go run ./scripts/loadcheckin -mode pings -conns 16 -duration 20s -batch 500
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/sqlite"
)

func main() {
	mode := flag.String("mode", "checkin", "checkin or pings")
	conns := flag.Int("conns", 16, "concurrent connections (one rep each)")
	dur := flag.Duration("duration", 20*time.Second, "how long to send")
	batch := flag.Int("batch", 500, "pings per request (pings mode)")
	perRep := flag.Int("accounts", 200, "accounts per rep")
	dir := flag.String("dir", "", "data directory (default: a new temporary one, removed after)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the load phase (server and client) to this file")
	flag.Parse()
	if *dir == "" {
		d, err := os.MkdirTemp("", "loadcheckin")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, *dir)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	svc := app.New(db, nil, nil)
	if err := svc.Init(ctx); err != nil {
		log.Fatal(err)
	}

	// One rep per connection, each owning accounts scattered over 10 km.
	centre := geo.Point{Lon: -104.99, Lat: 39.74}
	rng := rand.New(rand.NewSource(1))
	type rep struct {
		token    string
		accounts []*account.Account
	}
	reps := make([]rep, *conns)
	for i := range reps {
		email := fmt.Sprintf("rep%d@example.com", i)
		u := &auth.User{Email: email, Name: fmt.Sprint("Rep ", i), Role: auth.RoleRep}
		if err := svc.CreateUser(ctx, auth.System, u, ""); err != nil {
			log.Fatal(err)
		}
		tok, _, err := svc.CreateToken(ctx, auth.System, email, "load")
		if err != nil {
			log.Fatal(err)
		}
		reps[i].token = tok
		for j := 0; j < *perRep; j++ {
			p := geo.Offset(centre, rng.Float64()*10000-5000, rng.Float64()*10000-5000)
			a := &account.Account{Name: fmt.Sprintf("Account %d-%d", i, j), Location: &p, OwnerID: u.ID}
			if err := svc.CreateAccount(ctx, auth.System, a); err != nil {
				log.Fatal(err)
			}
			reps[i].accounts = append(reps[i].accounts, a)
		}
		if *mode == "pings" {
			actor, _ := svc.Actor(ctx, u)
			if err := svc.SetTracking(ctx, actor, true); err != nil {
				log.Fatal(err)
			}
		}
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: api.New(svc, nil, api.Options{}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: *conns, MaxIdleConnsPerHost: *conns, DisableCompression: true}}

	var (
		mu       sync.Mutex
		lat      []time.Duration
		ok, fail atomic.Int64
		items    atomic.Int64 // check-ins or pings answered as stored
		firstErr atomic.Value
	)
	deadline := time.Now().Add(*dur)
	var wg sync.WaitGroup
	fmt.Fprintf(os.Stderr, "%s: %d connections for %v against %s (SQLite file %s)\n", *mode, *conns, *dur, base, filepath.Join(*dir, sqlite.FileName))
	if *cpuProfile != "" {
		pf, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	for w := range reps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewSource(int64(w) + 100))
			var mine []time.Duration
			pingAt := time.Now().Add(-24 * time.Hour).Truncate(time.Second)
			walk := reps[w].accounts[0].Location
			pos := *walk
			for time.Now().Before(deadline) {
				var body []byte
				var path string
				switch *mode {
				case "checkin":
					a := reps[w].accounts[r.Intn(len(reps[w].accounts))]
					p := geo.Offset(*a.Location, r.Float64()*300-150, r.Float64()*300-150)
					body, _ = json.Marshal(map[string]any{"account": a.ID, "channel": "visit", "outcome": "no_answer", "notes": "load test <ok>", "lon": p.Lon, "lat": p.Lat})
					path = "/api/v1/interactions"
				default:
					type ping struct {
						At  string  `json:"at"`
						Lon float64 `json:"lon"`
						Lat float64 `json:"lat"`
						Acc float64 `json:"accuracy_m"`
					}
					ps := make([]ping, *batch)
					for i := range ps {
						// A rep walking about: 1 s apart, a few metres each.
						pos = geo.Offset(pos, r.Float64()*6-3, r.Float64()*6-3)
						ps[i] = ping{At: pingAt.Format(time.RFC3339), Lon: pos.Lon, Lat: pos.Lat, Acc: 8}
						pingAt = pingAt.Add(time.Second)
					}
					body, _ = json.Marshal(map[string]any{"pings": ps})
					path = "/api/v1/pings"
				}
				req, _ := http.NewRequest("POST", base+path, bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+reps[w].token)
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					fail.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mine = append(mine, time.Since(t0))
				if resp.StatusCode/100 != 2 {
					fail.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, raw))
					continue
				}
				ok.Add(1)
				if *mode == "checkin" {
					items.Add(1)
				} else {
					var res struct{ Stored int64 }
					_ = json.Unmarshal(raw, &res)
					items.Add(res.Stored)
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	var stored int64
	table := "interactions"
	if *mode == "pings" {
		table = "pings"
	}
	if err := db.Reader().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&stored); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("mode %s, %d connections, %v\n", *mode, *conns, elapsed.Round(time.Millisecond))
	fmt.Printf("requests: %d ok, %d failed; %.0f requests/s\n", ok.Load(), fail.Load(), float64(ok.Load())/elapsed.Seconds())
	if *mode == "pings" {
		fmt.Printf("pings stored (answers): %d; %.0f pings/s\n", items.Load(), float64(items.Load())/elapsed.Seconds())
	}
	fmt.Printf("latency: p50 %v, p90 %v, p99 %v, max %v\n", pct(0.50).Round(10*time.Microsecond), pct(0.90).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond))
	fmt.Printf("rows in %s: %d; answered as stored: %d\n", table, stored, items.Load())
	if e := firstErr.Load(); e != nil {
		fmt.Printf("first error: %v\n", e)
	}
	if stored != items.Load() {
		fmt.Println("MISMATCH: not every success is stored")
		os.Exit(1)
	}
}
