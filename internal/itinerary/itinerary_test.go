package itinerary

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// samplePlan builds a two-rep day in Lyon (Europe/Paris, UTC+1 in March):
// Alice with n stops, Bob with two, one stop left out. Names carry the
// characters the formats must escape.
func samplePlan(n int) *plan.Plan {
	day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h-1)*time.Hour + time.Duration(m)*time.Minute) } // local → UTC
	home := geo.Point{Lon: 4.8357, Lat: 45.764}
	alice := plan.Route{RepID: 3, RepName: "Alice Martin", Start: home, End: home, Depart: at(8, 0), DistanceMeters: 0, DurationSeconds: 0}
	names := []string{
		`Boulangerie "Chez Paul" & Fils`,
		"Café, Bar; Tabac \\ Loto",
		"Garage <Nord>\nAtelier 2",
		"Établissements Très Longs Noms Pour Tester Le Pliage Des Lignes Du Calendrier Électronique",
	}
	t := at(8, 20)
	for i := range n {
		name := names[i%len(names)]
		if i >= len(names) {
			name = fmt.Sprintf("Client %02d", i+1)
		}
		s := plan.Stop{
			AccountID: int64(100 + i), Name: name, Address: fmt.Sprintf("%d rue de la République, 69002 Lyon", i+1),
			Location:       geo.Point{Lon: 4.80 + 0.01*float64(i), Lat: 45.74 + 0.005*float64(i%5)},
			ServiceSeconds: 1800, Arrival: t, Start: t, Depart: t.Add(30 * time.Minute),
		}
		if i == 1 {
			s.WindowStart, s.WindowEnd = "09:00", "11:00"
			s.Start = t.Add(10 * time.Minute)
			s.Depart = s.Start.Add(30 * time.Minute)
			s.Locked = true
		}
		alice.Stops = append(alice.Stops, s)
		t = s.Depart.Add(12 * time.Minute)
		alice.DistanceMeters += 4200
	}
	alice.Return = t
	alice.DurationSeconds = alice.Return.Sub(alice.Depart).Seconds()
	alice.Break = &plan.Break{Start: at(12, 30), DurationSeconds: 1800, AfterStop: 2}

	bobHome := geo.Point{Lon: 4.87, Lat: 45.78}
	bob := plan.Route{RepID: 4, RepName: "Bob", Start: bobHome, End: bobHome, Depart: at(8, 30), Return: at(10, 45), DistanceMeters: 9100, DurationSeconds: 8100}
	bob.Stops = []plan.Stop{
		{AccountID: 200, Name: "Pharmacie du Parc", Location: geo.Point{Lon: 4.852, Lat: 45.771}, ServiceSeconds: 1800, Arrival: at(8, 45), Start: at(8, 45), Depart: at(9, 15)},
		{AccountID: 201, Name: "Hôtel Bellecour", Address: "Place Bellecour, Lyon", Location: geo.Point{Lon: 4.832, Lat: 45.757}, ServiceSeconds: 2700, Arrival: at(9, 30), Start: at(9, 30), Depart: at(10, 15)},
	}
	return &plan.Plan{
		ID: 42, Name: "Lyon, Friday", Day: "2025-03-14", TimeZone: "Europe/Paris", Matrix: "great-circle",
		Routes:         []plan.Route{alice, bob},
		Unassigned:     []plan.Stop{{AccountID: 300, Name: "Too far", Location: geo.Point{Lon: 5.5, Lat: 46}}},
		DistanceMeters: alice.DistanceMeters + bob.DistanceMeters,
		CreatedAt:      day.Add(6 * time.Hour), UpdatedAt: day.Add(6*time.Hour + 30*time.Minute),
	}
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", name, d)
	}
}

func TestGPXGolden(t *testing.T) {
	var b bytes.Buffer
	if err := GPX(&b, samplePlan(5)); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.gpx", b.Bytes())
}

func TestICSGolden(t *testing.T) {
	var b bytes.Buffer
	if err := ICS(&b, samplePlan(5), ICSOptions{Domain: "example.com"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.ics", b.Bytes())
}

func TestLinksGolden(t *testing.T) {
	p := samplePlan(12)
	out := map[string][]Link{}
	for _, r := range p.Routes {
		out[fmt.Sprintf("google_%d", r.RepID)] = GoogleLinks(r)
		out[fmt.Sprintf("apple_%d", r.RepID)] = AppleLinks(r)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		t.Fatal(err)
	}
	golden(t, "links.json", b.Bytes())
}

// TestGPXSchema validates exports against the GPX 1.1 XSD with xmllint.
func TestGPXSchema(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("MERIDIAN_REQUIRE_CHROMIUM") != "" {
			t.Fatal("xmllint is not installed (Debian package libxml2-utils) and MERIDIAN_REQUIRE_CHROMIUM is set")
		}
		t.Skip("xmllint not installed (apt install libxml2-utils); GPX schema validation skipped")
	}
	dir := t.TempDir()
	for _, n := range []int{0, 1, 5, 30} {
		p := samplePlan(n)
		if n == 30 {
			// The antimeridian: GPX longitudes are in [-180, 180).
			p.Routes[1].Stops[0].Location = geo.Point{Lon: 180, Lat: -16.5}
		}
		var b bytes.Buffer
		if err := GPX(&b, p); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, fmt.Sprintf("plan%d.gpx", n))
		if err := os.WriteFile(f, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "gpx.xsd"), f).CombinedOutput()
		if err != nil {
			t.Errorf("xmllint on a plan with %d stops: %v\n%s", n, err, out)
		}
	}
	// The check itself can fail: a document out of the schema's order is rejected.
	bad := filepath.Join(dir, "bad.gpx")
	os.WriteFile(bad, []byte(`<gpx xmlns="http://www.topografix.com/GPX/1/1" version="1.1" creator="t"><wpt lat="1" lon="2"><name>a</name><time>2025-01-01T00:00:00Z</time></wpt></gpx>`), 0o644)
	if out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "gpx.xsd"), bad).CombinedOutput(); err == nil {
		t.Errorf("xmllint accepted a GPX with <time> after <name>:\n%s", out)
	}
}

// TestGPXRoundTrip reads the export back as XML: names survive escaping and
// every stop is a waypoint and a route point in order.
func TestGPXRoundTrip(t *testing.T) {
	p := samplePlan(6)
	var b bytes.Buffer
	if err := GPX(&b, p); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Wpts []struct {
			Lat  float64 `xml:"lat,attr"`
			Lon  float64 `xml:"lon,attr"`
			Name string  `xml:"name"`
			Time string  `xml:"time"`
		} `xml:"wpt"`
		Rtes []struct {
			Name string `xml:"name"`
			Pts  []struct {
				Name string `xml:"name"`
			} `xml:"rtept"`
		} `xml:"rte"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var wantNames []string
	for _, r := range p.Routes {
		for i, s := range r.Stops {
			wantNames = append(wantNames, fmt.Sprintf("%d. %s", i+1, s.Name))
		}
	}
	var gotNames []string
	for _, w := range doc.Wpts {
		gotNames = append(gotNames, w.Name)
	}
	if d := cmp.Diff(wantNames, gotNames); d != "" {
		t.Errorf("waypoint names (-want +got):\n%s", d)
	}
	if got, want := doc.Wpts[0].Time, "2025-03-14T07:20:00Z"; got != want {
		t.Errorf("first waypoint time = %s, want %s (08:20 Paris in UTC)", got, want)
	}
	if len(doc.Rtes) != 2 {
		t.Fatalf("routes = %d, want 2", len(doc.Rtes))
	}
	for i, r := range doc.Rtes {
		if got, want := len(r.Pts), len(p.Routes[i].Stops)+2; got != want {
			t.Errorf("route %d has %d points, want %d (home, stops, home)", i, got, want)
		}
	}
}

// unfold undoes RFC 5545 line folding.
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func TestICSFormat(t *testing.T) {
	p := samplePlan(9)
	var b bytes.Buffer
	if err := ICS(&b, p, ICSOptions{}); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if !strings.HasSuffix(s, "END:VCALENDAR\r\n") {
		t.Errorf("ICS does not end with END:VCALENDAR CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, more than 75: %q", i+1, len(line), line)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d holds a bare CR or LF: %q", i+1, line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i+1, line)
		}
	}
	un := unfold(s)
	if got, want := strings.Count(un, "BEGIN:VEVENT\r\n"), 9+2; got != want {
		t.Errorf("events = %d, want %d (one per visit)", got, want)
	}
	uids := map[string]bool{}
	for _, line := range strings.Split(un, "\r\n") {
		if v, ok := strings.CutPrefix(line, "UID:"); ok {
			if uids[v] {
				t.Errorf("UID %s repeated", v)
			}
			uids[v] = true
		}
		for _, prop := range []string{"DTSTART:", "DTEND:", "DTSTAMP:"} {
			if v, ok := strings.CutPrefix(line, prop); ok {
				if _, err := time.Parse("20060102T150405Z", v); err != nil {
					t.Errorf("%s%s is not a UTC date-time: %v", prop, v, err)
				}
			}
		}
	}
	for _, want := range []string{
		`SUMMARY:Visit 2: Café\, Bar\; Tabac \\ Loto`,
		`SUMMARY:Visit 3: Garage <Nord>\nAtelier 2`,
		"SUMMARY:Visit 4: Établissements Très Longs Noms Pour Tester Le Pliage Des Lignes Du Calendrier Électronique",
		"DTSTART:20250314T072000Z",
		"UID:plan-42-rep-3-account-100@meridian.invalid",
		"DTSTAMP:20250314T063000Z",
	} {
		if !strings.Contains(un, want+"\r\n") {
			t.Errorf("unfolded ICS lacks the line %q", want)
		}
	}
}

func TestEscapeText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a,b;c\\d", `a\,b\;c\\d`},
		{"one\ntwo\r\nthree\rfour", `one\ntwo\nthree\nfour`},
		{"tab\there\x01", "tab\there"},
	} {
		if got := escapeText(tt.in); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{strings.Repeat("a", 75), strings.Repeat("a", 76), strings.Repeat("é", 80), "X:" + strings.Repeat("日本", 60)} {
		var b bytes.Buffer
		writeFolded(&b, s)
		out := b.String()
		for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(line) > 75 || !utf8.ValidString(line) {
				t.Errorf("fold of %d octets gave a line of %d octets (valid UTF-8 %v)", len(s), len(line), utf8.ValidString(line))
			}
		}
		if got := unfold(strings.TrimSuffix(out, "\r\n")); got != s {
			t.Errorf("unfold(fold(s)) = %q, want %q", got, s)
		}
		if len(s) <= 75 && strings.Contains(out, "\r\n ") {
			t.Errorf("a line of %d octets was folded", len(s))
		}
	}
}

func TestGoogleLinksSplit(t *testing.T) {
	for _, n := range []int{0, 1, 9, 10, 11, 25} {
		r := samplePlan(n).Routes[0]
		links := GoogleLinks(r)
		places := n + 2
		wantLinks := (places - 1 + GoogleMaxWaypoints) / (GoogleMaxWaypoints + 1)
		if len(links) != wantLinks {
			t.Errorf("%d stops: %d links, want %d", n, len(links), wantLinks)
		}
		next := 0
		for i, l := range links {
			u, err := url.Parse(l.URL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if q.Get("api") != "1" {
				t.Errorf("link %d lacks api=1: %s", i, l.URL)
			}
			var wps []string
			if w := q.Get("waypoints"); w != "" {
				wps = strings.Split(w, "|")
			}
			if len(wps) > GoogleMaxWaypoints {
				t.Errorf("%d stops, link %d: %d waypoints, more than %d", n, i, len(wps), GoogleMaxWaypoints)
			}
			if l.From != next {
				t.Errorf("%d stops, link %d starts at place %d, want %d (where the previous ended)", n, i, l.From, next)
			}
			if got, want := len(wps), l.To-l.From-1; got != want {
				t.Errorf("link %d has %d waypoints, want %d", i, got, want)
			}
			pts := placesOf(r)
			if q.Get("origin") != latLon(pts[l.From]) || q.Get("destination") != latLon(pts[l.To]) {
				t.Errorf("link %d: origin %s destination %s, want %s and %s", i, q.Get("origin"), q.Get("destination"), latLon(pts[l.From]), latLon(pts[l.To]))
			}
			next = l.To
		}
		if next != places-1 {
			t.Errorf("%d stops: links end at place %d, want %d (home)", n, next, places-1)
		}
	}
}

func placesOf(r plan.Route) []geo.Point { return places(r) }

func TestAppleLinks(t *testing.T) {
	r := samplePlan(3).Routes[0]
	links := AppleLinks(r)
	if len(links) != 4 {
		t.Fatalf("links = %d, want 4 (one per leg of home, 3 stops, home)", len(links))
	}
	u, _ := url.Parse(links[1].URL)
	if got, want := u.Query().Get("saddr"), "45.74,4.8"; got != want {
		t.Errorf("second leg saddr = %s, want %s (latitude first)", got, want)
	}
	if got, want := u.Query().Get("daddr"), "45.745,4.81"; got != want {
		t.Errorf("second leg daddr = %s, want %s", got, want)
	}
}

func TestCoord(t *testing.T) {
	for _, tt := range []struct {
		in   float64
		want string
	}{{4.8, "4.8"}, {-0.0000001, "-0.0000001"}, {1e-9, "0.0"}, {45, "45.0"}, {4.83571234, "4.8357123"}} {
		if got := coord(tt.in); got != tt.want {
			t.Errorf("coord(%v) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
