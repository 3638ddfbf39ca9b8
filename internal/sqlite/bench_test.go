package sqlite_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/storetest"
)

// BenchmarkInsertAccounts measures the store alone: 100,000 accounts written
// through account.Importer in one transaction, as an import does.
func BenchmarkInsertAccounts(b *testing.B) {
	const rows = 100_000
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now()
	accts := make([]*account.Account, rows)
	for i := range accts {
		accts[i] = &account.Account{ExternalID: fmt.Sprintf("001B%08d", i), Name: fmt.Sprintf("Company %d", i),
			Street: "1 Main St", City: "Denver", Region: "CO", PostalCode: "80202", Country: "US",
			Location: &geo.Point{Lon: -105.3 + r.Float64()*0.9, Lat: 39.4 + r.Float64()*0.8}, Precision: account.PrecisionExact,
			GeoSource: "file", Stage: "lead", EstimatedValue: float64(r.IntN(1e6)), SourceChannel: "Web",
			Tags: []string{}, Custom: map[string]string{"Industry": "Retail", "Employees": "12"}, CreatedAt: now, UpdatedAt: now}
	}
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.OpenSQLite(b)
		if err := db.SetPipeline(ctx, account.DefaultPipeline()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		err := db.ImportAccounts(ctx, func(im account.Importer) error {
			for off := 0; off < rows; off += 2000 {
				ids, err := im.NextIDs(ctx, 2000)
				if err != nil {
					return err
				}
				batch := accts[off : off+2000]
				for j, a := range batch {
					a.ID = ids[j]
				}
				if err := im.Insert(ctx, batch); err != nil {
					return err
				}
			}
			return nil
		})
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/total.Seconds(), "rows/s")
}
