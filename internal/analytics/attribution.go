package analytics

import (
	"math"
	"sort"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Attribution models.
const (
	FirstTouch    = "first_touch"
	LastTouch     = "last_touch"
	Linear        = "linear"
	TimeDecay     = "time_decay"
	PositionBased = "position_based"
)

// Models lists the attribution models.
var Models = []string{FirstTouch, LastTouch, Linear, TimeDecay, PositionBased}

// NoTouch is the label credited when a conversion had no touchpoint in
// its lookback window, so credits still add up to the conversions.
const NoTouch = "(none)"

// AttributionQuery asks which touchpoints deserve the credit for the
// conversions.
type AttributionQuery struct {
	Conversion visit.Filter
	// Touch, when it has conditions, limits the touchpoints counted.
	Touch    visit.Filter
	Model    string
	Lookback time.Duration // default 90 days
	HalfLife time.Duration // time_decay; default 7 days
	From, To time.Time     // conversions in [From, To) when set
	Allowed  func(accountID int64) bool
}

// Credit is the share of the conversions (and their value) given to one
// channel, touchpoint type or variant.
type Credit struct {
	Key     string  `json:"-"`
	Credit  float64 `json:"credit"`
	Revenue float64 `json:"revenue"`
}

// AttributionResult is the credit by channel, type and variant. Credits of
// each list add up to Conversions.
type AttributionResult struct {
	Model       string          `json:"model"`
	Conversions int             `json:"conversions"`
	Revenue     float64         `json:"revenue"`
	Channels    []ChannelCredit `json:"channels"`
	Types       []TypeCredit    `json:"types"`
	Variants    []VariantCredit `json:"variants"`
}

// ChannelCredit is the credit of one channel.
type ChannelCredit struct {
	Channel string  `json:"channel"`
	Credit  float64 `json:"credit"`
	Revenue float64 `json:"revenue"`
}

// TypeCredit is the credit of one touchpoint type.
type TypeCredit struct {
	Type    string  `json:"type"`
	Credit  float64 `json:"credit"`
	Revenue float64 `json:"revenue"`
}

// VariantCredit is the credit of one campaign variant ("" for none).
type VariantCredit struct {
	Variant string  `json:"variant"`
	Credit  float64 `json:"credit"`
	Revenue float64 `json:"revenue"`
}

// Weights returns the credit of each of n touchpoints (in time order) of
// one conversion under model; ages are the touchpoints' times before the
// conversion (time_decay only). They add up to 1; n = 0 gives none.
func Weights(model string, ages []time.Duration, halfLife time.Duration) []float64 {
	n := len(ages)
	w := make([]float64, n)
	if n == 0 {
		return w
	}
	switch model {
	case FirstTouch:
		w[0] = 1
	case LastTouch:
		w[n-1] = 1
	case Linear:
		for i := range w {
			w[i] = 1 / float64(n)
		}
	case TimeDecay:
		var sum float64
		for i, a := range ages {
			w[i] = math.Exp2(-a.Seconds() / halfLife.Seconds())
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
	case PositionBased:
		switch n {
		case 1:
			w[0] = 1
		case 2:
			w[0], w[1] = 0.5, 0.5
		default:
			w[0], w[n-1] = 0.4, 0.4
			for i := 1; i < n-1; i++ {
				w[i] = 0.2 / float64(n-2)
			}
		}
	}
	return w
}

// Attribute credits every conversion to the touchpoints of its account in
// the lookback window before it (and after the account's previous
// conversion).
func Attribute(ev *Events, q AttributionQuery) (*AttributionResult, error) {
	known := false
	for _, m := range Models {
		known = known || m == q.Model
	}
	if !known {
		return nil, derrors.Invalidf("model: %q is not one of first_touch, last_touch, linear, time_decay, position_based", q.Model)
	}
	if len(q.Conversion.Conds) == 0 {
		return nil, derrors.Invalidf("conversion: give a filter such as outcome=sale")
	}
	lookback := q.Lookback
	if lookback <= 0 {
		lookback = 90 * 24 * time.Hour
	}
	half := q.HalfLife
	if half <= 0 {
		half = 7 * 24 * time.Hour
	}
	fs := []visit.Filter{q.Conversion}
	if len(q.Touch.Conds) > 0 {
		fs = append(fs, q.Touch)
	}
	mk, err := ev.compileMasks(fs)
	if err != nil {
		return nil, err
	}
	fromMS, toMS := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		fromMS = q.From.UnixMilli()
	}
	if !q.To.IsZero() {
		toMS = q.To.UnixMilli()
	}
	res := &AttributionResult{Model: q.Model}
	by := [3]map[string]*Credit{{}, {}, {}}
	add := func(kind int, key string, c, rev float64) {
		x := by[kind][key]
		if x == nil {
			x = &Credit{Key: key}
			by[kind][key] = x
		}
		x.Credit += c
		x.Revenue += rev
	}
	var touches []int
	var ages []time.Duration
	for r, acct := range ev.Accounts {
		if q.Allowed != nil && !q.Allowed(acct) {
			continue
		}
		s, e := int(ev.Start[r]), int(ev.Start[r+1])
		lastConv := int64(math.MinInt64)
		for i := s; i < e; i++ {
			m := mk.of(ev, i)
			if m&1 == 0 {
				continue
			}
			at := ev.At[i]
			if at < fromMS || at >= toMS {
				lastConv = at
				continue
			}
			touches, ages = touches[:0], ages[:0]
			lo := max(at-lookback.Milliseconds(), lastConv)
			for j := s; j < i; j++ {
				if ev.At[j] < lo || ev.At[j] > at {
					continue
				}
				mj := mk.of(ev, j)
				if mj&1 != 0 || (len(fs) > 1 && mj&2 == 0) {
					continue
				}
				touches = append(touches, j)
				ages = append(ages, time.Duration(at-ev.At[j])*time.Millisecond)
			}
			value := float64(ev.Value[i])
			res.Conversions++
			res.Revenue += value
			lastConv = at
			if len(touches) == 0 {
				for k := 0; k < 3; k++ {
					add(k, NoTouch, 1, value)
				}
				continue
			}
			for t, w := range Weights(q.Model, ages, half) {
				if w == 0 {
					continue
				}
				j := touches[t]
				add(0, ev.Field(FieldChannel, j), w, w*value)
				add(1, ev.Field(FieldType, j), w, w*value)
				add(2, ev.Field(FieldVariant, j), w, w*value)
			}
		}
	}
	for _, c := range sortedCredits(by[0]) {
		res.Channels = append(res.Channels, ChannelCredit{c.Key, c.Credit, c.Revenue})
	}
	for _, c := range sortedCredits(by[1]) {
		res.Types = append(res.Types, TypeCredit{c.Key, c.Credit, c.Revenue})
	}
	for _, c := range sortedCredits(by[2]) {
		res.Variants = append(res.Variants, VariantCredit{c.Key, c.Credit, c.Revenue})
	}
	if res.Channels == nil {
		res.Channels, res.Types, res.Variants = []ChannelCredit{}, []TypeCredit{}, []VariantCredit{}
	}
	return res, nil
}

func sortedCredits(m map[string]*Credit) []*Credit {
	out := make([]*Credit, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Credit != out[j].Credit {
			return out[i].Credit > out[j].Credit
		}
		return out[i].Key < out[j].Key
	})
	return out
}
