package analytics

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// VariantQuery compares campaign variants: an account is exposed at its
// first interaction matching Exposure (its variant is that interaction's),
// and converts when it matches Conversion within Window after it.
type VariantQuery struct {
	Exposure   visit.Filter
	Conversion visit.Filter
	Window     time.Duration // default 90 days
	Draws      int           // Monte Carlo draws; default 100,000
	Seed       uint64
	Allowed    func(accountID int64) bool
}

// VariantRow is one variant's figures.
type VariantRow struct {
	Variant    string  `json:"variant"`
	Accounts   int     `json:"accounts"`
	Converted  int     `json:"converted"`
	Conversion float64 `json:"conversion"`
	// ProbabilityBest is the posterior probability (Beta(1,1) prior) that
	// this variant has the highest conversion rate.
	ProbabilityBest float64 `json:"probability_best"`
	// Against the first variant (the control): the two-proportion z test.
	Lift   float64 `json:"lift"`
	Z      float64 `json:"z"`
	PValue float64 `json:"p_value"`
}

// VariantResult is the comparison.
type VariantResult struct {
	Variants []VariantRow `json:"variants"`
	Control  string       `json:"control"`
	Warnings []string     `json:"warnings"`
}

// MinSample is the smallest number of accounts, and of conversions, per
// variant below which the comparison carries a warning.
const MinSample = 100

// Variants compares the variants.
func Variants(ev *Events, q VariantQuery) (*VariantResult, error) {
	if len(q.Exposure.Conds) == 0 || len(q.Conversion.Conds) == 0 {
		return nil, derrors.Invalidf("exposure and conversion: both filters are required")
	}
	window := q.Window
	if window <= 0 {
		window = 90 * 24 * time.Hour
	}
	mk, err := ev.compileMasks([]visit.Filter{q.Exposure, q.Conversion})
	if err != nil {
		return nil, err
	}
	counts := map[string]*[2]int{}
	for r, acct := range ev.Accounts {
		if q.Allowed != nil && !q.Allowed(acct) {
			continue
		}
		s, e := int(ev.Start[r]), int(ev.Start[r+1])
		x := -1
		for i := s; i < e; i++ {
			if mk.of(ev, i)&1 != 0 && ev.Field(FieldVariant, i) != "" {
				x = i
				break
			}
		}
		if x < 0 {
			continue
		}
		v := ev.Field(FieldVariant, x)
		c := counts[v]
		if c == nil {
			c = &[2]int{}
			counts[v] = c
		}
		c[0]++
		end := ev.At[x] + window.Milliseconds()
		for i := x + 1; i < e && ev.At[i] <= end; i++ {
			if mk.of(ev, i)&2 != 0 {
				c[1]++
				break
			}
		}
	}
	res := &VariantResult{Variants: []VariantRow{}, Warnings: []string{}}
	names := make([]string, 0, len(counts))
	for v := range counts {
		names = append(names, v)
	}
	sort.Strings(names)
	if len(names) == 0 {
		res.Warnings = append(res.Warnings, "no account was exposed to a variant")
		return res, nil
	}
	var ns, cs []int
	for _, v := range names {
		c := counts[v]
		ns, cs = append(ns, c[0]), append(cs, c[1])
		res.Variants = append(res.Variants, VariantRow{Variant: v, Accounts: c[0], Converted: c[1], Conversion: ratio(c[1], c[0])})
		if c[0] < MinSample || c[1] < 10 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("variant %s: %d accounts and %d conversions are too few for a reliable comparison (want at least %d accounts and 10 conversions)", v, c[0], c[1], MinSample))
		}
	}
	if len(names) == 1 {
		res.Warnings = append(res.Warnings, "only one variant: nothing to compare")
	}
	draws := q.Draws
	if draws <= 0 {
		draws = 100_000
	}
	for i, p := range ProbabilityBest(ns, cs, draws, q.Seed) {
		res.Variants[i].ProbabilityBest = p
	}
	res.Control = names[0]
	for i := 1; i < len(names); i++ {
		row := &res.Variants[i]
		row.Z, row.PValue = TwoProportionZ(cs[0], ns[0], cs[i], ns[i])
		if c := res.Variants[0].Conversion; c > 0 {
			row.Lift = row.Conversion/c - 1
		}
	}
	return res, nil
}

// ProbabilityBest estimates, for each variant with n[i] trials and c[i]
// successes, the posterior probability (Beta(1,1) prior) that its rate is
// the highest, from draws Monte Carlo samples with a seeded generator.
func ProbabilityBest(n, c []int, draws int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	wins := make([]float64, len(n))
	x := make([]float64, len(n))
	for d := 0; d < draws; d++ {
		best := 0
		for i := range n {
			x[i] = betaSample(r, float64(c[i]+1), float64(n[i]-c[i]+1))
			if x[i] > x[best] {
				best = i
			}
		}
		wins[best]++
	}
	for i := range wins {
		wins[i] /= float64(draws)
	}
	return wins
}

func betaSample(r *rand.Rand, a, b float64) float64 {
	x := gammaSample(r, a)
	y := gammaSample(r, b)
	return x / (x + y)
}

// gammaSample draws from Gamma(a, 1) by Marsaglia and Tsang's method.
func gammaSample(r *rand.Rand, a float64) float64 {
	if a < 1 {
		return gammaSample(r, a+1) * math.Pow(r.Float64(), 1/a)
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// TwoProportionZ tests whether two conversion rates differ: the pooled z
// statistic of c2/n2 against c1/n1 and its two-sided p-value.
func TwoProportionZ(c1, n1, c2, n2 int) (z, p float64) {
	if n1 == 0 || n2 == 0 {
		return 0, 1
	}
	p1, p2 := float64(c1)/float64(n1), float64(c2)/float64(n2)
	pool := float64(c1+c2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 0, 1
	}
	z = (p2 - p1) / se
	return z, math.Erfc(math.Abs(z) / math.Sqrt2)
}
