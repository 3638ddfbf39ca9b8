package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/storetest"
)

// interactionsCSV makes n touchpoint rows for accounts 001B00000000… (one
// account per ten rows), in Meridian's export layout plus a campaign
// property.
func interactionsCSV(n int) []byte {
	r := rand.New(rand.NewPCG(3, 4))
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"account_id", "at", "channel", "type", "outcome", "variant", "stage", "value", "campaign"})
	types := [][2]string{{"ad", "ad_click"}, {"web", "web_visit"}, {"email", "newsletter"}, {"phone", "discovery_call"}, {"visit", "visit"}, {"video", "demo"}}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	for i := 0; i < n; i++ {
		ct := types[r.IntN(len(types))]
		outcome := ""
		if ct[0] == "visit" {
			outcome = []string{"no_answer", "follow_up", "appointment", "sale"}[r.IntN(4)]
		}
		w.Write([]string{fmt.Sprintf("001B%08d", i/10), strconv.FormatInt(start+r.Int64N(365*86400), 10), ct[0], ct[1], outcome,
			[]string{"", "A", "B"}[r.IntN(3)], "", strconv.Itoa(r.IntN(1000)), fmt.Sprintf("spring-%d", r.IntN(5))})
	}
	w.Flush()
	return buf.Bytes()
}

// BenchmarkImportInteractions imports 200,000 touchpoints (or
// MERIDIAN_BENCH_INTERACTIONS) of 20,000 accounts into a new SQLite
// database per iteration and reports rows per second. The target is
// ≥ 100,000 rows/s.
func BenchmarkImportInteractions(b *testing.B) {
	rows := 200_000
	if n, err := strconv.Atoi(os.Getenv("MERIDIAN_BENCH_INTERACTIONS")); err == nil && n > 0 {
		rows = n
	}
	accounts := benchCSV((rows + 9) / 10)
	data := interactionsCSV(rows)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc := app.New(storetest.OpenSQLite(b), nil, nil)
		if err := svc.Init(ctx); err != nil {
			b.Fatal(err)
		}
		dir := b.TempDir()
		if _, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(accounts), filepath.Join(dir, "a.csv"), app.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		sum, err := svc.ImportInteractions(ctx, auth.System, bytes.NewReader(data), filepath.Join(dir, "i.csv"), app.ImportOptions{})
		total += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if sum.Imported != rows {
			b.Fatalf("imported %d of %d (%d rejected)", sum.Imported, rows, sum.Rejected)
		}
	}
	b.ReportMetric(float64(rows*b.N)/total.Seconds(), "rows/s")
}
