package analytics

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Feature names of the behavioural features of an account.
var baseFeatures = []string{"touches", "channels", "active_days", "recency_days", "frequency_per_30d", "value", "converted", "days_to_convert"}

// SegmentQuery asks for behavioural segments of the accounts.
type SegmentQuery struct {
	Conversion visit.Filter // what counts as converting (optional)
	Now        time.Time    // for recency
	MinK, MaxK int          // k tried; default 2..6
	Sample     int          // accounts clustered; default 20,000
	Seed       uint64
	Allowed    func(accountID int64) bool
}

// Segment is one cluster of accounts.
type Segment struct {
	ID       int                `json:"id"`
	Name     string             `json:"name"`
	Accounts int                `json:"accounts"`
	Share    float64            `json:"share"`
	Means    map[string]float64 `json:"means"`
	// Distinct lists the features that set the segment apart, most first,
	// as standard deviations from the average account.
	Distinct []FeatureScore `json:"distinct"`
	// Rule is a persona rule that selects accounts like these ("save as
	// persona rule").
	Rule PersonaRule `json:"rule"`
}

// FeatureScore is a feature's distance from the average in standard
// deviations.
type FeatureScore struct {
	Feature string  `json:"feature"`
	Z       float64 `json:"z"`
}

// PersonaRule selects accounts by their behavioural features: all
// conditions must hold.
type PersonaRule struct {
	Name string     `json:"name"`
	All  []RuleCond `json:"all"`
}

// RuleCond is one condition of a persona rule.
type RuleCond struct {
	Feature string  `json:"feature"`
	Op      string  `json:"op"` // ">=" or "<="
	Value   float64 `json:"value"`
}

// Match reports whether features (by name) satisfy the rule.
func (r PersonaRule) Match(features map[string]float64) bool {
	for _, c := range r.All {
		v := features[c.Feature]
		if (c.Op == ">=" && v < c.Value) || (c.Op == "<=" && v > c.Value) {
			return false
		}
	}
	return true
}

// OddsRatio is how much more often converting accounts had a touchpoint.
type OddsRatio struct {
	Touchpoint string  `json:"touchpoint"` // type:NAME or channel:NAME
	With       int     `json:"with"`       // accounts with it
	Converted  int     `json:"converted"`  // of those, converted
	OddsRatio  float64 `json:"odds_ratio"`
	Low        float64 `json:"low"` // 95% interval
	High       float64 `json:"high"`
}

// SegmentResult is the segments, the silhouette of each k tried and the
// odds ratios of touchpoints for conversion.
type SegmentResult struct {
	Features   []string            `json:"features"`
	K          int                 `json:"k"`
	Silhouette map[int]float64     `json:"silhouette"`
	Segments   []Segment           `json:"segments"`
	Odds       []OddsRatio         `json:"odds_ratios"`
	Assignment map[int64]int       `json:"-"`
	Raw        map[int64][]float64 `json:"-"`
}

// AccountFeatures computes each account's behavioural features: touches,
// distinct channels, days from first to last touch, days since the last
// touch, touches per 30 days, total value, converted (0/1), days from first
// touch to conversion, and the share of touches in each channel
// (share.CHANNEL).
func AccountFeatures(ev *Events, conversion visit.Filter, now time.Time, allowed func(int64) bool) ([]string, []int64, [][]float64, error) {
	var conv *matcher
	if len(conversion.Conds) > 0 {
		m, err := ev.compile(conversion)
		if err != nil {
			return nil, nil, nil, err
		}
		conv = &m
	}
	chDict := ev.Dicts[FieldChannel]
	names := append([]string{}, baseFeatures...)
	for _, c := range chDict.Values[1:] {
		names = append(names, "share."+c)
	}
	var ids []int64
	var rows [][]float64
	nowMS := now.UnixMilli()
	for r, acct := range ev.Accounts {
		if allowed != nil && !allowed(acct) {
			continue
		}
		s, e := int(ev.Start[r]), int(ev.Start[r+1])
		f := make([]float64, len(names))
		chans := make([]float64, len(chDict.Values))
		var value float64
		convAt := int64(-1)
		for i := s; i < e; i++ {
			chans[ev.Combos[ev.Combo[i]][FieldChannel]]++
			value += float64(ev.Value[i])
			if conv != nil && convAt < 0 && conv.match(ev, i) {
				convAt = ev.At[i]
			}
		}
		n := float64(e - s)
		distinct := 0.0
		for _, c := range chans {
			if c > 0 {
				distinct++
			}
		}
		active := float64(ev.At[e-1]-ev.At[s]) / 86400e3
		f[0], f[1], f[2] = n, distinct, active
		f[3] = math.Max(0, float64(nowMS-ev.At[e-1])/86400e3)
		f[4] = n / math.Max(active, 30) * 30
		f[5] = value
		if convAt >= 0 {
			f[6] = 1
			f[7] = float64(convAt-ev.At[s]) / 86400e3
		}
		for c := 1; c < len(chans); c++ {
			f[len(baseFeatures)+c-1] = chans[c] / n
		}
		ids = append(ids, acct)
		rows = append(rows, f)
	}
	return names, ids, rows, nil
}

// Segments clusters the accounts by their standardised features with
// k-means (k-means++ seeding, seeded generator), choosing k by the mean
// silhouette on a sample, then profiles each segment.
func Segments(ev *Events, q SegmentQuery) (*SegmentResult, error) {
	minK, maxK := q.MinK, q.MaxK
	if minK <= 0 {
		minK = 2
	}
	if maxK <= 0 {
		maxK = 6
	}
	if maxK < minK || maxK > 20 {
		return nil, derrors.Invalidf("k: %d to %d is not a range within 2 to 20", minK, maxK)
	}
	now := q.Now
	if now.IsZero() {
		now = time.Now()
	}
	names, ids, rows, err := AccountFeatures(ev, q.Conversion, now, q.Allowed)
	if err != nil {
		return nil, err
	}
	if len(rows) < minK*2 {
		return nil, derrors.Invalidf("segments: %d accounts with interactions are too few to cluster", len(rows))
	}
	dim := len(names)
	mean, sd := make([]float64, dim), make([]float64, dim)
	for _, r := range rows {
		for j, v := range r {
			mean[j] += v
		}
	}
	for j := range mean {
		mean[j] /= float64(len(rows))
	}
	for _, r := range rows {
		for j, v := range r {
			sd[j] += (v - mean[j]) * (v - mean[j])
		}
	}
	for j := range sd {
		sd[j] = math.Sqrt(sd[j] / float64(len(rows)))
	}
	z := make([][]float64, len(rows))
	for i, r := range rows {
		z[i] = make([]float64, dim)
		for j, v := range r {
			if sd[j] > 0 {
				z[i][j] = (v - mean[j]) / sd[j]
			}
		}
	}
	rng := rand.New(rand.NewPCG(q.Seed, 0xc105))
	sample := q.Sample
	if sample <= 0 {
		sample = 20_000
	}
	pts := z
	if len(z) > sample {
		perm := rng.Perm(len(z))[:sample]
		pts = make([][]float64, sample)
		for i, p := range perm {
			pts[i] = z[p]
		}
	}
	res := &SegmentResult{Features: names, Silhouette: map[int]float64{}, Assignment: map[int64]int{}}
	var best [][]float64
	bestScore := math.Inf(-1)
	for k := minK; k <= maxK && k < len(pts); k++ {
		cents := KMeans(pts, k, 50, rng)
		score := Silhouette(pts, cents, 2000, rng)
		res.Silhouette[k] = score
		if score > bestScore {
			bestScore, best, res.K = score, cents, k
		}
	}
	counts := make([]int, len(best))
	sums := make([][]float64, len(best))
	for c := range sums {
		sums[c] = make([]float64, dim)
	}
	for i, p := range z {
		c := nearest(p, best)
		res.Assignment[ids[i]] = c
		counts[c]++
		for j, v := range rows[i] {
			sums[c][j] += v
		}
	}
	for c, cent := range best {
		seg := Segment{ID: c + 1, Accounts: counts[c], Share: ratio(counts[c], len(z)), Means: map[string]float64{}}
		for j, name := range names {
			if counts[c] > 0 {
				seg.Means[name] = sums[c][j] / float64(counts[c])
			}
			seg.Distinct = append(seg.Distinct, FeatureScore{name, cent[j]})
		}
		sort.Slice(seg.Distinct, func(a, b int) bool { return math.Abs(seg.Distinct[a].Z) > math.Abs(seg.Distinct[b].Z) })
		if len(seg.Distinct) > 4 {
			seg.Distinct = seg.Distinct[:4]
		}
		seg.Name = segmentName(seg.Distinct)
		seg.Rule = PersonaRule{Name: seg.Name}
		for _, d := range seg.Distinct[:min(3, len(seg.Distinct))] {
			j := indexOf(names, d.Feature)
			// Halfway between the average account and the segment.
			v := mean[j] + d.Z*sd[j]/2
			op := ">="
			if d.Z < 0 {
				op = "<="
			}
			seg.Rule.All = append(seg.Rule.All, RuleCond{Feature: d.Feature, Op: op, Value: math.Round(v*100) / 100})
		}
		res.Segments = append(res.Segments, seg)
	}
	sort.Slice(res.Segments, func(a, b int) bool { return res.Segments[a].Accounts > res.Segments[b].Accounts })
	if len(q.Conversion.Conds) > 0 {
		if res.Odds, err = Odds(ev, q.Conversion, q.Allowed); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func segmentName(d []FeatureScore) string {
	if len(d) == 0 {
		return "average"
	}
	word := "high"
	if d[0].Z < 0 {
		word = "low"
	}
	return word + " " + d[0].Feature
}

// KMeans clusters points into k groups (k-means++ seeding, at most iters
// rounds of Lloyd's algorithm) and returns the centroids.
func KMeans(pts [][]float64, k, iters int, rng *rand.Rand) [][]float64 {
	dim := len(pts[0])
	cents := [][]float64{append([]float64{}, pts[rng.IntN(len(pts))]...)}
	d2 := make([]float64, len(pts))
	for len(cents) < k {
		var sum float64
		for i, p := range pts {
			d2[i] = dist2(p, cents[nearest(p, cents)])
			sum += d2[i]
		}
		x := rng.Float64() * sum
		pick := len(pts) - 1
		for i, d := range d2 {
			if x -= d; x <= 0 {
				pick = i
				break
			}
		}
		cents = append(cents, append([]float64{}, pts[pick]...))
	}
	assign := make([]int, len(pts))
	for it := 0; it < iters; it++ {
		moved := false
		for i, p := range pts {
			c := nearest(p, cents)
			if c != assign[i] || it == 0 {
				moved = moved || c != assign[i]
				assign[i] = c
			}
		}
		sums := make([][]float64, k)
		counts := make([]int, k)
		for c := range sums {
			sums[c] = make([]float64, dim)
		}
		for i, p := range pts {
			counts[assign[i]]++
			for j, v := range p {
				sums[assign[i]][j] += v
			}
		}
		for c := range cents {
			if counts[c] == 0 {
				continue
			}
			for j := range cents[c] {
				cents[c][j] = sums[c][j] / float64(counts[c])
			}
		}
		if !moved && it > 0 {
			break
		}
	}
	return cents
}

// Silhouette is the mean silhouette of (up to sample of) the points given
// their nearest centroids: near 1 when clusters are tight and apart.
func Silhouette(pts [][]float64, cents [][]float64, sample int, rng *rand.Rand) float64 {
	if len(pts) > sample {
		perm := rng.Perm(len(pts))[:sample]
		sub := make([][]float64, sample)
		for i, p := range perm {
			sub[i] = pts[p]
		}
		pts = sub
	}
	k := len(cents)
	assign := make([]int, len(pts))
	for i, p := range pts {
		assign[i] = nearest(p, cents)
	}
	var total float64
	dsum := make([]float64, k)
	cnt := make([]int, k)
	for _, c := range assign {
		cnt[c]++
	}
	for i, p := range pts {
		for c := range dsum {
			dsum[c] = 0
		}
		for j, q := range pts {
			if i != j {
				dsum[assign[j]] += math.Sqrt(dist2(p, q))
			}
		}
		own := assign[i]
		if cnt[own] <= 1 {
			continue
		}
		a := dsum[own] / float64(cnt[own]-1)
		b := math.Inf(1)
		for c := 0; c < k; c++ {
			if c != own && cnt[c] > 0 {
				b = math.Min(b, dsum[c]/float64(cnt[c]))
			}
		}
		if math.IsInf(b, 1) {
			continue
		}
		total += (b - a) / math.Max(a, b)
	}
	return total / float64(len(pts))
}

func nearest(p []float64, cents [][]float64) int {
	best, bd := 0, math.Inf(1)
	for c, q := range cents {
		if d := dist2(p, q); d < bd {
			best, bd = c, d
		}
	}
	return best
}

func dist2(a, b []float64) float64 {
	var s float64
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return s
}

// Odds compares, for each touchpoint type and channel, the odds of
// converting for accounts that had it (before converting) with those that
// did not: odds ratios with Haldane's correction and 95% intervals,
// strongest first.
func Odds(ev *Events, conversion visit.Filter, allowed func(int64) bool) ([]OddsRatio, error) {
	conv, err := ev.compile(conversion)
	if err != nil {
		return nil, err
	}
	type key struct {
		field int
		code  uint32
	}
	with := map[key]*[2]int{}
	total, converted := 0, 0
	seen := map[key]bool{}
	for r, acct := range ev.Accounts {
		if allowed != nil && !allowed(acct) {
			continue
		}
		s, e := int(ev.Start[r]), int(ev.Start[r+1])
		clear(seen)
		done := false
		for i := s; i < e; i++ {
			if conv.match(ev, i) {
				done = true
				break
			}
			cb := ev.Combos[ev.Combo[i]]
			seen[key{FieldType, cb[FieldType]}] = true
			seen[key{FieldChannel, cb[FieldChannel]}] = true
		}
		total++
		if done {
			converted++
		}
		for k := range seen {
			c := with[k]
			if c == nil {
				c = &[2]int{}
				with[k] = c
			}
			c[0]++
			if done {
				c[1]++
			}
		}
	}
	out := []OddsRatio{}
	for k, c := range with {
		a := float64(c[1]) + 0.5                        // with, converted
		b := float64(c[0]-c[1]) + 0.5                   // with, not
		cc := float64(converted-c[1]) + 0.5             // without, converted
		d := float64(total-c[0]-(converted-c[1])) + 0.5 // without, not
		or := a * d / (b * cc)
		se := math.Sqrt(1/a + 1/b + 1/cc + 1/d)
		name := FieldNames[k.field] + ":" + ev.Dicts[k.field].Values[k.code]
		out = append(out, OddsRatio{Touchpoint: name, With: c[0], Converted: c[1], OddsRatio: or,
			Low: math.Exp(math.Log(or) - 1.96*se), High: math.Exp(math.Log(or) + 1.96*se)})
	}
	sort.Slice(out, func(i, j int) bool {
		li, lj := math.Abs(math.Log(out[i].OddsRatio)), math.Abs(math.Log(out[j].OddsRatio))
		if li != lj {
			return li > lj
		}
		return out[i].Touchpoint < out[j].Touchpoint
	})
	return out, nil
}
