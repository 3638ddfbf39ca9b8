package visit

import (
	"math/rand"
	"sort"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
)

var t0 = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

var rule = DwellRule{RadiusM: 100, Dwell: 5 * time.Minute, MaxGap: 10 * time.Minute}

// track makes one ping every step from start, at positions given by pos(i).
func track(start time.Time, step time.Duration, n int, pos func(i int) geo.Point) []Ping {
	out := make([]Ping, n)
	for i := range out {
		out[i] = Ping{At: start.Add(time.Duration(i) * step), Location: pos(i)}
	}
	return out
}

func TestDetectVisitsStayAndDriveBy(t *testing.T) {
	shop := geo.Point{Lon: -104.99, Lat: 39.74}
	passed := geo.Offset(shop, 3000, 0) // a customer on the road there
	places := []Place{{AccountID: 1, Location: shop}, {AccountID: 2, Location: passed}}
	rng := rand.New(rand.NewSource(1))
	var pings []Ping
	// Drive from 5 km east to the shop at about 50 km/h (14 m/s), a ping
	// every 10 s, passing account 2.
	drive := track(t0, 10*time.Second, 35, func(i int) geo.Point { return geo.Offset(shop, 5000-float64(i)*140, 0) })
	pings = append(pings, drive...)
	// 8 minutes within 30 m of the shop, a ping every 30 s.
	arrive := drive[len(drive)-1].At.Add(30 * time.Second)
	stay := track(arrive, 30*time.Second, 17, func(int) geo.Point {
		return geo.Offset(shop, rng.Float64()*40-20, rng.Float64()*40-20)
	})
	pings = append(pings, stay...)
	// Drive away.
	leave := stay[len(stay)-1].At.Add(10 * time.Second)
	pings = append(pings, track(leave, 10*time.Second, 30, func(i int) geo.Point { return geo.Offset(shop, 0, 200+float64(i)*140) })...)

	got := DetectVisits(pings, places, rule)
	if len(got) != 1 {
		t.Fatalf("DetectVisits = %+v, want exactly one visit", got)
	}
	v := got[0]
	if v.AccountID != 1 {
		t.Errorf("visit at account %d, want 1 (2 was only driven past)", v.AccountID)
	}
	if !v.Start.Equal(stay[0].At) || !v.End.Equal(stay[len(stay)-1].At) {
		t.Errorf("visit %v–%v, want %v–%v", v.Start, v.End, stay[0].At, stay[len(stay)-1].At)
	}
	if v.Duration != 8*time.Minute {
		t.Errorf("duration = %v, want 8m", v.Duration)
	}
	// The same pings again find the same visit (the store then adds nothing).
	if again := DetectVisits(pings, places, rule); len(again) != 1 || again[0] != v {
		t.Errorf("second run = %+v, want %+v", again, got)
	}
}

func TestDetectVisitsShortStopAndGap(t *testing.T) {
	shop := geo.Point{Lon: 2.35, Lat: 48.85}
	places := []Place{{AccountID: 7, Location: shop}}
	// Four minutes: less than the dwell time.
	short := track(t0, time.Minute, 5, func(int) geo.Point { return shop })
	if got := DetectVisits(short, places, rule); len(got) != 0 {
		t.Errorf("4 minutes: %+v, want no visit", got)
	}
	// Two 3-minute stays 20 minutes apart (phone silent): two short stays,
	// not one 26-minute visit.
	gap := append(track(t0, time.Minute, 4, func(int) geo.Point { return shop }),
		track(t0.Add(23*time.Minute), time.Minute, 4, func(int) geo.Point { return shop })...)
	if got := DetectVisits(gap, places, rule); len(got) != 0 {
		t.Errorf("two short stays with a long silence: %+v, want no visit", got)
	}
}

func TestDetectVisitsSplitsSharedTime(t *testing.T) {
	a := geo.Point{Lon: 10, Lat: 50}
	b := geo.Offset(a, 60, 0)   // next door
	far := geo.Offset(a, 0, 80) // within 100 m of a only at first
	places := []Place{{AccountID: 1, Location: a}, {AccountID: 2, Location: b}, {AccountID: 3, Location: far}}
	// Ten minutes between a and b (within 100 m of both, 130 m from far).
	mid := geo.Offset(a, 30, -50)
	pings := track(t0, time.Minute, 11, func(int) geo.Point { return mid })
	got := DetectVisits(pings, places, rule)
	if len(got) != 2 {
		t.Fatalf("got %+v, want visits at 1 and 2", got)
	}
	for i, v := range got {
		if v.AccountID != int64(i+1) || v.Duration != 5*time.Minute || v.End.Sub(v.Start) != 10*time.Minute {
			t.Errorf("visit %d = %+v, want account %d, 10 minutes shared: 5m each", i, v, i+1)
		}
	}
}

func TestMergeAutoVisit(t *testing.T) {
	m := func(startMin, endMin int, dur time.Duration) AutoVisit {
		return AutoVisit{AccountID: 1, Start: t0.Add(time.Duration(startMin) * time.Minute), End: t0.Add(time.Duration(endMin) * time.Minute), Duration: dur}
	}
	if _, ok := MergeAutoVisit([]AutoVisit{m(0, 10, 10*time.Minute)}, m(0, 10, 10*time.Minute)); ok {
		t.Error("the same visit again: want nothing to store")
	}
	if _, ok := MergeAutoVisit([]AutoVisit{m(0, 10, 10*time.Minute)}, m(2, 8, 6*time.Minute)); ok {
		t.Error("a visit inside a stored one: want nothing to store")
	}
	if got, ok := MergeAutoVisit([]AutoVisit{m(0, 10, 10*time.Minute)}, m(0, 20, 20*time.Minute)); !ok || got != m(0, 20, 20*time.Minute) {
		t.Errorf("extended visit: got %+v %v, want the longer one", got, ok)
	}
	// Found from a window that starts inside the stored visit.
	if got, ok := MergeAutoVisit([]AutoVisit{m(0, 10, 10*time.Minute)}, m(5, 25, 20*time.Minute)); !ok || got != m(0, 25, 25*time.Minute) {
		t.Errorf("overlapping visit: got %+v %v, want 0–25 lasting 25m", got, ok)
	}
	if got, ok := MergeAutoVisit(nil, m(0, 6, 6*time.Minute)); !ok || got != m(0, 6, 6*time.Minute) {
		t.Errorf("new visit: got %+v %v", got, ok)
	}
}

func TestWorkingHours(t *testing.T) {
	w := WorkingHours{Days: []int{1, 2, 3, 4, 5}, Start: "08:00", End: "18:00", TimeZone: "America/Denver"}
	if err := w.Validate(); err != nil {
		t.Fatal(err)
	}
	den, _ := time.LoadLocation("America/Denver")
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2026, 3, 2, 8, 0, 0, 0, den), true},       // Monday 08:00
		{time.Date(2026, 3, 2, 17, 59, 0, 0, den), true},     // Monday 17:59
		{time.Date(2026, 3, 2, 18, 0, 0, 0, den), false},     // Monday 18:00
		{time.Date(2026, 3, 2, 7, 59, 0, 0, den), false},     // too early
		{time.Date(2026, 3, 1, 12, 0, 0, 0, den), false},     // Sunday
		{time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC), true}, // 09:00 in Denver
	} {
		if got := w.Contains(tc.at); got != tc.want {
			t.Errorf("Contains(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	night := WorkingHours{Days: []int{5}, Start: "22:00", End: "06:00"}
	if err := night.Validate(); err != nil {
		t.Fatal(err)
	}
	if !night.Contains(time.Date(2026, 3, 7, 3, 0, 0, 0, time.UTC)) { // Saturday 03:00: Friday's shift
		t.Error("Friday night shift should contain Saturday 03:00")
	}
	if night.Contains(time.Date(2026, 3, 8, 3, 0, 0, 0, time.UTC)) {
		t.Error("Saturday night is no shift")
	}
	for _, bad := range []WorkingHours{{Start: "25:00", End: "06:00"}, {Start: "08:00"}, {TimeZone: "Mars/Olympus"}, {Days: []int{7}}, {Start: "8", End: "9"}} {
		if err := bad.Validate(); err == nil {
			t.Errorf("%+v: want an error", bad)
		}
	}
}

func TestNearestAgreesWithBruteForce(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	origin := geo.Point{Lon: -73.98, Lat: 40.75}
	var places []Place
	for i := range 2000 {
		places = append(places, Place{AccountID: int64(i + 1), Location: geo.Offset(origin, rng.Float64()*6000-3000, rng.Float64()*6000-3000)})
	}
	got := Nearest(origin, places, 1500, 0)
	var want []Nearby
	for _, p := range places {
		if d := geo.DistanceMeters(origin, p.Location); d <= 1500 {
			want = append(want, Nearby{p.AccountID, d})
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i].DistanceM < want[j].DistanceM })
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("len = %d, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Nearest[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := Nearest(origin, places, 1500, 10); len(got) != 10 || got[9] != want[9] {
		t.Errorf("limit 10: %+v", got)
	}
	// The search box holds every point of the circle.
	b := RadiusBBox(origin, 1500)
	for _, w := range want {
		for _, p := range places {
			if p.AccountID == w.AccountID && !b.Contains(p.Location) {
				t.Errorf("RadiusBBox misses account %d at %.1f m", w.AccountID, w.DistanceM)
			}
		}
	}
}

func TestComputeRepMetrics(t *testing.T) {
	act := RepActivity{
		Visits: []VisitCount{{UserID: 1, Outcome: "sale", Visits: 2, Verified: 1}, {UserID: 1, Outcome: "", Visits: 3}, {UserID: 2, Outcome: "no_answer", Visits: 4, Verified: 4}},
		Accounts: []AccountCount{{OwnerID: 1, Stage: "customer", N: 2, Value: 500}, {OwnerID: 1, Stage: "lost", N: 2, Value: 99},
			{OwnerID: 1, Stage: "lead", N: 3, Value: 10}, {OwnerID: 2, Stage: "lead", N: 1}},
	}
	kind := map[string]string{"customer": "customer", "lost": "lost", "lead": "lead"}
	got := ComputeRepMetrics(act, []int64{1, 2, 3}, func(s string) string { return kind[s] })
	if len(got) != 3 {
		t.Fatalf("got %d rows, want 3 (rep 3 with nothing too)", len(got))
	}
	r1 := got[0]
	if r1.UserID != 1 || r1.Visits != 5 || r1.VerifiedVisits != 1 || r1.Outcomes["sale"] != 2 || r1.LeadsCreated != 7 || r1.Won != 2 || r1.Lost != 2 || r1.WinRate != 0.5 || r1.EstimatedRevenue != 500 {
		t.Errorf("rep 1 = %+v", r1)
	}
	if got[1].UserID != 2 || got[1].Visits != 4 || got[1].VerifiedVisits != 4 || got[1].WinRate != 0 {
		t.Errorf("rep 2 = %+v", got[1])
	}
	if got[2].UserID != 3 || got[2].Visits != 0 {
		t.Errorf("rep 3 = %+v", got[2])
	}
}
