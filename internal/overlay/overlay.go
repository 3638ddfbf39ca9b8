// Package overlay holds map overlays: GeoJSON layers a manager imports to
// see on the map next to the accounts (a storm's hail swaths with a date and
// a severity, a flood zone, a new housing estate), and to pick out the
// accounts inside them.
//
// An overlay is a named set of polygonal features. Each feature keeps the
// properties it was imported with; its geometry must pass
// geo.MultiPolygon.Validate. Pure: parsing, checking and containment only.
package overlay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// MaxFeatures bounds the features of one overlay.
const MaxFeatures = 10000

// Feature is one shape of an overlay with its imported properties.
type Feature struct {
	Properties map[string]json.RawMessage
	Shape      geo.MultiPolygon
}

// Overlay is a named GeoJSON layer.
type Overlay struct {
	ID        int64
	Name      string
	Features  []Feature // nil in lists, which carry only the summary
	Count     int       // number of features
	BBox      geo.BBox
	CreatedBy int64
	CreatedAt time.Time
}

// Contains reports whether p lies inside any feature of o.
func (o *Overlay) Contains(p geo.Point) bool {
	if !o.BBox.Contains(p) {
		return false
	}
	for _, f := range o.Features {
		if f.Shape.Contains(p) {
			return true
		}
	}
	return false
}

// Parse reads a GeoJSON FeatureCollection (or one Feature) as an overlay.
// The name is name when not empty, else the collection's "name" member.
// Every feature needs a Polygon or MultiPolygon geometry that passes
// geo.MultiPolygon.Validate; the Invalid error names the first bad feature
// by its 1-based index and its properties.name, if any.
func Parse(name string, data []byte) (*Overlay, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, derrors.Invalidf("GeoJSON: expected a FeatureCollection object: %v", err)
	}
	var typ string
	_ = json.Unmarshal(top["type"], &typ)
	var raws []json.RawMessage
	switch typ {
	case "FeatureCollection":
		if err := json.Unmarshal(top["features"], &raws); err != nil || raws == nil {
			return nil, derrors.Invalidf("GeoJSON: \"features\" must be an array of Features")
		}
	case "Feature":
		raws = []json.RawMessage{data}
	default:
		return nil, derrors.Invalidf("GeoJSON: \"type\" is %q; expected \"FeatureCollection\"", typ)
	}
	if name = strings.TrimSpace(name); name == "" {
		_ = json.Unmarshal(top["name"], &name)
		name = strings.TrimSpace(name)
	}
	o := &Overlay{Name: name, BBox: geo.EmptyBBox()}
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if len(raws) == 0 {
		return nil, derrors.Invalidf("GeoJSON: the collection has no features")
	}
	if len(raws) > MaxFeatures {
		return nil, derrors.Invalidf("GeoJSON: %d features; an overlay holds at most %d", len(raws), MaxFeatures)
	}
	for i, raw := range raws {
		f, err := readFeature(raw)
		if err != nil {
			return nil, derrors.Invalidf("%s: %v", label(i+1, f.Properties), err)
		}
		b := f.Shape.Bounds()
		o.BBox = o.BBox.Extend(geo.Point{Lon: b.MinLon, Lat: b.MinLat}).Extend(geo.Point{Lon: b.MaxLon, Lat: b.MaxLat})
		o.Features = append(o.Features, f)
	}
	o.Count = len(o.Features)
	return o, nil
}

// Validate checks the overlay's name.
func (o *Overlay) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return derrors.Invalidf("name: required (give \"name\" in the FeatureCollection or ?name=)")
	}
	if len(o.Name) > 200 {
		return derrors.Invalidf("name: at most 200 characters, got %d", len(o.Name))
	}
	return nil
}

func label(i int, props map[string]json.RawMessage) string {
	var name string
	if json.Unmarshal(props["name"], &name) == nil && strings.TrimSpace(name) != "" {
		n := strings.TrimSpace(name)
		if len(n) > 80 {
			n = n[:80] + "…"
		}
		return fmt.Sprintf("feature %d (%q)", i, n)
	}
	return fmt.Sprintf("feature %d", i)
}

func readFeature(raw json.RawMessage) (Feature, error) {
	var f Feature
	var obj struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
		Geometry   json.RawMessage            `json:"geometry"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return f, fmt.Errorf("expected a Feature object")
	}
	f.Properties = obj.Properties
	if obj.Type != "Feature" {
		return f, fmt.Errorf("\"type\" is %q; expected \"Feature\"", obj.Type)
	}
	if f.Properties == nil {
		f.Properties = map[string]json.RawMessage{}
	}
	if len(obj.Geometry) == 0 || bytes.Equal(bytes.TrimSpace(obj.Geometry), []byte("null")) {
		return f, fmt.Errorf("geometry is missing; overlays need a Polygon or MultiPolygon")
	}
	var g struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(obj.Geometry, &g); err != nil {
		return f, fmt.Errorf("geometry must be an object")
	}
	var err error
	switch g.Type {
	case "Polygon":
		var c [][][]float64
		if err = json.Unmarshal(g.Coordinates, &c); err != nil {
			return f, fmt.Errorf("Polygon coordinates must be an array of rings of [lon, lat] positions")
		}
		var p geo.Polygon
		p, err = polygon(c, 1)
		f.Shape = geo.MultiPolygon{p}
	case "MultiPolygon":
		var c [][][][]float64
		if err = json.Unmarshal(g.Coordinates, &c); err != nil {
			return f, fmt.Errorf("MultiPolygon coordinates must be an array of polygons of rings of [lon, lat] positions")
		}
		for i, pc := range c {
			var p geo.Polygon
			if p, err = polygon(pc, i+1); err != nil {
				break
			}
			f.Shape = append(f.Shape, p)
		}
	default:
		return f, fmt.Errorf("geometry type %q is not supported; overlays need a Polygon or MultiPolygon", g.Type)
	}
	if err != nil {
		return f, err
	}
	if err := f.Shape.Validate(); err != nil {
		return f, err
	}
	return f, nil
}

func polygon(c [][][]float64, n int) (geo.Polygon, error) {
	var p geo.Polygon
	for ri, rc := range c {
		var r geo.Ring
		for pi, pos := range rc {
			if len(pos) < 2 {
				return nil, fmt.Errorf("polygon %d ring %d point %d: a position needs [lon, lat]", n, ri+1, pi+1)
			}
			r = append(r, geo.Point{Lon: pos[0], Lat: pos[1]})
		}
		p = append(p, r)
	}
	return p, nil
}

// featureJSON is a feature as stored and served.
type featureJSON struct {
	Type       string                     `json:"type"`
	ID         int                        `json:"id"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   geometryJSON               `json:"geometry"`
}

type geometryJSON struct {
	Type        string           `json:"type"`
	Coordinates [][][][2]float64 `json:"coordinates"`
}

// MarshalFeatures encodes o's features as a JSON array of GeoJSON Features
// (MultiPolygon geometries, ids from 1), for storage and for the map.
func (o *Overlay) MarshalFeatures() ([]byte, error) {
	fs := make([]featureJSON, len(o.Features))
	for i, f := range o.Features {
		props := f.Properties
		if props == nil {
			props = map[string]json.RawMessage{}
		}
		fs[i] = featureJSON{Type: "Feature", ID: i + 1, Properties: props, Geometry: geometryJSON{Type: "MultiPolygon", Coordinates: f.Shape.Coordinates()}}
	}
	return json.Marshal(fs)
}

// UnmarshalFeatures is the inverse of MarshalFeatures.
func (o *Overlay) UnmarshalFeatures(data []byte) error {
	var fs []featureJSON
	if err := json.Unmarshal(data, &fs); err != nil {
		return err
	}
	o.Features = make([]Feature, len(fs))
	for i, f := range fs {
		o.Features[i] = Feature{Properties: f.Properties, Shape: geo.FromCoordinates(f.Geometry.Coordinates)}
	}
	o.Count = len(fs)
	return nil
}

// Store keeps overlays. Methods return derrors NotFound for a missing
// overlay and Conflict for a second one with the same name.
type Store interface {
	// CreateOverlay inserts o with its features, setting ID and CreatedAt.
	CreateOverlay(ctx context.Context, o *Overlay) error
	// GetOverlay returns an overlay with its features, or NotFound.
	GetOverlay(ctx context.Context, id int64) (*Overlay, error)
	// ListOverlays returns every overlay by name, without features.
	ListOverlays(ctx context.Context) ([]*Overlay, error)
	// DeleteOverlay removes an overlay, or NotFound.
	DeleteOverlay(ctx context.Context, id int64) error
}
