// Package storetest is the contract every Meridian store must pass. The
// sqlite and postgres packages run it against a real database each.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/analytics"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Store is everything a Meridian store implements.
type Store interface {
	account.Store
	territory.Store
	territory.DesignStore // balance history (issue 8)
	visit.Store
	analytics.Source // what journey analytics read (issue 7)
	visit.PingStore  // pings, tracking, automatic visits, rep activity (issue 5)
	JourneyStore     // personas, journeys and versions (issue 6)
	auth.Store
}

// Opener returns a new, empty, migrated store for one test.
type Opener func(t *testing.T) Store

// Run runs the whole contract against stores from open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Store)
	}{
		{"AccountCRUD", testAccountCRUD},
		{"AccountFilters", testAccountFilters},
		{"AccountPaging", testAccountPaging},
		{"AccountImportAtomic", testAccountImportAtomic},
		{"AccountImportUpdate", testAccountImportUpdate},
		{"Pipeline", testPipeline},
		{"Territories", testTerritories},
		{"Interactions", testInteractions},
		{"InteractionImport", testInteractionImport},
		{"InteractionImportLastVisit", testInteractionImportLastVisit}, // interactions_import.go
		{"AnalyticsSource", testAnalyticsSource},
		{"CheckIns", testCheckIns},
		{"Pings", testPings},
		{"AutoVisits", testAutoVisits},
		{"Users", testUsers},
		{"TokensSessions", testTokensSessions},
		{"SignInsAudit", testSignInsAudit},
		{"TerritoryDesign", testTerritoryDesign},
		{"Rules", testRules},
		{"Notifications", testNotifications},
		{"Overlays", testOverlays},
		{"Plans", testPlans},
		{"Journeys", testJourneys},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if err := s.SetPipeline(context.Background(), account.DefaultPipeline()); err != nil {
				t.Fatal(err)
			}
			tt.fn(t, s)
		})
	}
}

var ctx = context.Background()

func pt(lon, lat float64) *geo.Point { return &geo.Point{Lon: lon, Lat: lat} }

func newAccount(ext, name string, loc *geo.Point) *account.Account {
	a := &account.Account{ExternalID: ext, Name: name, Location: loc, Stage: "lead", Custom: map[string]string{}, Tags: []string{}}
	if loc != nil {
		a.Precision = account.PrecisionExact
	} else {
		a.Precision = account.PrecisionNone
	}
	return a
}

func mustCreate(t *testing.T, s Store, a *account.Account) *account.Account {
	t.Helper()
	if err := s.CreateAccount(ctx, a); err != nil {
		t.Fatalf("CreateAccount(%q) = %v", a.Name, err)
	}
	return a
}

func mustUser(t *testing.T, s Store, email string, role auth.Role) *auth.User {
	t.Helper()
	u := &auth.User{Email: email, Name: email, Role: role}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%q) = %v", email, err)
	}
	return u
}

func square(lon, lat, size float64) geo.MultiPolygon {
	return geo.MultiPolygon{{{
		{Lon: lon, Lat: lat}, {Lon: lon + size, Lat: lat}, {Lon: lon + size, Lat: lat + size}, {Lon: lon, Lat: lat + size}, {Lon: lon, Lat: lat},
	}}}
}

func wantKind(t *testing.T, what string, err error, k derrors.Kind) {
	t.Helper()
	if got := derrors.KindOf(err); got != k {
		t.Errorf("%s: error kind = %q (%v), want %q", what, got, err, k)
	}
}

func testAccountCRUD(t *testing.T, s Store) {
	owner := mustUser(t, s, "rep@example.com", auth.RoleRep)
	a := newAccount("SF-1", "Acme", pt(-104.99, 39.74))
	a.Street, a.City, a.Region, a.PostalCode, a.Country = "1 Main St", "Denver", "CO", "80202", "US"
	a.OwnerID = owner.ID
	a.EstimatedValue = 1234.5
	a.Tags = []string{"hot", "vip"}
	a.Custom = map[string]string{"Industry": "Retail", "Employees": "12"}
	a.NextFollowUpAt = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a.DoNotContact = true
	mustCreate(t, s, a)
	if a.ID == 0 || a.CreatedAt.IsZero() {
		t.Fatalf("CreateAccount did not set ID/CreatedAt: %+v", a)
	}
	got, err := s.GetAccount(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	opts := cmp.Options{cmp.Comparer(func(x, y time.Time) bool { return x.UnixMilli() == y.UnixMilli() })}
	if diff := cmp.Diff(a, got, opts); diff != "" {
		t.Errorf("GetAccount mismatch (-want +got):\n%s", diff)
	}
	byExt, err := s.GetAccountByExternalID(ctx, "SF-1")
	if err != nil || byExt.ID != a.ID {
		t.Errorf("GetAccountByExternalID(SF-1) = %v, %v; want id %d", byExt, err, a.ID)
	}
	// Duplicate external id.
	wantKind(t, "CreateAccount(duplicate external id)", s.CreateAccount(ctx, newAccount("SF-1", "Other", nil)), derrors.Conflict)
	// Accounts without external id may be many.
	mustCreate(t, s, newAccount("", "No id 1", nil))
	mustCreate(t, s, newAccount("", "No id 2", nil))

	got.Name = "Acme Corp"
	got.Location = nil
	got.Precision = account.PrecisionNone
	if err := s.UpdateAccount(ctx, got); err != nil {
		t.Fatal(err)
	}
	again, _ := s.GetAccount(ctx, a.ID)
	if again.Name != "Acme Corp" || again.Location != nil {
		t.Errorf("after update: name %q location %v, want Acme Corp, nil", again.Name, again.Location)
	}
	wantKind(t, "UpdateAccount(missing)", s.UpdateAccount(ctx, &account.Account{ID: 99999, Name: "x", Stage: "lead", Precision: "none"}), derrors.NotFound)

	if err := s.CreateInteraction(ctx, &visit.Interaction{AccountID: a.ID, At: time.Now(), Channel: "phone", Type: "call", Source: "manual"}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.GetAccount(ctx, a.ID)
	wantKind(t, "GetAccount(deleted)", err, derrors.NotFound)
	wantKind(t, "DeleteAccount(again)", s.DeleteAccount(ctx, a.ID), derrors.NotFound)
	_, err = s.GetAccountByExternalID(ctx, "nope")
	wantKind(t, "GetAccountByExternalID(nope)", err, derrors.NotFound)
}

func ids(list []*account.Account) []int64 {
	out := []int64{}
	for _, a := range list {
		out = append(out, a.ID)
	}
	return out
}

func testAccountFilters(t *testing.T, s Store) {
	rep := mustUser(t, s, "rep@example.com", auth.RoleRep)
	other := mustUser(t, s, "other@example.com", auth.RoleRep)
	var terr territory.Territory
	terr = territory.Territory{Name: "T1", Color: "#112233", Shape: square(-105, 39, 1)}
	if err := s.SaveTerritory(ctx, &terr, nil); err != nil {
		t.Fatal(err)
	}
	mk := func(ext, name, stage string, loc *geo.Point, owner int64, terrID int64, tags []string, custom map[string]string) int64 {
		a := newAccount(ext, name, loc)
		a.Stage, a.OwnerID, a.TerritoryID, a.Tags, a.Custom = stage, owner, terrID, tags, custom
		a.City = "Denver"
		return mustCreate(t, s, a).ID
	}
	a1 := mk("A1", "Alpha Bakery", "lead", pt(-104.5, 39.5), rep.ID, terr.ID, []string{"vip"}, map[string]string{"Industry": "Food"})
	a2 := mk("A2", "Beta 100% Plumbing", "customer", pt(-104.6, 39.6), other.ID, terr.ID, nil, map[string]string{"Industry": "Trades"})
	a3 := mk("A3", "Gamma_Dental", "customer", pt(-100, 45), other.ID, 0, []string{"vip", "new"}, nil)
	a4 := mk("A4", "Delta", "lost", nil, rep.ID, 0, nil, nil)
	a5 := mk("A5", "Epsilon", "lead", pt(10, 50), 0, 0, nil, map[string]string{"Industry": "Food"})
	for id, at := range map[int64]time.Time{a3: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC), a5: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} {
		if err := s.CreateInteraction(ctx, &visit.Interaction{AccountID: id, At: at, Channel: "visit", Type: "visit", Source: "manual"}); err != nil {
			t.Fatal(err)
		}
	}

	tests := []struct {
		name string
		f    account.Filter
		want []int64
	}{
		{"all", account.Filter{}, []int64{a1, a2, a3, a4, a5}},
		{"bbox", account.Filter{BBox: &geo.BBox{MinLon: -105, MinLat: 39, MaxLon: -104, MaxLat: 40}}, []int64{a1, a2}},
		{"bbox edge", account.Filter{BBox: &geo.BBox{MinLon: -104.55, MinLat: 39.5, MaxLon: -104.5, MaxLat: 39.55}}, []int64{a1}},
		{"world bbox", account.Filter{BBox: &geo.BBox{MinLon: -180, MinLat: -90, MaxLon: 180, MaxLat: 90}}, []int64{a1, a2, a3, a5}},
		{"stage", account.Filter{Stages: []string{"customer"}}, []int64{a2, a3}},
		{"owner", account.Filter{OwnerIDs: []int64{rep.ID}}, []int64{a1, a4}},
		{"territory", account.Filter{TerritoryIDs: []int64{terr.ID}}, []int64{a1, a2}},
		{"no territory", account.Filter{TerritoryIDs: []int64{0}}, []int64{a3, a4, a5}},
		{"text", account.Filter{Text: "bAkErY"}, []int64{a1}},
		{"text percent is literal", account.Filter{Text: "100%"}, []int64{a2}},
		{"text underscore is literal", account.Filter{Text: "a_d"}, []int64{a3}},
		{"text external id", account.Filter{Text: "a5"}, []int64{a5}},
		{"tags", account.Filter{Tags: []string{"VIP"}}, []int64{a1, a3}},
		{"two tags", account.Filter{Tags: []string{"vip", "new"}}, []int64{a3}},
		{"custom", account.Filter{Custom: map[string]string{"Industry": "Food"}}, []int64{a1, a5}},
		{"custom quote in key", account.Filter{Custom: map[string]string{`Ind"ustry`: "Food"}}, []int64{}},
		{"scope owner", account.Filter{Scope: &account.Scope{OwnerID: rep.ID}}, []int64{a1, a4}},
		{"scope territory", account.Filter{Scope: &account.Scope{OwnerID: 999, TerritoryIDs: []int64{terr.ID}}}, []int64{a1, a2}},
		{"scope both", account.Filter{Scope: &account.Scope{OwnerID: rep.ID, TerritoryIDs: []int64{terr.ID}}}, []int64{a1, a2, a4}},
		{"scope and stage", account.Filter{Stages: []string{"customer"}, Scope: &account.Scope{OwnerID: rep.ID, TerritoryIDs: []int64{terr.ID}}}, []int64{a2}},
		{"ids", account.Filter{IDs: []int64{a4, a2}}, []int64{a2, a4}},
		{"visited in range", account.Filter{LastVisitFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), LastVisitTo: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, []int64{a3}},
		{"visited after", account.Filter{LastVisitFrom: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)}, []int64{a5}},
		{"never visited", account.Filter{NeverVisited: true}, []int64{a1, a2, a4}},
		{"never or in range", account.Filter{NeverVisited: true, LastVisitTo: time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)}, []int64{a1, a2, a3, a4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := s.ListAccounts(ctx, tt.f, account.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ids(list.Items)); diff != "" {
				t.Errorf("ListAccounts ids (-want +got):\n%s", diff)
			}
			if list.Total != len(tt.want) {
				t.Errorf("ListAccounts total = %d, want %d", list.Total, len(tt.want))
			}
			var each []int64
			if err := s.EachAccount(ctx, tt.f, func(a *account.Account) error { each = append(each, a.ID); return nil }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, append([]int64{}, each...)); diff != "" {
				t.Errorf("EachAccount ids (-want +got):\n%s", diff)
			}
		})
	}
}

func testAccountPaging(t *testing.T, s Store) {
	var want []int64
	for i := 0; i < 25; i++ {
		want = append(want, mustCreate(t, s, newAccount(fmt.Sprintf("P%02d", i), fmt.Sprintf("Paged %d", i), pt(float64(i), 1))).ID)
	}
	var got []int64
	cursor := ""
	pages := 0
	for {
		list, err := s.ListAccounts(ctx, account.Filter{}, account.Page{Limit: 10, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if list.Total != 25 {
			t.Errorf("page %d total = %d, want 25", pages, list.Total)
		}
		got = append(got, ids(list.Items)...)
		if list.NextCursor == "" {
			break
		}
		cursor = list.NextCursor
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3", pages)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paged ids (-want +got):\n%s", diff)
	}
	_, err := s.ListAccounts(ctx, account.Filter{}, account.Page{Cursor: "garbage"})
	wantKind(t, "ListAccounts(bad cursor)", err, derrors.Invalid)
}

func testAccountImportAtomic(t *testing.T, s Store) {
	mustCreate(t, s, newAccount("KEEP", "Kept", nil))
	boom := errors.New("killed half-way")
	err := s.ImportAccounts(ctx, func(im account.Importer) error {
		ids, err := im.NextIDs(ctx, 3)
		if err != nil {
			return err
		}
		var batch []*account.Account
		for i, id := range ids {
			a := newAccount(fmt.Sprintf("X%d", i), "x", pt(1, 1))
			a.ID = id
			batch = append(batch, a)
		}
		if err := im.Insert(ctx, batch); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ImportAccounts = %v, want %v", err, boom)
	}
	list, err := s.ListAccounts(ctx, account.Filter{}, account.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if list.Total != 1 {
		t.Errorf("after failed import total = %d, want 1 (nothing of the import kept)", list.Total)
	}
	// A bulk write is held to the foreign keys like any other.
	err = s.ImportAccounts(ctx, func(im account.Importer) error {
		ids, err := im.NextIDs(ctx, 1)
		if err != nil {
			return err
		}
		a := newAccount("GHOST", "Owned by nobody", pt(1, 1))
		a.ID, a.OwnerID = ids[0], 987654
		return im.Insert(ctx, []*account.Account{a})
	})
	if err == nil {
		t.Errorf("import of an account whose owner does not exist = nil error")
	}
	if _, err := s.GetAccountByExternalID(ctx, "GHOST"); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("account with a missing owner was saved: %v", err)
	}
	// The connection is back to enforcing foreign keys afterwards.
	bad := newAccount("GHOST2", "Also owned by nobody", nil)
	bad.OwnerID = 987654
	if err := s.CreateAccount(ctx, bad); err == nil {
		t.Errorf("CreateAccount with a missing owner after an import = nil error")
	}
}

func testAccountImportUpdate(t *testing.T, s Store) {
	existing := newAccount("E1", "Existing", pt(5, 5))
	existing.Custom = map[string]string{"Keep": "yes", "Size": "S"}
	existing.SourceChannel = "web"
	mustCreate(t, s, existing)
	var newIDs []int64
	err := s.ImportAccounts(ctx, func(im account.Importer) error {
		ids, err := im.NextIDs(ctx, 600) // more than one multi-row statement
		if err != nil {
			return err
		}
		if len(ids) != 600 {
			return fmt.Errorf("NextIDs(600) gave %d ids", len(ids))
		}
		seen := map[int64]bool{existing.ID: true}
		var batch []*account.Account
		for i, id := range ids {
			if seen[id] {
				return fmt.Errorf("NextIDs gave id %d twice or an id in use", id)
			}
			seen[id] = true
			a := newAccount(fmt.Sprintf("N%03d", i), fmt.Sprintf("New %d", i), pt(float64(i%100), float64(i%50)))
			a.ID = id
			batch = append(batch, a)
		}
		newIDs = ids
		if err := im.Insert(ctx, batch); err != nil {
			return err
		}
		up := newAccount("E1", "Existing renamed", nil) // no location: keep the old one
		up.ID = existing.ID
		up.Stage = "customer"
		up.Custom = map[string]string{"Size": "L", "New": "1"}
		up.SourceChannel = "ignored"
		return im.Update(ctx, []*account.Account{up}, account.FieldStage|account.FieldCustom)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.GetAccount(ctx, existing.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Existing renamed" || got.Stage != "customer" || got.SourceChannel != "web" {
		t.Errorf("updated account = name %q stage %q source %q; want Existing renamed, customer, web", got.Name, got.Stage, got.SourceChannel)
	}
	if got.Location == nil || *got.Location != (geo.Point{Lon: 5, Lat: 5}) {
		t.Errorf("updated account location = %v, want (5,5) kept", got.Location)
	}
	if diff := cmp.Diff(map[string]string{"Keep": "yes", "Size": "L", "New": "1"}, got.Custom); diff != "" {
		t.Errorf("custom fields merged (-want +got):\n%s", diff)
	}
	ext, err := s.ExternalIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ext) != 601 || ext["N599"] != newIDs[599] {
		t.Errorf("ExternalIDs has %d entries, N599→%d; want 601, %d", len(ext), ext["N599"], newIDs[599])
	}
	loc, err := s.LocatedIn(ctx, geo.BBox{MinLon: 4.5, MinLat: 4.5, MaxLon: 5.5, MaxLat: 5.5})
	if err != nil {
		t.Fatal(err)
	}
	var locIDs []int64
	for _, l := range loc {
		locIDs = append(locIDs, l.ID)
	}
	sort.Slice(locIDs, func(i, j int) bool { return locIDs[i] < locIDs[j] })
	want := []int64{existing.ID}
	for i, id := range newIDs {
		if i%100 == 5 && i%50 == 5 {
			want = append(want, id)
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if diff := cmp.Diff(want, locIDs); diff != "" {
		t.Errorf("LocatedIn (-want +got):\n%s", diff)
	}
}

func testPipeline(t *testing.T, s Store) {
	got, err := s.Pipeline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(account.DefaultPipeline(), got); diff != "" {
		t.Errorf("Pipeline (-want +got):\n%s", diff)
	}
	mustCreate(t, s, newAccount("", "In lead", nil))
	short := []account.Stage{{Key: "customer", Name: "Customer", Kind: account.KindCustomer, Color: "#00ff00"}}
	wantKind(t, "SetPipeline(dropping a used stage)", s.SetPipeline(ctx, short), derrors.Conflict)
	reordered := account.DefaultPipeline()
	reordered[0], reordered[1] = reordered[1], reordered[0]
	if err := s.SetPipeline(ctx, reordered); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Pipeline(ctx)
	if diff := cmp.Diff(reordered, got); diff != "" {
		t.Errorf("Pipeline after reorder (-want +got):\n%s", diff)
	}
}

func testTerritories(t *testing.T, s Store) {
	rep := mustUser(t, s, "rep@example.com", auth.RoleRep)
	rep2 := mustUser(t, s, "rep2@example.com", auth.RoleRep)
	in := mustCreate(t, s, newAccount("IN", "Inside", pt(0.5, 0.5)))
	parent := &territory.Territory{Name: "Region", Color: "#aabbcc", Shape: square(0, 0, 4), RepIDs: []int64{rep2.ID}}
	if err := s.SaveTerritory(ctx, parent, nil); err != nil {
		t.Fatal(err)
	}
	child := &territory.Territory{Name: "North", Color: "#123456", ParentID: parent.ID, Shape: square(0, 0, 1), RepIDs: []int64{rep.ID, rep2.ID}}
	var gotID int64
	err := s.SaveTerritory(ctx, child, func(id int64) ([]account.Assignment, error) {
		gotID = id
		return []account.Assignment{{AccountID: in.ID, TerritoryID: id}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if gotID == 0 || gotID != child.ID {
		t.Errorf("reassign got id %d, want the new territory's id %d", gotID, child.ID)
	}
	a, _ := s.GetAccount(ctx, in.ID)
	if a.TerritoryID != child.ID {
		t.Errorf("account territory = %d, want %d", a.TerritoryID, child.ID)
	}
	got, err := s.GetTerritory(ctx, child.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(child.Shape, got.Shape); diff != "" {
		t.Errorf("shape round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{rep.ID, rep2.ID}, got.RepIDs); diff != "" {
		t.Errorf("reps (-want +got):\n%s", diff)
	}
	if got.ParentID != parent.ID {
		t.Errorf("parent = %d, want %d", got.ParentID, parent.ID)
	}
	byName, err := s.GetTerritoryByName(ctx, "North")
	if err != nil || byName.ID != child.ID {
		t.Errorf("GetTerritoryByName(North) = %v, %v", byName, err)
	}
	dup := &territory.Territory{Name: "North", Color: "#123456", Shape: square(5, 5, 1)}
	wantKind(t, "SaveTerritory(duplicate name)", s.SaveTerritory(ctx, dup, nil), derrors.Conflict)
	wantKind(t, "SaveTerritory(missing parent)", s.SaveTerritory(ctx, &territory.Territory{Name: "Orphan", Color: "#123456", ParentID: 987654, Shape: square(5, 5, 1)}, nil), derrors.Invalid)
	// A failing reassign rolls the save back.
	bad := &territory.Territory{Name: "Rolled back", Color: "#123456", Shape: square(9, 9, 1)}
	if err := s.SaveTerritory(ctx, bad, func(int64) ([]account.Assignment, error) { return nil, errors.New("no") }); err == nil {
		t.Errorf("SaveTerritory with failing reassign = nil, want error")
	}
	if _, err := s.GetTerritoryByName(ctx, "Rolled back"); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("territory of a failed save exists: %v", err)
	}
	repTerr, err := s.RepTerritoryIDs(ctx, rep2.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []int64{parent.ID, child.ID}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if diff := cmp.Diff(want, repTerr); diff != "" {
		t.Errorf("RepTerritoryIDs (-want +got):\n%s", diff)
	}
	// Update drops a rep.
	got.RepIDs = []int64{rep2.ID}
	if err := s.SaveTerritory(ctx, got, nil); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RepTerritoryIDs(ctx, rep.ID); len(r) != 0 {
		t.Errorf("rep still has territories %v after removal", r)
	}
	// Deleting the parent moves the child up and keeps the account.
	if err := s.SetTerritories(ctx, []account.Assignment{{AccountID: in.ID, TerritoryID: parent.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTerritory(ctx, parent.ID, []account.Assignment{{AccountID: in.ID, TerritoryID: child.ID}}); err != nil {
		t.Fatal(err)
	}
	c, _ := s.GetTerritory(ctx, child.ID)
	if c.ParentID != 0 {
		t.Errorf("child's parent after deleting parent = %d, want 0", c.ParentID)
	}
	a, _ = s.GetAccount(ctx, in.ID)
	if a.TerritoryID != child.ID {
		t.Errorf("account territory after delete = %d, want %d", a.TerritoryID, child.ID)
	}
	all, err := s.ListTerritories(ctx)
	if err != nil || len(all) != 1 {
		t.Errorf("ListTerritories = %d territories, %v; want 1", len(all), err)
	}
	wantKind(t, "DeleteTerritory(missing)", s.DeleteTerritory(ctx, parent.ID, nil), derrors.NotFound)
	_, err = s.GetTerritory(ctx, parent.ID)
	wantKind(t, "GetTerritory(deleted)", err, derrors.NotFound)
}

func testInteractions(t *testing.T, s Store) {
	a := mustCreate(t, s, newAccount("I1", "Visited", pt(1, 1)))
	t0 := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	add := func(at time.Time, channel, outcome string) *visit.Interaction {
		in := &visit.Interaction{AccountID: a.ID, At: at, Channel: channel, Type: channel, Outcome: outcome, Source: "manual", Location: pt(1, 1), Properties: map[string]string{"k": "v"}}
		if err := s.CreateInteraction(ctx, in); err != nil {
			t.Fatal(err)
		}
		return in
	}
	v1 := add(t0, "visit", "no_answer")
	add(t0.Add(time.Hour), "email", "")
	v2 := add(t0.Add(2*time.Hour), "visit", "appointment")
	add(t0.Add(-time.Hour), "visit", "old") // older than the last visit: must not win
	got, _ := s.GetAccount(ctx, a.ID)
	if !got.LastVisitAt.Equal(v2.At) || got.LastVisitResult != "appointment" {
		t.Errorf("last visit = %v %q, want %v appointment", got.LastVisitAt, got.LastVisitResult, v2.At)
	}
	var all []int64
	cursor := ""
	for {
		list, err := s.ListInteractions(ctx, a.ID, visit.Page{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if list.Total != 4 {
			t.Errorf("total = %d, want 4", list.Total)
		}
		for _, in := range list.Items {
			all = append(all, in.ID)
		}
		if list.NextCursor == "" {
			break
		}
		cursor = list.NextCursor
	}
	if len(all) != 4 || all[0] != v2.ID || all[2] != v1.ID {
		t.Errorf("ListInteractions newest first = %v; want v2 (%d) first and v1 (%d) third", all, v2.ID, v1.ID)
	}
	wantKind(t, "CreateInteraction(unknown account)", s.CreateInteraction(ctx, &visit.Interaction{AccountID: 424242, At: t0, Channel: "web", Type: "web"}), derrors.NotFound)
	list, _ := s.ListInteractions(ctx, a.ID, visit.Page{Limit: 1})
	if in := list.Items[0]; in.Properties["k"] != "v" || in.Location == nil {
		t.Errorf("interaction round trip lost fields: %+v", in)
	}
}

func testInteractionImport(t *testing.T, s Store) {
	a := mustCreate(t, s, newAccount("II", "Imported", nil))
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var batch []*visit.Interaction
	for i := 0; i < 700; i++ {
		batch = append(batch, &visit.Interaction{AccountID: a.ID, At: at, Channel: "web", Type: fmt.Sprintf("step%03d", i), Source: "import"})
	}
	batch[699].Channel, batch[699].Outcome = "visit", "sale"
	if err := s.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, batch) }); err != nil {
		t.Fatal(err)
	}
	var types []string
	if err := s.EachInteraction(ctx, func(in *visit.Interaction) error { types = append(types, in.Type); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(types) != 700 {
		t.Fatalf("EachInteraction gave %d, want 700", len(types))
	}
	for i, typ := range types {
		if want := fmt.Sprintf("step%03d", i); typ != want {
			t.Fatalf("interaction %d type = %q, want %q (equal times keep the file's order)", i, typ, want)
		}
	}
	got, _ := s.GetAccount(ctx, a.ID)
	if got.LastVisitResult != "sale" {
		t.Errorf("last visit result after import = %q, want sale", got.LastVisitResult)
	}
	boom := errors.New("stop")
	err := s.ImportInteractions(ctx, func(im visit.Importer) error {
		if err := im.Insert(ctx, []*visit.Interaction{{AccountID: a.ID, At: at, Channel: "web", Type: "lost", Source: "import"}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("ImportInteractions = %v, want %v", err, boom)
	}
	list, _ := s.ListInteractions(ctx, a.ID, visit.Page{})
	if list.Total != 700 {
		t.Errorf("after failed import total = %d, want 700", list.Total)
	}
	// Rows naming an account or a user that does not exist: the import
	// fails whole (the engine may check keys only before commit).
	for _, bad := range []visit.Interaction{{AccountID: a.ID + 1_000_000}, {AccountID: a.ID, UserID: 987_654}} {
		rows := []*visit.Interaction{{AccountID: a.ID, At: at, Channel: "web", Type: "fine", Source: "import"}}
		bad.At, bad.Channel, bad.Type, bad.Source = at, "web", "dangling", "import"
		rows = append(rows, &bad)
		if err := s.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, rows) }); err == nil {
			t.Errorf("import naming account %d / user %d succeeded, want an error", bad.AccountID, bad.UserID)
		}
		if list, _ := s.ListInteractions(ctx, a.ID, visit.Page{}); list.Total != 700 {
			t.Errorf("after an import with a dangling reference total = %d, want 700", list.Total)
		}
	}
}

func testUsers(t *testing.T, s Store) {
	u := &auth.User{Email: "Ann@Example.com", Name: "Ann", Role: auth.RoleManager, Home: pt(-104, 39)}
	if err := u.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetUserByEmail(ctx, "ANN@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.Home == nil || got.Role != auth.RoleManager {
		t.Errorf("GetUserByEmail = %+v, want %+v", got, u)
	}
	wantKind(t, "CreateUser(duplicate)", s.CreateUser(ctx, &auth.User{Email: "ann@example.com", Name: "Again", Role: auth.RoleRep}), derrors.Conflict)
	got.Role = auth.RoleRep
	if err := s.UpdateUser(ctx, got); err != nil {
		t.Fatal(err)
	}
	a := newAccount("", "Owned", nil)
	a.OwnerID = u.ID
	mustCreate(t, s, a)
	if err := s.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	owned, _ := s.GetAccount(ctx, a.ID)
	if owned.OwnerID != 0 {
		t.Errorf("account owner after deleting user = %d, want 0", owned.OwnerID)
	}
	_, err = s.GetUser(ctx, u.ID)
	wantKind(t, "GetUser(deleted)", err, derrors.NotFound)
	users, err := s.ListUsers(ctx)
	if err != nil || len(users) != 0 {
		t.Errorf("ListUsers = %d, %v; want 0", len(users), err)
	}
}

func testTokensSessions(t *testing.T, s Store) {
	u := mustUser(t, s, "tok@example.com", auth.RoleRep)
	secret := auth.NewSecret("mrd_")
	tok := &auth.Token{UserID: u.ID, Name: "cli", Hash: auth.HashSecret(secret)}
	if err := s.CreateToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	gotTok, gotUser, err := s.TokenUser(ctx, auth.HashSecret(secret), now)
	if err != nil || gotUser.ID != u.ID || gotTok.ID != tok.ID {
		t.Fatalf("TokenUser = %v, %v, %v", gotTok, gotUser, err)
	}
	if err := s.RevokeToken(ctx, tok.ID, now); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.TokenUser(ctx, auth.HashSecret(secret), now)
	wantKind(t, "TokenUser(revoked)", err, derrors.NotFound)
	toks, _ := s.ListTokens(ctx, u.ID)
	if len(toks) != 1 || toks[0].RevokedAt.IsZero() {
		t.Errorf("ListTokens = %+v, want one revoked token", toks)
	}
	sess := &auth.Session{Hash: auth.HashSecret("cookie"), UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if _, su, err := s.SessionUser(ctx, sess.Hash, now); err != nil || su.ID != u.ID {
		t.Errorf("SessionUser = %v, %v", su, err)
	}
	_, _, err = s.SessionUser(ctx, sess.Hash, now.Add(2*time.Hour))
	wantKind(t, "SessionUser(expired)", err, derrors.NotFound)
	if err := s.DeleteSession(ctx, sess.Hash); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.SessionUser(ctx, sess.Hash, now)
	wantKind(t, "SessionUser(deleted)", err, derrors.NotFound)

	old := &auth.Session{Hash: auth.HashSecret("old"), UserID: u.ID, CSRF: "c", CreatedAt: now.Add(-48 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	live := &auth.Session{Hash: auth.HashSecret("live"), UserID: u.ID, CSRF: "c", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, x := range []*auth.Session{old, live} {
		if err := s.CreateSession(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.RecordSignIn(ctx, "old@example.com", "1.2.3.4", false, now.Add(-72*time.Hour))
	_ = s.RecordSignIn(ctx, "new@example.com", "1.2.3.4", false, now)
	n, err := s.PurgeExpired(ctx, now, now.Add(-24*time.Hour))
	if err != nil || n != 2 {
		t.Errorf("PurgeExpired = %d, %v; want 2 rows (one session, one sign-in)", n, err)
	}
	if _, _, err := s.SessionUser(ctx, live.Hash, now); err != nil {
		t.Errorf("live session purged: %v", err)
	}
	if byEmail, _, _ := s.FailedSignIns(ctx, "new@example.com", "", now.Add(-time.Hour)); byEmail != 1 {
		t.Errorf("recent sign-in purged: %d left, want 1", byEmail)
	}
}

func testSignInsAudit(t *testing.T, s Store) {
	now := time.Now()
	for i := 0; i < 3; i++ {
		if err := s.RecordSignIn(ctx, "x@example.com", "10.0.0.1", false, now.Add(-time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.RecordSignIn(ctx, "x@example.com", "10.0.0.1", true, now)
	_ = s.RecordSignIn(ctx, "y@example.com", "10.0.0.1", false, now.Add(-time.Hour))
	byEmail, byIP, err := s.FailedSignIns(ctx, "X@example.com", "10.0.0.1", now.Add(-10*time.Minute))
	if err != nil || byEmail != 3 || byIP != 3 {
		t.Errorf("FailedSignIns = %d, %d, %v; want 3, 3", byEmail, byIP, err)
	}
	for i := 0; i < 5; i++ {
		if err := s.AddAudit(ctx, &auth.AuditEntry{Action: "export", Target: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := s.ListAudit(ctx, 3, 0)
	if err != nil || len(first) != 3 || first[0].Target != "4" {
		t.Fatalf("ListAudit(3) = %+v, %v", first, err)
	}
	rest, _ := s.ListAudit(ctx, 10, first[2].ID)
	if len(rest) != 2 || rest[1].Target != "0" {
		t.Errorf("ListAudit after cursor = %+v", rest)
	}
}
