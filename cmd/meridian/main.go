// Command meridian runs Meridian: the web app and API (serve), and the
// commands that import, export and administer its data.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/meridian-crm/meridian/internal/derrors"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode prints err and maps its kind to an exit status: 2 invalid input,
// 3 not found, 4 conflict, 5 not allowed, 1 anything else.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	if errors.Is(err, errHelp) {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	fmt.Fprintln(stderr, "meridian:", err)
	switch derrors.KindOf(err) {
	case derrors.Invalid:
		return 2
	case derrors.NotFound:
		return 3
	case derrors.Conflict:
		return 4
	case derrors.Forbidden, derrors.Unauthenticated:
		return 5
	}
	return 1
}

var (
	errHelp  = errors.New("help shown")
	errUsage = errors.New("usage error")
)

const usage = `meridian: field-sales mapping and customer journeys.

Usage:
  meridian serve [--addr 127.0.0.1:8080] [--demo]     run the web app and API
  meridian user add --email E --name N --role R       create a user (admin, manager, rep)
  meridian user list                                  list users
  meridian token create --email E [--name N]          print a new API token
  meridian import accounts FILE [--map H=field]...    import a CRM export (CSV or XLSX)
  meridian import interactions FILE                   import touchpoints (CSV or XLSX)
  meridian import territories FILE.geojson            import territories
  meridian export accounts|territories|interactions --format csv|geojson|kml
  meridian territory check|balance|union|history      check, build and balance territories
  meridian import overlay FILE.geojson [--name N]     import a map overlay (storm swaths, zones)
  meridian rules run [--json] | rules list            run the re-engagement rules now / list them
  meridian analyze funnel|paths|attribution|variants|segments …  journey analytics (--json)
  meridian route solve FILE [--time-limit 10s] [--objective vehicles|distance] [--json]  solve a TSPLIB, Solomon or Meridian JSON instance
  meridian bench routing [--family tsplib|solomon|homberger] [--time-limit 10s]  run the routing benchmarks
  meridian journey templates | new --template NAME    journey map templates; create a journey from one
  meridian import journey FILE.json [--json]          import a journey map document
  meridian export journey ID --format json|svg|pdf|png  export a journey map
  meridian backup FILE                                a consistent copy of the database
  meridian version

Every command takes:
  --data DIR     SQLite data directory (default ./data, env MERIDIAN_DATA)
  --db URL       use PostgreSQL instead (postgres://…, env MERIDIAN_DB)

Run "meridian COMMAND --help" for a command's flags.
`

// run is the whole program, with its environment passed in so tests can run
// it in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	e := &env{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(e, rest)
	case "user":
		return cmdUser(e, rest)
	case "token":
		return cmdToken(e, rest)
	case "import":
		return cmdImport(e, rest)
	case "export":
		return cmdExport(e, rest)
	case "territory":
		return cmdTerritory(e, rest)
	case "rules":
		return cmdRules(e, rest)
	case "analyze":
		return cmdAnalyze(e, rest)
	case "route":
		return cmdRoute(e, rest)
	case "bench":
		return cmdBench(e, rest)
	case "journey":
		return cmdJourney(e, rest)
	case "backup":
		return cmdBackup(e, rest)
	case "version", "--version":
		fmt.Fprintln(stdout, "meridian", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "meridian: unknown command %q\n\n%s", cmd, usage)
	return errUsage
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"
