package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/geocode"
	"github.com/meridian-crm/meridian/internal/postgres"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/sqlstore"
)

// env is what every command gets: its context and I/O, and the global flags.
type env struct {
	ctx            context.Context
	getenv         func(string) string
	stdin          io.Reader
	stdout, stderr io.Writer

	dataDir string
	dbURL   string
}

// flags returns a flag set with the global flags already on it.
func (e *env) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	def := e.getenv("MERIDIAN_DATA")
	if def == "" {
		def = "./data"
	}
	fs.StringVar(&e.dataDir, "data", def, "SQLite data `directory` (env MERIDIAN_DATA)")
	fs.StringVar(&e.dbURL, "db", e.getenv("MERIDIAN_DB"), "PostgreSQL `URL` postgres://…; overrides --data (env MERIDIAN_DB)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: meridian %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// multi is a flag that may be repeated.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ", ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// open opens the store the flags chose.
func (e *env) open() (*sqlstore.DB, error) {
	if e.dbURL != "" {
		return postgres.Open(e.ctx, e.dbURL)
	}
	return sqlite.Open(e.ctx, e.dataDir)
}

// service opens the store and builds the application service on it.
func (e *env) service(log *slog.Logger, geocoderURLs ...string) (*app.Service, *sqlstore.DB, error) {
	db, err := e.open()
	if err != nil {
		return nil, nil, err
	}
	g, err := buildGeocoder(geocoderURLs)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc := app.New(db, g, log)
	if err := svc.Init(e.ctx); err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, db, nil
}

// buildGeocoder returns the offline gazetteer, plus any online geocoders
// given as "nominatim=URL" or "census=URL". Rows with a street ask the online
// geocoders first (they place the address itself), then the gazetteer; rows
// without one go to the gazetteer only, since an online geocoder can do no
// better with a ZIP or a city and would only slow the import.
func buildGeocoder(specs []string) (geocode.Geocoder, error) {
	offline := geocode.NewOffline()
	var gs []geocode.Geocoder
	for _, spec := range specs {
		if spec == "" {
			continue
		}
		kind, url, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("--geocoder %q: expected nominatim=URL or census=URL", spec)
		}
		switch kind {
		case "nominatim":
			gs = append(gs, geocode.Cached(geocode.RateLimited(geocode.NewNominatim(url), 1), 100000))
		case "census":
			gs = append(gs, geocode.Cached(geocode.RateLimited(geocode.NewCensus(url), 10), 100000))
		default:
			return nil, fmt.Errorf("--geocoder %q: kind must be nominatim or census", spec)
		}
	}
	if len(gs) == 0 {
		return offline, nil
	}
	return streetsOnline{online: geocode.Chain(append(gs, offline)...), offline: offline}, nil
}

// streetsOnline sends queries with a street to online, others to offline.
type streetsOnline struct{ online, offline geocode.Geocoder }

func (g streetsOnline) Geocode(ctx context.Context, q geocode.Query) (geocode.Result, error) {
	if strings.TrimSpace(q.Street) != "" {
		return g.online.Geocode(ctx, q)
	}
	return g.offline.Geocode(ctx, q)
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

var accountFilterAll = account.Filter{}
