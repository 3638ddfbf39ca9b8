package itinerary

import (
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/plan"
)

// location returns the plan's time zone, UTC when it has none or an unknown
// one (times are still right, only shown in UTC).
func location(p *plan.Plan) *time.Location {
	if p.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

func planTitle(p *plan.Plan) string {
	if p.Name != "" {
		return p.Name
	}
	if p.Day != "" {
		return "Route plan " + p.Day
	}
	return fmt.Sprintf("Route plan %d", p.ID)
}

func planSummary(p *plan.Plan) string {
	stops := 0
	for _, r := range p.Routes {
		stops += len(r.Stops)
	}
	s := fmt.Sprintf("%d reps, %d stops, %s", len(p.Routes), stops, km(p.DistanceMeters))
	if len(p.Routes) == 1 {
		s = fmt.Sprintf("%d stops, %s", stops, km(p.DistanceMeters))
	}
	if len(p.Unassigned) > 0 {
		s += fmt.Sprintf(", %d left out", len(p.Unassigned))
	}
	return s
}

func routeTitle(p *plan.Plan, r plan.Route) string {
	name := r.RepName
	if name == "" {
		name = fmt.Sprintf("Rep %d", r.RepID)
	}
	if p.Day != "" {
		return name + " " + p.Day
	}
	return name
}

// stopDescription says when the rep arrives and leaves, in the plan's local
// time, and any window the stop must keep.
func stopDescription(p *plan.Plan, r plan.Route, i int) string {
	loc := location(p)
	s := r.Stops[i]
	var parts []string
	parts = append(parts, fmt.Sprintf("Stop %d of %d", i+1, len(r.Stops)))
	if r.RepName != "" {
		parts[0] += " for " + r.RepName
	}
	if !s.Arrival.IsZero() {
		parts = append(parts, "arrive "+s.Arrival.In(loc).Format("15:04"))
	}
	if !s.Start.IsZero() && !s.Start.Equal(s.Arrival) {
		parts = append(parts, "start "+s.Start.In(loc).Format("15:04"))
	}
	if !s.Depart.IsZero() {
		parts = append(parts, "leave "+s.Depart.In(loc).Format("15:04"))
	}
	if s.WindowStart != "" || s.WindowEnd != "" {
		parts = append(parts, "window "+orDash(s.WindowStart)+"–"+orDash(s.WindowEnd))
	}
	if s.Locked {
		parts = append(parts, "locked")
	}
	return strings.Join(parts, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "…"
	}
	return s
}

func km(m float64) string { return fmt.Sprintf("%.1f km", m/1000) }

func hours(sec float64) string {
	min := int(sec/60 + 0.5)
	return fmt.Sprintf("%dh%02d", min/60, min%60)
}
