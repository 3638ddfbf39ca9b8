package tsp

import (
	"context"
	"encoding/csv"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchDir finds shared/bench-data/tsplib by walking up from the working
// directory (the repository is a sibling of shared/).
func benchDir() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "shared", "bench-data", "tsplib")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fs.ErrNotExist
		}
		dir = parent
	}
}

type optimum struct {
	name  string
	n     int
	value int64
}

func readOptima(dir string) ([]optimum, error) {
	f, err := os.Open(filepath.Join(dir, "OPTIMAL.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []optimum
	for i, r := range rows {
		if i == 0 {
			continue // header: instance,nodes,optimal_tour_length,...
		}
		if len(r) < 3 {
			return nil, errors.New("OPTIMAL.csv: short row " + strconv.Itoa(i+1))
		}
		n, err1 := strconv.Atoi(r[1])
		v, err2 := strconv.ParseInt(r[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, errors.New("OPTIMAL.csv: bad number on row " + strconv.Itoa(i+1))
		}
		out = append(out, optimum{r[0], n, v})
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].n < out[b].n })
	return out, nil
}

// BenchmarkTSPLIB solves every TSPLIB instance of up to MERIDIAN_TSP_MAX_N
// nodes (default 1002) with MERIDIAN_TSP_TIME each (default 10s), or only
// those named in MERIDIAN_TSP_ONLY (comma-separated), checks every tour
// with Check and reports the gap to the proven optimum.
//
//	go test ./internal/routing/tsp -run '^$' -bench TSPLIB -benchtime 1x -v
func BenchmarkTSPLIB(b *testing.B) {
	dir, err := benchDir()
	if err != nil {
		b.Skip("TSPLIB bench data not found: no shared/bench-data/tsplib above the working directory")
	}
	limit := 10 * time.Second
	if v := os.Getenv("MERIDIAN_TSP_TIME"); v != "" {
		if limit, err = time.ParseDuration(v); err != nil {
			b.Fatalf("MERIDIAN_TSP_TIME: %v", err)
		}
	}
	maxN := 1002
	if v := os.Getenv("MERIDIAN_TSP_MAX_N"); v != "" {
		if maxN, err = strconv.Atoi(v); err != nil {
			b.Fatalf("MERIDIAN_TSP_MAX_N: %v", err)
		}
	}
	only := map[string]bool{}
	if v := os.Getenv("MERIDIAN_TSP_ONLY"); v != "" {
		for _, name := range strings.Split(v, ",") {
			only[strings.TrimSpace(name)] = true
		}
	}
	opts, err := readOptima(dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var sumGap float64
		count := 0
		for _, o := range opts {
			if len(only) > 0 && !only[o.name] || len(only) == 0 && o.n > maxN {
				continue
			}
			f, err := os.Open(filepath.Join(dir, o.name+".tsp"))
			if err != nil {
				b.Fatal(err)
			}
			in, err := Read(f)
			f.Close()
			if err != nil {
				b.Fatalf("%s: %v", o.name, err)
			}
			start := time.Now()
			tour, length, err := Solve(context.Background(), in, Options{TimeLimit: limit, Seed: 1})
			secs := time.Since(start).Seconds()
			if err != nil {
				b.Fatalf("%s: %v", o.name, err)
			}
			if err := Check(in, tour, length); err != nil {
				b.Fatalf("%s: %v", o.name, err)
			}
			// TSPLIB's optimum for an instance with fixed edges (linhp318)
			// is a Hamiltonian path: the tour without its fixed edges.
			found := length - in.FixedLength()
			gap := 100 * float64(found-o.value) / float64(o.value)
			b.Logf("%-10s n=%5d found=%9d optimal=%9d gap=%6.2f%% %5.1fs", o.name, in.Len(), found, o.value, gap, secs)
			sumGap += gap
			count++
		}
		if count == 0 {
			b.Skip("no instance selected")
		}
		b.Logf("mean gap over %d instances: %.3f%%", count, sumGap/float64(count))
		b.ReportMetric(sumGap/float64(count), "mean-gap-%")
	}
}
