package api

import (
	"net/http"
	"strconv"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

func init() {
	geom := props([]string{"type", "coordinates"}, obj{"type": obj{"enum": []string{"Polygon", "MultiPolygon"}}, "coordinates": typ("array")})
	named := props([]string{"id", "name"}, obj{"id": typ("integer"), "name": typ("string")})
	schemas["TerritoryCheckInput"] = props(nil, obj{"within": geom})
	schemas["TerritoryCheck"] = props([]string{"overlaps", "gaps", "unassigned_accounts", "territories_without_rep", "reps_without_territory"}, obj{
		"overlaps": arr(props([]string{"a", "b", "area_km2", "accounts"}, obj{"a": typ("string"), "b": typ("string"), "a_id": typ("integer"), "b_id": typ("integer"),
			"area_km2": typ("number"), "accounts": typ("integer"), "geometry": geom})),
		"gaps":                    arr(props([]string{"area_km2", "accounts"}, obj{"area_km2": typ("number"), "accounts": typ("integer"), "geometry": geom})),
		"unassigned_accounts":     typ("integer"),
		"unplaced_accounts":       typ("integer"),
		"territories_without_rep": arr(named),
		"reps_without_territory":  arr(named),
		"boundary":                typ("string"),
		"boundary_geometry":       geom,
	})
	schemas["TerritoryUnionInput"] = props([]string{"geometries"}, obj{"geometries": arr(geom),
		"save": props([]string{"name"}, obj{"name": typ("string"), "color": typ("string"), "parent": typ("string"), "reps": arr(typ("string"))})})
	schemas["TerritoryUnion"] = props([]string{"geometry", "area_km2"}, obj{"geometry": geom, "area_km2": typ("number"), "territory": ref("TerritoryFeature")})
	schemas["BalanceRequest"] = props([]string{"k"}, obj{"k": typ("integer"), "by": obj{"enum": []string{"accounts", "value", "workload"}},
		"centres": obj{"enum": []string{"", "reps"}}, "lock": arr(typ("string")), "parent": typ("string"), "apply": typ("boolean")})
	schemas["BalanceProposal"] = props([]string{"k", "territories", "max_min_ratio", "changes"}, obj{
		"k": typ("integer"), "by": typ("string"), "centres": typ("string"), "parent": typ("string"), "locked": arr(typ("string")), "balanced_accounts": typ("integer"),
		"territories": arr(props([]string{"name", "accounts", "total", "polsby_popper", "geometry"}, obj{"id": typ("integer"), "action": obj{"enum": []string{"update", "create"}},
			"name": typ("string"), "color": typ("string"), "reps": arr(typ("string")), "accounts": typ("integer"), "total": typ("number"), "value": typ("number"),
			"area_km2": typ("number"), "polsby_popper": typ("number"), "parts": typ("integer"), "geometry": geom})),
		"deleted": arr(typ("string")), "max_min_ratio": typ("number"), "accounts_max_min_ratio": typ("number"), "mean_polsby_popper": typ("number"),
		"changes": props([]string{"territory", "rep", "sample"}, obj{"territory": typ("integer"), "rep": typ("integer"), "sample": arr(props(nil, obj{
			"account_id": typ("integer"), "name": typ("string"), "from_territory": typ("string"), "to_territory": typ("string"), "from_rep": typ("string"), "to_rep": typ("string")}))}),
		"applied": typ("boolean"), "history_id": typ("integer"),
	})
	schemas["TerritoryHistoryList"] = props([]string{"items", "total"}, obj{"items": arr(props(nil, obj{"id": typ("integer"), "at": typ("string"), "actor": typ("string"),
		"action": typ("string"), "summary": typ("object"), "before": typ("object"), "after": typ("object")})), "total": typ("integer"), "next_cursor": nullable("string")})
}

func (s *Server) handleCheckTerritories(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var within geo.MultiPolygon
	if r.Method == http.MethodPost {
		var in struct {
			Within *geometryJSON `json:"within"`
		}
		if err := decode(r, &in); err != nil {
			return err
		}
		if in.Within != nil {
			m, err := parseShape(*in.Within)
			if err != nil {
				return derrors.Invalidf("within: %v", err)
			}
			within = m
		}
	}
	rep, err := s.svc.CheckTerritories(ctx, actor, within)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rep)
	return nil
}

func (s *Server) handleUnionTerritory(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var in struct {
		Geometries []geometryJSON `json:"geometries"`
		Save       *struct {
			Name   string   `json:"name"`
			Color  string   `json:"color"`
			Parent string   `json:"parent"`
			Reps   []string `json:"reps"`
		} `json:"save"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := actor.RequireManager(); err != nil {
		return err
	}
	shapes := make([]geo.MultiPolygon, len(in.Geometries))
	for i, g := range in.Geometries {
		m, err := parseShape(g)
		if err != nil {
			return derrors.Invalidf("geometries[%d]: %v", i, err)
		}
		shapes[i] = m
	}
	u, err := s.svc.UnionShapes(ctx, actor, shapes)
	if err != nil {
		return err
	}
	out := struct {
		Geometry  geometryJSON `json:"geometry"`
		AreaKm2   float64      `json:"area_km2"`
		Territory *featureJSON `json:"territory"`
	}{Geometry: geometryJSON{Type: "MultiPolygon", Coordinates: shapeCoords(u)}, AreaKm2: u.AreaKm2()}
	code := http.StatusOK
	if sv := in.Save; sv != nil {
		n, err := s.names(ctx, actor)
		if err != nil {
			return err
		}
		t := &territory.Territory{Name: sv.Name, Color: sv.Color, Shape: u}
		if sv.Parent != "" {
			if t.ParentID, err = n.resolveTerritory("save.parent", sv.Parent); err != nil {
				return err
			}
		}
		if len(sv.Reps) > 0 {
			if t.RepIDs, err = s.svc.RepIDsByEmail(ctx, sv.Reps); err != nil {
				return err
			}
		}
		if err := s.svc.SaveTerritory(ctx, actor, t); err != nil {
			return err
		}
		n, _ = s.names(ctx, actor)
		f := n.territory(t)
		out.Territory = &f
		code = http.StatusCreated
		w.Header().Set("Location", "/api/v1/territories/"+fmtID(t.ID))
	}
	writeJSON(w, code, out)
	return nil
}

func (s *Server) handleBalanceTerritories(w http.ResponseWriter, r *http.Request) error {
	var req app.BalanceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := s.svc.BalanceTerritories(r.Context(), actorFrom(r.Context()), req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleTerritoryHistory(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 20)
	if err != nil {
		return err
	}
	if limit == 0 || limit > 200 {
		limit = 20
	}
	var before int64
	if c := r.URL.Query().Get("cursor"); c != "" {
		if before, err = strconv.ParseInt(c, 10, 64); err != nil || before <= 0 {
			return derrors.Invalidf("cursor: %q is not a next_cursor of this list", c)
		}
	}
	l, err := s.svc.TerritoryHistory(r.Context(), actorFrom(r.Context()), limit+1, before)
	if err != nil {
		return err
	}
	items := l.Items
	var next *string
	if len(items) > limit {
		items = items[:limit]
		c := strconv.FormatInt(items[len(items)-1].ID, 10)
		next = &c
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": l.Total, "next_cursor": next})
	return nil
}
