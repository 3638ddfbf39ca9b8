package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/journey"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/visit"
)

// A funnel broken down by persona: each account falls under the oldest
// persona whose rule it meets, and the persona without a rule takes the rest.
func TestFunnelBreakdownByPersona(t *testing.T) {
	ctx := context.Background()
	f := journeySetup(t, storetest.OpenSQLite)
	for _, p := range []*journey.Persona{
		{Name: "Everyone else"}, // no rule: covers the accounts no other rule names
		{Name: "Denver families", Rule: "city=Denver"},
		{Name: "Boulder families", Rule: "city=Boulder"},
		{Name: "Also Denver", Rule: "city=Denver"}, // newer: Denver accounts stay with the older one
	} {
		if err := f.svc.SavePersona(ctx, f.manager, p); err != nil {
			t.Fatal(err)
		}
	}
	// 6 Denver, 3 Boulder, 2 Aurora accounts; the first k of each city
	// reach the demo.
	cities := []struct {
		city         string
		n, demo, buy int
	}{{"Denver", 6, 4, 1}, {"Boulder", 3, 2, 2}, {"Aurora", 2, 1, 0}}
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	var ins []*visit.Interaction
	for _, c := range cities {
		for i := 0; i < c.n; i++ {
			a := &account.Account{Name: fmt.Sprintf("%s %d", c.city, i), City: c.city}
			if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
				t.Fatal(err)
			}
			steps := []string{"web_visit"}
			if i < c.demo {
				steps = append(steps, "demo")
			}
			if i < c.buy {
				steps = append(steps, "purchase")
			}
			for k, typ := range steps {
				ins = append(ins, &visit.Interaction{AccountID: a.ID, At: start.Add(time.Duration(k) * 24 * time.Hour), Channel: "web", Type: typ, Source: "import"})
			}
		}
	}
	if err := f.svc.Store.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, ins) }); err != nil {
		t.Fatal(err)
	}
	f.svc.AnalyticsChanged()
	rep, err := f.svc.Funnel(ctx, f.manager, app.FunnelRequest{Steps: []string{"type=web_visit", "type=demo", "type=purchase"}, Window: "30d", Breakdown: "persona"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, row := range rep.Breakdown {
		got[row.Value] = row.Accounts
	}
	want := map[string][]int{
		"Denver families":  {6, 4, 1},
		"Boulder families": {3, 2, 2},
		"Everyone else":    {2, 1, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("breakdown by persona (-want +got):\n%s", diff)
	}
}
