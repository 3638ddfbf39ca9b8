// Package archtest keeps the layering of docs/architecture.md true: domain
// packages do no I/O of their own and never reach for a storage or HTTP
// adapter; only cmd wires adapters together.
package archtest

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/meridian-crm/meridian/"

// pure packages: business rules and computations, no database, no HTTP.
var pure = []string{"geo", "account", "territory", "visit", "auth", "importer", "demo", "derrors"}

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
		dir := filepath.Join("..", name)
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		for _, imp := range imports(t, dir) {
			if imp == "database/sql" || imp == "net/http" || strings.HasPrefix(imp, "database/sql/") || strings.HasPrefix(imp, "net/http/") {
				t.Errorf("internal/%s imports %s: domain packages do no I/O of their own", name, imp)
			}
			for _, e := range append(edges, "internal/app") {
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
