package demo

import (
	"cmp"
	"math"
	"slices"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
)

// center is downtown Denver, the centre of the metro and of the territories.
var center = geo.Point{Lon: -104.99, Lat: 39.74}

// Territory geometry: a disc of radius innerKm around the centre, and annular
// sectors from innerKm to outerKm around it. outerKm leaves room beyond
// MetroRadiusKm plus the placement jitter.
const (
	innerKm = 8
	outerKm = 45
	arcStep = 2 // degrees between the vertices of the arcs
	jitterM = 1500
)

// km returns the point x km east and y km north of the centre.
func km(x, y float64) geo.Point { return geo.Offset(center, x*1000, y*1000) }

// polar returns the point r km from the centre at deg degrees
// counter-clockwise from east. The same (r, deg mod 360) always gives the
// same point, which is what makes neighbouring territories share their
// boundary vertices exactly.
func polar(r float64, deg int) geo.Point {
	deg = ((deg % 360) + 360) % 360
	a := float64(deg) * math.Pi / 180
	return km(r*math.Cos(a), r*math.Sin(a))
}

// polarF is polar for a fractional angle, for points that are not vertices.
func polarF(r, deg float64) geo.Point {
	a := deg * math.Pi / 180
	return km(r*math.Cos(a), r*math.Sin(a))
}

// localKm returns p as km east and north of the centre.
func localKm(p geo.Point) (x, y float64) {
	const rad = math.Pi / 180
	y = (p.Lat - center.Lat) * rad * geo.EarthRadiusMeters / 1000
	x = (p.Lon - center.Lon) * rad * geo.EarthRadiusMeters * math.Cos(center.Lat*rad) / 1000
	return x, y
}

// metroZIP is a ZIP of the metro with its placement weight.
type metroZIP struct {
	ZIP
	distKm float64
	weight float64
}

// metroZIPs returns the ZIPs within MetroRadiusKm of the centre, sorted by
// code (then position) so that the caller's order does not matter, each
// weighted towards the centre and towards areas dense with ZIPs.
func metroZIPs(all []ZIP) []metroZIP {
	var out []metroZIP
	for _, z := range all {
		if z.Location.Validate() != nil {
			continue
		}
		if d := geo.DistanceMeters(center, z.Location) / 1000; d <= MetroRadiusKm {
			out = append(out, metroZIP{ZIP: z, distKm: d})
		}
	}
	slices.SortFunc(out, func(a, b metroZIP) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Location.Lon, b.Location.Lon), cmp.Compare(a.Location.Lat, b.Location.Lat))
	})
	for i := range out {
		near := 0
		for j := range out {
			if i != j && geo.DistanceMeters(out[i].Location, out[j].Location) < 5000 {
				near++
			}
		}
		out[i].weight = (0.35 + math.Exp(-out[i].distKm/12)) * math.Sqrt(1+float64(near))
	}
	return out
}

// terrSpec describes a territory: a disc (from == to) or the sector from
// degree from to degree to, counter-clockwise from east, and its reps.
type terrSpec struct {
	name, color string
	from, to    int
	reps        []repSpec
}

// repSpec is a rep and where they live, in polar coordinates.
type repSpec struct {
	first, last string
	r           float64 // km from the centre
	deg         float64
}

// specs are the territories. Angles are multiples of arcStep.
var specs = []terrSpec{
	{name: "Denver Central", color: "#8e24aa", reps: []repSpec{{"Maria", "Garcia", 3.5, 60}, {"James", "Carter", 4.5, 235}}},
	{name: "North Metro", color: "#1e88e5", from: 44, to: 100, reps: []repSpec{{"Priya", "Patel", 14, 60}, {"Tom", "Nguyen", 19, 85}}},
	{name: "Boulder & Northwest", color: "#00897b", from: 100, to: 160, reps: []repSpec{{"Ben", "Whitaker", 18, 125}}},
	{name: "West Foothills", color: "#6d4c41", from: 160, to: 236, reps: []repSpec{{"Sofia", "Rossi", 14, 200}}},
	{name: "South Suburbs", color: "#f4511e", from: 236, to: 304, reps: []repSpec{{"Hannah", "Schmidt", 14, 255}, {"Marcus", "Brown", 18, 285}}},
	{name: "Aurora & East", color: "#fbc02d", from: 304, to: 404, reps: []repSpec{{"Luis", "Hernandez", 15, 350}, {"Emily", "Johnson", 19, 20}}},
}

// terr is a territory being generated.
type terr struct {
	terrSpec
	shape geo.MultiPolygon
	bbox  geo.BBox
	reps  []int // indexes into the users
	users []User
}

// repEmails returns the emails of t's reps.
func (t *terr) repEmails() []string {
	out := make([]string, len(t.users))
	for i, u := range t.users {
		out[i] = u.Email
	}
	return out
}

// buildTerritories makes the shapes of specs: closed, counter-clockwise
// outer rings whose shared edges use identical vertices.
func buildTerritories() []*terr {
	var out []*terr
	for _, s := range specs {
		var ring geo.Ring
		if s.from == s.to {
			for d := 0; d < 360; d += arcStep {
				ring = append(ring, polar(innerKm, d))
			}
		} else {
			for d := s.from; d <= s.to; d += arcStep {
				ring = append(ring, polar(outerKm, d))
			}
			for d := s.to; d >= s.from; d -= arcStep {
				ring = append(ring, polar(innerKm, d))
			}
		}
		ring = append(ring, ring[0])
		shape := geo.MultiPolygon{{ring}}
		out = append(out, &terr{terrSpec: s, shape: shape, bbox: shape.Bounds()})
	}
	return out
}

// territoryOf returns the index of the one territory containing p, or -1
// when none or several do (p on a shared edge).
func territoryOf(ts []*terr, p geo.Point) int {
	found := -1
	for i, t := range ts {
		if t.bbox.Contains(p) && t.shape.Contains(p) {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// buildUsers makes the admin, the managers and the reps of ts, recording each
// territory's reps.
func buildUsers(ts []*terr) []User {
	office := km(0.3, 0.2) // an office downtown
	users := []User{
		{Email: "admin@" + EmailDomain, Name: "Alex Morgan", Role: auth.RoleAdmin, Title: "administrator", Home: office, Password: AdminPassword},
		{Email: "manager@" + EmailDomain, Name: "Dana Whitfield", Role: auth.RoleManager, Title: "sales manager", Home: office, Password: ManagerPassword},
		{Email: "marketing@" + EmailDomain, Name: "Chris Okafor", Role: auth.RoleManager, Title: "marketing analyst", Home: office, Password: ManagerPassword},
	}
	for _, t := range ts {
		for _, r := range t.terrSpec.reps {
			u := User{
				Email:    lower(r.first) + "." + lower(r.last) + "@" + EmailDomain,
				Name:     r.first + " " + r.last,
				Role:     auth.RoleRep,
				Title:    "sales rep, " + t.name,
				Home:     polarF(r.r, r.deg),
				Password: RepPassword,
			}
			t.reps = append(t.reps, len(users))
			t.users = append(t.users, u)
			users = append(users, u)
		}
	}
	return users
}

// lower lower-cases ASCII letters.
func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// city is a place name of the metro and a point in it. Large cities have
// several points so that "nearest point" follows their shape.
type city struct {
	name     string
	lon, lat float64
}

// cities are the metro's cities; an account takes the name of the nearest.
var cities = []city{
	{"Denver", -104.990, 39.739}, {"Denver", -105.030, 39.760}, {"Denver", -104.940, 39.680},
	{"Denver", -105.030, 39.670}, {"Denver", -104.900, 39.760}, {"Denver", -104.850, 39.780},
	{"Denver", -104.770, 39.790}, {"Denver", -104.900, 39.650}, {"Denver", -104.960, 39.720},
	{"Aurora", -104.830, 39.720}, {"Aurora", -104.780, 39.690}, {"Aurora", -104.750, 39.630},
	{"Aurora", -104.720, 39.730}, {"Aurora", -104.650, 39.700},
	{"Lakewood", -105.081, 39.705}, {"Lakewood", -105.120, 39.690},
	{"Arvada", -105.088, 39.803}, {"Arvada", -105.150, 39.830},
	{"Westminster", -105.037, 39.837}, {"Westminster", -105.070, 39.880},
	{"Thornton", -104.972, 39.868}, {"Thornton", -104.950, 39.920},
	{"Northglenn", -104.981, 39.896}, {"Federal Heights", -105.016, 39.851},
	{"Commerce City", -104.934, 39.808}, {"Commerce City", -104.850, 39.870},
	{"Brighton", -104.821, 39.985}, {"Henderson", -104.870, 39.920},
	{"Centennial", -104.877, 39.581}, {"Centennial", -104.800, 39.590},
	{"Englewood", -104.988, 39.648}, {"Littleton", -105.017, 39.613},
	{"Greenwood Village", -104.951, 39.617}, {"Lone Tree", -104.886, 39.537},
	{"Highlands Ranch", -104.969, 39.554}, {"Highlands Ranch", -105.010, 39.540},
	{"Parker", -104.761, 39.519}, {"Ken Caryl", -105.112, 39.575},
	{"Golden", -105.221, 39.756}, {"Wheat Ridge", -105.077, 39.766},
	{"Morrison", -105.191, 39.654}, {"Evergreen", -105.317, 39.633},
	{"Broomfield", -105.087, 39.921}, {"Broomfield", -105.050, 39.950},
	{"Louisville", -105.132, 39.978}, {"Superior", -105.169, 39.953},
	{"Lafayette", -105.090, 39.994}, {"Boulder", -105.270, 40.015},
	{"Erie", -105.050, 40.050}, {"Castle Rock", -104.856, 39.372},
	{"Watkins", -104.600, 39.740}, {"Bennett", -104.430, 39.760},
}

// cityOf names the metro city nearest p.
func cityOf(p geo.Point) string {
	x, y := localKm(p)
	best, bestD := "", math.Inf(1)
	for _, c := range cityKm {
		if d := (x-c.x)*(x-c.x) + (y-c.y)*(y-c.y); d < bestD {
			best, bestD = c.name, d
		}
	}
	return best
}

// cityKm are the cities in km east and north of the centre.
var cityKm = func() []struct {
	name string
	x, y float64
} {
	out := make([]struct {
		name string
		x, y float64
	}, len(cities))
	for i, c := range cities {
		out[i].name = c.name
		out[i].x, out[i].y = localKm(geo.Point{Lon: c.lon, Lat: c.lat})
	}
	return out
}()
