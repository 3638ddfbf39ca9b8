package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/web"
)

func cmdServe(e *env, args []string) error {
	fs := e.flags("serve", "serve [--addr 127.0.0.1:8080] [--demo]")
	defAddr := e.getenv("MERIDIAN_ADDR")
	if defAddr == "" {
		defAddr = "127.0.0.1:8080"
	}
	addr := fs.String("addr", defAddr, "listen `address` (env MERIDIAN_ADDR); :0 picks a free port")
	demoFlag := fs.Bool("demo", false, "fill an empty database with the demo company and print its logins")
	secure := fs.Bool("secure-cookies", false, "mark the session cookie Secure (set when served over HTTPS)")
	trustProxy := fs.Bool("trust-proxy", false, "take the client address from X-Forwarded-For (behind a reverse proxy)")
	logFormat := fs.String("log", "text", "log format: text or json")
	tilesURL := fs.String("tiles", "", "online basemap: a raster tile URL ({z}/{x}/{y}) or a vector style URL (.json); default: the bundled offline boundaries")
	satURL := fs.String("satellite", "", "satellite imagery raster tile URL ({z}/{x}/{y})")
	pmtiles := fs.String("pmtiles", "", "a local .pmtiles basemap `file`, served to the browser with range requests")
	attribution := fs.String("attribution", "", "attribution text for the online basemap (required by most tile providers)")
	var geocoders multi
	fs.Var(&geocoders, "geocoder", "online geocoder for imports: nominatim=URL or census=URL (repeatable)")
	nf := notifyFlags(fs, e, true) // --smtp, --smtp-from, --webhook-secret, --rules-every (rules.go)
	roadMatrix := fs.String("road-matrix", "great-circle", "travel times for route planning: great-circle, osrm=URL or valhalla=URL (roadmatrix.go)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var handler slog.Handler = slog.NewTextHandler(e.stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(e.stderr, nil)
	}
	log := slog.New(handler)
	svc, db, err := e.service(log, geocoders...)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := useRoadMatrix(svc, *roadMatrix); err != nil {
		return err
	}

	var logins []string
	if *demoFlag {
		empty, err := svc.IsEmpty(e.ctx)
		if err != nil {
			return err
		}
		if empty {
			start := time.Now()
			ds, err := svc.LoadDemo(e.ctx, time.Now())
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			fmt.Fprintf(e.stdout, "demo company loaded around %s: %d accounts, %d interactions, %d territories in %.1fs\n",
				ds.Metro, len(ds.Accounts), len(ds.Interactions), len(ds.Territories), time.Since(start).Seconds())
			for _, u := range ds.Users {
				logins = append(logins, fmt.Sprintf("  %-8s %-36s password: %s", u.Role, u.Email, u.Password))
			}
		} else {
			fmt.Fprintln(e.stdout, "the database already has data; the demo company was not loaded (use a new --data directory for a fresh demo)")
		}
	} else if empty, err := svc.IsEmpty(e.ctx); err == nil && empty {
		fmt.Fprintln(e.stdout, "no users yet: create an admin with  meridian user add --email you@example.com --name \"Your Name\" --role admin")
	}

	// The page may fetch tiles only from origins its CSP names.
	var origins []string
	for _, u := range []string{*tilesURL, *satURL} {
		if u == "" {
			continue
		}
		pu, err := url.Parse(strings.NewReplacer("{", "", "}", "").Replace(u))
		if err != nil || pu.Scheme == "" || pu.Host == "" {
			return fmt.Errorf("--tiles/--satellite %q: not an absolute URL", u)
		}
		origins = append(origins, pu.Scheme+"://"+pu.Host)
	}
	if *pmtiles != "" {
		if _, err := os.Stat(*pmtiles); err != nil {
			return fmt.Errorf("--pmtiles: %w", err)
		}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler: api.New(svc, log, api.Options{UI: web.HandlerAllowing(origins...), SecureCookies: *secure, TrustProxy: *trustProxy,
			Map: api.MapConfig{TilesURL: *tilesURL, SatelliteURL: *satURL, PMTilesPath: *pmtiles, Attribution: *attribution}}),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	fmt.Fprintf(e.stdout, "Meridian is running at http://%s\n", ln.Addr())
	if len(logins) > 0 {
		fmt.Fprintln(e.stdout, "demo logins:")
		for _, l := range logins {
			fmt.Fprintln(e.stdout, l)
		}
	}
	go nf.loop(e.ctx, nf.wire(svc), log) // re-engagement rules and digests, wired before the server starts
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go housekeep(e.ctx, svc, log)
	// Build the map's account index now rather than on the first tile.
	go func() {
		if _, err := svc.MapIndex(e.ctx); err != nil && e.ctx.Err() == nil {
			log.Error("map index", "err", err)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-e.ctx.Done():
	}
	fmt.Fprintln(e.stdout, "shutting down")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// housekeepEvery is how often serve tidies up.
const housekeepEvery = time.Hour

// housekeep runs housekeepOnce every housekeepEvery until ctx ends.
func housekeep(ctx context.Context, svc *app.Service, log *slog.Logger) {
	t := time.NewTicker(housekeepEvery)
	defer t.Stop()
	for {
		housekeepOnce(ctx, svc, log)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeepOnce purges expired sessions, old sign-in attempts and old pings,
// and reminds owners of journey maps whose review fell due. The reminders
// run with each pass rather than once a day: each due date is claimed once
// in the store, so an owner hears of it within the hour and never twice,
// and the reminder joins that day's email digest.
func housekeepOnce(ctx context.Context, svc *app.Service, log *slog.Logger) {
	if n, err := svc.Housekeep(ctx); err != nil {
		if ctx.Err() == nil {
			log.Error("housekeeping", "err", err)
		}
	} else if n > 0 {
		log.Info("housekeeping", "purged_rows", n)
	}
	if n, err := svc.NotifyDueReviews(ctx); err != nil {
		if ctx.Err() == nil {
			log.Error("journey review reminders", "err", err)
		}
	} else if n > 0 {
		log.Info("journey review reminders", "sent", n)
	}
}
