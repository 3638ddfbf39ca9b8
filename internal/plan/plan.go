package plan

import (
	"context"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Plan is a planned day of visits for one or more reps.
type Plan struct {
	ID        int64
	Name      string
	Day       string // the local date planned, YYYY-MM-DD
	TimeZone  string // IANA name the day and the shift are read in
	CreatedBy int64  // user id
	// Matrix names where travel times came from: "great-circle", "osrm" or
	// "valhalla".
	Matrix string
	Routes []Route
	// Unassigned lists the stops the day could not hold.
	Unassigned     []Stop
	DistanceMeters float64
	// Warnings say what the planner should know: a road server that failed
	// (travel then estimated offline), stops without a location.
	Warnings []string
	// Request is what was asked, kept so the plan can be re-optimised.
	Request   Request
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Route is one rep's day within a plan.
type Route struct {
	RepID   int64  `json:"rep_id"`
	RepName string `json:"rep_name"`
	// Start and End are where the day begins and ends (the rep's home).
	Start           geo.Point `json:"start"`
	End             geo.Point `json:"end"`
	Depart          time.Time `json:"depart"`
	Return          time.Time `json:"return"`
	DistanceMeters  float64   `json:"distance_meters"`
	DurationSeconds float64   `json:"duration_seconds"` // from leaving home to coming back
	Stops           []Stop    `json:"stops"`
	// Break is the lunch break, if one is planned.
	Break *Break `json:"break,omitempty"`
}

// Stop is a visit to an account.
type Stop struct {
	AccountID      int64     `json:"account_id"`
	Name           string    `json:"name"`
	Address        string    `json:"address,omitempty"`
	Location       geo.Point `json:"location"`
	ServiceSeconds float64   `json:"service_seconds"`
	// Window limits the service start, in the plan's local time of day
	// (HH:MM); empty strings mean no limit.
	WindowStart string `json:"window_start,omitempty"`
	WindowEnd   string `json:"window_end,omitempty"`
	Locked      bool   `json:"locked,omitempty"`
	// Arrival, Start (of service, after any wait) and Depart are zero for
	// unassigned stops.
	Arrival time.Time `json:"arrival"`
	Start   time.Time `json:"start"`
	Depart  time.Time `json:"depart"`
}

// Break is a planned rest.
type Break struct {
	Start           time.Time `json:"start"`
	DurationSeconds float64   `json:"duration_seconds"`
	AfterStop       int       `json:"after_stop"` // taken after this many stops
}

// Request is what a planner asked for.
type Request struct {
	Name         string                `json:"name,omitempty"`
	RepIDs       []int64               `json:"rep_ids"`
	AccountIDs   []int64               `json:"account_ids,omitempty"`
	DueDays      int                   `json:"due_days,omitempty"` // accounts not visited in this many days (or follow-up due)
	Day          string                `json:"day"`
	TimeZone     string                `json:"time_zone"`
	ShiftStart   string                `json:"shift_start"`   // HH:MM
	ShiftEnd     string                `json:"shift_end"`     // HH:MM
	VisitMinutes int                   `json:"visit_minutes"` // default service time
	Lunch        *LunchRequest         `json:"lunch,omitempty"`
	Stops        []StopRequest         `json:"stops,omitempty"`  // per-stop settings
	Locked       map[int64]LockedStops `json:"locked,omitempty"` // rep id → account ids opening the day in order
}

// LunchRequest asks for a break starting between Earliest and Latest (HH:MM).
type LunchRequest struct {
	Earliest string `json:"earliest"`
	Latest   string `json:"latest"`
	Minutes  int    `json:"minutes"`
}

// StopRequest sets one account's visit.
type StopRequest struct {
	AccountID    int64  `json:"account_id"`
	VisitMinutes int    `json:"visit_minutes,omitempty"`
	WindowStart  string `json:"window_start,omitempty"` // HH:MM
	WindowEnd    string `json:"window_end,omitempty"`
	Priority     int    `json:"priority,omitempty"`
}

// LockedStops are account ids in the order they must open a rep's day.
type LockedStops []int64

// HasRep reports whether userID has a route in the plan or was asked for.
func (p *Plan) HasRep(userID int64) bool {
	for _, r := range p.Routes {
		if r.RepID == userID {
			return true
		}
	}
	for _, id := range p.Request.RepIDs {
		if id == userID {
			return true
		}
	}
	return false
}

// RepIDs lists the reps of the plan's request, for indexing.
func (p *Plan) RepIDs() []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range p.Request.RepIDs {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, r := range p.Routes {
		if !seen[r.RepID] {
			seen[r.RepID] = true
			out = append(out, r.RepID)
		}
	}
	return out
}

// Filter selects plans.
type Filter struct {
	RepID int64 // 0: all plans; else plans that include this rep
}

// Page asks for plans after a cursor (the last id seen), newest first.
type Page struct {
	Limit    int
	BeforeID int64 // 0: from the newest
}

// List is a page of plans and the total that match the filter.
type List struct {
	Items []*Plan
	Total int
}

// Store keeps plans. Methods return derrors NotFound for a missing plan.
type Store interface {
	// CreatePlan inserts p, setting p.ID, CreatedAt and UpdatedAt.
	CreatePlan(ctx context.Context, p *Plan) error
	// GetPlan returns the plan with id, or NotFound.
	GetPlan(ctx context.Context, id int64) (*Plan, error)
	// UpdatePlan replaces the plan with p.ID, or NotFound; it sets UpdatedAt.
	UpdatePlan(ctx context.Context, p *Plan) error
	// DeletePlan removes the plan, or NotFound.
	DeletePlan(ctx context.Context, id int64) error
	// ListPlans returns a page of plans matching f, newest first, and the
	// total that match.
	ListPlans(ctx context.Context, f Filter, pg Page) (List, error)
}

// ParseClock reads a time of day "HH:MM" (00:00 to 24:00) as seconds after
// midnight; field names the value in the error.
func ParseClock(field, s string) (float64, error) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, derrors.Invalidf("%s: %q is not a time of day HH:MM", field, s)
	}
	for i, c := range []byte(s) {
		if i != 2 && (c < '0' || c > '9') {
			return 0, derrors.Invalidf("%s: %q is not a time of day HH:MM", field, s)
		}
	}
	h = int(s[0]-'0')*10 + int(s[1]-'0')
	m = int(s[3]-'0')*10 + int(s[4]-'0')
	if m > 59 || h > 24 || (h == 24 && m > 0) {
		return 0, derrors.Invalidf("%s: %q is not a time of day between 00:00 and 24:00", field, s)
	}
	return float64(h*3600 + m*60), nil
}
