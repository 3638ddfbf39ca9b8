package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/derrors"
)

func init() {
	str, num, in, boolean := typ("string"), typ("number"), typ("integer"), typ("boolean")
	schemas["FunnelRequest"] = props([]string{"steps"}, obj{
		"steps": arr(str), "window": str, "mode": str, "breakdown": str, "from": str, "to": str, "per_account": boolean, "dropoff_step": in, "map_selection": boolean,
		"exclusions": arr(props([]string{"filter", "from_step", "to_step"}, obj{"filter": str, "from_step": in, "to_step": in})),
	})
	schemas["FunnelReport"] = props([]string{"steps"}, obj{
		"steps": arr(props([]string{"filter", "accounts", "conversion", "median_seconds"}, obj{"filter": str, "accounts": in, "conversion": num,
			"conversion_from_previous": num, "dropped_off": in, "median_seconds": num, "mean_seconds": num})),
		"per_account":     arr(props([]string{"account", "level"}, obj{"account": str, "id": in, "level": in})),
		"weeks":           arr(props(nil, obj{"week": str, "entered": in, "converted": in, "conversion": num})),
		"time_to_convert": arr(props(nil, obj{"label": str, "max_seconds": num, "accounts": in})),
		"breakdown":       arr(props(nil, obj{"value": str, "accounts": arr(in)})),
		"selection":       ref("Selection"),
		"window_seconds":  in, "mode": str, "accounts": in, "excluded": in, "median_convert_seconds": num, "interactions": in, "seconds": num,
	})
	schemas["PathsRequest"] = props([]string{"anchor"}, obj{"anchor": str, "direction": str, "depth": in, "label": str, "top": in})
	schemas["PathReport"] = props(nil, obj{"accounts": in,
		"paths": arr(props(nil, obj{"steps": arr(str), "accounts": in, "share": num})),
		"nodes": arr(props(nil, obj{"id": str, "label": str, "position": in, "accounts": in})),
		"links": arr(props(nil, obj{"source": str, "target": str, "accounts": in}))})
	credit := func(key string) obj { return arr(props(nil, obj{key: str, "credit": num, "revenue": num})) }
	schemas["AttributionRequest"] = props([]string{"conversion"}, obj{"conversion": str, "touch": str, "model": str, "lookback": str, "half_life": str, "from": str, "to": str})
	schemas["AttributionReport"] = props([]string{"conversions", "channels"}, obj{"model": str, "conversions": in, "revenue": num,
		"channels": credit("channel"), "types": credit("type"), "variants": credit("variant")})
	schemas["VariantsRequest"] = props([]string{"exposure", "conversion"}, obj{"exposure": str, "conversion": str, "window": str, "seed": in})
	schemas["VariantReport"] = props(nil, obj{"control": str, "warnings": arr(str), "variants": arr(props(nil, obj{"variant": str, "accounts": in, "converted": in,
		"conversion": num, "probability_best": num, "lift": num, "z": num, "p_value": num}))})
	schemas["SegmentsRequest"] = props(nil, obj{"conversion": str, "min_k": in, "max_k": in, "seed": in, "map_selection": boolean})
	schemas["SegmentReport"] = props(nil, obj{"features": arr(str), "k": in, "silhouette": obj{"type": "object", "additionalProperties": num},
		"segments": arr(props(nil, obj{"id": in, "name": str, "accounts": in, "share": num, "means": obj{"type": "object", "additionalProperties": num},
			"distinct": arr(props(nil, obj{"feature": str, "z": num})),
			"rule":     props(nil, obj{"name": str, "all": arr(props(nil, obj{"feature": str, "op": str, "value": num}))})})),
		"odds_ratios": arr(props(nil, obj{"touchpoint": str, "with": in, "converted": in, "odds_ratio": num, "low": num, "high": num})),
		"selection":   ref("Selection")})
	// A selection is either a list of accounts or labelled groups of them
	// (the map colours by group).
	schemas["SelectionInput"] = props(nil, obj{"label": str, "account_ids": arr(in),
		"groups": arr(props([]string{"label", "account_ids"}, obj{"label": str, "account_ids": arr(in)}))})
	schemas["Selection"] = props([]string{"id", "accounts"}, obj{"id": str, "label": str, "accounts": in, "ids": arr(in), "created_at": str,
		"groups": arr(props([]string{"label", "accounts"}, obj{"label": str, "accounts": in})), "group_of": arr(in)})
}

func (s *Server) handleFunnel(w http.ResponseWriter, r *http.Request) error {
	var req app.FunnelRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rep, err := s.svc.Funnel(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handlePaths(w http.ResponseWriter, r *http.Request) error {
	var req app.PathsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Paths(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleAttribution(w http.ResponseWriter, r *http.Request) error {
	var req app.AttributionRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Attribution(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleVariants(w http.ResponseWriter, r *http.Request) error {
	var req app.VariantsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Variants(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleSegments(w http.ResponseWriter, r *http.Request) error {
	var req app.SegmentsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := s.svc.Segments(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleSaveSelection(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Label      string           `json:"label"`
		AccountIDs []int64          `json:"account_ids"`
		Groups     []app.GroupInput `json:"groups"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	var sel *app.Selection
	var err error
	switch {
	case body.AccountIDs != nil && body.Groups != nil:
		return derrors.Invalidf("account_ids: give account_ids or groups, not both")
	case body.Groups != nil:
		sel, err = s.svc.SaveGroupedSelection(r.Context(), actorFrom(r.Context()), body.Label, body.Groups)
	case body.AccountIDs != nil:
		sel, err = s.svc.SaveSelection(r.Context(), actorFrom(r.Context()), body.Label, body.AccountIDs)
	default:
		return derrors.Invalidf("account_ids: required (a list of account ids), or groups (labelled lists of them)")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, sel)
	return nil
}

func (s *Server) handleGetSelection(w http.ResponseWriter, r *http.Request) error {
	sel, err := s.svc.GetSelection(r.Context(), actorFrom(r.Context()), r.PathValue("selection"))
	if err != nil {
		return err
	}
	switch v := r.URL.Query().Get("ids"); v {
	case "", "true":
	case "false": // the label and groups only, for the map's legend
		sel.IDs, sel.GroupOf = nil, nil
	default:
		return derrors.Invalidf("ids: %q is not true or false", v)
	}
	writeJSON(w, http.StatusOK, sel)
	return nil
}

// selectionIDs turns the account filter's selection= parameter into the
// accounts it holds; an empty selection selects no account (id 0).
func (s *Server) selectionIDs(r *http.Request) ([]int64, error) {
	id := r.URL.Query().Get("selection")
	if id == "" {
		return nil, nil
	}
	sel, err := s.svc.GetSelection(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	if len(sel.IDs) == 0 {
		return []int64{0}, nil
	}
	return sel.IDs, nil
}
