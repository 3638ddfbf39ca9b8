package api_test

import (
	"encoding/json"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

func (f *fixture) raw(t *testing.T, role, method, path string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

func TestJourneyAPI(t *testing.T) {
	f := newFixture(t)
	src, err := os.ReadFile("../journey/testdata/car_purchase.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		t.Fatal(err)
	}
	doc["owner"] = "manager@example.com"

	if code, _ := f.do(t, "rep1", "POST", "/api/v1/journeys", doc); code != http.StatusForbidden {
		t.Errorf("rep POST journey = %d, want 403", code)
	}
	code, created := f.do(t, "manager", "POST", "/api/v1/journeys", doc)
	if code != http.StatusCreated {
		t.Fatalf("POST journey = %d %v", code, created)
	}
	id := int64(created["id"].(float64))
	path := "/api/v1/journeys/" + fmtInt(id)
	if created["version"].(float64) != 1 {
		t.Errorf("new journey version = %v", created["version"])
	}

	// GET gives the document plus id and version; PUT of that with one cell
	// changed makes version 2.
	code, got := f.do(t, "rep1", "GET", path, nil)
	if code != http.StatusOK || got["name"] != "Family car purchase" || len(got["stages"].([]any)) != 5 {
		t.Fatalf("GET journey = %d %v", code, got)
	}
	stage := got["stages"].([]any)[2].(map[string]any)
	stage["thoughts"] = append(stage["thoughts"].([]any), "Is the boot big enough?")
	code, put := f.do(t, "manager", "PUT", path, got)
	if code != http.StatusOK || put["version"].(float64) != 2 {
		t.Fatalf("PUT = %d %v", code, put)
	}
	// The same body again (version 1) is stale.
	if code, body := f.do(t, "manager", "PUT", path, got); code != http.StatusConflict {
		t.Errorf("stale PUT = %d %v, want 409", code, body)
	}
	code, vs := f.do(t, "rep1", "GET", path+"/versions", nil)
	if code != http.StatusOK || vs["total"].(float64) != 2 {
		t.Fatalf("versions = %d %v", code, vs)
	}
	newest := vs["items"].([]any)[0].(map[string]any)
	if newest["author"] != "manager@example.com" || newest["version"].(float64) != 2 {
		t.Errorf("newest version = %v", newest)
	}
	code, v1 := f.do(t, "rep1", "GET", path+"/versions/1", nil)
	if code != http.StatusOK || len(v1["document"].(map[string]any)["stages"].([]any)[2].(map[string]any)["thoughts"].([]any)) != 2 {
		t.Errorf("version 1 = %d %v", code, v1)
	}
	code, diff := f.do(t, "rep1", "GET", path+"/diff?from=1&to=2", nil)
	if code != http.StatusOK || len(diff["changes"].([]any)) != 1 ||
		diff["changes"].([]any)[0].(map[string]any)["text"] != `Considering: thoughts: added "Is the boot big enough?"` {
		t.Errorf("diff = %d %v", code, diff)
	}

	// Validation names the stage and lane.
	bad := got
	bad["version"] = 0
	bad["stages"].([]any)[1].(map[string]any)["emotion"] = 5
	code, e := f.do(t, "manager", "PUT", path, bad)
	if code != http.StatusBadRequest || !strings.Contains(e["error"].(map[string]any)["message"].(string), `stage 2 "Comparing": emotion`) {
		t.Errorf("bad emotion = %d %v", code, e)
	}

	code, m := f.do(t, "rep1", "GET", path+"/metrics", nil)
	if code != http.StatusOK || len(m["stages"].([]any)) != 5 {
		t.Fatalf("metrics = %d %v", code, m)
	}
	first := m["stages"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "accounts", "conversion", "median_seconds_from_previous", "kpis"} {
		if _, ok := first[k]; !ok {
			t.Errorf("metrics stage lacks %q: %v", k, first)
		}
	}

	res := f.raw(t, "rep1", "GET", path+"/export.svg")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("export.svg = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	svg, _ := io.ReadAll(res.Body)
	if err := xml.Unmarshal(svg, new(struct{})); err != nil || !strings.Contains(string(svg), "Post-Purchase") {
		t.Errorf("export.svg not an SVG of the map: %v", err)
	}
	res = f.raw(t, "manager", "GET", path+"/export.png")
	img, err := png.Decode(res.Body)
	if err != nil || img.Bounds().Dx() < 1200 {
		t.Errorf("export.png: %v", err)
	}
	res = f.raw(t, "manager", "GET", path+"/export.pdf")
	if b, _ := io.ReadAll(res.Body); res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(b), "%PDF-") {
		t.Errorf("export.pdf = %s", res.Header.Get("Content-Type"))
	}
	if res := f.raw(t, "manager", "GET", path+"/export.gif"); res.StatusCode != http.StatusNotFound {
		t.Errorf("export.gif = %d, want 404", res.StatusCode)
	}

	code, ls := f.do(t, "rep1", "GET", "/api/v1/journeys", nil)
	if code != http.StatusOK || ls["total"].(float64) != 1 {
		t.Errorf("list = %d %v", code, ls)
	}
	code, ls = f.do(t, "rep1", "GET", "/api/v1/journeys?review_due=1", nil)
	if code != http.StatusOK || ls["total"].(float64) != 0 {
		t.Errorf("review_due list = %d %v", code, ls)
	}
	code, ts := f.do(t, "rep1", "GET", "/api/v1/journey-templates", nil)
	if code != http.StatusOK || ts["total"].(float64) != 3 {
		t.Errorf("templates = %d %v", code, ts)
	}
	code, fromTpl := f.do(t, "manager", "POST", "/api/v1/journeys?template=b2b_sale", nil)
	if code != http.StatusCreated || fromTpl["name"] != "B2B sale" || fromTpl["owner"] != "manager@example.com" {
		t.Errorf("POST ?template = %d %v", code, fromTpl)
	}

	// Personas.
	code, ps := f.do(t, "rep1", "GET", "/api/v1/personas", nil)
	if code != http.StatusOK || ps["total"].(float64) != 2 {
		t.Fatalf("personas = %d %v", code, ps)
	}
	if code, _ := f.do(t, "rep1", "POST", "/api/v1/personas", map[string]any{"name": "Fleet"}); code != http.StatusForbidden {
		t.Errorf("rep POST persona = %d", code)
	}
	code, p := f.do(t, "manager", "POST", "/api/v1/personas", map[string]any{"name": "Fleet", "goals": []string{"low costs"}, "rule": "custom.Segment=Fleet"})
	if code != http.StatusCreated {
		t.Fatalf("POST persona = %d %v", code, p)
	}
	pp := "/api/v1/personas/" + fmtInt(int64(p["id"].(float64)))
	p["quote"] = "Numbers first."
	if code, p2 := f.do(t, "manager", "PUT", pp, p); code != http.StatusOK || p2["quote"] != "Numbers first." {
		t.Errorf("PUT persona = %d %v", code, p2)
	}
	if code, e := f.do(t, "manager", "PUT", pp, map[string]any{"name": "Fleet", "rule": "colour=red"}); code != http.StatusBadRequest || !strings.Contains(e["error"].(map[string]any)["message"].(string), "rule") {
		t.Errorf("bad rule = %d %v", code, e)
	}
	if code, _ := f.do(t, "manager", "DELETE", pp, nil); code != http.StatusNoContent {
		t.Errorf("DELETE persona = %d", code)
	}
	if code, _ := f.do(t, "manager", "DELETE", "/api/v1/personas/"+fmtInt(int64(ps["items"].([]any)[0].(map[string]any)["id"].(float64))), nil); code != http.StatusConflict {
		t.Errorf("DELETE persona in use = %d, want 409", code)
	}
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }
