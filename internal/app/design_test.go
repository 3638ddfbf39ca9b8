package app_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/territory"
)

func designBox(minLon, minLat, maxLon, maxLat float64) geo.MultiPolygon {
	return geo.BBoxPolygon(geo.BBox{MinLon: minLon, MinLat: minLat, MaxLon: maxLon, MaxLat: maxLat})
}

// designFixture: West and East side by side, n accounts spread over both.
func designFixture(t *testing.T, svc *app.Service, n int) (west, east *territory.Territory) {
	t.Helper()
	ctx := context.Background()
	rep1, _ := svc.Store.GetUserByEmail(ctx, "rep1@example.com")
	rep2, _ := svc.Store.GetUserByEmail(ctx, "rep2@example.com")
	west = &territory.Territory{Name: "West", Shape: designBox(-105.1, 39.6, -105.0, 39.8), RepIDs: []int64{rep1.ID}}
	east = &territory.Territory{Name: "East", Shape: designBox(-105.0, 39.6, -104.9, 39.8), RepIDs: []int64{rep2.ID}}
	for _, tr := range []*territory.Territory{west, east} {
		if err := svc.SaveTerritory(ctx, auth.System, tr); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(8, 8))
	err := svc.Store.ImportAccounts(ctx, func(im account.Importer) error {
		ids, err := im.NextIDs(ctx, n)
		if err != nil {
			return err
		}
		batch := make([]*account.Account, n)
		for i := range batch {
			loc := geo.Point{Lon: -105.1 + rng.Float64()*0.2, Lat: 39.6 + rng.Float64()*0.2}
			batch[i] = &account.Account{ID: ids[i], ExternalID: fmt.Sprint("D", i), Name: fmt.Sprint("Account ", i), Location: &loc,
				Precision: account.PrecisionExact, Stage: "lead", EstimatedValue: float64(1 + i%7), Tags: []string{}, Custom: map[string]string{}}
		}
		return im.Insert(ctx, batch)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Derive the accounts' territories as a save would.
	if err := svc.SaveTerritory(ctx, auth.System, west); err != nil {
		t.Fatal(err)
	}
	if err := svc.SaveTerritory(ctx, auth.System, east); err != nil {
		t.Fatal(err)
	}
	return west, east
}

func TestBalanceProposeAndApply(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, eng.Open)
			west, _ := designFixture(t, svc, 900)
			rep, _ := svc.Store.GetUserByEmail(ctx, "rep1@example.com")
			if _, err := svc.BalanceTerritories(ctx, &auth.Actor{User: rep}, app.BalanceRequest{K: 3}); derrors.KindOf(err) != derrors.Forbidden {
				t.Errorf("a rep balancing: %v, want forbidden", err)
			}

			prop, err := svc.BalanceTerritories(ctx, auth.System, app.BalanceRequest{K: 3, By: "accounts"})
			if err != nil {
				t.Fatal(err)
			}
			if len(prop.Territories) != 3 || prop.AccountsRatio > 1.1 || prop.Applied {
				t.Fatalf("proposal: %d territories, ratio %v, applied %v", len(prop.Territories), prop.AccountsRatio, prop.Applied)
			}
			actions := map[string]int{}
			for _, pt := range prop.Territories {
				actions[pt.Action]++
			}
			if actions["update"] != 2 || actions["create"] != 1 {
				t.Errorf("actions = %v, want West and East reused and one created", actions)
			}
			if prop.Changes.Territory == 0 || len(prop.Changes.Sample) == 0 || prop.Changes.Rep == 0 {
				t.Errorf("changes = %+v, want accounts moving territory and rep", prop.Changes)
			}
			ts, _ := svc.ListTerritories(ctx, auth.System)
			if len(ts) != 2 {
				t.Fatalf("a proposal changed the territories: %d", len(ts))
			}

			prop, err = svc.BalanceTerritories(ctx, auth.System, app.BalanceRequest{K: 3, Apply: true})
			if err != nil {
				t.Fatal(err)
			}
			if !prop.Applied || prop.HistoryID == 0 {
				t.Fatalf("applied = %v, history %d", prop.Applied, prop.HistoryID)
			}
			ts, _ = svc.ListTerritories(ctx, auth.System)
			if len(ts) != 3 {
				t.Fatalf("after apply: %d territories, want 3", len(ts))
			}
			// Every account is in exactly one territory, the one stored on it.
			counts := map[int64]int{}
			err = svc.Store.EachPlaced(ctx, func(a account.Placed) error {
				var in []int64
				for _, tr := range ts {
					if tr.Shape.Contains(a.Location) {
						in = append(in, tr.ID)
					}
				}
				if len(in) != 1 || in[0] != a.TerritoryID {
					return fmt.Errorf("account %d at %v is in %v, stored in %d", a.ID, a.Location, in, a.TerritoryID)
				}
				counts[a.TerritoryID]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, pt := range prop.Territories {
				if counts[pt.ID] != pt.Accounts {
					t.Errorf("territory %s holds %d accounts, proposal said %d", pt.Name, counts[pt.ID], pt.Accounts)
				}
			}
			hl, err := svc.TerritoryHistory(ctx, auth.System, 10, 0)
			if hs := hl.Items; err != nil || len(hs) != 1 || hl.Total != 1 || hs[0].ID != prop.HistoryID || !strings.Contains(string(hs[0].Before), "West") {
				t.Fatalf("history = %+v, %v", hl, err)
			}
			report, err := svc.CheckTerritories(ctx, auth.System, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(report.Overlaps) != 0 || report.UnassignedAccounts != 0 || len(report.Gaps) != 0 {
				t.Errorf("check after balance: %d overlaps, %d gaps, %d unassigned; want none", len(report.Overlaps), len(report.Gaps), report.UnassignedAccounts)
			}

			// Lock West (whatever it is now) and balance the rest in two.
			var w *territory.Territory
			for _, tr := range ts {
				if tr.Name == west.Name {
					w = tr
				}
			}
			if w == nil {
				t.Fatal("West was not reused")
			}
			prop, err = svc.BalanceTerritories(ctx, auth.System, app.BalanceRequest{K: 2, Lock: []string{"west"}, Apply: true})
			if err != nil {
				t.Fatal(err)
			}
			got, err := svc.GetTerritory(ctx, auth.System, w.ID)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.Shape.AreaKm2()-w.Shape.AreaKm2()) > 1e-9 {
				t.Errorf("locked West changed: %v km² → %v km²", w.Shape.AreaKm2(), got.Shape.AreaKm2())
			}
			for _, pt := range prop.Territories {
				tr, err := svc.GetTerritory(ctx, auth.System, pt.ID)
				if err != nil {
					t.Fatal(err)
				}
				if x := geo.Intersection(tr.Shape, w.Shape).AreaKm2(); x > 1e-6 {
					t.Errorf("%s overlaps the locked West by %v km²", tr.Name, x)
				}
			}

			var buf bytes.Buffer
			if _, err := svc.ExportTerritories(ctx, auth.System, "kml", &buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), "<name>West</name>") {
				t.Errorf("KML export lacks West")
			}
		})
	}
}

func TestBalanceBadRequests(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, storetest.OpenSQLite)
	designFixture(t, svc, 50)
	for _, tt := range []struct {
		req  app.BalanceRequest
		want string
	}{
		{app.BalanceRequest{K: 0}, "k:"},
		{app.BalanceRequest{K: 2, By: "size"}, "by:"},
		{app.BalanceRequest{K: 2, Lock: []string{"Nowhere"}}, "lock:"},
		{app.BalanceRequest{K: 2, Centres: "reps"}, "centres:"},
		{app.BalanceRequest{K: 2, Parent: "Atlantis"}, "parent:"},
	} {
		_, err := svc.BalanceTerritories(ctx, auth.System, tt.req)
		if derrors.KindOf(err) != derrors.Invalid || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("BalanceTerritories(%+v) = %v, want an invalid error naming %q", tt.req, err, tt.want)
		}
	}
}

func TestUnionShapes(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, storetest.OpenSQLite)
	u, err := svc.UnionShapes(ctx, auth.System, []geo.MultiPolygon{designBox(0, 0, 1, 1), designBox(1, 0, 2, 1), designBox(0, 1, 1, 2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(u) != 1 || len(u[0]) != 1 || len(u[0][0]) != 7 {
		t.Errorf("union of three squares = %v, want one L-shaped ring of 6 corners", u)
	}
	bad := geo.MultiPolygon{{{{Lon: 0, Lat: 0}, {Lon: 1, Lat: 1}, {Lon: 0, Lat: 1}}}}
	if _, err := svc.UnionShapes(ctx, auth.System, []geo.MultiPolygon{designBox(0, 0, 1, 1), bad}); err == nil || !strings.Contains(err.Error(), "geometries[1]") {
		t.Errorf("union with a bad ring: %v, want an error naming geometries[1]", err)
	}
}
