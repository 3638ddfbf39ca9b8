package routing

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/geo"
)

// Instance is Meridian's JSON routing instance (documented in
// docs/routing.md). Times are "HH:MM" (or "HH:MM:SS") from the day's
// midnight; coordinates are lon/lat degrees.
type Instance struct {
	DetourFactor float64           `json:"detour_factor,omitempty"` // default 1.3
	SpeedKmh     float64           `json:"speed_kmh,omitempty"`     // default 40
	Jobs         []InstanceJob     `json:"jobs"`
	Vehicles     []InstanceVehicle `json:"vehicles"`
}

// InstanceJob is one visit.
type InstanceJob struct {
	ID             int64       `json:"id"`
	Lon            float64     `json:"lon"`
	Lat            float64     `json:"lat"`
	ServiceMinutes float64     `json:"service_minutes"`
	Windows        [][2]string `json:"windows,omitempty"` // [["09:00","12:00"], …]
	Priority       int         `json:"priority,omitempty"`
	Optional       bool        `json:"optional,omitempty"`
	Penalty        float64     `json:"penalty,omitempty"`
	Demand         int         `json:"demand,omitempty"`
}

// InstanceVehicle is one rep.
type InstanceVehicle struct {
	ID              int64          `json:"id"`
	Start           *geo.Point     `json:"start,omitempty"` // none: the day starts at the first stop
	End             *geo.Point     `json:"end,omitempty"`
	Shift           [2]string      `json:"shift"` // ["08:00","18:00"]; "" for open
	Break           *InstanceBreak `json:"break,omitempty"`
	Capacity        int            `json:"capacity,omitempty"`
	MaxStops        int            `json:"max_stops,omitempty"`
	MaxDriveMinutes float64        `json:"max_drive_minutes,omitempty"`
	FixedCost       float64        `json:"fixed_cost,omitempty"`
	Locked          []int64        `json:"locked,omitempty"` // job ids that open the day, in order
}

// InstanceBreak is a lunch break.
type InstanceBreak struct {
	Earliest string  `json:"earliest"`
	Latest   string  `json:"latest"`
	Minutes  float64 `json:"minutes"`
}

// ParseClock reads "HH:MM" or "HH:MM:SS" as seconds after midnight (up to
// "24:00" and beyond, for shifts past midnight).
func ParseClock(s string) (float64, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
	}
	var v [3]int
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || (i > 0 && n > 59) || len(p) == 0 {
			return 0, fmt.Errorf("%q is not a time of day HH:MM", s)
		}
		v[i] = n
	}
	return float64(v[0]*3600 + v[1]*60 + v[2]), nil
}

// ReadInstance reads a Meridian JSON instance.
func ReadInstance(r io.Reader) (*Instance, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var in Instance
	if err := dec.Decode(&in); err != nil {
		return nil, fmt.Errorf("instance: %w", err)
	}
	return &in, nil
}

// Problem builds the routing problem with a great-circle matrix over the
// vehicles' start and end places and then the jobs.
func (in *Instance) Problem() (*Problem, error) {
	var pts []geo.Point
	place := func(pt geo.Point) int { pts = append(pts, pt); return len(pts) - 1 }
	p := &Problem{}
	ids := map[int64]int{}
	for i, j := range in.Jobs {
		what := fmt.Sprintf("instance: jobs[%d] (id %d)", i, j.ID)
		if _, dup := ids[j.ID]; dup {
			return nil, fmt.Errorf("%s: duplicate id", what)
		}
		ids[j.ID] = i
		pt := geo.Point{Lon: j.Lon, Lat: j.Lat}
		if err := pt.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", what, err)
		}
		if j.ServiceMinutes < 0 {
			return nil, fmt.Errorf("%s: service_minutes must not be negative", what)
		}
		job := Job{ID: j.ID, Loc: place(pt), Service: j.ServiceMinutes * 60, Priority: j.Priority,
			Optional: j.Optional, Penalty: j.Penalty, Demand: j.Demand}
		for k, w := range j.Windows {
			a, err := ParseClock(w[0])
			if err != nil {
				return nil, fmt.Errorf("%s: windows[%d] start: %v", what, k, err)
			}
			b, err := ParseClock(w[1])
			if err != nil {
				return nil, fmt.Errorf("%s: windows[%d] end: %v", what, k, err)
			}
			if b < a {
				return nil, fmt.Errorf("%s: windows[%d] ends before it starts", what, k)
			}
			if k > 0 && a < job.Windows[k-1].End {
				return nil, fmt.Errorf("%s: windows[%d] overlaps or precedes the one before; list windows in order", what, k)
			}
			job.Windows = append(job.Windows, Window{a, b})
		}
		p.Jobs = append(p.Jobs, job)
	}
	if len(in.Vehicles) == 0 {
		return nil, fmt.Errorf("instance: vehicles: at least one vehicle is needed")
	}
	for i, v := range in.Vehicles {
		what := fmt.Sprintf("instance: vehicles[%d] (id %d)", i, v.ID)
		veh := Vehicle{ID: v.ID, Start: -1, End: -1, Capacity: v.Capacity, MaxStops: v.MaxStops,
			MaxTravel: v.MaxDriveMinutes * 60, FixedCost: v.FixedCost}
		if v.Start != nil {
			if err := v.Start.Validate(); err != nil {
				return nil, fmt.Errorf("%s: start: %v", what, err)
			}
			veh.Start = place(*v.Start)
		}
		if v.End != nil {
			if err := v.End.Validate(); err != nil {
				return nil, fmt.Errorf("%s: end: %v", what, err)
			}
			veh.End = place(*v.End)
		}
		var err error
		if v.Shift[0] != "" {
			if veh.ShiftStart, err = ParseClock(v.Shift[0]); err != nil {
				return nil, fmt.Errorf("%s: shift start: %v", what, err)
			}
		}
		if v.Shift[1] != "" {
			if veh.ShiftEnd, err = ParseClock(v.Shift[1]); err != nil {
				return nil, fmt.Errorf("%s: shift end: %v", what, err)
			}
			if veh.ShiftEnd <= veh.ShiftStart {
				return nil, fmt.Errorf("%s: shift ends before it starts", what)
			}
		}
		if b := v.Break; b != nil {
			e, err := ParseClock(b.Earliest)
			if err != nil {
				return nil, fmt.Errorf("%s: break earliest: %v", what, err)
			}
			l, err := ParseClock(b.Latest)
			if err != nil {
				return nil, fmt.Errorf("%s: break latest: %v", what, err)
			}
			if l < e || b.Minutes < 0 {
				return nil, fmt.Errorf("%s: break: latest before earliest or negative minutes", what)
			}
			veh.Break = &Break{Earliest: e, Latest: l, Duration: b.Minutes * 60}
		}
		for _, id := range v.Locked {
			j, ok := ids[id]
			if !ok {
				return nil, fmt.Errorf("%s: locked job id %d is not among the jobs", what, id)
			}
			veh.Prefix = append(veh.Prefix, j)
		}
		p.Vehicles = append(p.Vehicles, veh)
	}
	p.Matrix = GreatCircle(pts, in.DetourFactor, in.SpeedKmh)
	if err := validate(p); err != nil {
		return nil, err
	}
	return p, nil
}
