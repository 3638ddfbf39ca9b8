package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/territory"
)

// BenchCSV makes n account rows with coordinates around a metro, in a
// Salesforce-like layout with a few custom columns.
func benchCSV(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"Account ID", "Account Name", "Billing Street", "Billing City", "Billing State/Province", "Billing Zip/Postal Code",
		"Billing Country", "Billing Latitude", "Billing Longitude", "Type", "Annual Revenue", "Account Source", "Industry", "Employees"})
	for i := 0; i < n; i++ {
		w.Write([]string{fmt.Sprintf("001B%08d", i), fmt.Sprintf("Company %d", i), fmt.Sprintf("%d Main St", i%9999), "Denver", "CO", "80202", "US",
			fmt.Sprintf("%.6f", 39.4+r.Float64()*0.8), fmt.Sprintf("%.6f", -105.3+r.Float64()*0.9), "Prospect",
			fmt.Sprint(r.IntN(5_000_000)), "Web", "Retail", fmt.Sprint(r.IntN(500))})
	}
	w.Flush()
	return buf.Bytes()
}

// sectorTerritories cuts the area around (lon, lat) into k pie slices.
func sectorTerritories(lon, lat float64, k int) []*territory.Territory {
	var ts []*territory.Territory
	for i := 0; i < k; i++ {
		ring := geo.Ring{{Lon: lon, Lat: lat}}
		for s := 0; s <= 8; s++ {
			a := 2 * math.Pi * (float64(i) + float64(s)/8) / float64(k)
			ring = append(ring, geo.Point{Lon: lon + 2*math.Cos(a), Lat: lat + 2*math.Sin(a)})
		}
		ring = append(ring, geo.Point{Lon: lon, Lat: lat})
		ts = append(ts, &territory.Territory{Name: fmt.Sprintf("Sector %d", i+1), Shape: geo.MultiPolygon{{ring}}})
	}
	return ts
}

// BenchmarkImportAccounts imports 100,000 rows with coordinates (or
// MERIDIAN_BENCH_ROWS) into a new SQLite database per iteration, territory
// assignment included, and reports rows per second. The target is ≥ 50,000
// rows/s, measured at 1,000,000 rows.
func BenchmarkImportAccounts(b *testing.B) {
	rows := 100_000
	if n, err := strconv.Atoi(os.Getenv("MERIDIAN_BENCH_ROWS")); err == nil && n > 0 {
		rows = n
	}
	data := benchCSV(rows)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc := app.New(storetest.OpenSQLite(b), nil, nil)
		if err := svc.Init(ctx); err != nil {
			b.Fatal(err)
		}
		for _, t := range sectorTerritories(-104.9, 39.8, 6) {
			if err := svc.SaveTerritory(ctx, auth.System, t); err != nil {
				b.Fatal(err)
			}
		}
		dir := b.TempDir()
		b.StartTimer()
		start := time.Now()
		sum, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(data), filepath.Join(dir, "a.csv"), app.ImportOptions{})
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Imported != rows {
			b.Fatalf("imported %d of %d", sum.Imported, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/total.Seconds(), "rows/s")
}
