package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

// geometryJSON is a GeoJSON geometry; territories are always written as
// MultiPolygons and read as Polygons or MultiPolygons.
type geometryJSON struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

type territoryProps struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	Reps     []string `json:"reps"`
	RepIDs   []int64  `json:"rep_ids"`
	Color    string   `json:"color"`
	Parent   *string  `json:"parent"`
	ParentID *int64   `json:"parent_id"`
	AreaKm2  float64  `json:"area_km2"`
}

type featureJSON struct {
	Type       string         `json:"type"`
	ID         int64          `json:"id"`
	Geometry   geometryJSON   `json:"geometry"`
	Properties territoryProps `json:"properties"`
}

type featureCollectionJSON struct {
	Type     string        `json:"type"`
	Features []featureJSON `json:"features"`
	Total    int           `json:"total"`
}

func shapeCoords(m geo.MultiPolygon) json.RawMessage {
	b, _ := json.Marshal(m.Coordinates())
	return b
}

// parseShape reads a GeoJSON Polygon or MultiPolygon.
func parseShape(g geometryJSON) (geo.MultiPolygon, error) {
	toRing := func(c [][]float64) (geo.Ring, error) {
		r := make(geo.Ring, len(c))
		for i, p := range c {
			if len(p) < 2 {
				return nil, derrors.Invalidf("geometry: position %d has %d numbers, need lon and lat", i+1, len(p))
			}
			r[i] = geo.Point{Lon: p[0], Lat: p[1]}
		}
		return r, nil
	}
	toPoly := func(c [][][]float64) (geo.Polygon, error) {
		poly := make(geo.Polygon, len(c))
		for i, rc := range c {
			r, err := toRing(rc)
			if err != nil {
				return nil, err
			}
			poly[i] = r
		}
		return poly, nil
	}
	switch g.Type {
	case "Polygon":
		var c [][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, derrors.Invalidf("geometry: Polygon coordinates must be arrays of [lon, lat] rings")
		}
		p, err := toPoly(c)
		if err != nil {
			return nil, err
		}
		return geo.MultiPolygon{p}, nil
	case "MultiPolygon":
		var c [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &c); err != nil {
			return nil, derrors.Invalidf("geometry: MultiPolygon coordinates must be arrays of polygons")
		}
		m := make(geo.MultiPolygon, len(c))
		for i, pc := range c {
			p, err := toPoly(pc)
			if err != nil {
				return nil, err
			}
			m[i] = p
		}
		return m, nil
	}
	return nil, derrors.Invalidf("geometry: type %q is not Polygon or MultiPolygon", g.Type)
}

func (n *names) territory(t *territory.Territory) featureJSON {
	p := territoryProps{ID: t.ID, Name: t.Name, Color: t.Color, Reps: []string{}, RepIDs: []int64{}, AreaKm2: t.Shape.AreaKm2()}
	for _, id := range t.RepIDs {
		if u := n.users[id]; u != nil {
			p.Reps = append(p.Reps, u.Email)
			p.RepIDs = append(p.RepIDs, id)
		}
	}
	if par := n.terrs[t.ParentID]; par != nil {
		p.Parent, p.ParentID = ptr(par.Name), ptr(par.ID)
	}
	return featureJSON{Type: "Feature", ID: t.ID, Geometry: geometryJSON{Type: "MultiPolygon", Coordinates: shapeCoords(t.Shape)}, Properties: p}
}

func (s *Server) handleListTerritories(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	ts, err := s.svc.ListTerritories(ctx, actor)
	if err != nil {
		return err
	}
	fc := featureCollectionJSON{Type: "FeatureCollection", Features: []featureJSON{}, Total: len(ts)}
	for _, t := range ts {
		fc.Features = append(fc.Features, n.territory(t))
	}
	writeJSONType(w, http.StatusOK, "application/geo+json", fc)
	return nil
}

func (s *Server) handleGetTerritory(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.svc.GetTerritory(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	writeJSONType(w, http.StatusOK, "application/geo+json", n.territory(t))
	return nil
}

// territoryInput is a GeoJSON Feature, or a plain object with the same
// properties and a geometry.
type territoryInput struct {
	Type       string        `json:"type"`
	Geometry   *geometryJSON `json:"geometry"`
	Properties *struct {
		Name   *string   `json:"name"`
		Reps   *[]string `json:"reps"`
		Color  *string   `json:"color"`
		Parent *string   `json:"parent"`
	} `json:"properties"`
}

func (s *Server) applyTerritory(r *http.Request, actor *auth.Actor, n *names, t *territory.Territory, in territoryInput) error {
	if in.Type != "" && in.Type != "Feature" {
		return derrors.Invalidf("type: expected \"Feature\", got %q", in.Type)
	}
	if in.Geometry != nil {
		shape, err := parseShape(*in.Geometry)
		if err != nil {
			return err
		}
		t.Shape = shape
	}
	if p := in.Properties; p != nil {
		if p.Name != nil {
			t.Name = *p.Name
		}
		if p.Color != nil {
			t.Color = strings.TrimSpace(*p.Color)
		}
		if p.Parent != nil {
			if *p.Parent == "" {
				t.ParentID = 0
			} else {
				id, err := n.resolveTerritory("parent", *p.Parent)
				if err != nil {
					return err
				}
				t.ParentID = id
			}
		}
		if p.Reps != nil {
			ids, err := s.svc.RepIDsByEmail(r.Context(), *p.Reps)
			if err != nil {
				return err
			}
			t.RepIDs = ids
		}
	}
	return nil
}

func (s *Server) handleCreateTerritory(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var in territoryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Geometry == nil {
		return derrors.Invalidf("geometry: required")
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	t := &territory.Territory{}
	if err := s.applyTerritory(r, actor, n, t, in); err != nil {
		return err
	}
	if err := s.svc.SaveTerritory(ctx, actor, t); err != nil {
		return err
	}
	n, _ = s.names(ctx, actor)
	w.Header().Set("Location", "/api/v1/territories/"+fmtID(t.ID))
	writeJSONType(w, http.StatusCreated, "application/geo+json", n.territory(t))
	return nil
}

func (s *Server) handleUpdateTerritory(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in territoryInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := actor.RequireManager(); err != nil {
		return err
	}
	t, err := s.svc.GetTerritory(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	if err := s.applyTerritory(r, actor, n, t, in); err != nil {
		return err
	}
	if err := s.svc.SaveTerritory(ctx, actor, t); err != nil {
		return err
	}
	n, _ = s.names(ctx, actor)
	writeJSONType(w, http.StatusOK, "application/geo+json", n.territory(t))
	return nil
}
