package api

import (
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

func init() {
	schemas["Interaction"] = props([]string{"id", "account_id", "at", "channel", "type"}, obj{
		"id": typ("integer"), "account_id": typ("integer"), "at": typ("string"), "channel": typ("string"), "type": typ("string"),
		"outcome": typ("string"), "user_id": nullable("integer"), "user": nullable("string"), "variant": typ("string"), "stage": typ("string"),
		"value": typ("number"), "lon": nullable("number"), "lat": nullable("number"), "notes": typ("string"), "source": typ("string"),
		"properties": obj{"type": "object", "additionalProperties": typ("string")},
		"ended_at":   nullable("string"), "duration_s": nullable("integer"),
		"verified": nullable("boolean"), "distance_m": nullable("number"), "follow_up_at": nullable("string"),
	})
	schemas["InteractionInput"] = props([]string{"account", "channel"}, obj{
		"account": typ("integer"), "at": typ("string"), "channel": typ("string"), "type": typ("string"), "outcome": typ("string"),
		"user": typ("string"), "variant": typ("string"), "stage": typ("string"), "value": typ("number"), "lon": typ("number"), "lat": typ("number"),
		"notes": typ("string"), "properties": obj{"type": "object", "additionalProperties": typ("string")}, "follow_up_at": typ("string"),
	})
	schemas["Outcome"] = props([]string{"key", "name"}, obj{"key": typ("string"), "name": typ("string")})
	schemas["OutcomeList"] = props([]string{"items"}, obj{"items": arr(ref("Outcome"))})
	schemas["FieldSettings"] = props(nil, obj{
		"verify_radius_m": typ("number"), "dwell_radius_m": typ("number"), "dwell_minutes": typ("number"), "retention_days": typ("integer"),
		"working_hours": props(nil, obj{"days": arr(typ("integer")), "start": typ("string"), "end": typ("string"), "time_zone": typ("string")}),
	})
	schemas["Tracking"] = props([]string{"enabled"}, obj{"enabled": typ("boolean")})
	schemas["Ping"] = props([]string{"at", "lon", "lat"}, obj{"at": typ("string"), "lon": typ("number"), "lat": typ("number"), "accuracy_m": typ("number")})
	schemas["PingBatch"] = props([]string{"pings"}, obj{"pings": arr(ref("Ping"))})
	schemas["PingResult"] = props(nil, obj{"received": typ("integer"), "stored": typ("integer"), "duplicates": typ("integer"),
		"dropped_outside_hours": typ("integer"), "dropped_expired": typ("integer"), "auto_visits": typ("integer")})
	schemas["Trail"] = props([]string{"user_id", "date", "items", "total"}, obj{"user_id": typ("integer"), "date": typ("string"), "items": arr(ref("Ping")), "total": typ("integer")})
	schemas["NearbyList"] = listOf("Account")
	schemas["RepMetrics"] = props(nil, obj{"user_id": typ("integer"), "user": typ("string"), "name": typ("string"), "visits": typ("integer"),
		"verified_visits": typ("integer"), "outcomes": obj{"type": "object", "additionalProperties": typ("integer")}, "leads_created": typ("integer"),
		"won": typ("integer"), "lost": typ("integer"), "win_rate": typ("number"), "estimated_revenue": typ("number")})
	schemas["RepMetricsList"] = props([]string{"items"}, obj{"from": typ("string"), "to": typ("string"), "items": arr(ref("RepMetrics"))})
}

func (s *Server) handleGetOutcomes(w http.ResponseWriter, r *http.Request) error {
	o, err := s.svc.Outcomes(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": o})
	return nil
}

func (s *Server) handlePutOutcomes(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Items []visit.Outcome `json:"items"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := s.svc.SetOutcomes(r.Context(), actorFrom(r.Context()), body.Items); err != nil {
		return err
	}
	return s.handleGetOutcomes(w, r)
}

func (s *Server) handleGetFieldSettings(w http.ResponseWriter, r *http.Request) error {
	f, err := s.svc.FieldSettings(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	if f.WorkingHours.Days == nil {
		f.WorkingHours.Days = []int{}
	}
	writeJSON(w, http.StatusOK, f)
	return nil
}

func (s *Server) handlePutFieldSettings(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	// Fields left out keep their values.
	f, err := s.svc.FieldSettings(ctx, actor)
	if err != nil {
		return err
	}
	if err := decode(r, &f); err != nil {
		return err
	}
	if err := s.svc.SetFieldSettings(ctx, actor, f); err != nil {
		return err
	}
	return s.handleGetFieldSettings(w, r)
}

func (s *Server) handleGetTracking(w http.ResponseWriter, r *http.Request) error {
	st, err := s.svc.Tracking(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": st.Enabled})
	return nil
}

func (s *Server) handlePutTracking(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Enabled == nil {
		return derrors.Invalidf("enabled: required, true or false")
	}
	if err := s.svc.SetTracking(r.Context(), actorFrom(r.Context()), *body.Enabled); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"enabled": *body.Enabled})
	return nil
}

type pingJSON struct {
	At        string   `json:"at"`
	Lon       *float64 `json:"lon"`
	Lat       *float64 `json:"lat"`
	AccuracyM *float64 `json:"accuracy_m"`
}

func (s *Server) handlePostPings(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Pings []pingJSON `json:"pings"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Pings == nil {
		return derrors.Invalidf("pings: required, a list of {at, lon, lat, accuracy_m}")
	}
	pings := make([]visit.Ping, len(body.Pings))
	for i, p := range body.Pings {
		if p.At == "" {
			return derrors.Invalidf("pings[%d].at: required", i)
		}
		at, err := time.Parse(time.RFC3339Nano, p.At)
		if err != nil {
			return derrors.Invalidf("pings[%d].at: %q is not an RFC 3339 time", i, p.At)
		}
		if p.Lon == nil || p.Lat == nil {
			return derrors.Invalidf("pings[%d]: lon and lat are required", i)
		}
		pings[i] = visit.Ping{At: at, Location: geo.Point{Lon: *p.Lon, Lat: *p.Lat}}
		if p.AccuracyM != nil {
			pings[i].AccuracyM = *p.AccuracyM
		}
	}
	res, err := s.svc.AddPings(r.Context(), actorFrom(r.Context()), pings)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"received": res.Received, "stored": res.Stored, "duplicates": res.Duplicates,
		"dropped_outside_hours": res.OutsideHours, "dropped_expired": res.Expired, "auto_visits": res.AutoVisits})
	return nil
}

func (s *Server) handleTrail(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	day := r.URL.Query().Get("date")
	if day == "" {
		return derrors.Invalidf("date: required, YYYY-MM-DD")
	}
	pings, err := s.svc.Trail(ctx, actor, id, day)
	if err != nil {
		return err
	}
	items := make([]pingJSON, len(pings))
	for i, p := range pings {
		items[i] = pingJSON{At: p.At.UTC().Format(time.RFC3339Nano), Lon: ptr(p.Location.Lon), Lat: ptr(p.Location.Lat)}
		if p.AccuracyM > 0 {
			items[i].AccuracyM = ptr(p.AccuracyM)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": id, "date": day, "items": items, "total": len(items)})
	return nil
}

func (s *Server) handleNearby(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	radius := 1000.0
	if v := r.URL.Query().Get("radius_m"); v != "" {
		radius, err = strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(radius) {
			return derrors.Invalidf("radius_m: %q is not a number of metres", v)
		}
	}
	limit, err := queryInt(r, "limit", 20)
	if err != nil {
		return err
	}
	near, err := s.svc.Nearby(ctx, actor, id, radius, queryList(r, "stage"), limit)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	type nearbyJSON struct {
		accountJSON
		DistanceM float64 `json:"distance_m"`
	}
	items := make([]nearbyJSON, len(near))
	for i, a := range near {
		items[i] = nearbyJSON{accountJSON: n.account(a.Account), DistanceM: math.Round(a.DistanceM*10) / 10}
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

// periodParam reads from or to: RFC 3339, Unix seconds or YYYY-MM-DD (UTC).
func periodParam(r *http.Request, name string, def time.Time) (time.Time, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	t, err := parseTimeParam(name, v)
	if err != nil {
		return time.Time{}, derrors.Invalidf("%s: %q is not a date (YYYY-MM-DD), an RFC 3339 time or Unix seconds", name, v)
	}
	return t, nil
}

func (s *Server) handleRepMetrics(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	// The default end is the next whole second, so that what was recorded
	// this very millisecond is in the period (to is exclusive).
	to, err := periodParam(r, "to", time.Now().UTC().Truncate(time.Second).Add(time.Second))
	if err != nil {
		return err
	}
	from, err := periodParam(r, "from", to.AddDate(0, 0, -30))
	if err != nil {
		return err
	}
	ms, err := s.svc.RepMetrics(ctx, actor, from, to)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	type repJSON struct {
		UserID           int64          `json:"user_id"`
		User             string         `json:"user"`
		Name             string         `json:"name"`
		Visits           int            `json:"visits"`
		VerifiedVisits   int            `json:"verified_visits"`
		Outcomes         map[string]int `json:"outcomes"`
		LeadsCreated     int            `json:"leads_created"`
		Won              int            `json:"won"`
		Lost             int            `json:"lost"`
		WinRate          float64        `json:"win_rate"`
		EstimatedRevenue float64        `json:"estimated_revenue"`
	}
	items := make([]repJSON, len(ms))
	for i, m := range ms {
		items[i] = repJSON{UserID: m.UserID, Visits: m.Visits, VerifiedVisits: m.VerifiedVisits, Outcomes: m.Outcomes, LeadsCreated: m.LeadsCreated,
			Won: m.Won, Lost: m.Lost, WinRate: math.Round(m.WinRate*1000) / 1000, EstimatedRevenue: m.EstimatedRevenue}
		if u := n.users[m.UserID]; u != nil {
			items[i].User, items[i].Name = u.Email, u.Name
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": timeJSON(from), "to": timeJSON(to), "items": items})
	return nil
}
