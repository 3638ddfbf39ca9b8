package api_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/territory"
)

// fixture is a server on a real SQLite database with a small organisation:
// two reps with a territory each, a manager and an admin.
type fixture struct {
	srv    *httptest.Server
	svc    *app.Service
	tokens map[string]string // role name → token
	ids    map[string]int64  // account external id → id
	users  map[string]*auth.User
	terrs  map[string]*territory.Territory
}

func square(lon, lat, size float64) geo.MultiPolygon {
	return geo.MultiPolygon{{{{Lon: lon, Lat: lat}, {Lon: lon + size, Lat: lat}, {Lon: lon + size, Lat: lat + size}, {Lon: lon, Lat: lat + size}, {Lon: lon, Lat: lat}}}}
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := app.New(db, nil, nil)
	if err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{svc: svc, tokens: map[string]string{}, ids: map[string]int64{}, users: map[string]*auth.User{}, terrs: map[string]*territory.Territory{}}
	for _, u := range []struct {
		key, email string
		role       auth.Role
	}{
		{"admin", "admin@example.com", auth.RoleAdmin}, {"manager", "manager@example.com", auth.RoleManager},
		{"rep1", "rep1@example.com", auth.RoleRep}, {"rep2", "rep2@example.com", auth.RoleRep},
	} {
		usr := &auth.User{Email: u.email, Name: strings.ToUpper(u.key), Role: u.role}
		if err := svc.CreateUser(ctx, auth.System, usr, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		f.users[u.key] = usr
		tok, _, err := svc.CreateToken(ctx, auth.System, u.email, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[u.key] = tok
	}
	for _, tr := range []struct {
		name string
		lon  float64
		rep  string
	}{{"West", 0, "rep1"}, {"East", 10, "rep2"}} {
		terr := &territory.Territory{Name: tr.name, Shape: square(tr.lon, 0, 5), RepIDs: []int64{f.users[tr.rep].ID}}
		if err := svc.SaveTerritory(ctx, auth.System, terr); err != nil {
			t.Fatal(err)
		}
		f.terrs[tr.name] = terr
	}
	for _, a := range []struct {
		ext      string
		lon, lat float64
		owner    string
	}{
		{"W1", 1, 1, ""}, {"W2", 2, 2, "rep2"}, // in West; W2 owned by rep2
		{"E1", 11, 1, ""}, {"E2", 12, 2, "rep1"}, // in East; E2 owned by rep1
		{"N1", 50, 50, ""}, // nowhere
	} {
		acc := &account.Account{ExternalID: a.ext, Name: "Account " + a.ext, Location: &geo.Point{Lon: a.lon, Lat: a.lat}}
		if a.owner != "" {
			acc.OwnerID = f.users[a.owner].ID
		}
		if err := svc.CreateAccount(ctx, auth.System, acc); err != nil {
			t.Fatal(err)
		}
		f.ids[a.ext] = acc.ID
	}
	f.srv = httptest.NewServer(api.New(svc, nil, api.Options{}))
	t.Cleanup(f.srv.Close)
	return f
}

// do sends a request as role ("" for anonymous) and decodes a JSON answer.
func (f *fixture) do(t *testing.T, role, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, r)
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[role])
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

func externalIDs(t *testing.T, body map[string]any) []string {
	t.Helper()
	var out []string
	items, _ := body["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["external_id"].(string))
	}
	sort.Strings(out)
	return out
}

func TestAnonymousIsRefusedEverywhere(t *testing.T) {
	f := newFixture(t)
	srv := api.New(f.svc, nil, api.Options{})
	doc := srv.OpenAPI()
	for path, item := range doc["paths"].(map[string]any) {
		for method, op := range item.(map[string]any) {
			if sec, ok := op.(map[string]any)["security"]; ok && len(sec.([]map[string]any)) == 0 {
				continue // public
			}
			p := strings.NewReplacer("{id}", "1", "{token}", "1", "{kind}", "accounts").Replace(path)
			code, body := f.do(t, "", strings.ToUpper(method), p, map[string]any{})
			if code != http.StatusUnauthorized {
				t.Errorf("%s %s anonymous = %d, want 401", strings.ToUpper(method), p, code)
			}
			if e, _ := body["error"].(map[string]any); e == nil || e["code"] != "unauthenticated" {
				t.Errorf("%s %s anonymous body = %v, want an unauthenticated error", method, p, body)
			}
		}
	}
	code, _ := f.do(t, "", "GET", "/api/v1/accounts", nil)
	if code != 401 {
		t.Errorf("GET /api/v1/accounts anonymous = %d, want 401", code)
	}
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/accounts", nil)
	req.Header.Set("Authorization", "Bearer mrd_not-a-real-token")
	resp, _ := http.DefaultClient.Do(req)
	if resp.StatusCode != 401 {
		t.Errorf("bad token = %d, want 401", resp.StatusCode)
	}
	resp.Body.Close()
}

func TestRepSeesOnlyTheirAccounts(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		role string
		want []string
	}{
		{"admin", []string{"E1", "E2", "N1", "W1", "W2"}},
		{"manager", []string{"E1", "E2", "N1", "W1", "W2"}},
		{"rep1", []string{"E2", "W1", "W2"}}, // West's accounts plus the one they own in East
		{"rep2", []string{"E1", "E2", "W2"}},
	}
	for _, tt := range tests {
		t.Run(tt.role, func(t *testing.T) {
			code, body := f.do(t, tt.role, "GET", "/api/v1/accounts?limit=2", nil)
			if code != 200 {
				t.Fatalf("list = %d %v", code, body)
			}
			if got := int(body["total"].(float64)); got != len(tt.want) {
				t.Errorf("total = %d, want %d", got, len(tt.want))
			}
			var all []string
			all = append(all, externalIDs(t, body)...)
			for next, _ := body["next_cursor"].(string); next != ""; next, _ = body["next_cursor"].(string) {
				_, body = f.do(t, tt.role, "GET", "/api/v1/accounts?limit=2&cursor="+next, nil)
				all = append(all, externalIDs(t, body)...)
			}
			sort.Strings(all)
			if diff := cmp.Diff(tt.want, all); diff != "" {
				t.Errorf("accounts seen (-want +got):\n%s", diff)
			}
			// The CSV export holds the same accounts.
			req, _ := http.NewRequest("GET", f.srv.URL+"/api/v1/exports/accounts?format=csv", nil)
			req.Header.Set("Authorization", "Bearer "+f.tokens[tt.role])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(resp.Body).ReadAll()
			resp.Body.Close()
			if err != nil || len(recs) == 0 {
				t.Fatalf("export = %v, %v", recs, err)
			}
			var exported []string
			for _, rec := range recs[1:] {
				exported = append(exported, rec[0])
			}
			sort.Strings(exported)
			if diff := cmp.Diff(tt.want, exported); diff != "" {
				t.Errorf("exported accounts (-want +got):\n%s", diff)
			}
			_, body = f.do(t, tt.role, "GET", "/api/v1/accounts?bbox=-180,-90,180,90&limit=100", nil)
			seen := map[string]bool{}
			for _, id := range externalIDs(t, body) {
				seen[id] = true
			}
			for ext, id := range f.ids {
				want := false
				for _, w := range tt.want {
					want = want || w == ext
				}
				path := fmt.Sprintf("/api/v1/accounts/%d", id)
				code, _ := f.do(t, tt.role, "GET", path, nil)
				if want && code != 200 || !want && code != 404 {
					t.Errorf("GET %s (%s) = %d, visible=%v", path, ext, code, want)
				}
				code, _ = f.do(t, tt.role, "GET", path+"/interactions", nil)
				if want && code != 200 || !want && code != 404 {
					t.Errorf("GET %s/interactions (%s) = %d, visible=%v", path, ext, code, want)
				}
				code, _ = f.do(t, tt.role, "POST", "/api/v1/interactions", map[string]any{"account": id, "channel": "phone", "type": "call"})
				if want && code != 201 || !want && code != 404 {
					t.Errorf("POST interaction on %s = %d, visible=%v", ext, code, want)
				}
				code, _ = f.do(t, tt.role, "PATCH", path, map[string]any{"city": "Changed"})
				if want && code != 200 || !want && code != 404 {
					t.Errorf("PATCH %s (%s) = %d, visible=%v", path, ext, code, want)
				}
				if seen[ext] != want && ext != "N1" {
					t.Errorf("bbox list: %s seen=%v, want %v", ext, seen[ext], want)
				}
			}
		})
	}
}

func TestRoles(t *testing.T) {
	f := newFixture(t)
	newTerr := map[string]any{"type": "Feature", "geometry": map[string]any{"type": "Polygon",
		"coordinates": [][][]float64{{{20, 20}, {21, 20}, {21, 21}, {20, 21}, {20, 20}}}}, "properties": map[string]any{"name": "North"}}
	tests := []struct {
		role, method, path string
		body               any
		want               int
	}{
		{"rep1", "POST", "/api/v1/users", map[string]any{"email": "x@example.com", "name": "X", "role": "admin"}, 403},
		{"manager", "POST", "/api/v1/users", map[string]any{"email": "x@example.com", "name": "X", "role": "rep"}, 403},
		{"admin", "POST", "/api/v1/users", map[string]any{"email": "x@example.com", "name": "X", "role": "rep", "password": "long enough pw"}, 201},
		{"rep1", "POST", "/api/v1/territories", newTerr, 403},
		{"manager", "POST", "/api/v1/territories", newTerr, 201},
		{"rep1", "DELETE", fmt.Sprintf("/api/v1/territories/%d", 1), nil, 403},
		{"rep1", "PUT", "/api/v1/stages", map[string]any{"items": account.DefaultPipeline()}, 403},
		{"rep1", "GET", "/api/v1/audit", nil, 403},
		{"admin", "GET", "/api/v1/audit", nil, 200},
		{"rep1", "PATCH", fmt.Sprintf("/api/v1/users/%d", 1), map[string]any{"role": "admin"}, 403},
		{"rep1", "GET", "/api/v1/territories", nil, 200},
		{"rep1", "GET", "/api/v1/me", nil, 200},
	}
	for _, tt := range tests {
		code, body := f.do(t, tt.role, tt.method, tt.path, tt.body)
		if code != tt.want {
			t.Errorf("%s %s %s = %d %v, want %d", tt.role, tt.method, tt.path, code, body, tt.want)
		}
	}
	// A rep may not delete, nor give an account away.
	id := f.ids["W1"]
	if code, _ := f.do(t, "rep1", "DELETE", fmt.Sprintf("/api/v1/accounts/%d", id), nil); code != 403 {
		t.Errorf("rep deleting an account = %d, want 403", code)
	}
	if code, _ := f.do(t, "rep1", "PATCH", fmt.Sprintf("/api/v1/accounts/%d", id), map[string]any{"owner": "rep2@example.com"}); code != 403 {
		t.Errorf("rep giving an account away = %d, want 403", code)
	}
	// A rep's new account is theirs.
	code, body := f.do(t, "rep1", "POST", "/api/v1/accounts", map[string]any{"name": "Walk-in", "lon": 30, "lat": 30})
	if code != 201 || body["owner"] != "rep1@example.com" {
		t.Errorf("rep creating an account = %d %v, want 201 owned by rep1", code, body)
	}
}

func TestTerritoryChangeMovesAccounts(t *testing.T) {
	f := newFixture(t)
	// Grow West over E1: E1 stays in East (the smaller territory wins)…
	code, body := f.do(t, "manager", "PUT", fmt.Sprintf("/api/v1/territories/%d", f.terrs["West"].ID), map[string]any{
		"geometry": map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {60, 0}, {60, 60}, {0, 60}, {0, 0}}}}})
	if code != 200 {
		t.Fatalf("PUT territory = %d %v", code, body)
	}
	_, e1 := f.do(t, "admin", "GET", fmt.Sprintf("/api/v1/accounts/%d", f.ids["E1"]), nil)
	_, n1 := f.do(t, "admin", "GET", fmt.Sprintf("/api/v1/accounts/%d", f.ids["N1"]), nil)
	if e1["territory"] != "East" || n1["territory"] != "West" {
		t.Errorf("after growing West: E1 in %v, N1 in %v; want East, West", e1["territory"], n1["territory"])
	}
	// …and rep1 now sees N1.
	if code, _ := f.do(t, "rep1", "GET", fmt.Sprintf("/api/v1/accounts/%d", f.ids["N1"]), nil); code != 200 {
		t.Errorf("rep1 GET N1 after territory change = %d, want 200", code)
	}
	// Deleting East moves E1 into West.
	if code, _ := f.do(t, "manager", "DELETE", fmt.Sprintf("/api/v1/territories/%d", f.terrs["East"].ID), nil); code != 204 {
		t.Fatalf("DELETE East = %d", code)
	}
	_, e1 = f.do(t, "admin", "GET", fmt.Sprintf("/api/v1/accounts/%d", f.ids["E1"]), nil)
	if e1["territory"] != "West" {
		t.Errorf("after deleting East: E1 in %v, want West", e1["territory"])
	}
	// Invalid geometry is refused with a clear message.
	code, body = f.do(t, "manager", "POST", "/api/v1/territories", map[string]any{"type": "Feature",
		"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][]float64{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}},
		"properties": map[string]any{"name": "Bowtie"}})
	if code != 400 || !strings.Contains(fmt.Sprint(body), "intersects itself") {
		t.Errorf("bow-tie territory = %d %v, want 400 naming the self-intersection", code, body)
	}
}

func TestValidationMessages(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		method, path string
		body         any
		want         string
	}{
		{"GET", "/api/v1/accounts?bbox=1,2,3", nil, "bbox"},
		{"GET", "/api/v1/accounts?limit=abc", nil, "limit"},
		{"GET", "/api/v1/accounts?stage=nope", nil, "stage"},
		{"GET", "/api/v1/accounts?cursor=zzz", nil, "cursor"},
		{"POST", "/api/v1/accounts", map[string]any{"name": "X", "lon": 500, "lat": 1}, "longitude"},
		{"POST", "/api/v1/accounts", map[string]any{"nmae": "typo"}, "unknown field"},
		{"POST", "/api/v1/accounts", map[string]any{"lon": 1, "lat": 1}, "name"},
		{"POST", "/api/v1/interactions", map[string]any{"account": 1, "channel": "Not A Channel"}, "channel"},
		{"GET", "/api/v1/accounts/abc", nil, "id"},
	}
	for _, tt := range tests {
		code, body := f.do(t, "admin", tt.method, tt.path, tt.body)
		e, _ := body["error"].(map[string]any)
		if code != 400 || e == nil || !strings.Contains(fmt.Sprint(e["message"]), tt.want) {
			t.Errorf("%s %s = %d %v, want 400 naming %q", tt.method, tt.path, code, body, tt.want)
		}
	}
}

func TestSessionCSRFAndRateLimit(t *testing.T) {
	f := newFixture(t)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	post := func(path, body, csrf string) *http.Response {
		req, _ := http.NewRequest("POST", f.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if csrf != "" {
			req.Header.Set("X-CSRF-Token", csrf)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := post("/api/v1/session", `{"email":"rep1@example.com","password":"correct horse battery"}`, "")
	var me struct {
		User      map[string]any `json:"user"`
		CSRFToken string         `json:"csrf_token"`
	}
	json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if resp.StatusCode != 200 || me.CSRFToken == "" || me.User["email"] != "rep1@example.com" {
		t.Fatalf("sign in = %d %+v", resp.StatusCode, me)
	}
	var hasHTTPOnly bool
	for _, ck := range resp.Cookies() {
		hasHTTPOnly = hasHTTPOnly || (ck.Name == api.SessionCookie && ck.HttpOnly)
	}
	if !hasHTTPOnly {
		t.Errorf("session cookie missing or not HttpOnly: %v", resp.Cookies())
	}
	r2, _ := c.Get(f.srv.URL + "/api/v1/accounts")
	if r2.StatusCode != 200 {
		t.Errorf("GET with session = %d, want 200", r2.StatusCode)
	}
	r2.Body.Close()
	body := fmt.Sprintf(`{"account":%d,"channel":"phone","type":"call"}`, f.ids["W1"])
	if r := post("/api/v1/interactions", body, ""); r.StatusCode != 403 {
		t.Errorf("POST with session but no CSRF token = %d, want 403", r.StatusCode)
	}
	if r := post("/api/v1/interactions", body, "wrong"); r.StatusCode != 403 {
		t.Errorf("POST with wrong CSRF token = %d, want 403", r.StatusCode)
	}
	if r := post("/api/v1/interactions", body, me.CSRFToken); r.StatusCode != 201 {
		t.Errorf("POST with CSRF token = %d, want 201", r.StatusCode)
	}
	req, _ := http.NewRequest("DELETE", f.srv.URL+"/api/v1/session", nil)
	r3, _ := c.Do(req)
	r3.Body.Close()
	r4, _ := c.Get(f.srv.URL + "/api/v1/me")
	if r4.StatusCode != 401 {
		t.Errorf("GET /me after sign-out = %d, want 401", r4.StatusCode)
	}
	r4.Body.Close()

	// Five wrong passwords, then even the right one is refused for a while.
	for i := 0; i < 5; i++ {
		r := post("/api/v1/session", `{"email":"rep2@example.com","password":"wrong password"}`, "")
		if r.StatusCode != 401 {
			t.Errorf("wrong password %d = %d, want 401", i, r.StatusCode)
		}
		r.Body.Close()
	}
	r := post("/api/v1/session", `{"email":"rep2@example.com","password":"correct horse battery"}`, "")
	if r.StatusCode != 429 {
		t.Errorf("sign-in after 5 failures = %d, want 429", r.StatusCode)
	}
	_, audit := f.do(t, "admin", "GET", "/api/v1/audit?limit=100", nil)
	actions := map[string]int{}
	for _, it := range audit["items"].([]any) {
		actions[it.(map[string]any)["action"].(string)]++
	}
	if actions["signin"] < 1 || actions["signin.failed"] < 5 {
		t.Errorf("audit actions = %v, want sign-ins and failures recorded", actions)
	}
}

func TestOpenAPIListsEveryRoute(t *testing.T) {
	f := newFixture(t)
	code, doc := f.do(t, "", "GET", "/api/v1/openapi.json", nil)
	if code != 200 {
		t.Fatalf("openapi = %d", code)
	}
	paths := doc["paths"].(map[string]any)
	// Every route the server answers must be documented: probe each
	// documented operation is routed (not 404/405 from the mux), and check
	// the known core routes are there.
	for _, want := range []string{"/healthz", "/api/v1/accounts", "/api/v1/accounts/{id}", "/api/v1/territories", "/api/v1/users", "/api/v1/session", "/api/v1/me", "/metrics"} {
		if _, ok := paths[want]; !ok {
			t.Errorf("openapi.json lacks %s", want)
		}
	}
	for path, item := range paths {
		for method := range item.(map[string]any) {
			p := strings.NewReplacer("{id}", "999999", "{token}", "999999", "{kind}", "accounts").Replace(path)
			req, _ := http.NewRequest(strings.ToUpper(method), f.srv.URL+p, strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode == 405 || (resp.StatusCode == 404 && resp.Header.Get("Content-Type") != "application/json; charset=utf-8") {
				t.Errorf("documented %s %s is not routed (%d)", method, path, resp.StatusCode)
			}
		}
	}
}

func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t)
	code, body := f.do(t, "", "GET", "/healthz", nil)
	if code != 200 || body["status"] != "ok" {
		t.Errorf("healthz = %d %v", code, body)
	}
	f.do(t, "admin", "GET", "/api/v1/accounts", nil)
	resp, err := http.Get(f.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	text, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(text), `meridian_http_requests_total{method="GET",route="/api/v1/accounts",code="200"} 1`) {
		t.Errorf("metrics lack the accounts request:\n%s", text)
	}
}
