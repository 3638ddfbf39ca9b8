package demo

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

// DefaultAccounts is the number of accounts generated when Options.Accounts
// is 0.
const DefaultAccounts = 5000

// MetroRadiusKm is how far from the centre of Denver a ZIP centroid may lie
// for accounts to be placed at it.
const MetroRadiusKm = 35

// MinZIPs is the fewest metro ZIP centroids Generate accepts.
const MinZIPs = 20

// Window is how far back the generated interactions reach from Options.Now.
const Window = 182 * 24 * time.Hour

// The demo passwords, printed by `meridian serve --demo`. They are public:
// the demo company is for trying Meridian out, never for real data.
const (
	AdminPassword   = "demo-admin-2026"   // admin@demo.meridian.test
	ManagerPassword = "demo-manager-2026" // manager@ and marketing@demo.meridian.test
	RepPassword     = "demo-rep-2026"     // every rep
)

// EmailDomain is the domain of every demo user's email address.
const EmailDomain = "demo.meridian.test"

// ZIP is a US ZIP code and the centroid of its area.
type ZIP struct {
	Code     string
	Location geo.Point
}

// Options say what to generate.
type Options struct {
	Seed     int64     // the same seed gives the same data
	Now      time.Time // the newest interaction is at or before Now; required
	Accounts int       // how many accounts; 0 means DefaultAccounts
	// ZIPs are the US ZIP centroids, typically all of them; Generate uses
	// those within MetroRadiusKm of Denver and needs at least MinZIPs.
	ZIPs []ZIP
}

// User is a demo user and the password to sign in with.
type User struct {
	Email    string
	Name     string
	Role     auth.Role
	Title    string    // job title, and territory for reps: for the printed logins
	Home     geo.Point // where their day starts; a rep's lies in their territory
	Password string    // one of AdminPassword, ManagerPassword, RepPassword
}

// Territory is a demo territory and the emails of its reps.
type Territory struct {
	Name      string
	Color     string // #rrggbb
	Shape     geo.MultiPolygon
	RepEmails []string
}

// Account is a demo account. Its ID, OwnerID and TerritoryID are 0: the
// caller assigns ids, resolves OwnerEmail and derives the territory from the
// location.
type Account struct {
	account.Account
	OwnerEmail string // "" for an unassigned account
}

// Interaction is a demo interaction. Its AccountID and UserID are 0: the
// caller resolves AccountExternalID and UserEmail.
type Interaction struct {
	visit.Interaction
	AccountExternalID string
	UserEmail         string // "" when nobody in particular (ads, web visits, newsletters)
}

// Dataset is a generated demo company.
type Dataset struct {
	Metro        string    // "Denver, Colorado"
	Center       geo.Point // the centre of the metro, for the initial map view
	Users        []User    // the admin, the two managers, then the reps
	Territories  []Territory
	Accounts     []Account     // by ExternalID
	Interactions []Interaction // by time; ties in the order generated
}

// Logins returns one line per user, for printing: role, email, password and
// title.
func (d *Dataset) Logins() []string {
	out := make([]string, len(d.Users))
	for i, u := range d.Users {
		out[i] = fmt.Sprintf("%-8s %-36s password: %-18s %s", u.Role, u.Email, u.Password, u.Title)
	}
	return out
}

// Generate builds the demo company described by o.
func Generate(o Options) (*Dataset, error) {
	if o.Now.IsZero() {
		return nil, errors.New("demo: Options.Now is required")
	}
	n := o.Accounts
	if n == 0 {
		n = DefaultAccounts
	}
	if n < 0 {
		return nil, fmt.Errorf("demo: Options.Accounts is %d; it must not be negative", n)
	}
	zips := metroZIPs(o.ZIPs)
	if len(zips) < MinZIPs {
		return nil, fmt.Errorf("demo: only %d of %d ZIP centroids lie within %d km of Denver, at least %d are needed: the US ZIP gazetteer is missing or incomplete",
			len(zips), len(o.ZIPs), MetroRadiusKm, MinZIPs)
	}
	g := &gen{
		rng:  rand.New(rand.NewPCG(uint64(o.Seed), 0x6d6572696469616e)),
		now:  o.Now.UTC(),
		zips: zips,
		used: map[string]bool{},
	}
	g.territories = buildTerritories()
	g.users = buildUsers(g.territories)
	ds := &Dataset{Metro: "Denver, Colorado", Center: center, Users: g.users}
	for _, t := range g.territories {
		ds.Territories = append(ds.Territories, Territory{Name: t.name, Color: t.color, Shape: t.shape, RepEmails: t.repEmails()})
	}
	ds.Accounts = make([]Account, 0, n)
	ds.Interactions = make([]Interaction, 0, 7*n)
	for i := range n {
		a, err := g.account(i)
		if err != nil {
			return nil, err
		}
		ds.Interactions = g.journey(a, ds.Interactions)
		ds.Accounts = append(ds.Accounts, a.Account)
	}
	ds.Interactions = sortByTime(ds.Interactions)
	return ds, nil
}

// sortByTime returns ins sorted by time, ties in their order. It sorts
// indexes rather than moving the large structs around.
func sortByTime(ins []Interaction) []Interaction {
	idx := make([]int32, len(ins))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		return cmp.Or(ins[a].At.Compare(ins[b].At), cmp.Compare(a, b))
	})
	out := make([]Interaction, len(ins))
	for i, k := range idx {
		out[i] = ins[k]
	}
	return out
}

// gen is the state of one Generate call.
type gen struct {
	rng         *rand.Rand
	now         time.Time
	zips        []metroZIP
	cum         []float64 // cumulative placement weights of zips
	territories []*terr
	users       []User
	used        map[string]bool // account names taken
}

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// uniform is a number in [lo, hi).
func (g *gen) uniform(lo, hi float64) float64 { return lo + (hi-lo)*g.rng.Float64() }

// pick returns one element of s.
func pick[T any](g *gen, s []T) T { return s[g.rng.IntN(len(s))] }

// weighted returns an index of w with probability proportional to its value.
func (g *gen) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	r := g.rng.Float64() * total
	for i, x := range w {
		if r < x {
			return i
		}
		r -= x
	}
	return len(w) - 1
}
