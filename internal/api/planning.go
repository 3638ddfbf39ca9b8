package api

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/itinerary"
	"github.com/meridian-crm/meridian/internal/plan"
)

// routeLinks are a rep's direction links.
type routeLinks struct {
	Google []itinerary.Link `json:"google"`
	Apple  []itinerary.Link `json:"apple"`
}

// routeJSON is a rep's day on the wire: the stored route plus links.
type routeJSON struct {
	plan.Route
	Links routeLinks `json:"links"`
}

// planJSON is a route plan on the wire.
type planJSON struct {
	ID             int64             `json:"id"`
	Name           string            `json:"name"`
	Day            string            `json:"day"`
	TimeZone       string            `json:"time_zone"`
	Matrix         string            `json:"matrix"`
	DistanceMeters float64           `json:"distance_meters"`
	CreatedBy      int64             `json:"created_by"`
	CreatedAt      *string           `json:"created_at"`
	UpdatedAt      *string           `json:"updated_at"`
	Warnings       []string          `json:"warnings"`
	Routes         []routeJSON       `json:"routes"`
	Unassigned     []plan.Stop       `json:"unassigned"`
	Request        plan.Request      `json:"request"`
	Links          map[string]string `json:"links"`
}

// planSummaryJSON is a plan in a list.
type planSummaryJSON struct {
	ID             int64    `json:"id"`
	Name           string   `json:"name"`
	Day            string   `json:"day"`
	Reps           []string `json:"reps"`
	Stops          int      `json:"stops"`
	Unassigned     int      `json:"unassigned"`
	DistanceMeters float64  `json:"distance_meters"`
	CreatedAt      *string  `json:"created_at"`
	UpdatedAt      *string  `json:"updated_at"`
}

func planPath(id int64) string { return "/api/v1/routes/" + strconv.FormatInt(id, 10) }

func toPlanJSON(p *plan.Plan) planJSON {
	j := planJSON{ID: p.ID, Name: p.Name, Day: p.Day, TimeZone: p.TimeZone, Matrix: p.Matrix, DistanceMeters: p.DistanceMeters,
		CreatedBy: p.CreatedBy, CreatedAt: timeJSON(p.CreatedAt), UpdatedAt: timeJSON(p.UpdatedAt), Warnings: p.Warnings,
		Unassigned: p.Unassigned, Request: p.Request,
		Links: map[string]string{"self": planPath(p.ID), "gpx": planPath(p.ID) + ".gpx", "ics": planPath(p.ID) + ".ics"}}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	if j.Unassigned == nil {
		j.Unassigned = []plan.Stop{}
	}
	j.Routes = []routeJSON{}
	for _, r := range p.Routes {
		if r.Stops == nil {
			r.Stops = []plan.Stop{}
		}
		rj := routeJSON{Route: r}
		if len(r.Stops) > 0 {
			rj.Links = routeLinks{Google: itinerary.GoogleLinks(r), Apple: itinerary.AppleLinks(r)}
		} else {
			rj.Links = routeLinks{Google: []itinerary.Link{}, Apple: []itinerary.Link{}}
		}
		j.Routes = append(j.Routes, rj)
	}
	return j
}

func (s *Server) handlePlanRoutes(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var req plan.Request
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := s.svc.PlanRoutes(ctx, actor, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", planPath(p.ID))
	writeJSON(w, http.StatusCreated, toPlanJSON(p))
	return nil
}

func (s *Server) handleListPlans(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	var before int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if before, err = strconv.ParseInt(c, 10, 64); err != nil || before <= 0 {
			return derrors.Invalidf("cursor: %q is not a next_cursor of this list", c)
		}
	}
	res, err := s.svc.ListPlans(ctx, actor, plan.Page{Limit: limit, BeforeID: before})
	if err != nil {
		return err
	}
	items := make([]planSummaryJSON, len(res.Items))
	for i, p := range res.Items {
		sj := planSummaryJSON{ID: p.ID, Name: p.Name, Day: p.Day, Reps: []string{}, Unassigned: len(p.Unassigned), DistanceMeters: p.DistanceMeters,
			CreatedAt: timeJSON(p.CreatedAt), UpdatedAt: timeJSON(p.UpdatedAt)}
		for _, rt := range p.Routes {
			sj.Reps = append(sj.Reps, rt.RepName)
			sj.Stops += len(rt.Stops)
		}
		items[i] = sj
	}
	next := ""
	eff := limit
	if eff <= 0 {
		eff = 100
	}
	if len(res.Items) > 0 && len(res.Items) == min(eff, 1000) {
		next = fmtID(res.Items[len(res.Items)-1].ID)
	}
	writeJSON(w, http.StatusOK, list(items, res.Total, next))
	return nil
}

// handleGetPlan serves /api/v1/routes/{id}, {id}.gpx and {id}.ics: a
// ServeMux wildcard is a whole segment, so the suffix is parsed here.
func (s *Server) handleGetPlan(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	seg := r.PathValue("id")
	idText, format := seg, "json"
	if i := strings.LastIndexByte(seg, '.'); i >= 0 {
		idText, format = seg[:i], seg[i+1:]
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return derrors.Invalidf("id: %q is not a plan id, optionally followed by .gpx or .ics", seg)
	}
	if format != "json" && format != "gpx" && format != "ics" {
		return derrors.Invalidf("id: %q: the format must be .gpx or .ics (or none for JSON)", seg)
	}
	p, err := s.svc.GetPlan(ctx, actor, id)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	switch format {
	case "json":
		writeJSON(w, http.StatusOK, toPlanJSON(p))
		return nil
	case "gpx":
		if err := itinerary.GPX(&b, p); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/gpx+xml")
	case "ics":
		if err := itinerary.ICS(&b, p, itinerary.ICSOptions{Domain: uidDomain(r)}); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="route-%d.%s"`, p.ID, format))
	w.Header().Set("Last-Modified", p.UpdatedAt.UTC().Format(http.TimeFormat))
	http.ServeContent(w, r, "", p.UpdatedAt.Truncate(time.Second), bytes.NewReader(b.Bytes()))
	return nil
}

// uidDomain is the server's host name for ICS UIDs, when it looks like one.
func uidDomain(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	return host
}

func (s *Server) handleUpdatePlan(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var ch app.PlanChange
	if err := decode(r, &ch); err != nil {
		return err
	}
	p, err := s.svc.UpdatePlan(ctx, actor, id, ch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toPlanJSON(p))
	return nil
}

func init() {
	point := props([]string{"lon", "lat"}, obj{"lon": typ("number"), "lat": typ("number")})
	stop := props([]string{"account_id", "name", "location"}, obj{
		"account_id": typ("integer"), "name": typ("string"), "address": typ("string"), "location": point,
		"service_seconds": typ("number"), "window_start": typ("string"), "window_end": typ("string"), "locked": typ("boolean"),
		"arrival": typ("string"), "start": typ("string"), "depart": typ("string"),
	})
	link := props([]string{"url"}, obj{"url": typ("string"), "from": typ("integer"), "to": typ("integer")})
	schemas["PlanRequest"] = props(nil, obj{
		"name":          typ("string"),
		"rep_ids":       obj{"type": "array", "items": typ("integer"), "description": "reps to plan for (default: the caller); reps may plan only for themselves"},
		"account_ids":   obj{"type": "array", "items": typ("integer"), "description": "accounts to visit"},
		"due_days":      obj{"type": "integer", "description": "also offer the accounts in the reps' territories not visited in this many days, or with a follow-up due"},
		"day":           obj{"type": "string", "description": "YYYY-MM-DD (default today in time_zone)"},
		"time_zone":     obj{"type": "string", "description": "IANA time zone (default UTC)"},
		"shift_start":   obj{"type": "string", "description": "HH:MM (default 08:00)"},
		"shift_end":     obj{"type": "string", "description": "HH:MM (default 18:00)"},
		"visit_minutes": obj{"type": "integer", "description": "default visit length (default 30)"},
		"lunch":         props([]string{"earliest", "latest", "minutes"}, obj{"earliest": typ("string"), "latest": typ("string"), "minutes": typ("integer")}),
		"stops":         arr(props([]string{"account_id"}, obj{"account_id": typ("integer"), "visit_minutes": typ("integer"), "window_start": typ("string"), "window_end": typ("string"), "priority": typ("integer")})),
		"locked":        obj{"type": "object", "description": "rep id → account ids that open that rep's day in order", "additionalProperties": arr(typ("integer"))},
	})
	schemas["PlanChange"] = props(nil, obj{
		"name":     typ("string"),
		"optimize": obj{"type": "boolean", "description": "re-optimise: locked stops open each day in order, the solver orders the rest; false keeps the order given and recomputes the times"},
		"routes": arr(props([]string{"rep_id", "stops"}, obj{"rep_id": typ("integer"),
			"stops":  obj{"type": "array", "items": typ("integer"), "description": "account ids in the order wanted"},
			"locked": obj{"type": "array", "items": typ("integer"), "description": "account ids that keep their place; must be the first of stops"}})),
	})
	schemas["Plan"] = props([]string{"id", "name", "day", "routes", "unassigned", "links"}, obj{
		"id": typ("integer"), "name": typ("string"), "day": typ("string"), "time_zone": typ("string"), "matrix": typ("string"),
		"distance_meters": typ("number"), "created_by": typ("integer"), "created_at": typ("string"), "updated_at": typ("string"),
		"warnings": arr(typ("string")),
		"routes": arr(props([]string{"rep_id", "stops", "links"}, obj{
			"rep_id": typ("integer"), "rep_name": typ("string"), "start": point, "end": point, "depart": typ("string"), "return": typ("string"),
			"distance_meters": typ("number"), "duration_seconds": typ("number"), "stops": arr(stop),
			"break": props(nil, obj{"start": typ("string"), "duration_seconds": typ("number"), "after_stop": typ("integer")}),
			"links": props(nil, obj{"google": arr(link), "apple": arr(link)}),
		})),
		"unassigned": arr(stop),
		"request":    ref("PlanRequest"),
		"links":      obj{"type": "object", "description": "self, gpx and ics URLs", "additionalProperties": typ("string")},
	})
	schemas["PlanSummary"] = props([]string{"id", "name", "day"}, obj{
		"id": typ("integer"), "name": typ("string"), "day": typ("string"), "reps": arr(typ("string")), "stops": typ("integer"),
		"unassigned": typ("integer"), "distance_meters": typ("number"), "created_at": typ("string"), "updated_at": typ("string"),
	})
	schemas["PlanList"] = listOf("PlanSummary")
}
