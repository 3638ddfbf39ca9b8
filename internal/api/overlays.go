package api

import (
	"encoding/json"
	"net/http"

	"github.com/meridian-crm/meridian/internal/overlay"
)

func init() {
	schemas["Overlay"] = props([]string{"id", "name", "features", "bbox"}, obj{"id": typ("integer"), "name": typ("string"),
		"features": typ("integer"), "bbox": arr(typ("number")), "created_at": typ("string")})
	schemas["OverlayList"] = listOf("Overlay")
	schemas["OverlayInput"] = props([]string{"type", "features"}, obj{"type": obj{"const": "FeatureCollection"}, "name": typ("string"),
		"features": arr(props([]string{"type", "geometry"}, obj{"type": obj{"const": "Feature"}, "properties": typ("object"),
			"geometry": props([]string{"type", "coordinates"}, obj{"type": obj{"enum": []string{"Polygon", "MultiPolygon"}}, "coordinates": typ("array")})}))})
	schemas["OverlayCollection"] = props([]string{"type", "id", "name", "features"}, obj{"type": obj{"const": "FeatureCollection"}, "id": typ("integer"),
		"name": typ("string"), "bbox": arr(typ("number")), "features": typ("array")})
}

type overlayJSON struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Features  int        `json:"features"`
	BBox      [4]float64 `json:"bbox"`
	CreatedAt *string    `json:"created_at"`
}

func overlaySummary(o *overlay.Overlay) overlayJSON {
	b := o.BBox
	return overlayJSON{ID: o.ID, Name: o.Name, Features: o.Count, BBox: [4]float64{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat}, CreatedAt: timeJSON(o.CreatedAt)}
}

func (s *Server) handleListOverlays(w http.ResponseWriter, r *http.Request) error {
	os, err := s.svc.ListOverlays(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	items := make([]overlayJSON, len(os))
	for i, o := range os {
		items[i] = overlaySummary(o)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func (s *Server) handleCreateOverlay(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	if err := actor.RequireManager(); err != nil {
		return err
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	o, err := s.svc.CreateOverlay(ctx, actor, r.URL.Query().Get("name"), body)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/overlays/"+fmtID(o.ID))
	writeJSON(w, http.StatusCreated, overlaySummary(o))
	return nil
}

func (s *Server) handleGetOverlay(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.svc.GetOverlay(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	features, err := o.MarshalFeatures()
	if err != nil {
		return err
	}
	sum := overlaySummary(o)
	writeJSONType(w, http.StatusOK, "application/geo+json", struct {
		Type      string          `json:"type"`
		ID        int64           `json:"id"`
		Name      string          `json:"name"`
		BBox      [4]float64      `json:"bbox"`
		CreatedAt *string         `json:"created_at"`
		Features  json.RawMessage `json:"features"`
	}{"FeatureCollection", o.ID, o.Name, sum.BBox, sum.CreatedAt, features})
	return nil
}
