package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

var testNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// testZIPs is a grid of fake ZIP centroids around Denver, every 0.04°, and a
// few far away, so that tests do not depend on the gazetteer.
func testZIPs() []ZIP {
	var zs []ZIP
	n := 0
	for lon := -105.46; lon <= -104.52; lon += 0.04 {
		for lat := 39.40; lat <= 40.08; lat += 0.04 {
			n++
			zs = append(zs, ZIP{Code: fmt.Sprintf("8%04d", n), Location: geo.Point{Lon: lon, Lat: lat}})
		}
	}
	zs = append(zs,
		ZIP{Code: "10001", Location: geo.Point{Lon: -73.99, Lat: 40.75}},
		ZIP{Code: "80301", Location: geo.Point{Lon: -105.22, Lat: 40.05}}, // Boulder, outside the metro radius
		ZIP{Code: "99999", Location: geo.Point{Lon: 200, Lat: 40}},        // invalid: ignored
	)
	return zs
}

func testOptions() Options { return Options{Seed: 2026, Now: testNow, ZIPs: testZIPs()} }

// dataset is the default dataset, generated once for the tests that only read it.
var dataset = sync.OnceValues(func() (*Dataset, error) { return Generate(testOptions()) })

func mustDataset(t *testing.T) *Dataset {
	t.Helper()
	ds, err := dataset()
	if err != nil {
		t.Fatalf("Generate(testOptions()) = %v, want no error", err)
	}
	return ds
}

func TestGenerateIsDeterministic(t *testing.T) {
	a := mustDataset(t)
	b, err := Generate(testOptions())
	if err != nil {
		t.Fatal(err)
	}
	// cmp.Diff is slow on 25,000 interactions: only run it to explain.
	if !cmp.Equal(a, b) {
		t.Errorf("Generate(o) twice differs (-first +second):\n%s", cmp.Diff(a, b))
	}

	// The order of the caller's ZIPs does not matter.
	o := testOptions()
	o.Accounts = 300
	ordered, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(o.ZIPs), func(i, j int) { o.ZIPs[i], o.ZIPs[j] = o.ZIPs[j], o.ZIPs[i] })
	shuffled, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ordered, shuffled); diff != "" {
		t.Errorf("Generate(o with shuffled ZIPs) differs (-ordered +shuffled):\n%s", diff)
	}

	o = testOptions()
	o.Accounts = 300
	o.Seed++
	d, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if cmp.Equal(ordered.Accounts[:10], d.Accounts[:10]) {
		t.Errorf("Generate(seed %d) accounts = Generate(seed %d) accounts, want different", o.Seed, o.Seed-1)
	}
}

func TestGenerateCounts(t *testing.T) {
	ds := mustDataset(t)
	roles := map[auth.Role]int{}
	for _, u := range ds.Users {
		roles[u.Role]++
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"accounts", len(ds.Accounts), DefaultAccounts},
		{"users", len(ds.Users), 13},
		{"admins", roles[auth.RoleAdmin], 1},
		{"managers", roles[auth.RoleManager], 2},
		{"reps", roles[auth.RoleRep], 10},
		{"territories", len(ds.Territories), 6},
	} {
		if c.got != c.want {
			t.Errorf("len(%s) = %d, want %d", c.what, c.got, c.want)
		}
	}
	if n := len(ds.Interactions); n < 20000 || n > 40000 {
		t.Errorf("len(Interactions) = %d, want 20000 to 40000", n)
	}
	if got, want := ds.Metro, "Denver, Colorado"; got != want {
		t.Errorf("Metro = %q, want %q", got, want)
	}

	for _, n := range []int{1, 37} {
		o := testOptions()
		o.Accounts = n
		ds, err := Generate(o)
		if err != nil {
			t.Fatalf("Generate(Accounts: %d) = %v", n, err)
		}
		if got := len(ds.Accounts); got != n {
			t.Errorf("len(Generate(Accounts: %d).Accounts) = %d, want %d", n, got, n)
		}
	}
}

func TestUsers(t *testing.T) {
	ds := mustDataset(t)
	emails := map[string]bool{}
	for _, u := range ds.Users {
		au := auth.User{Email: u.Email, Name: u.Name, Role: u.Role, Home: &u.Home}
		if err := au.Validate(); err != nil {
			t.Errorf("user %s: Validate() = %v, want nil", u.Email, err)
		}
		if au.Email != u.Email {
			t.Errorf("NormalizeEmail(%q) = %q, want it unchanged", u.Email, au.Email)
		}
		if emails[u.Email] {
			t.Errorf("email %s appears twice", u.Email)
		}
		emails[u.Email] = true
		if len(u.Password) < 10 {
			t.Errorf("user %s: len(Password) = %d, want at least 10", u.Email, len(u.Password))
		}
	}
	if got, want := ds.Users[0].Email, "admin@demo.meridian.test"; got != want {
		t.Errorf("Users[0].Email = %q, want %q", got, want)
	}
	if got, want := ds.Users[0].Password, "demo-admin-2026"; got != want {
		t.Errorf("Users[0].Password = %q, want %q", got, want)
	}
	logins := ds.Logins()
	if got, want := len(logins), len(ds.Users); got != want {
		t.Fatalf("len(Logins()) = %d, want %d", got, want)
	}
	for i, u := range ds.Users {
		if !strings.Contains(logins[i], u.Email) || !strings.Contains(logins[i], u.Password) {
			t.Errorf("Logins()[%d] = %q, want it to name %s and %s", i, logins[i], u.Email, u.Password)
		}
	}
}

func TestTerritories(t *testing.T) {
	ds := mustDataset(t)
	users := map[string]User{}
	for _, u := range ds.Users {
		users[u.Email] = u
	}
	assigned := map[string]int{}
	names, colors := map[string]bool{}, map[string]bool{}
	for _, dt := range ds.Territories {
		tt := territory.Territory{Name: dt.Name, Color: dt.Color, Shape: dt.Shape}
		if err := tt.Validate(); err != nil {
			t.Errorf("territory %s: Validate() = %v, want nil", dt.Name, err)
		}
		if names[dt.Name] || colors[dt.Color] {
			t.Errorf("territory %s (%s): name or colour used twice", dt.Name, dt.Color)
		}
		names[dt.Name], colors[dt.Color] = true, true
		for _, poly := range dt.Shape {
			if a := signedArea(poly[0]); a <= 0 {
				t.Errorf("territory %s: signed area of outer ring = %g, want > 0 (counter-clockwise)", dt.Name, a)
			}
		}
		if n := len(dt.RepEmails); n < 1 || n > 2 {
			t.Errorf("territory %s: len(RepEmails) = %d, want 1 or 2", dt.Name, n)
		}
		for _, e := range dt.RepEmails {
			assigned[e]++
			u, ok := users[e]
			if !ok || u.Role != auth.RoleRep {
				t.Errorf("territory %s: rep %s is not a rep user", dt.Name, e)
				continue
			}
			if !dt.Shape.Contains(u.Home) {
				t.Errorf("territory %s: Contains(home of %s %v) = false, want true", dt.Name, e, u.Home)
			}
		}
	}
	for _, u := range ds.Users {
		want := 0
		if u.Role == auth.RoleRep {
			want = 1
		}
		if got := assigned[u.Email]; got != want {
			t.Errorf("territories of %s (%s) = %d, want %d", u.Email, u.Role, got, want)
		}
	}

	// Sample points: none is in two territories, and every point of the
	// metro (plus the placement jitter) is in one.
	for x := -50.0; x <= 50; x += 0.7 {
		for y := -50.0; y <= 50; y += 0.7 {
			p := km(x, y)
			var in []string
			for _, dt := range ds.Territories {
				if dt.Shape.Contains(p) {
					in = append(in, dt.Name)
				}
			}
			if len(in) > 1 {
				t.Errorf("territories containing %v = %v, want at most one", p, in)
			}
			if math.Hypot(x, y) <= MetroRadiusKm+2 && len(in) != 1 {
				t.Errorf("territories containing %v (%.1f km from the centre) = %v, want exactly one", p, math.Hypot(x, y), in)
			}
		}
	}
}

// signedArea is the shoelace area of r in degrees², positive when r runs
// counter-clockwise.
func signedArea(r geo.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i].Lon*r[i+1].Lat - r[i+1].Lon*r[i].Lat
	}
	return s / 2
}

func TestAccounts(t *testing.T) {
	ds := mustDataset(t)
	pipeline := account.NewPipeline(account.DefaultPipeline())
	repsOf := map[string][]string{}
	for _, dt := range ds.Territories {
		repsOf[dt.Name] = dt.RepEmails
	}
	isRep := map[string]bool{}
	for _, u := range ds.Users {
		isRep[u.Email] = u.Role == auth.RoleRep
	}
	extID := regexp.MustCompile(`^DEMO-\d{6}$`)
	street := regexp.MustCompile(`^\d+ [A-Z0-9][A-Za-z0-9 ]+( Ste \d+)?$`)
	names, ids := map[string]bool{}, map[string]bool{}
	ownedInTerritory := 0
	for i, da := range ds.Accounts {
		a := da.Account
		if want := fmt.Sprintf("DEMO-%06d", i+1); a.ExternalID != want || !extID.MatchString(a.ExternalID) {
			t.Errorf("Accounts[%d].ExternalID = %q, want %q", i, a.ExternalID, want)
		}
		if ids[a.ExternalID] || names[a.Name] {
			t.Errorf("account %s %q: id or name used twice", a.ExternalID, a.Name)
		}
		ids[a.ExternalID], names[a.Name] = true, true
		before := a
		before.Tags = slices.Clone(a.Tags)
		if err := a.Validate(); err != nil {
			t.Errorf("account %s: Validate() = %v, want nil", a.ExternalID, err)
		}
		if !cmp.Equal(before, a) {
			t.Errorf("account %s: Validate() changed it (-before +after):\n%s", a.ExternalID, cmp.Diff(before, a))
		}
		if err := pipeline.CheckStage("stage", a.Stage); err != nil {
			t.Errorf("account %s: %v", a.ExternalID, err)
		}
		if a.ID != 0 || a.OwnerID != 0 || a.TerritoryID != 0 {
			t.Errorf("account %s: ID, OwnerID, TerritoryID = %d, %d, %d, want 0, 0, 0", a.ExternalID, a.ID, a.OwnerID, a.TerritoryID)
		}
		if !street.MatchString(a.Street) || a.City == "" || a.Region != "CO" || a.Country != "US" || len(a.PostalCode) != 5 {
			t.Errorf("account %s: address = %q, %q, %q %q, %q, want a Colorado street address", a.ExternalID, a.Street, a.City, a.Region, a.PostalCode, a.Country)
		}
		if a.Precision != account.PrecisionAddress || a.GeoSource != "demo" || a.Location == nil {
			t.Fatalf("account %s: Precision, GeoSource, Location = %q, %q, %v, want address, demo, set", a.ExternalID, a.Precision, a.GeoSource, a.Location)
		}
		if d := geo.DistanceMeters(center, *a.Location) / 1000; d > MetroRadiusKm+1.6 {
			t.Errorf("account %s: %.1f km from the centre, want at most %v", a.ExternalID, d, MetroRadiusKm+1.6)
		}
		if a.Custom["Industry"] == "" {
			t.Errorf("account %s: Custom[Industry] = %q, want an industry", a.ExternalID, a.Custom["Industry"])
		}
		if n, err := strconv.Atoi(a.Custom["Employees"]); err != nil || n < 1 {
			t.Errorf("account %s: Custom[Employees] = %q, want a positive number", a.ExternalID, a.Custom["Employees"])
		}
		if a.EstimatedValue < 500 {
			t.Errorf("account %s: EstimatedValue = %v, want at least 500", a.ExternalID, a.EstimatedValue)
		}
		var in []string
		for _, dt := range ds.Territories {
			if dt.Shape.Contains(*a.Location) {
				in = append(in, dt.Name)
			}
		}
		if len(in) != 1 {
			t.Errorf("account %s at %v: territories = %v, want exactly one", a.ExternalID, *a.Location, in)
			continue
		}
		if da.OwnerEmail != "" && !isRep[da.OwnerEmail] {
			t.Errorf("account %s: OwnerEmail = %q, want a rep or empty", a.ExternalID, da.OwnerEmail)
		}
		if slices.Contains(repsOf[in[0]], da.OwnerEmail) {
			ownedInTerritory++
		}
	}
	if share := float64(ownedInTerritory) / float64(len(ds.Accounts)); share < 0.85 || share > 0.95 {
		t.Errorf("share of accounts owned by a rep of their territory = %.3f, want 0.85 to 0.95", share)
	}
}

func TestInteractionsValid(t *testing.T) {
	ds := mustDataset(t)
	accounts := map[string]*Account{}
	for i := range ds.Accounts {
		accounts[ds.Accounts[i].ExternalID] = &ds.Accounts[i]
	}
	roles := map[string]auth.Role{}
	for _, u := range ds.Users {
		roles[u.Email] = u.Role
	}
	outcomes := []string{NoAnswer, NotInterested, FollowUp, Appointment, Sale}
	oldest := testNow.Add(-Window - 8*24*time.Hour)
	for i, di := range ds.Interactions {
		in := di.Interaction
		if i > 0 && in.At.Before(ds.Interactions[i-1].At) {
			t.Fatalf("Interactions[%d].At = %v, before Interactions[%d].At = %v, want sorted", i, in.At, i-1, ds.Interactions[i-1].At)
		}
		if in.At.After(testNow) || in.At.Before(oldest) {
			t.Errorf("Interactions[%d].At = %v, want within the six months before %v", i, in.At, testNow)
		}
		if in.AccountID != 0 || in.UserID != 0 {
			t.Errorf("Interactions[%d]: AccountID, UserID = %d, %d, want 0, 0", i, in.AccountID, in.UserID)
		}
		in.AccountID = 1
		before := in
		if err := in.Validate(); err != nil {
			t.Errorf("Interactions[%d] (%s %s): Validate() = %v, want nil", i, in.Channel, in.Type, err)
		}
		if in.Type != before.Type || in.Source != "demo" {
			t.Errorf("Interactions[%d]: Type, Source = %q, %q, want set by the generator (%q, demo)", i, before.Type, before.Source, in.Type)
		}
		a, ok := accounts[di.AccountExternalID]
		if !ok {
			t.Fatalf("Interactions[%d].AccountExternalID = %q, want an account", i, di.AccountExternalID)
		}
		if di.UserEmail != "" && roles[di.UserEmail] != auth.RoleRep {
			t.Errorf("Interactions[%d].UserEmail = %q, want a rep or empty", i, di.UserEmail)
		}
		if in.Stage != "" && !slices.Contains(JourneyStages, in.Stage) {
			t.Errorf("Interactions[%d].Stage = %q, want one of %v", i, in.Stage, JourneyStages)
		}
		if in.Channel == "visit" {
			if !slices.Contains(outcomes, in.Outcome) {
				t.Errorf("Interactions[%d] visit: Outcome = %q, want one of %v", i, in.Outcome, outcomes)
			}
			if in.Location == nil || geo.DistanceMeters(*in.Location, *a.Location) > 100 {
				t.Errorf("Interactions[%d] visit: Location = %v, want within 100 m of %v", i, in.Location, *a.Location)
			}
			if want := a.OwnerEmail; di.UserEmail == "" || (want != "" && di.UserEmail != want) {
				t.Errorf("Interactions[%d] visit: UserEmail = %q, want the owner %q (or a rep when unowned)", i, di.UserEmail, want)
			}
		} else if in.Location != nil {
			t.Errorf("Interactions[%d] %s: Location = %v, want nil", i, in.Channel, in.Location)
		}
		if (in.Channel == "ad" || in.Channel == "email") && in.Stage == StageFirstContact {
			if in.Variant != "A" && in.Variant != "B" {
				t.Errorf("Interactions[%d] first %s: Variant = %q, want A or B", i, in.Channel, in.Variant)
			}
		} else if in.Variant != "" {
			t.Errorf("Interactions[%d] %s %s: Variant = %q, want none", i, in.Channel, in.Type, in.Variant)
		}
		if in.Stage == StageSale && (in.Channel != "visit" || in.Outcome != Sale || in.Value <= 0 || in.Type != "sale") {
			t.Errorf("Interactions[%d] sale: Channel, Type, Outcome, Value = %q, %q, %q, %v, want visit, sale, sale, > 0", i, in.Channel, in.Type, in.Outcome, in.Value)
		}
		if typ := map[string]string{StageDemo: "demo", StageQuote: "quote", StageOnboarding: "onboarding"}[in.Stage]; typ != "" && in.Type != typ {
			t.Errorf("Interactions[%d] %s: Type = %q, want %q", i, in.Stage, in.Type, typ)
		}
	}
}

// expected derives an account's stage and visit fields from its interactions.
type expected struct {
	Stage, SourceChannel, LastVisitResult string
	CreatedAt, UpdatedAt, LastVisitAt     time.Time
	FollowUp                              bool
}

func TestStagesAgreeWithInteractions(t *testing.T) {
	ds := mustDataset(t)
	byAccount := map[string][]Interaction{}
	for _, di := range ds.Interactions {
		byAccount[di.AccountExternalID] = append(byAccount[di.AccountExternalID], di)
	}
	stages := map[string]int{}
	for _, da := range ds.Accounts {
		a := da.Account
		ins := byAccount[a.ExternalID]
		if len(ins) == 0 {
			t.Errorf("account %s: no interactions, want at least the first contact", a.ExternalID)
			continue
		}
		if ins[0].Stage != StageFirstContact {
			t.Errorf("account %s: first interaction Stage = %q, want %q", a.ExternalID, ins[0].Stage, StageFirstContact)
		}
		var want expected
		want.CreatedAt, want.SourceChannel = ins[0].At, ins[0].Channel
		furthest, lost := -1, false
		for _, in := range ins {
			if k := slices.Index(JourneyStages, in.Stage); k > furthest {
				furthest = k
			}
			if in.Stage == StageFirstContact && in.At != ins[0].At {
				t.Errorf("account %s: a second first_contact at %v", a.ExternalID, in.At)
			}
			if lost {
				t.Errorf("account %s: %s %s at %v after it was lost", a.ExternalID, in.Channel, in.Type, in.At)
			}
			lost = lost || in.Outcome == NotInterested || in.Outcome == Lost
			want.UpdatedAt = in.At
			if in.Channel == "visit" {
				want.LastVisitAt, want.LastVisitResult = in.At, in.Outcome
			}
		}
		want.Stage = PipelineStage(JourneyStages[furthest])
		if lost {
			want.Stage = "lost"
		}
		want.FollowUp = want.LastVisitResult == FollowUp && want.Stage != "customer" && want.Stage != "lost"
		got := expected{Stage: a.Stage, SourceChannel: a.SourceChannel, LastVisitResult: a.LastVisitResult,
			CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, LastVisitAt: a.LastVisitAt, FollowUp: !a.NextFollowUpAt.IsZero()}
		if !cmp.Equal(want, got) {
			t.Errorf("account %s fields from its interactions (-want +got):\n%s", a.ExternalID, cmp.Diff(want, got))
		}
		if got.FollowUp && !a.NextFollowUpAt.After(a.LastVisitAt) {
			t.Errorf("account %s: NextFollowUpAt = %v, want after the last visit %v", a.ExternalID, a.NextFollowUpAt, a.LastVisitAt)
		}
		stages[a.Stage]++
	}
	for _, s := range account.DefaultPipeline() {
		if stages[s.Key] < 50 {
			t.Errorf("accounts in stage %s = %d, want at least 50", s.Key, stages[s.Key])
		}
	}
}

// conversion returns, for accounts whose first touch was channel (and
// variant, when set), the share that reached stage.
func conversion(ds *Dataset, channel, variant, stage string) (float64, int) {
	first := map[string]bool{}
	for _, di := range ds.Interactions {
		if di.Stage == StageFirstContact && di.Channel == channel && (variant == "" || di.Variant == variant) {
			first[di.AccountExternalID] = true
		}
	}
	reached := map[string]bool{}
	k := slices.Index(JourneyStages, stage)
	for _, di := range ds.Interactions {
		if first[di.AccountExternalID] && slices.Index(JourneyStages, di.Stage) >= k {
			reached[di.AccountExternalID] = true
		}
	}
	return float64(len(reached)) / float64(len(first)), len(first)
}

func TestConversionByChannelAndVariant(t *testing.T) {
	ds := mustDataset(t)
	for _, stage := range []string{StageResearch, StageDemo} {
		a, na := conversion(ds, "email", "A", stage)
		b, nb := conversion(ds, "email", "B", stage)
		if b < a+0.03 || na < 200 || nb < 200 {
			t.Errorf("email conversion to %s: A = %.3f (%d), B = %.3f (%d), want B noticeably higher", stage, a, na, b, nb)
		}
	}
	a, _ := conversion(ds, "ad", "A", StageResearch)
	b, _ := conversion(ds, "ad", "B", StageResearch)
	if math.Abs(a-b) > 0.08 {
		t.Errorf("ad conversion to research: A = %.3f, B = %.3f, want about equal", a, b)
	}
	referral, _ := conversion(ds, "referral", "", StageSale)
	ad, _ := conversion(ds, "ad", "", StageSale)
	if referral < 2*ad {
		t.Errorf("conversion to sale: referral = %.3f, ad = %.3f, want referral far better", referral, ad)
	}
}

func TestGenerateErrors(t *testing.T) {
	var few []ZIP
	for i := range MinZIPs - 1 {
		few = append(few, ZIP{Code: strconv.Itoa(80200 + i), Location: km(float64(i), 0)})
	}
	for _, c := range []struct {
		name string
		o    Options
		want string
	}{
		{"no ZIPs", Options{Now: testNow}, "gazetteer"},
		{"ZIPs elsewhere", Options{Now: testNow, ZIPs: []ZIP{{Code: "10001", Location: geo.Point{Lon: -73.99, Lat: 40.75}}}}, "gazetteer"},
		{"too few ZIPs", Options{Now: testNow, ZIPs: few}, "gazetteer"},
		{"no Now", Options{ZIPs: testZIPs()}, "Now"},
		{"negative accounts", Options{Now: testNow, ZIPs: testZIPs(), Accounts: -1}, "negative"},
	} {
		ds, err := Generate(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) || ds != nil {
			t.Errorf("Generate(%s) = %v, %v, want nil and an error mentioning %q", c.name, ds, err, c.want)
		}
	}
}

func TestSummary(t *testing.T) {
	start := time.Now()
	ds, err := Generate(testOptions())
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	stages, terrs := map[string]int{}, map[string]int{}
	for _, a := range ds.Accounts {
		stages[a.Stage]++
		for _, dt := range ds.Territories {
			if dt.Shape.Contains(*a.Location) {
				terrs[dt.Name]++
			}
		}
	}
	t.Logf("Generate: %d accounts, %d interactions in %v", len(ds.Accounts), len(ds.Interactions), elapsed)
	for _, s := range account.DefaultPipeline() {
		t.Logf("  stage %-10s %5d", s.Key, stages[s.Key])
	}
	for _, dt := range ds.Territories {
		t.Logf("  territory %-20s %5d accounts, reps %v", dt.Name, terrs[dt.Name], dt.RepEmails)
	}
}

func BenchmarkGenerate(b *testing.B) {
	o := testOptions()
	for b.Loop() {
		if _, err := Generate(o); err != nil {
			b.Fatal(err)
		}
	}
}
