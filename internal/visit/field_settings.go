package visit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Outcome is one result a field visit can have, from the organisation's list.
type Outcome struct {
	Key  string `json:"key"`  // stored on the interaction: no_answer, sale…
	Name string `json:"name"` // shown to people
}

// DefaultOutcomes is the outcome list until an organisation sets its own.
func DefaultOutcomes() []Outcome {
	return []Outcome{
		{Key: "no_answer", Name: "No answer"},
		{Key: "not_interested", Name: "Not interested"},
		{Key: "follow_up", Name: "Follow-up"},
		{Key: "appointment", Name: "Appointment"},
		{Key: "sale", Name: "Sale"},
	}
}

var outcomeKey = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,63}$`)

// ValidateOutcomes checks an outcome list; the message names the entry.
func ValidateOutcomes(list []Outcome) error {
	if len(list) == 0 {
		return derrors.Invalidf("outcomes: at least one is needed")
	}
	if len(list) > 100 {
		return derrors.Invalidf("outcomes: at most 100")
	}
	seen := map[string]bool{}
	for i, o := range list {
		if !outcomeKey.MatchString(o.Key) {
			return derrors.Invalidf("outcomes[%d].key: %q must be a lower-case word such as no_answer", i, o.Key)
		}
		if seen[o.Key] {
			return derrors.Invalidf("outcomes[%d].key: %q appears twice", i, o.Key)
		}
		seen[o.Key] = true
		if strings.TrimSpace(o.Name) == "" || len(o.Name) > 100 {
			return derrors.Invalidf("outcomes[%d].name: required, at most 100 characters", i)
		}
	}
	return nil
}

// CheckOutcome reports whether a visit's outcome is empty or on the list.
func CheckOutcome(list []Outcome, outcome string) error {
	if outcome == "" {
		return nil
	}
	keys := make([]string, len(list))
	for i, o := range list {
		if o.Key == outcome {
			return nil
		}
		keys[i] = o.Key
	}
	return derrors.Invalidf("outcome: %q is not one of the visit outcomes (%s)", outcome, strings.Join(keys, ", "))
}

// FieldSettings are the organisation's rules for check-ins, tracking and
// automatic visits.
type FieldSettings struct {
	// VerifyRadiusM is how near an account a check-in must be to count as
	// verified.
	VerifyRadiusM float64 `json:"verify_radius_m"`
	// DwellRadiusM and DwellMinutes: pings that stay within DwellRadiusM of
	// an account for DwellMinutes make an automatic visit.
	DwellRadiusM float64 `json:"dwell_radius_m"`
	DwellMinutes float64 `json:"dwell_minutes"`
	// RetentionDays is how long pings are kept.
	RetentionDays int `json:"retention_days"`
	// WorkingHours bounds when pings are accepted.
	WorkingHours WorkingHours `json:"working_hours"`
}

// DefaultFieldSettings: 100 m, 5 minutes, 90 days, any time.
func DefaultFieldSettings() FieldSettings {
	return FieldSettings{VerifyRadiusM: 100, DwellRadiusM: 100, DwellMinutes: 5, RetentionDays: 90, WorkingHours: WorkingHours{TimeZone: "UTC"}}
}

// Dwell is DwellMinutes as a duration.
func (s FieldSettings) Dwell() time.Duration {
	return time.Duration(s.DwellMinutes * float64(time.Minute))
}

// MaxGap is the longest silence between two pings that still counts as
// staying: twice the dwell time, so phones that report every few minutes
// still make visits.
func (s FieldSettings) MaxGap() time.Duration { return 2 * s.Dwell() }

// Retention is RetentionDays as a duration.
func (s FieldSettings) Retention() time.Duration {
	return time.Duration(s.RetentionDays) * 24 * time.Hour
}

// Validate checks the settings; the message names the field.
func (s *FieldSettings) Validate() error {
	if !(s.VerifyRadiusM >= 1 && s.VerifyRadiusM <= 50000) {
		return derrors.Invalidf("verify_radius_m: %v must be between 1 and 50000", s.VerifyRadiusM)
	}
	if !(s.DwellRadiusM >= 1 && s.DwellRadiusM <= 5000) {
		return derrors.Invalidf("dwell_radius_m: %v must be between 1 and 5000", s.DwellRadiusM)
	}
	if !(s.DwellMinutes >= 0.5 && s.DwellMinutes <= 24*60) {
		return derrors.Invalidf("dwell_minutes: %v must be between 0.5 and 1440", s.DwellMinutes)
	}
	if s.RetentionDays < 1 || s.RetentionDays > 3650 {
		return derrors.Invalidf("retention_days: %d must be between 1 and 3650", s.RetentionDays)
	}
	return s.WorkingHours.Validate()
}

// WorkingHours are the times tracking may record: on Days, from Start to
// End, in TimeZone. No days means every day; empty Start and End mean all
// day.
type WorkingHours struct {
	Days     []int  `json:"days"`  // 0 Sunday … 6 Saturday
	Start    string `json:"start"` // "08:00"
	End      string `json:"end"`   // "18:00"; before Start means past midnight
	TimeZone string `json:"time_zone"`

	loc        *time.Location
	start, end int // minutes of the day
	days       uint8
}

func parseClock(field, v string) (int, error) {
	h, m, ok := strings.Cut(v, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0) {
		return 0, derrors.Invalidf("working_hours.%s: %q must be a time such as 08:00", field, v)
	}
	return hh*60 + mm, nil
}

// Validate checks the hours and prepares Contains; the message names the field.
func (w *WorkingHours) Validate() error {
	if w.TimeZone == "" {
		w.TimeZone = "UTC"
	}
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		return derrors.Invalidf("working_hours.time_zone: %q is not a time zone such as America/Denver", w.TimeZone)
	}
	w.loc = loc
	if (w.Start == "") != (w.End == "") {
		return derrors.Invalidf("working_hours: give both start and end, or neither")
	}
	w.start, w.end = 0, 24*60
	if w.Start != "" {
		if w.start, err = parseClock("start", w.Start); err != nil {
			return err
		}
		if w.end, err = parseClock("end", w.End); err != nil {
			return err
		}
		if w.start == w.end {
			return derrors.Invalidf("working_hours: start and end are both %s; leave both empty for all day", w.Start)
		}
	}
	w.days = 0
	for i, d := range w.Days {
		if d < 0 || d > 6 {
			return derrors.Invalidf("working_hours.days[%d]: %d must be 0 (Sunday) to 6 (Saturday)", i, d)
		}
		w.days |= 1 << d
	}
	if w.days == 0 {
		w.days = 0x7f
	}
	return nil
}

// Contains reports whether t falls inside the working hours. A shift that
// ends past midnight belongs to the day it starts.
func (w *WorkingHours) Contains(t time.Time) bool {
	if w.loc == nil {
		if err := w.Validate(); err != nil {
			return true
		}
	}
	lt := t.In(w.loc)
	min := lt.Hour()*60 + lt.Minute()
	day := int(lt.Weekday())
	if w.start < w.end {
		return w.days&(1<<day) != 0 && min >= w.start && min < w.end
	}
	if min >= w.start {
		return w.days&(1<<day) != 0
	}
	prev := (day + 6) % 7
	return min < w.end && w.days&(1<<prev) != 0
}

// String describes the hours for messages.
func (w *WorkingHours) String() string {
	if w.Start == "" {
		return fmt.Sprintf("all day (%s)", w.TimeZone)
	}
	return fmt.Sprintf("%s–%s %s", w.Start, w.End, w.TimeZone)
}
