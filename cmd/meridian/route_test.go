package main

import (
	"encoding/json"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const tinySolomon = `TINY

VEHICLE
NUMBER     CAPACITY
  4         15

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0         0          0          0       1000          0
    1      10        0          5          0        100         10
    2      10        10         5         50        200         10
    3      0         10         5          0        300         10
    4      -10       0         10        100        400         10
    5      -10      -10         5          0        1000        10
    6      5        -20         5          0        1000        10
`

// routeJSON decodes route solve's output, refusing unknown keys.
func routeJSON(t *testing.T, out string) routeResult {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "distance,elapsed_seconds,routes,unassigned,vehicles" {
		t.Fatalf("keys %s", got)
	}
	var r routeResult
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRouteSolveSolomon(t *testing.T) {
	dir := t.TempDir()
	f := writeFile(t, dir, "tiny.txt", tinySolomon)
	out, _, err := cli(t, "", "route", "solve", f, "--time-limit", "300ms", "--json", "--seed", "4")
	if err != nil {
		t.Fatal(err)
	}
	r := routeJSON(t, out)
	xs := []float64{0, 10, 10, 0, -10, -10, 5}
	ys := []float64{0, 0, 10, 10, 0, -10, -20}
	seen := map[int64]bool{}
	total := 0.0
	for _, route := range r.Routes {
		prev := int64(0)
		for _, id := range route {
			if id == 0 || seen[id] {
				t.Fatalf("route %v holds the depot or a repeated customer", route)
			}
			seen[id] = true
			total += math.Hypot(xs[prev]-xs[id], ys[prev]-ys[id])
			prev = id
		}
		total += math.Hypot(xs[prev], ys[prev])
	}
	if len(seen) != 6 || len(r.Unassigned) != 0 {
		t.Errorf("served %d customers, unassigned %v", len(seen), r.Unassigned)
	}
	if math.Abs(total-r.Distance) > 1e-9 || r.Vehicles != len(r.Routes) {
		t.Errorf("printed distance %v, the printed routes measure %v (vehicles %d, routes %d)", r.Distance, total, r.Vehicles, len(r.Routes))
	}
	// Capacity 15 and demands 35: at least three vehicles, and the vehicles
	// objective reaches that bound.
	out, _, err = cli(t, "", "route", "solve", "--objective", "vehicles", "--json", "--time-limit", "300ms", f)
	if err != nil {
		t.Fatal(err)
	}
	if v := routeJSON(t, out); v.Vehicles != 3 {
		t.Errorf("objective vehicles: %d vehicles, want 3", v.Vehicles)
	}
	// Errors.
	if _, _, err := cli(t, "", "route", "solve", f, "--objective", "time"); exitCode(err, io.Discard) != 2 {
		t.Errorf("bad objective: %v", err)
	}
	bad := writeFile(t, dir, "bad.txt", strings.Replace(tinySolomon, "    6      5        -20", "    6      5        x", 1))
	if _, _, err := cli(t, "", "route", "solve", bad); err == nil || !strings.Contains(err.Error(), "line 16: YCOORD.") || exitCode(err, io.Discard) != 2 {
		t.Errorf("bad file: %v", err)
	}
	if _, _, err := cli(t, "", "route", "solve", filepath.Join(dir, "none.txt")); exitCode(err, io.Discard) != 3 {
		t.Errorf("missing file: %v", err)
	}
}

func TestRouteSolveJSONAndTSPLIB(t *testing.T) {
	dir := t.TempDir()
	inst := writeFile(t, dir, "day.json", `{"jobs":[
	  {"id":11,"lon":-104.99,"lat":39.74,"service_minutes":30,"windows":[["09:00","11:00"]]},
	  {"id":12,"lon":-105.02,"lat":39.70,"service_minutes":30},
	  {"id":13,"lon":-104.90,"lat":39.80,"service_minutes":45,"optional":true,"windows":[["07:00","07:30"]]}],
	 "vehicles":[{"id":1,"start":{"lon":-105.0,"lat":39.75},"end":{"lon":-105.0,"lat":39.75},"shift":["08:00","17:00"]}]}`)
	out, _, err := cli(t, "", "route", "solve", inst, "--json")
	if err != nil {
		t.Fatal(err)
	}
	r := routeJSON(t, out)
	if len(r.Routes) != 1 || len(r.Routes[0]) != 2 || len(r.Unassigned) != 1 || r.Unassigned[0] != 13 {
		t.Errorf("day: %+v; want jobs 11 and 12 served, 13 (window before the shift) left out", r)
	}
	tsp := writeFile(t, dir, "sq.tsp", "NAME: sq\nTYPE: TSP\nDIMENSION: 5\nEDGE_WEIGHT_TYPE: EUC_2D\nNODE_COORD_SECTION\n1 0 0\n2 10 0\n3 0 10\n4 10 10\n5 5 -3\nEOF\n")
	out, _, err = cli(t, "", "route", "solve", tsp, "--json", "--time-limit", "1s")
	if err != nil {
		t.Fatal(err)
	}
	r = routeJSON(t, out)
	// Optimal: (0,0) (5,-3) (10,0) (10,10) (0,10) with nint lengths 6+6+10+10+10.
	if len(r.Routes) != 1 || len(r.Routes[0]) != 5 || r.Distance != 42 {
		t.Errorf("tsp: %+v, want the 5 nodes at length 42", r)
	}
}

func TestBenchRouting(t *testing.T) {
	data := t.TempDir()
	sol := filepath.Join(data, "solomon")
	if err := os.MkdirAll(sol, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, sol, "T101.txt", tinySolomon)
	writeFile(t, sol, "BKS.csv", "instance,customers,capacity,hier_bks_vehicles,hier_bks_distance,distmin_bks_vehicles,distmin_bks_distance\nT101,6,15,3,120,3,100\nT102,6,15,3,120,3,100\n")
	out, stderr, err := cli(t, "", "bench", "routing", "--data-dir", data, "--time-limit", "200ms", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Instances []benchRow    `json:"instances"`
		Families  []benchFamily `json:"families"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Instances) != 1 || !res.Instances[0].Feasible || res.Instances[0].Best != 100 || res.Families[0].Family != "T1" {
		t.Fatalf("bench = %+v", res)
	}
	if g := res.Instances[0].GapPct; math.Abs(g-100*(res.Instances[0].Found-100)/100) > 1e-9 {
		t.Errorf("gap %v", g)
	}
	if !strings.Contains(stderr, "[1/1] T101") {
		t.Errorf("progress %q", stderr)
	}
	_, _, err = cli(t, "", "bench", "routing", "--data-dir", filepath.Join(data, "nowhere"))
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing data: %v", err)
	}
	_, _, err = cli(t, "", "bench", "routing", "--data-dir", data, "--only", "X9")
	if err == nil || !strings.Contains(err.Error(), "x9") {
		t.Errorf("unknown --only: %v", err)
	}
}
