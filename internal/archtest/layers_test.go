// Package archtest keeps the layering of docs/architecture.md true: domain
// packages do no I/O of their own and never reach for a storage or HTTP
// adapter; only cmd wires adapters together.
package archtest

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/meridian-crm/meridian/"

// pure packages: business rules and computations, no database, no network,
// no files. They may encode to a writer (GPX, ICS, SVG, PNG, PDF) but never
// open what they write to.
var pure = []string{
	"geo", "account", "territory", "visit", "auth", "importer", "demo", "derrors", "tile",
	"routing", "routing/tsp", "plan", "itinerary", "rules", "overlay",
	"analytics", "journey", "journey/render",
}

// network adapters: outside services behind an interface. Domain packages
// define the interface; only app and cmd may use the adapter.
var network = []string{"internal/roads", "internal/notify", "internal/geocode"}

// doesIO reports whether a standard-library import reaches the database,
// the network or the file system. net/url, net/mail and net/netip only parse.
func doesIO(imp string) bool {
	switch imp {
	case "database/sql", "net", "net/http", "net/smtp", "net/rpc", "os", "syscall", "plugin":
		return true
	}
	for _, prefix := range []string{"database/sql/", "net/http/", "net/rpc/", "os/"} {
		if strings.HasPrefix(imp, prefix) {
			return true
		}
	}
	return false
}

// adapters and edges that only cmd (and tests) may import.
var edges = []string{"internal/sqlstore", "internal/sqlite", "internal/postgres", "internal/api", "internal/web", "internal/storetest"}

func imports(t *testing.T, dir string) []string {
	t.Helper()
	pkg, err := build.ImportDir(dir, 0)
	if err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	return pkg.Imports
}

func TestDomainPackagesArePure(t *testing.T) {
	for _, name := range pure {
		dir := filepath.Join("..", filepath.FromSlash(name))
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("internal/%s is listed as pure but %v", name, err)
			continue
		}
		for _, imp := range imports(t, dir) {
			if doesIO(imp) {
				t.Errorf("internal/%s imports %s: domain packages do no I/O of their own", name, imp)
			}
			for _, e := range slices.Concat(edges, network, []string{"internal/app"}) {
				if imp == module+e {
					t.Errorf("internal/%s imports %s: domain packages must not depend on adapters or the app layer", name, imp)
				}
			}
		}
	}
}

func TestOnlyCmdWiresAdapters(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string][]string{
		// The adapters build on the shared SQL store; api serves app.
		"sqlite":    {"internal/sqlstore"},
		"postgres":  {"internal/sqlstore"},
		"storetest": {"internal/sqlstore", "internal/sqlite", "internal/postgres"},
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "archtest" {
			continue
		}
		dir := filepath.Join("..", e.Name())
		if _, err := build.ImportDir(dir, 0); err != nil {
			continue // no non-test Go files
		}
		for _, imp := range imports(t, dir) {
			for _, edge := range edges {
				if imp != module+edge || "internal/"+e.Name() == edge {
					continue
				}
				ok := false
				for _, a := range allowed[e.Name()] {
					ok = ok || a == edge
				}
				if !ok {
					t.Errorf("internal/%s imports %s: only cmd/meridian wires adapters together", e.Name(), edge)
				}
			}
		}
	}
}
