package api

import (
	"math"
	"net/http"
	"strconv"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/derrors"
)

func init() {
	schemas["RouteProspect"] = obj{"allOf": []any{ref("Account"), props([]string{"distance_m", "near_stop"}, obj{
		"distance_m": obj{"type": "number", "description": "metres from the nearest stop (great circle)"},
		"near_stop": props([]string{"account_id", "name", "rep_id", "position"}, obj{
			"account_id": typ("integer"), "name": typ("string"), "rep_id": typ("integer"),
			"position": obj{"type": "integer", "description": "the stop's place in its route, from 1"},
		}),
	})}}
	schemas["RouteProspectList"] = listOf("RouteProspect")
}

// routeNearbyParams are the query parameters of GET /api/v1/routes/{id}/nearby.
var routeNearbyParams = []param{
	{Name: "radius_m", In: "query", Type: "number", Description: "distance from a stop in metres (default 1000, at most 10000)"},
	{Name: "stage", In: "query", Type: "string", Description: "stage keys, comma-separated or repeated (default: the lead and opportunity stages)"},
	{Name: "rep_id", In: "query", Type: "integer", Description: "only the stops of this rep's route (default: every route of the plan)"},
	{Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 20, at most 200)"},
}

// nearStopJSON is the stop a prospect is nearest to.
type nearStopJSON struct {
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	RepID     int64  `json:"rep_id"`
	Position  int    `json:"position"`
}

func (s *Server) handleRouteNearby(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := app.RouteNearbyQuery{Stages: queryList(r, "stage")}
	if v := r.URL.Query().Get("radius_m"); v != "" {
		q.RadiusM, err = strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(q.RadiusM) || q.RadiusM <= 0 {
			return derrors.Invalidf("radius_m: %q is not a number of metres more than 0", v)
		}
	}
	if v := r.URL.Query().Get("rep_id"); v != "" {
		if q.RepID, err = strconv.ParseInt(v, 10, 64); err != nil || q.RepID <= 0 {
			return derrors.Invalidf("rep_id: %q is not a user id", v)
		}
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit <= 0 {
			return derrors.Invalidf("limit: %q is not a whole number more than 0", v)
		}
	}
	ps, err := s.svc.RouteNearby(ctx, actor, id, q)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	type prospectJSON struct {
		accountJSON
		DistanceM float64      `json:"distance_m"`
		NearStop  nearStopJSON `json:"near_stop"`
	}
	items := make([]prospectJSON, len(ps))
	for i, pr := range ps {
		items[i] = prospectJSON{accountJSON: n.account(pr.Account), DistanceM: math.Round(pr.DistanceM*10) / 10,
			NearStop: nearStopJSON{AccountID: pr.Stop.AccountID, Name: pr.Stop.Name, RepID: pr.RepID, Position: pr.Position}}
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}
