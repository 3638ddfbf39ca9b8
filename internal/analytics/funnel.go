package analytics

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// DefaultWindow is a funnel's conversion window unless told otherwise.
const DefaultWindow = 14 * 24 * time.Hour

// Exclusion leaves out an account that does Filter between step From and
// step To (1-based) of its chain; when it did not reach To, until the
// window closes.
type Exclusion struct {
	Filter   visit.Filter
	From, To int
}

// FunnelQuery asks for a funnel.
type FunnelQuery struct {
	Steps      []visit.Filter
	Window     time.Duration // from the first step, inclusive; DefaultWindow when 0
	Mode       Mode
	Exclusions []Exclusion
	// From and To, when set, keep only interactions in [From, To).
	From, To time.Time
	// Allowed, when set, keeps only the accounts it accepts (a rep's scope).
	Allowed func(accountID int64) bool
	// Breakdown, when set, splits the step counts by a label per account:
	// BreakdownField names a field of the account's first-step interaction
	// (channel, type, outcome, variant, stage, source or prop.NAME), or
	// BreakdownLabel gives an account's label (territory, owner…).
	BreakdownField string
	BreakdownLabel func(accountID int64) string
	// PerAccount asks for every account's level; DropOff for the accounts
	// that reached step DropOff (1-based) and no further (0: none).
	PerAccount bool
	DropOff    int
}

// StepResult is one step of a funnel.
type StepResult struct {
	Filter                 string  `json:"filter"`
	Accounts               int     `json:"accounts"`
	Conversion             float64 `json:"conversion"`               // of the accounts at step 1
	ConversionFromPrevious float64 `json:"conversion_from_previous"` // of the accounts at the step before
	DroppedOff             int     `json:"dropped_off"`              // reached this step and no further
	MedianSeconds          float64 `json:"median_seconds"`           // from the previous step
	MeanSeconds            float64 `json:"mean_seconds"`
}

// AccountLevel is how far one account got.
type AccountLevel struct {
	AccountID int64 `json:"account_id"`
	Level     int   `json:"level"`
}

// BreakdownRow is the step counts of one breakdown value.
type BreakdownRow struct {
	Value    string `json:"value"`
	Accounts []int  `json:"accounts"` // by step
}

// WeekRow is the conversion of the accounts that reached step 1 in a week.
type WeekRow struct {
	Week       string  `json:"week"` // Monday, YYYY-MM-DD
	Entered    int     `json:"entered"`
	Converted  int     `json:"converted"`
	Conversion float64 `json:"conversion"`
}

// Bucket is one bar of the time-to-convert histogram.
type Bucket struct {
	Label      string  `json:"label"`
	MaxSeconds float64 `json:"max_seconds"` // upper bound, exclusive; 0 for the last
	Accounts   int     `json:"accounts"`
}

// FunnelResult is a funnel's answer.
type FunnelResult struct {
	Steps         []StepResult   `json:"steps"`
	WindowSeconds int64          `json:"window_seconds"`
	Mode          string         `json:"mode"`
	Accounts      int            `json:"accounts"` // accounts with any interaction considered
	Excluded      int            `json:"excluded"`
	Breakdown     []BreakdownRow `json:"breakdown,omitempty"`
	Weeks         []WeekRow      `json:"weeks"`
	TimeToConvert []Bucket       `json:"time_to_convert"`
	// MedianConvertSeconds is the median time from step 1 to the last step.
	MedianConvertSeconds float64        `json:"median_convert_seconds"`
	PerAccount           []AccountLevel `json:"per_account,omitempty"`
	DropOffAccounts      []int64        `json:"drop_off_accounts,omitempty"`
}

var convertBuckets = []struct {
	label string
	max   float64
}{
	{"under 1 hour", 3600}, {"1–24 hours", 86400}, {"1–3 days", 3 * 86400}, {"3–7 days", 7 * 86400},
	{"1–2 weeks", 14 * 86400}, {"2–4 weeks", 28 * 86400}, {"4–8 weeks", 56 * 86400}, {"8–13 weeks", 91 * 86400}, {"13 weeks or more", 0},
}

func bucketOf(sec float64) int {
	for i, b := range convertBuckets[:len(convertBuckets)-1] {
		if sec < b.max {
			return i
		}
	}
	return len(convertBuckets) - 1
}

// funnelPart is one worker's share of the counts.
type funnelPart struct {
	reached  []int
	dropped  []int
	durMS    [][]int64 // by step, time from the previous step
	convMS   []int64
	buckets  []int
	weeks    map[int64][2]int
	accounts int
	excluded int
	brk      map[string][]int
	levels   []AccountLevel
	drop     []int64
}

// Funnel runs q over the events in one pass per account, split between
// the available cores.
func Funnel(ev *Events, q FunnelQuery) (*FunnelResult, error) {
	n := len(q.Steps)
	if n == 0 {
		return nil, derrors.Invalidf("step: give at least one step")
	}
	if n+len(q.Exclusions) > maxSteps {
		return nil, derrors.Invalidf("step: at most %d steps and exclusions together", maxSteps)
	}
	window := q.Window
	if window == 0 {
		window = DefaultWindow
	}
	if window < 0 {
		return nil, derrors.Invalidf("window: must be positive")
	}
	if q.Mode.AllowReentry && !q.Mode.StrictOrder {
		return nil, derrors.Invalidf("mode: allow_reentry needs strict_order")
	}
	for i, x := range q.Exclusions {
		if x.From < 1 || x.To <= x.From || x.To > n {
			return nil, derrors.Invalidf("exclusion %d: between steps %d and %d is not a range of steps 1 to %d", i+1, x.From, x.To, n)
		}
	}
	if q.DropOff < 0 || q.DropOff > n {
		return nil, derrors.Invalidf("dropoff_step: %d is not a step from 1 to %d", q.DropOff, n)
	}
	filters := append([]visit.Filter{}, q.Steps...)
	for _, x := range q.Exclusions {
		filters = append(filters, x.Filter)
	}
	mk, err := ev.compileMasks(filters)
	if err != nil {
		return nil, err
	}
	brkField := -1
	var brkProp *PropColumn
	if q.BreakdownField != "" {
		if brkField = fieldIndex(q.BreakdownField); brkField < 0 {
			name, ok := cutProp(q.BreakdownField)
			if !ok || ev.Props[name] == nil {
				return nil, derrors.Invalidf("breakdown: %q is not channel, type, outcome, variant, stage, source or a loaded prop.NAME", q.BreakdownField)
			}
			brkProp = ev.Props[name]
		}
	}
	fromMS, toMS := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		fromMS = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		toMS = q.To.UnixMilli()
	}
	windowMS := window.Milliseconds()
	stepMask := uint32(1)<<n - 1

	runs := len(ev.Accounts)
	workers := min(runtime.GOMAXPROCS(0), max(1, runs/20000))
	parts := make([]*funnelPart, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			p := &funnelPart{reached: make([]int, n), dropped: make([]int, n), durMS: make([][]int64, n), buckets: make([]int, len(convertBuckets)), weeks: map[int64][2]int{}}
			if q.BreakdownField != "" || q.BreakdownLabel != nil {
				p.brk = map[string][]int{}
			}
			parts[w] = p
			var es []entry
			var excl []int32
			var sc onceScratch
			lo, hi := runs*w/workers, runs*(w+1)/workers
			for r := lo; r < hi; r++ {
				acct := ev.Accounts[r]
				if q.Allowed != nil && !q.Allowed(acct) {
					continue
				}
				s, e := int(ev.Start[r]), int(ev.Start[r+1])
				es = es[:0]
				any := false
				excl = excl[:0] // rows matching an exclusion
				for i := s; i < e; {
					// A group of equal times is ordered by step, as
					// windowFunnel sorts (time, step) pairs.
					j := i + 1
					for j < e && ev.At[j] == ev.At[i] {
						j++
					}
					at := ev.At[i]
					if at < fromMS || at >= toMS {
						i = j
						continue
					}
					any = true
					if j == i+1 {
						m := mk.of(ev, i)
						if m&^stepMask != 0 {
							excl = append(excl, int32(i))
						}
						m &= stepMask
						if m == 0 {
							if q.Mode.StrictOrder {
								es = append(es, entry{at, -1, int32(i)})
							}
						} else {
							for b := m; b != 0; b &= b - 1 {
								es = append(es, entry{at, int8(trailingZeros(b)), int32(i)})
							}
						}
					} else {
						var gm [64]uint32
						ms := gm[:0]
						for k := i; k < j; k++ {
							m := mk.of(ev, k)
							if m&^stepMask != 0 {
								excl = append(excl, int32(k))
							}
							ms = append(ms, m&stepMask)
						}
						if q.Mode.StrictOrder {
							for k := i; k < j; k++ {
								if ms[k-i] == 0 {
									es = append(es, entry{at, -1, int32(k)})
								}
							}
						}
						for st := 0; st < n; st++ {
							for k := i; k < j; k++ {
								if ms[k-i]&(1<<st) != 0 {
									es = append(es, entry{at, int8(st), int32(k)})
								}
							}
						}
					}
					i = j
				}
				if !any {
					continue
				}
				p.accounts++
				c := levelOf(es, n, windowMS, q.Mode, &sc)
				if c.level > 0 && len(excl) > 0 && excluded(ev, mk, q.Exclusions, n, c, windowMS, excl) {
					p.excluded++
					continue
				}
				if q.PerAccount {
					p.levels = append(p.levels, AccountLevel{acct, c.level})
				}
				if c.level == 0 {
					continue
				}
				for k := 0; k < c.level; k++ {
					p.reached[k]++
					if k > 0 {
						p.durMS[k] = append(p.durMS[k], c.path[k]-c.path[k-1])
					}
				}
				p.dropped[c.level-1]++
				if q.DropOff == c.level && c.level < n {
					p.drop = append(p.drop, acct)
				}
				wk := weekStart(c.path[0]).UnixMilli()
				wc := p.weeks[wk]
				wc[0]++
				if c.level == n {
					wc[1]++
					d := c.path[n-1] - c.path[0]
					p.convMS = append(p.convMS, d)
					p.buckets[bucketOf(float64(d)/1000)]++
				}
				p.weeks[wk] = wc
				if p.brk != nil {
					var label string
					switch {
					case q.BreakdownLabel != nil:
						label = q.BreakdownLabel(acct)
					default:
						row := firstRow(es, c.path[0])
						if brkProp != nil {
							label = brkProp.Dict.Values[brkProp.Codes[row]]
						} else {
							label = ev.Field(brkField, int(row))
						}
					}
					counts := p.brk[label]
					if counts == nil {
						counts = make([]int, n)
						p.brk[label] = counts
					}
					for k := 0; k < c.level; k++ {
						counts[k]++
					}
				}
			}
		}(w)
	}
	wg.Wait()
	return mergeFunnel(q, parts, n, window)
}

func cutProp(s string) (string, bool) {
	if len(s) > 5 && s[:5] == "prop." {
		return s[5:], true
	}
	return "", false
}

// firstRow is the row of the step-1 entry at time at.
func firstRow(es []entry, at int64) int32 {
	for _, e := range es {
		if e.step == 0 && e.at == at {
			return e.row
		}
	}
	return es[0].row
}

// excluded reports whether one of the account's rows matching exclusion x
// lies strictly between the chain's step x.From and step x.To (or the end
// of the window when the chain stopped before x.To).
func excluded(ev *Events, mk *masks, xs []Exclusion, n int, c chain, windowMS int64, rows []int32) bool {
	for xi, x := range xs {
		if c.level < x.From {
			continue
		}
		lo := c.path[x.From-1]
		hi := c.path[0] + windowMS + 1
		if c.level >= x.To {
			hi = c.path[x.To-1]
		}
		bit := uint32(1) << (n + xi)
		for _, r := range rows {
			if mk.of(ev, int(r))&bit != 0 && ev.At[r] > lo && ev.At[r] < hi {
				return true
			}
		}
	}
	return false
}

func mergeFunnel(q FunnelQuery, parts []*funnelPart, n int, window time.Duration) (*FunnelResult, error) {
	res := &FunnelResult{WindowSeconds: int64(window / time.Second), Mode: q.Mode.String()}
	reached := make([]int, n)
	dropped := make([]int, n)
	durs := make([][]int64, n)
	var conv []int64
	buckets := make([]int, len(convertBuckets))
	weeks := map[int64][2]int{}
	brk := map[string][]int{}
	for _, p := range parts {
		res.Accounts += p.accounts
		res.Excluded += p.excluded
		for k := 0; k < n; k++ {
			reached[k] += p.reached[k]
			dropped[k] += p.dropped[k]
			durs[k] = append(durs[k], p.durMS[k]...)
		}
		conv = append(conv, p.convMS...)
		for i, b := range p.buckets {
			buckets[i] += b
		}
		for w, c := range p.weeks {
			wc := weeks[w]
			wc[0] += c[0]
			wc[1] += c[1]
			weeks[w] = wc
		}
		for v, c := range p.brk {
			if brk[v] == nil {
				brk[v] = make([]int, n)
			}
			for k := range c {
				brk[v][k] += c[k]
			}
		}
		res.PerAccount = append(res.PerAccount, p.levels...)
		res.DropOffAccounts = append(res.DropOffAccounts, p.drop...)
	}
	for k := 0; k < n; k++ {
		s := StepResult{Filter: q.Steps[k].String(), Accounts: reached[k], DroppedOff: dropped[k]}
		if reached[0] > 0 {
			s.Conversion = float64(reached[k]) / float64(reached[0])
		}
		if k == 0 {
			if reached[0] > 0 {
				s.ConversionFromPrevious = 1
			}
		} else if reached[k-1] > 0 {
			s.ConversionFromPrevious = float64(reached[k]) / float64(reached[k-1])
		}
		if k > 0 && len(durs[k]) > 0 {
			s.MedianSeconds = medianMS(durs[k]) / 1000
			s.MeanSeconds = meanMS(durs[k]) / 1000
		}
		res.Steps = append(res.Steps, s)
	}
	if len(conv) > 0 {
		res.MedianConvertSeconds = medianMS(conv) / 1000
	}
	for i, b := range convertBuckets {
		res.TimeToConvert = append(res.TimeToConvert, Bucket{Label: b.label, MaxSeconds: b.max, Accounts: buckets[i]})
	}
	wks := make([]int64, 0, len(weeks))
	for w := range weeks {
		wks = append(wks, w)
	}
	sort.Slice(wks, func(i, j int) bool { return wks[i] < wks[j] })
	res.Weeks = []WeekRow{}
	for _, w := range wks {
		c := weeks[w]
		res.Weeks = append(res.Weeks, WeekRow{Week: time.UnixMilli(w).UTC().Format("2006-01-02"), Entered: c[0], Converted: c[1], Conversion: ratio(c[1], c[0])})
	}
	if q.BreakdownField != "" || q.BreakdownLabel != nil {
		res.Breakdown = []BreakdownRow{}
		for v, c := range brk {
			res.Breakdown = append(res.Breakdown, BreakdownRow{Value: v, Accounts: c})
		}
		sort.Slice(res.Breakdown, func(i, j int) bool {
			a, b := res.Breakdown[i], res.Breakdown[j]
			if a.Accounts[0] != b.Accounts[0] {
				return a.Accounts[0] > b.Accounts[0]
			}
			return a.Value < b.Value
		})
	}
	sort.Slice(res.PerAccount, func(i, j int) bool { return res.PerAccount[i].AccountID < res.PerAccount[j].AccountID })
	sort.Slice(res.DropOffAccounts, func(i, j int) bool { return res.DropOffAccounts[i] < res.DropOffAccounts[j] })
	return res, nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func meanMS(xs []int64) float64 {
	var s float64
	for _, x := range xs {
		s += float64(x)
	}
	return s / float64(len(xs))
}

// medianMS is the median (the mean of the two middle values for an even
// count), found by selection in linear time; xs is reordered.
func medianMS(xs []int64) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	hi := float64(selectK(xs, n/2))
	if n%2 == 1 {
		return hi
	}
	// The largest of the lower half is the other middle value.
	lo := xs[0]
	for _, x := range xs[:n/2] {
		lo = max(lo, x)
	}
	return (float64(lo) + hi) / 2
}

// selectK reorders xs so xs[k] is the k-th smallest, smaller ones before it.
func selectK(xs []int64, k int) int64 {
	lo, hi := 0, len(xs)-1
	seed := uint64(0x9e3779b97f4a7c15)
	for lo < hi {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		p := xs[lo+int(seed%uint64(hi-lo+1))]
		i, j := lo, hi
		for i <= j {
			for xs[i] < p {
				i++
			}
			for xs[j] > p {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}
