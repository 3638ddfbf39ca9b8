package analytics

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/visit"
)

func mustFilter(t *testing.T, s string) visit.Filter {
	t.Helper()
	f, err := visit.ParseFilter(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// journeys builds accounts whose touches go through random channels and
// sometimes end in a sale with a value.
func journeys(n int, seed uint64) *Events {
	r := rand.New(rand.NewPCG(seed, 3))
	b := NewBuilder(0)
	chans := []string{"ad", "web", "email", "visit"}
	for a := 1; a <= n; a++ {
		at := int64(a) * 1000
		k := r.IntN(6)
		for i := 0; i < k; i++ {
			at += r.Int64N(10 * 86400_000)
			variant := ""
			if i == 0 {
				variant = []string{"A", "B"}[r.IntN(2)]
			}
			b.Add(&Row{AccountID: int64(a), AtMS: at, Fields: [numFields]string{chans[r.IntN(4)], "touch", "", variant}})
		}
		for c := 0; c < 1+r.IntN(2); c++ {
			if r.IntN(2) == 0 {
				at += r.Int64N(30 * 86400_000)
				b.Add(&Row{AccountID: int64(a), AtMS: at, Fields: [numFields]string{"visit", "sale", "sale"}, Value: float64(100 + r.IntN(900))})
			}
		}
	}
	return b.Build()
}

func TestAttributionCreditsAddUp(t *testing.T) {
	ev := journeys(500, 1)
	for _, model := range Models {
		res, err := Attribute(ev, AttributionQuery{Conversion: mustFilter(t, "outcome=sale"), Model: model, Lookback: 60 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if res.Conversions == 0 {
			t.Fatal("no conversions")
		}
		var ch, ty, va, rev float64
		for _, c := range res.Channels {
			ch += c.Credit
			rev += c.Revenue
		}
		for _, c := range res.Types {
			ty += c.Credit
		}
		for _, c := range res.Variants {
			va += c.Credit
		}
		for name, sum := range map[string]float64{"channels": ch, "types": ty, "variants": va} {
			if math.Abs(sum-float64(res.Conversions)) > 1e-6 {
				t.Errorf("%s: %s credits add up to %v, want %d conversions", model, name, sum, res.Conversions)
			}
		}
		if math.Abs(rev-res.Revenue) > 1e-3 || res.Revenue == 0 {
			t.Errorf("%s: channel revenue %v, want %v", model, rev, res.Revenue)
		}
	}
}

func TestWeights(t *testing.T) {
	day := 24 * time.Hour
	ages := []time.Duration{14 * day, 7 * day, 0}
	for _, tc := range []struct {
		model string
		want  []float64
	}{
		{FirstTouch, []float64{1, 0, 0}},
		{LastTouch, []float64{0, 0, 1}},
		{Linear, []float64{1.0 / 3, 1.0 / 3, 1.0 / 3}},
		{PositionBased, []float64{0.4, 0.2, 0.4}},
		{TimeDecay, []float64{1.0 / 7, 2.0 / 7, 4.0 / 7}}, // half-life 7 days: weights 1/4, 1/2, 1
	} {
		got := Weights(tc.model, ages, 7*day)
		for i := range got {
			if math.Abs(got[i]-tc.want[i]) > 1e-9 {
				t.Errorf("Weights(%s) = %v, want %v", tc.model, got, tc.want)
				break
			}
		}
	}
	if w := Weights(PositionBased, []time.Duration{2, 1}, day); w[0] != 0.5 || w[1] != 0.5 {
		t.Errorf("position_based with two touches = %v, want [0.5 0.5]", w)
	}
}

func TestAttributionExample(t *testing.T) {
	// Account 1: ad, then email, then a sale worth 100.
	ev := build([]ev{{1, 0, "ad"}, {1, 10, "email"}, {1, 20, "sale"}})
	res, err := Attribute(ev, AttributionQuery{Conversion: mustFilter(t, "type=sale"), Model: FirstTouch})
	if err != nil {
		t.Fatal(err)
	}
	if res.Conversions != 1 || len(res.Types) != 1 || res.Types[0].Type != "ad" || res.Types[0].Credit != 1 {
		t.Errorf("first_touch = %+v, want all credit to ad", res)
	}
	if _, err := Attribute(ev, AttributionQuery{Conversion: mustFilter(t, "type=sale"), Model: "magic"}); err == nil {
		t.Error("unknown model: want an error")
	}
}

func TestVariants(t *testing.T) {
	// B converts at 30%, A at 10%, 1000 accounts each.
	b := NewBuilder(0)
	for a := 0; a < 2000; a++ {
		v := "A"
		rate := 10
		if a%2 == 1 {
			v, rate = "B", 30
		}
		b.Add(&Row{AccountID: int64(a + 1), AtMS: int64(a), Fields: [numFields]string{"email", "email_click", "", v}})
		if (a/2)%100 < rate {
			b.Add(&Row{AccountID: int64(a + 1), AtMS: int64(a) + 1000, Fields: [numFields]string{"visit", "sale", "sale"}})
		}
	}
	res, err := Variants(b.Build(), VariantQuery{Exposure: mustFilter(t, "channel=email"), Conversion: mustFilter(t, "outcome=sale"), Draws: 20000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Variants) != 2 || res.Variants[0].Conversion != 0.1 || res.Variants[1].Conversion != 0.3 {
		t.Fatalf("variants = %+v", res.Variants)
	}
	if p := res.Variants[1].ProbabilityBest; p < 0.999 {
		t.Errorf("P(B best) = %v, want about 1", p)
	}
	if res.Variants[1].PValue > 1e-6 || res.Variants[1].Z <= 0 {
		t.Errorf("z test: z %v p %v, want a significant positive difference", res.Variants[1].Z, res.Variants[1].PValue)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %v, want none", res.Warnings)
	}
	// Equal rates: about even odds; small samples warn.
	p := ProbabilityBest([]int{50, 50}, []int{5, 5}, 40000, 2)
	if math.Abs(p[0]-0.5) > 0.02 {
		t.Errorf("ProbabilityBest of equal variants = %v, want about 0.5 each", p)
	}
	small, err := Variants(build([]ev{{1, 0, "x"}}), VariantQuery{Exposure: mustFilter(t, "type=x"), Conversion: mustFilter(t, "type=y")})
	if err != nil || len(small.Warnings) == 0 {
		t.Errorf("no variants: warnings %v, err %v; want a warning", small.Warnings, err)
	}
	// z of 20/100 against 10/100, computed by hand: pooled 0.15.
	z, pv := TwoProportionZ(10, 100, 20, 100)
	if math.Abs(z-1.9803) > 1e-3 || math.Abs(pv-0.0477) > 1e-3 {
		t.Errorf("TwoProportionZ = %v, %v; want 1.980, 0.048", z, pv)
	}
}

func TestKMeansFindsClusters(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	var pts [][]float64
	centers := [][]float64{{0, 0}, {10, 10}, {0, 10}}
	for i := 0; i < 300; i++ {
		c := centers[i%3]
		pts = append(pts, []float64{c[0] + r.NormFloat64()*0.5, c[1] + r.NormFloat64()*0.5})
	}
	best, bestK := math.Inf(-1), 0
	for k := 2; k <= 5; k++ {
		cents := KMeans(pts, k, 50, r)
		if s := Silhouette(pts, cents, 1000, r); s > best {
			best, bestK = s, k
		}
	}
	if bestK != 3 || best < 0.8 {
		t.Errorf("silhouette picks k = %d (%.2f), want 3 (> 0.8)", bestK, best)
	}
}

func TestSegmentsAndOdds(t *testing.T) {
	ev := journeys(400, 9)
	res, err := Segments(ev, SegmentQuery{Conversion: mustFilter(t, "outcome=sale"), Now: time.UnixMilli(1e12), Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, s := range res.Segments {
		total += s.Accounts
		if len(s.Rule.All) == 0 {
			t.Errorf("segment %d has no rule", s.ID)
		}
	}
	if total != len(ev.Accounts) || res.K < 2 || len(res.Segments) != res.K {
		t.Errorf("segments cover %d of %d accounts with k=%d, %d segments", total, len(ev.Accounts), res.K, len(res.Segments))
	}
	if len(res.Odds) == 0 {
		t.Error("no odds ratios")
	}
	rule := PersonaRule{All: []RuleCond{{"touches", ">=", 3}, {"value", "<=", 10}}}
	if !rule.Match(map[string]float64{"touches": 3, "value": 0}) || rule.Match(map[string]float64{"touches": 2}) {
		t.Error("PersonaRule.Match")
	}
}

func TestPaths(t *testing.T) {
	ev := build([]ev{
		{1, 1, "ad"}, {1, 2, "demo"}, {1, 3, "quote"}, {1, 4, "sale"},
		{2, 1, "web"}, {2, 2, "demo"}, {2, 3, "quote"}, {2, 4, "sale"},
		{3, 1, "ad"}, {3, 2, "demo"},
		{4, 1, "ad"},
	})
	res, err := Paths(ev, PathQuery{Anchor: mustFilter(t, "type=demo"), Depth: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Accounts != 3 || len(res.Paths) != 2 || res.Paths[0].Accounts != 2 || res.Paths[0].Steps[0] != "quote" || res.Paths[1].Steps[0] != PathEnd {
		t.Errorf("paths after demo = %+v", res.Paths)
	}
	before, err := Paths(ev, PathQuery{Anchor: mustFilter(t, "type=demo"), Before: true, Depth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if before.Paths[0].Steps[0] != "ad" || before.Paths[0].Accounts != 2 {
		t.Errorf("paths before demo = %+v", before.Paths)
	}
	out := map[string]int{}
	for _, l := range res.Links {
		out[l.Source] += l.Accounts
	}
	if out["0:demo"] != 3 {
		t.Errorf("Sankey links out of demo carry %d accounts, want 3", out["0:demo"])
	}
}
