package analytics

import (
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/visit"
)

// synthetic makes n interactions of n/10 accounts over a year: each account
// a journey through first_contact, research, demo, quote, sale, dropping
// out along the way, with newsletters and calls in between.
func synthetic(n int) *Events {
	r := rand.New(rand.NewPCG(7, 11))
	b := NewBuilder(n)
	d := b.Dicts()
	chans := []string{"ad", "web", "email", "event", "referral", "visit", "phone", "video"}
	types := []string{"ad_click", "web_form", "email_click", "web_visit", "discovery_call", "demo", "quote", "sale", "newsletter", "check_in"}
	stages := []string{"", "first_contact", "research", "demo", "quote", "sale"}
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	accounts := max(1, n/10)
	made := 0
	for a := 0; a < accounts && made < n; a++ {
		k := 10
		if a == accounts-1 {
			k = n - made
		}
		at := start + r.Int64N(300*86400_000)
		stage := 1
		for i := 0; i < k; i++ {
			var c Combo
			c[FieldChannel] = d[FieldChannel].Code(chans[r.IntN(len(chans))])
			if stage <= 5 && r.IntN(3) > 0 {
				c[FieldStage] = d[FieldStage].Code(stages[stage])
				c[FieldType] = d[FieldType].Code(types[min(stage+3, 7)])
				if r.IntN(4) > 0 {
					stage++
				}
			} else {
				c[FieldType] = d[FieldType].Code(types[8+r.IntN(2)])
			}
			if r.IntN(2) == 0 {
				c[FieldVariant] = d[FieldVariant].Code([]string{"A", "B"}[r.IntN(2)])
			}
			b.AddCodes(int64(a+1), at, c, 0)
			at += r.Int64N(5 * 86400_000)
			made++
		}
	}
	return b.Build()
}

func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("MERIDIAN_BENCH_INTERACTIONS")); err == nil && n > 0 {
		return n
	}
	return 10_000_000
}

// BenchmarkFunnel10M runs a 5-step funnel over 10,000,000 interactions of
// 1,000,000 accounts (MERIDIAN_BENCH_INTERACTIONS shrinks it) from the
// in-memory columns, as the server does once they are loaded. The target is
// ≤ 2 s per funnel. It reports the columns' size and the heap in use.
func BenchmarkFunnel10M(b *testing.B) {
	n := benchSize()
	ev := synthetic(n)
	var fs []visit.Filter
	for _, s := range []string{"stage=first_contact", "stage=research", "stage=demo", "stage=quote", "stage=sale"} {
		f, _ := visit.ParseFilter(s)
		fs = append(fs, f)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	b.ResetTimer()
	var res *FunnelResult
	for i := 0; i < b.N; i++ {
		var err error
		res, err = Funnel(ev, FunnelQuery{Steps: fs, Window: 90 * 24 * time.Hour})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if res.Steps[0].Accounts == 0 || res.Steps[4].Accounts == 0 {
		b.Fatalf("empty funnel: %+v", res.Steps)
	}
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ev.Bytes())/1e6, "columns-MB")
	b.ReportMetric(float64(heapBefore)/1e6, "heap-MB")
	b.ReportMetric(float64(ms.HeapInuse)/1e6, "heap-after-MB")
	b.ReportMetric(float64(n), "interactions")
}
