package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/api"
)

// TestAccountFilterIsDocumented checks every route that selects accounts
// documents the whole shared filter, overlay and selection included.
func TestAccountFilterIsDocumented(t *testing.T) {
	f := newFixture(t)
	doc := api.New(f.svc, nil, api.Options{}).OpenAPI()
	paths := doc["paths"].(map[string]any)
	for _, op := range []struct{ method, path string }{
		{"get", "/api/v1/accounts"},
		{"get", "/api/v1/exports/{kind}"},
		{"get", "/api/v1/tiles/accounts/{z}/{x}/{y}"},
		{"get", "/api/v1/metrics/area"},
		{"post", "/api/v1/metrics/area"},
	} {
		o, _ := paths[op.path].(map[string]any)[op.method].(map[string]any)
		if o == nil {
			t.Errorf("%s %s is not documented", op.method, op.path)
			continue
		}
		have := map[string]bool{}
		ps, _ := o["parameters"].([]map[string]any)
		for _, p := range ps {
			have[p["name"].(string)] = true
		}
		for _, name := range []string{"stage", "owner", "territory", "q", "tag", "last_visit_after", "last_visit_before", "last_visit", "overlay", "selection"} {
			if !have[name] {
				t.Errorf("%s %s does not document the %s parameter", op.method, op.path, name)
			}
		}
	}
}

// TestSelectionFilter saves a selection and reads it back through every
// handler that takes the account filter; the caller's scope still applies.
func TestSelectionFilter(t *testing.T) {
	f := newFixture(t)
	code, sel := f.do(t, "manager", "POST", "/api/v1/analytics/selections", map[string]any{
		"label": "drop-offs", "account_ids": []int64{f.ids["W1"], f.ids["E1"], f.ids["N1"]},
	})
	if code != http.StatusCreated {
		t.Fatalf("POST selection = %d %v", code, sel)
	}
	id, _ := sel["id"].(string)

	_, l := f.do(t, "manager", "GET", "/api/v1/accounts?selection="+id, nil)
	if diff := cmp.Diff([]string{"E1", "N1", "W1"}, externalIDs(t, l)); diff != "" {
		t.Errorf("manager's accounts in the selection (-want +got):\n%s", diff)
	}
	if l["total"] != float64(3) {
		t.Errorf("total = %v, want 3", l["total"])
	}
	_, l = f.do(t, "rep1", "GET", "/api/v1/accounts?selection="+id, nil)
	if diff := cmp.Diff([]string{"W1"}, externalIDs(t, l)); diff != "" {
		t.Errorf("rep1's accounts in the selection (-want +got):\n%s", diff)
	}
	_, l = f.do(t, "manager", "GET", "/api/v1/accounts?territory=West&selection="+id, nil)
	if diff := cmp.Diff([]string{"W1"}, externalIDs(t, l)); diff != "" {
		t.Errorf("selection and territory (-want +got):\n%s", diff)
	}

	_, m := f.do(t, "manager", "GET", "/api/v1/metrics/area?bbox=-180,-85,180,85&selection="+id, nil)
	if m["accounts"] != float64(3) {
		t.Errorf("area figures of the selection = %v accounts, want 3", m["accounts"])
	}
	_, m = f.do(t, "manager", "POST", "/api/v1/metrics/area?selection="+id, map[string]any{
		"polygon": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{-1, -1}, {5, -1}, {5, 5}, {-1, 5}, {-1, -1}}}},
	})
	if m["accounts"] != float64(1) {
		t.Errorf("area figures of the selection in West's polygon = %v accounts, want 1 (W1)", m["accounts"])
	}

	code, _, body := f.get(t, "manager", "/api/v1/exports/accounts?format=csv&selection="+id)
	if rows := strings.Count(strings.TrimSpace(body), "\n"); code != 200 || rows != 3 {
		t.Errorf("export of the selection = %d with %d rows, want 200 with 3:\n%s", code, rows, body)
	}

	for _, bad := range []struct {
		query string
		want  int
	}{
		{"selection=nothex", http.StatusBadRequest},
		{"selection=" + strings.Repeat("0", 18), http.StatusNotFound},
	} {
		if code, _ := f.do(t, "manager", "GET", "/api/v1/accounts?"+bad.query, nil); code != bad.want {
			t.Errorf("GET /api/v1/accounts?%s = %d, want %d", bad.query, code, bad.want)
		}
	}
}
