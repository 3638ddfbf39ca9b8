package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/notify"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/sqlite"
	"github.com/meridian-crm/meridian/internal/visit"
)

func TestCLIRulesRunAndOverlayImport(t *testing.T) {
	ctx := context.Background()
	data, work := t.TempDir(), t.TempDir()
	var mu sync.Mutex
	var named []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !notify.Verify("from-the-flag", body, r.Header.Get(notify.SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var b rules.WebhookBody
		json.Unmarshal(body, &b)
		mu.Lock()
		for _, a := range b.Accounts {
			named = append(named, a.ExternalID)
		}
		mu.Unlock()
	}))
	defer hook.Close()

	db, err := sqlite.Open(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	svc := app.New(db, nil, nil)
	if err := svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		ext   string
		stage string
		ago   time.Duration
	}{{"C-1", "customer", 45 * 24 * time.Hour}, {"C-2", "customer", 2 * 24 * time.Hour}, {"L-1", "lead", 90 * 24 * time.Hour}} {
		acc := &account.Account{ExternalID: a.ext, Name: "Account " + a.ext, Stage: a.stage}
		if err := svc.CreateAccount(ctx, auth.System, acc); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateInteraction(ctx, &visit.Interaction{AccountID: acc.ID, At: time.Now().Add(-a.ago), Channel: "visit"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.CreateRule(ctx, auth.System, &rules.Rule{Name: "Lapsed customers", Kind: rules.NotVisited, Days: 30, Stage: "customer",
		Enabled: true, Notify: rules.Notify{Webhook: hook.URL}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, _, err := cli(t, "", "rules", "run", "--json", "--webhook-secret", "from-the-flag", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Notified int
		Rules    []struct {
			Rule     string
			Accounts []string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("rules run --json printed %q: %v", out, err)
	}
	if res.Notified != 1 || len(res.Rules) != 1 || res.Rules[0].Rule != "Lapsed customers" || strings.Join(res.Rules[0].Accounts, ",") != "C-1" {
		t.Errorf("rules run = %+v, want C-1 notified by Lapsed customers", res)
	}
	if strings.Join(named, ",") != "C-1" {
		t.Errorf("webhook named %v, want [C-1] with a valid signature", named)
	}
	out, _, err = cli(t, "", "rules", "run", "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"notified": 0`) {
		t.Errorf("second rules run = %q, %v; want notified 0", out, err)
	}
	out, _, err = cli(t, "", "rules", "list", "--data", data)
	if err != nil || !strings.Contains(out, "Lapsed customers") || !strings.Contains(out, "webhook") {
		t.Errorf("rules list = %q, %v", out, err)
	}

	file := writeFile(t, work, "storm.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"severity":2},
		"geometry":{"type":"Polygon","coordinates":[[[-105,39],[-104,39],[-104,40],[-105,40],[-105,39]]]}}]}`)
	out, _, err = cli(t, "", "import", "overlay", file, "--name", "Hail June", "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"features":1`) || !strings.Contains(out, `"name":"Hail June"`) {
		t.Errorf("import overlay = %q, %v", out, err)
	}
	bad := writeFile(t, work, "bad.geojson", `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Oops"},
		"geometry":{"type":"Polygon","coordinates":[[[-105,39],[-104,39],[-104,40],[-105,40]]]}}]}`)
	_, _, err = cli(t, "", "import", "overlay", bad, "--name", "Bad", "--data", data)
	if code := exitCode(err, io.Discard); code != 2 || !strings.Contains(err.Error(), `feature 1 ("Oops")`) {
		t.Errorf("bad overlay: exit %d, %v; want 2 naming feature 1", code, err)
	}
}
