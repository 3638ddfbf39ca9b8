package routing

import (
	"context"
	"encoding/csv"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// solomonDir finds shared/bench-data/solomon by walking up from the working
// directory.
func solomonDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "bench-data", "solomon")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// BenchmarkSolomon solves the Solomon instances (all 56, or those named in
// MERIDIAN_VRP_ONLY, comma-separated) with MERIDIAN_VRP_TIME each (default
// 10s) and MERIDIAN_VRP_OBJECTIVE (distance or vehicles), checks every
// answer with Evaluate and reports the mean gap to the best known
// (distance-only BKS for distance, hierarchical BKS for vehicles).
//
//	MERIDIAN_VRP_ONLY=R101,C201 go test ./internal/routing -run '^$' -bench Solomon -benchtime 1x -v
func BenchmarkSolomon(b *testing.B) {
	dir := solomonDir()
	if dir == "" {
		b.Skip("benchmark data absent: no shared/bench-data/solomon in this or a parent directory")
	}
	f, err := os.Open(filepath.Join(dir, "BKS.csv"))
	if err != nil {
		b.Skipf("benchmark data absent: %v", err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	limit := 10 * time.Second
	if s := os.Getenv("MERIDIAN_VRP_TIME"); s != "" {
		if limit, err = time.ParseDuration(s); err != nil {
			b.Fatalf("MERIDIAN_VRP_TIME: %v", err)
		}
	}
	obj, distCol, vehCol := MinDistance, 6, 5
	if os.Getenv("MERIDIAN_VRP_OBJECTIVE") == "vehicles" {
		obj, distCol, vehCol = MinVehicles, 4, 3
	}
	only := map[string]bool{}
	for _, n := range strings.Split(os.Getenv("MERIDIAN_VRP_ONLY"), ",") {
		if n = strings.TrimSpace(n); n != "" {
			only[strings.ToUpper(n)] = true
		}
	}
	for i := 0; i < b.N; i++ {
		sumGap, count, veh, bestVeh := 0.0, 0, 0, 0
		for _, r := range rows[1:] {
			name := r[0]
			if len(only) > 0 && !only[strings.ToUpper(name)] {
				continue
			}
			bks, _ := strconv.ParseFloat(r[distCol], 64)
			bv, _ := strconv.Atoi(r[vehCol])
			fh, err := os.Open(filepath.Join(dir, name+".txt"))
			if err != nil {
				b.Fatal(err)
			}
			p, err := ReadSolomon(fh)
			fh.Close()
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			s, err := Solve(context.Background(), p, Options{TimeLimit: limit, Seed: 1, Objective: obj})
			if err != nil {
				b.Fatal(err)
			}
			rep, err := Evaluate(p, s)
			if err != nil {
				b.Errorf("%s: %v", name, err)
			}
			gap := 100 * (rep.Distance - bks) / bks
			b.Logf("%-6s %10.2f  best %8.2f  gap %6.2f %%  vehicles %d (best %d)", name, rep.Distance, bks, gap, rep.Vehicles, bv)
			sumGap += gap
			count++
			veh += rep.Vehicles
			bestVeh += bv
		}
		if count > 0 {
			b.ReportMetric(sumGap/float64(count), "gap%")
			b.ReportMetric(float64(veh-bestVeh), "extra-vehicles")
		}
	}
}

// repDay25 is a 25-stop day in a 12 km square: home start and end, a
// 08:00–19:00 shift, a lunch break, 12-minute visits, two-thirds of them
// with three-hour windows.
func repDay25() *Problem {
	return dayProblemSized(rand.New(rand.NewSource(25)), 25, true, 12000, 12)
}

// BenchmarkRepDay25 plans one rep's 25-stop day with the default budget
// (no time limit); the target is 100 ms.
func BenchmarkRepDay25(b *testing.B) {
	p := repDay25()
	for i := 0; i < b.N; i++ {
		s, err := Solve(context.Background(), p, Options{Seed: int64(i)})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Evaluate(p, s); err != nil {
			b.Fatalf("the day is not feasible: %v", err)
		}
	}
}
