package demo

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
)

// acct is an account being generated.
type acct struct {
	Account
	loc     geo.Point
	terr    int       // index into gen.territories
	visitor string    // the rep who visits and calls: the owner, or a rep of the territory
	ind     *industry // what the business does
}

// account generates the i-th account, without its journey.
func (g *gen) account(i int) (*acct, error) {
	z := g.pickZIP()
	loc, ti := z.Location, -1
	for try := 0; try < 100 && ti < 0; try++ {
		r := jitterM * math.Sqrt(g.rng.Float64())
		a := 2 * math.Pi * g.rng.Float64()
		loc = geo.Offset(z.Location, r*math.Cos(a), r*math.Sin(a))
		ti = territoryOf(g.territories, loc)
	}
	if ti < 0 {
		return nil, fmt.Errorf("demo: cannot place an account near ZIP %s inside one territory", z.Code)
	}
	t := g.territories[ti]
	ind := &industries[g.weighted(industryWeights)]
	cityName := cityOf(loc)

	employees := int(math.Round(ind.employees * math.Exp(0.8*g.rng.NormFloat64())))
	employees = min(max(employees, 1), 500)
	value := ind.value * math.Pow(float64(employees)/ind.employees, 0.35) * math.Exp(0.45*g.rng.NormFloat64())
	value = math.Max(500, math.Round(value/50)*50)

	a := &acct{loc: loc, terr: ti, ind: ind}
	a.ExternalID = fmt.Sprintf("DEMO-%06d", i+1)
	a.Name = g.businessName(ind, cityName)
	a.Street = g.street()
	a.City, a.Region, a.PostalCode, a.Country = cityName, "CO", z.Code, "US"
	a.Location = &loc
	a.Precision = account.PrecisionAddress
	a.GeoSource = "demo"
	a.EstimatedValue = value
	a.Custom = map[string]string{"Industry": ind.name, "Employees": strconv.Itoa(employees)}

	nearest := t.users[nearestHome(t.users, loc)].Email
	switch r := g.rng.Float64(); {
	case r < 0.90:
		a.OwnerEmail = nearest
	case r < 0.95:
		a.OwnerEmail = "" // unassigned: the territory's reps still see it
	default:
		var others []string
		for _, u := range g.users {
			if u.Role == auth.RoleRep && !contains(t.users, u.Email) {
				others = append(others, u.Email)
			}
		}
		a.OwnerEmail = pick(g, others) // owned across a territory line
	}
	a.visitor = a.OwnerEmail
	if a.visitor == "" {
		a.visitor = nearest
	}

	var tags []string
	if g.chance(0.3) {
		tags = append(tags, "family-owned")
	}
	if employees >= 40 && g.chance(0.6) {
		tags = append(tags, "multi-location")
	}
	if g.chance(0.05) {
		tags = append(tags, "franchise")
	}
	if g.chance(0.1) {
		tags = append(tags, "new-business")
	}
	if g.chance(0.06) {
		tags = append(tags, "spanish-speaking")
	}
	if value >= 2*ind.value {
		tags = append(tags, "high-value")
	}
	a.Tags = account.NormalizeTags(tags)
	return a, nil
}

// industryWeights are the weights of industries, in order.
var industryWeights = func() []float64 {
	w := make([]float64, len(industries))
	for i, ind := range industries {
		w[i] = ind.weight
	}
	return w
}()

// pickZIP returns a metro ZIP, more likely a central or dense one.
func (g *gen) pickZIP() metroZIP {
	if g.cum == nil {
		total := 0.0
		for _, z := range g.zips {
			total += z.weight
			g.cum = append(g.cum, total)
		}
	}
	r := g.rng.Float64() * g.cum[len(g.cum)-1]
	i := sort.SearchFloat64s(g.cum, r)
	return g.zips[min(i, len(g.zips)-1)]
}

// nearestHome returns the index of the user whose home is nearest p.
func nearestHome(us []User, p geo.Point) int {
	best, bestD := 0, math.Inf(1)
	for i, u := range us {
		if d := geo.DistanceMeters(u.Home, p); d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// contains reports whether one of us has email.
func contains(us []User, email string) bool {
	for _, u := range us {
		if u.Email == email {
			return true
		}
	}
	return false
}

// businessName returns a new, unique business name for the industry.
func (g *gen) businessName(ind *industry, cityName string) string {
	for try := 0; ; try++ {
		word := pick(g, ind.words)
		var s string
		switch r := g.rng.Float64(); {
		case ind.partners && r < 0.35:
			a, b := pick(g, surnames), pick(g, surnames)
			if a == b {
				continue
			}
			s = a + " & " + b + " " + word
		case r < 0.62:
			s = pick(g, places) + " " + word
		case r < 0.92:
			s = pick(g, surnames) + " " + word
		default:
			s = pick(g, places) + " " + word + pick(g, []string{" LLC", " Inc.", " Co."})
			if word[len(word)-1] == '.' {
				continue
			}
		}
		switch {
		case try >= 50:
			s += " #" + strconv.Itoa(try)
		case try >= 20:
			s += " of " + cityName
		}
		if !g.used[s] {
			g.used[s] = true
			return s
		}
	}
}

// street returns a street address: "1234 Main St", sometimes with a suite.
func (g *gen) street() string {
	n := int(math.Exp(g.uniform(math.Log(100), math.Log(20000))))
	if n >= 1000 {
		n = n / 10 * 10
	}
	s := strconv.Itoa(n) + " " + pick(g, streets)
	if g.chance(0.15) {
		s += " Ste " + strconv.Itoa(100*(1+g.rng.IntN(4))+g.rng.IntN(30))
	}
	return s
}
