package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/routing"
)

// routeResult is what `meridian route solve --json` prints.
type routeResult struct {
	Distance       float64   `json:"distance"`
	Vehicles       int       `json:"vehicles"`
	Routes         [][]int64 `json:"routes"`
	Unassigned     []int64   `json:"unassigned"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`

	feasible error // from routing.Evaluate or tsp.Check
}

// solveTSPLIB solves a TSPLIB file; route_tsp.go sets it.
var solveTSPLIB func(ctx context.Context, data []byte, limit time.Duration, seed int64) (*routeResult, error)

func cmdRoute(e *env, args []string) error {
	if len(args) == 0 || args[0] != "solve" {
		fmt.Fprintln(e.stderr, "Usage: meridian route solve FILE [--time-limit 10s] [--objective vehicles|distance] [--seed N] [--json]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := e.flags("route solve", "route solve FILE [--time-limit 10s] [--objective vehicles|distance] [--seed N] [--json]\n\n"+
		"FILE is a TSPLIB .tsp, a Solomon / Gehring–Homberger .txt or a Meridian JSON instance (docs/routing.md).")
	limit := fs.Duration("time-limit", 10*time.Second, "stop searching after this `duration`")
	objective := fs.String("objective", "distance", "distance (shortest total with at most the file's fleet) or vehicles (fewest vehicles, then distance)")
	seed := fs.Int64("seed", 1, "random seed; the same seed and budget give the same search")
	asJSON := fs.Bool("json", false, `print {"distance","vehicles","routes","unassigned","elapsed_seconds"}`)
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	obj, err := parseObjective(*objective)
	if err != nil {
		return err
	}
	if *limit <= 0 {
		return derrors.Invalidf("--time-limit %v: want a positive duration such as 10s", *limit)
	}
	res, err := solveFile(e.ctx, pos[0], *limit, obj, *seed)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "distance %s, %d vehicle(s), %d unassigned, %.2f s\n", fmtDist(res.Distance), res.Vehicles, len(res.Unassigned), res.ElapsedSeconds)
		for i, r := range res.Routes {
			ids := make([]string, len(r))
			for k, id := range r {
				ids[k] = strconv.FormatInt(id, 10)
			}
			fmt.Fprintf(e.stdout, "route %d: %s\n", i+1, strings.Join(ids, " "))
		}
	}
	if res.feasible != nil {
		return fmt.Errorf("the solution printed fails the independent check: %w", res.feasible)
	}
	return nil
}

func parseObjective(s string) (routing.Objective, error) {
	switch s {
	case "distance":
		return routing.MinDistance, nil
	case "vehicles":
		return routing.MinVehicles, nil
	}
	return 0, derrors.Invalidf("--objective %q: want distance or vehicles", s)
}

func fmtDist(d float64) string {
	if d == math.Trunc(d) {
		return strconv.FormatFloat(d, 'f', 0, 64)
	}
	return strconv.FormatFloat(d, 'f', 4, 64)
}

// fileKind tells a TSPLIB file, a Meridian JSON instance and a Solomon
// text file apart, by extension and then by content.
func fileKind(path string, data []byte) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tsp":
		return "tsplib"
	case ".json":
		return "json"
	}
	trim := bytes.TrimSpace(data)
	if len(trim) > 0 && trim[0] == '{' {
		return "json"
	}
	up := strings.ToUpper(string(data[:min(len(data), 4096)]))
	if strings.Contains(up, "NODE_COORD_SECTION") || strings.Contains(up, "EDGE_WEIGHT_TYPE") {
		return "tsplib"
	}
	return "solomon"
}

// solveFile reads and solves one instance and checks the answer with the
// independent evaluator.
func solveFile(ctx context.Context, path string, limit time.Duration, obj routing.Objective, seed int64) (*routeResult, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, derrors.NotFoundf("%s: no such file", path)
		}
		return nil, err
	}
	var p *routing.Problem
	switch fileKind(path, data) {
	case "tsplib":
		if solveTSPLIB == nil {
			return nil, derrors.Invalidf("%s: TSPLIB support is not built into this binary", path)
		}
		return solveTSPLIB(ctx, data, limit, seed)
	case "json":
		in, err := routing.ReadInstance(bytes.NewReader(data))
		if err == nil {
			p, err = in.Problem()
		}
		if err != nil {
			return nil, derrors.Invalidf("%s: %v", path, err)
		}
	default:
		if p, err = routing.ReadSolomon(bytes.NewReader(data)); err != nil {
			return nil, derrors.Invalidf("%s: %v", path, err)
		}
	}
	start := time.Now()
	s, err := routing.Solve(ctx, p, routing.Options{TimeLimit: limit, Seed: seed, Objective: obj})
	if err != nil {
		return nil, err
	}
	res := &routeResult{Distance: s.Distance, Routes: [][]int64{}, Unassigned: []int64{}, ElapsedSeconds: time.Since(start).Seconds()}
	for _, r := range s.Routes {
		if len(r.Stops) == 0 {
			continue
		}
		ids := make([]int64, len(r.Stops))
		for i, st := range r.Stops {
			ids[i] = p.Jobs[st.Job].ID
		}
		res.Routes = append(res.Routes, ids)
	}
	res.Vehicles = len(res.Routes)
	for _, j := range s.Unassigned {
		res.Unassigned = append(res.Unassigned, p.Jobs[j].ID)
	}
	_, res.feasible = routing.Evaluate(p, s)
	return res, nil
}

// ---- meridian bench routing ----

type benchRow struct {
	Name     string  `json:"name"`
	Family   string  `json:"family"`
	Size     int     `json:"size"`
	Found    float64 `json:"found"`
	Best     float64 `json:"best_known"`
	GapPct   float64 `json:"gap_pct"`
	Vehicles int     `json:"vehicles"`
	BestVeh  int     `json:"best_known_vehicles,omitempty"`
	Feasible bool    `json:"feasible"`
	Problem  string  `json:"problem,omitempty"`
	Seconds  float64 `json:"elapsed_seconds"`
}

type benchFamily struct {
	Family      string  `json:"family"`
	Instances   int     `json:"instances"`
	MeanGapPct  float64 `json:"mean_gap_pct"`
	Vehicles    int     `json:"vehicles"`
	BestVeh     int     `json:"best_known_vehicles"`
	AllFeasible bool    `json:"all_feasible"`
}

func cmdBench(e *env, args []string) error {
	if len(args) == 0 || args[0] != "routing" {
		fmt.Fprintln(e.stderr, "Usage: meridian bench routing [--family tsplib|solomon|homberger] [--time-limit 10s] [--objective distance|vehicles] [--only NAMES] [--max-n N] [--json]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return errUsage
	}
	fs := e.flags("bench routing", "bench routing [--family tsplib|solomon|homberger] [--time-limit 10s] [--objective distance|vehicles] [--only NAMES] [--max-n N] [--json] [--data-dir DIR]")
	family := fs.String("family", "solomon", "tsplib, solomon or homberger")
	limit := fs.Duration("time-limit", 10*time.Second, "search time per instance")
	objective := fs.String("objective", "distance", "distance or vehicles (Solomon and Gehring–Homberger)")
	only := fs.String("only", "", "comma-separated instance `names` (default: all)")
	maxN := fs.Int("max-n", 0, "skip instances with more than `N` nodes or customers (0: no limit)")
	seed := fs.Int64("seed", 1, "random seed")
	asJSON := fs.Bool("json", false, `print {"instances":[…],"families":[…]}`)
	dataDir := fs.String("data-dir", "", "benchmark data `directory` (default: shared/bench-data in this or a parent directory)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return errUsage
	}
	obj, err := parseObjective(*objective)
	if err != nil {
		return err
	}
	if *family != "tsplib" && *family != "solomon" && *family != "homberger" {
		return derrors.Invalidf("--family %q: want tsplib, solomon or homberger", *family)
	}
	dir := *dataDir
	if dir == "" {
		if dir, err = findBenchData(); err != nil {
			return err
		}
	}
	famDir := filepath.Join(dir, *family)
	if st, err := os.Stat(famDir); err != nil || !st.IsDir() {
		return derrors.NotFoundf("benchmark data %s not found (pass --data-dir DIR holding tsplib/, solomon/, homberger/)", famDir)
	}
	insts, err := benchInstances(famDir, *family, obj)
	if err != nil {
		return err
	}
	if *only != "" {
		want := map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			want[strings.ToLower(strings.TrimSpace(n))] = true
		}
		keep := insts[:0]
		for _, in := range insts {
			if want[strings.ToLower(in.name)] {
				keep = append(keep, in)
				delete(want, strings.ToLower(in.name))
			}
		}
		if len(want) > 0 {
			var missing []string
			for n := range want {
				missing = append(missing, n)
			}
			sort.Strings(missing)
			return derrors.NotFoundf("--only: no %s instance named %s", *family, strings.Join(missing, ", "))
		}
		insts = keep
	}
	if *maxN > 0 {
		keep := insts[:0]
		for _, in := range insts {
			if in.size <= *maxN {
				keep = append(keep, in)
			}
		}
		insts = keep
	}
	if len(insts) == 0 {
		return derrors.NotFoundf("no instance left to run in %s", famDir)
	}
	var rows []benchRow
	if !*asJSON {
		fmt.Fprintf(e.stdout, "%-12s %12s %12s %8s %9s %8s\n", "instance", "found", "best known", "gap %", "vehicles", "feasible")
	}
	for i, in := range insts {
		fmt.Fprintf(e.stderr, "[%d/%d] %s…\n", i+1, len(insts), in.name)
		res, err := solveFile(e.ctx, in.path, *limit, obj, *seed)
		if err != nil {
			return fmt.Errorf("%s: %w", in.name, err)
		}
		row := benchRow{Name: in.name, Family: in.family, Size: in.size, Found: res.Distance, Best: in.best,
			Vehicles: res.Vehicles, BestVeh: in.bestVeh, Feasible: res.feasible == nil, Seconds: res.ElapsedSeconds}
		if res.feasible != nil {
			row.Problem = res.feasible.Error()
		}
		if in.best > 0 {
			row.GapPct = 100 * (res.Distance - in.best) / in.best
		}
		rows = append(rows, row)
		if !*asJSON {
			veh := strconv.Itoa(row.Vehicles)
			if row.BestVeh > 0 {
				veh += "/" + strconv.Itoa(row.BestVeh)
			}
			fmt.Fprintf(e.stdout, "%-12s %12s %12s %8.2f %9s %8v\n", row.Name, fmtDist(row.Found), fmtDist(row.Best), row.GapPct, veh, row.Feasible)
		}
		if e.ctx.Err() != nil {
			return e.ctx.Err()
		}
	}
	fams := benchFamilies(rows)
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"instances": rows, "families": fams})
	}
	fmt.Fprintln(e.stdout)
	fmt.Fprintf(e.stdout, "%-12s %9s %10s %14s %8s\n", "family", "instances", "mean gap %", "vehicles/best", "feasible")
	for _, f := range fams {
		fmt.Fprintf(e.stdout, "%-12s %9d %10.2f %14s %8v\n", f.Family, f.Instances, f.MeanGapPct, fmt.Sprintf("%d/%d", f.Vehicles, f.BestVeh), f.AllFeasible)
	}
	return nil
}

func benchFamilies(rows []benchRow) []benchFamily {
	by := map[string]*benchFamily{}
	var order []string
	add := func(name string, r benchRow) {
		f := by[name]
		if f == nil {
			f = &benchFamily{Family: name, AllFeasible: true}
			by[name] = f
			order = append(order, name)
		}
		f.Instances++
		f.MeanGapPct += r.GapPct
		f.Vehicles += r.Vehicles
		f.BestVeh += r.BestVeh
		f.AllFeasible = f.AllFeasible && r.Feasible
	}
	for _, r := range rows {
		add(r.Family, r)
	}
	if len(order) > 1 {
		for _, r := range rows {
			add("all", r)
		}
	}
	out := make([]benchFamily, 0, len(order))
	for _, n := range order {
		f := by[n]
		f.MeanGapPct /= float64(f.Instances)
		out = append(out, *f)
	}
	return out
}

type benchInstance struct {
	name, path, family string
	size               int
	best               float64
	bestVeh            int
}

// findBenchData walks up from the working directory to a directory holding
// shared/bench-data.
func findBenchData() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "bench-data")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", derrors.NotFoundf("benchmark data not found: no shared/bench-data in %s or any parent; pass --data-dir DIR", wd)
		}
	}
}

// benchInstances lists a family's instances with their best-known values.
func benchInstances(dir, family string, obj routing.Objective) ([]benchInstance, error) {
	var table string
	switch family {
	case "tsplib":
		table = "OPTIMAL.csv"
	default:
		table = "BKS.csv"
	}
	recs, err := readCSV(filepath.Join(dir, table))
	if err != nil {
		return nil, err
	}
	var out []benchInstance
	for i, r := range recs {
		name := r["instance"]
		in := benchInstance{name: name}
		num := func(col string) float64 {
			v, perr := strconv.ParseFloat(r[col], 64)
			if perr != nil && err == nil {
				err = derrors.Invalidf("%s row %d: column %s = %q is not a number", table, i+2, col, r[col])
			}
			return v
		}
		switch family {
		case "tsplib":
			in.path = filepath.Join(dir, name+".tsp")
			in.family = "tsplib"
			in.size = int(num("nodes"))
			in.best = num("optimal_tour_length")
		case "solomon":
			in.path = filepath.Join(dir, name+".txt")
			in.family = solomonFamily(name)
			in.size = int(num("customers"))
			if obj == routing.MinVehicles {
				in.best, in.bestVeh = num("hier_bks_distance"), int(num("hier_bks_vehicles"))
			} else {
				in.best, in.bestVeh = num("distmin_bks_distance"), int(num("distmin_bks_vehicles"))
			}
		case "homberger":
			in.path = filepath.Join(dir, name+".txt")
			in.size = int(num("customers"))
			in.family = fmt.Sprintf("%s-%d", solomonFamily(name), in.size)
			in.best, in.bestVeh = num("bks_distance"), int(num("bks_vehicles"))
		}
		if err != nil {
			return nil, err
		}
		if _, serr := os.Stat(in.path); serr != nil {
			continue // listed but not present
		}
		out = append(out, in)
	}
	return out, nil
}

// solomonFamily maps R101 or r1_2_1 to R1.
func solomonFamily(name string) string {
	n := strings.ToUpper(name)
	letters := strings.TrimRight(n[:strings.IndexAny(n+"0123456789", "0123456789")], "_")
	rest := n[len(letters):]
	if rest != "" {
		return letters + rest[:1]
	}
	return letters
}

// readCSV reads a CSV file with a header into maps.
func readCSV(path string) ([]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, derrors.NotFoundf("%s: %v", path, err)
	}
	defer f.Close()
	rd := csv.NewReader(bufio.NewReader(f))
	head, err := rd.Read()
	if err != nil {
		return nil, derrors.Invalidf("%s: %v", path, err)
	}
	var out []map[string]string
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, derrors.Invalidf("%s: %v", path, err)
		}
		m := map[string]string{}
		for i, h := range head {
			if i < len(rec) {
				m[h] = rec[i]
			}
		}
		out = append(out, m)
	}
}
