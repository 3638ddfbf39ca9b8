package journey

import (
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Metrics are a journey's live figures, one entry per stage in stage order.
type Metrics struct {
	Stages []StageMetrics `json:"stages"`
}

// StageMetrics are the figures of one stage.
type StageMetrics struct {
	Name string `json:"name"`
	// Measured is false for a stage without an entry rule; its figures
	// are then zero and null, and the next stage is measured from the
	// measured stage before it.
	Measured bool `json:"measured"`
	// Accounts that entered the stage (see Meter for when that is).
	Accounts int `json:"accounts"`
	// Conversion is Accounts over the previous measured stage's Accounts;
	// null for the first measured stage or when the previous one is empty.
	Conversion *float64 `json:"conversion"`
	// MedianSecondsFromPrevious is the median time from entering the
	// previous measured stage to entering this one; null when there is no
	// previous stage or nobody entered.
	MedianSecondsFromPrevious *float64 `json:"median_seconds_from_previous"`
	// Skipped counts accounts whose interactions match the entry rule but
	// that never entered the previous stage before them: they are not in
	// Accounts.
	Skipped int         `json:"skipped"`
	KPIs    []KPIResult `json:"kpis"`
}

// KPIResult is a KPI's target against what the interactions say.
type KPIResult struct {
	Name   string  `json:"name"`
	Target float64 `json:"target"`
	Unit   string  `json:"unit"`
	// Measure is what Meridian measured for the unit (KPIMeasure); empty
	// when the unit is not one it can measure, and then Actual and Met are
	// null.
	Measure string   `json:"measure"`
	Actual  *float64 `json:"actual"`
	Met     *bool    `json:"met"`
}

// KPIMeasure says what a KPI with this unit measures from interactions:
//
//	accounts            accounts that entered the stage
//	% or percent        conversion from the previous stage, in percent
//	ratio               conversion from the previous stage, 0..1
//	days, hours, minutes, seconds
//	                    median time from the previous stage (lower is better)
//
// Any other unit (stars, EUR, NPS…) returns "": the KPI is shown with its
// target only.
func KPIMeasure(unit string) string {
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "accounts", "account", "customers":
		return "accounts"
	case "%", "percent", "pct":
		return "conversion_percent"
	case "ratio", "share":
		return "conversion"
	case "days", "day", "d":
		return "median_days"
	case "hours", "hour", "h":
		return "median_hours"
	case "minutes", "minute", "min":
		return "median_minutes"
	case "seconds", "second", "s":
		return "median_seconds"
	}
	return ""
}

// Meter computes Metrics from a stream of interactions in time order.
//
// An account enters the first measured stage with its first interaction
// that matches the stage's entry rule. It enters each later stage with its
// first matching interaction at or after the time it entered the previous
// measured stage: a journey is a sequence, so a stage counts only accounts
// that came through the stage before it (those that did not are counted in
// Skipped). Conversions are therefore at most 1 and times from the previous
// stage never negative.
type Meter struct {
	stages  []Stage
	filters []*visit.Filter // nil: not measured
	prev    []int           // index of the previous measured stage, -1 for none
	entered []map[int64]time.Time
	skipped []map[int64]bool
	// Allow, when set, says which accounts count (the caller's scope and the
	// persona's rule); others are ignored.
	Allow func(accountID int64) bool
}

// NewMeter prepares a meter for d's stages.
func NewMeter(d *Document) (*Meter, error) {
	m := &Meter{stages: d.Stages}
	last := -1
	for i, s := range d.Stages {
		var f *visit.Filter
		if s.Entry != "" {
			pf, err := visit.ParseFilter(s.Entry)
			if err != nil {
				return nil, derrors.Invalidf("stage %d %q: entry: %s", i+1, s.Name, derrors.Message(err))
			}
			f = &pf
		}
		m.filters = append(m.filters, f)
		m.prev = append(m.prev, last)
		if f != nil {
			last = i
		}
		m.entered = append(m.entered, map[int64]time.Time{})
		m.skipped = append(m.skipped, map[int64]bool{})
	}
	return m, nil
}

// Add feeds one interaction; call it in time order (ties in any order).
func (m *Meter) Add(in *visit.Interaction) {
	if m.Allow != nil && !m.Allow(in.AccountID) {
		return
	}
	for k, f := range m.filters {
		if f == nil {
			continue
		}
		if _, done := m.entered[k][in.AccountID]; done || !f.Match(in) {
			continue
		}
		if p := m.prev[k]; p >= 0 {
			t, ok := m.entered[p][in.AccountID]
			if !ok || in.At.Before(t) {
				m.skipped[k][in.AccountID] = true
				continue
			}
		}
		m.entered[k][in.AccountID] = in.At
		delete(m.skipped[k], in.AccountID)
	}
}

// Result returns the figures so far.
func (m *Meter) Result() Metrics {
	out := Metrics{Stages: make([]StageMetrics, len(m.stages))}
	for k, s := range m.stages {
		sm := StageMetrics{Name: s.Name, Measured: m.filters[k] != nil, Accounts: len(m.entered[k]), Skipped: len(m.skipped[k])}
		if p := m.prev[k]; sm.Measured && p >= 0 {
			if n := len(m.entered[p]); n > 0 {
				c := float64(sm.Accounts) / float64(n)
				sm.Conversion = &c
			}
			var secs []float64
			for acc, t := range m.entered[k] {
				secs = append(secs, t.Sub(m.entered[p][acc]).Seconds())
			}
			if len(secs) > 0 {
				med := median(secs)
				sm.MedianSecondsFromPrevious = &med
			}
		}
		sm.KPIs = make([]KPIResult, 0, len(s.KPIs))
		for _, kpi := range s.KPIs {
			sm.KPIs = append(sm.KPIs, kpiResult(kpi, sm))
		}
		out.Stages[k] = sm
	}
	return out
}

func kpiResult(k KPI, sm StageMetrics) KPIResult {
	r := KPIResult{Name: k.Name, Target: k.Target, Unit: k.Unit, Measure: KPIMeasure(k.Unit)}
	var actual *float64
	lowerIsBetter := false
	scale := func(p *float64, by float64) *float64 {
		if p == nil {
			return nil
		}
		v := *p / by
		return &v
	}
	switch r.Measure {
	case "":
		return r
	case "accounts":
		if sm.Measured {
			v := float64(sm.Accounts)
			actual = &v
		}
	case "conversion_percent":
		if sm.Conversion != nil {
			v := *sm.Conversion * 100
			actual = &v
		}
	case "conversion":
		actual = sm.Conversion
	case "median_days":
		actual, lowerIsBetter = scale(sm.MedianSecondsFromPrevious, 86400), true
	case "median_hours":
		actual, lowerIsBetter = scale(sm.MedianSecondsFromPrevious, 3600), true
	case "median_minutes":
		actual, lowerIsBetter = scale(sm.MedianSecondsFromPrevious, 60), true
	case "median_seconds":
		actual, lowerIsBetter = sm.MedianSecondsFromPrevious, true
	}
	if actual != nil {
		r.Actual = actual
		met := *actual >= k.Target
		if lowerIsBetter {
			met = *actual <= k.Target
		}
		r.Met = &met
	}
	return r
}

func median(v []float64) float64 {
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
