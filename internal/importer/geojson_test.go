package importer

import (
	"bytes"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// pt is a point at (lon, lat).
func pt(lon, lat float64) geo.Point { return geo.Point{Lon: lon, Lat: lat} }

// square is a closed counter-clockwise ring around (lon, lat).
func square(lon, lat, d float64) geo.Ring {
	return geo.Ring{pt(lon-d, lat-d), pt(lon+d, lat-d), pt(lon+d, lat+d), pt(lon-d, lat+d), pt(lon-d, lat-d)}
}

// ringJSON writes a ring as GeoJSON coordinates.
func ringJSON(r geo.Ring) string {
	parts := make([]string, len(r))
	for i, p := range r {
		parts[i] = fmt.Sprintf("[%v,%v]", p.Lon, p.Lat)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// feature writes a Feature with the given geometry and properties JSON.
func feature(geometry, props string) string {
	return `{"type":"Feature","geometry":` + geometry + `,"properties":` + props + `}`
}

func polygonJSON(rings ...geo.Ring) string {
	parts := make([]string, len(rings))
	for i, r := range rings {
		parts[i] = ringJSON(r)
	}
	return `{"type":"Polygon","coordinates":[` + strings.Join(parts, ",") + `]}`
}

func collection(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",\n") + `]}`
}

func TestReadTerritories(t *testing.T) {
	north := square(10, 50, 1)
	hole := square(10, 50, 0.2)
	south := square(10, 40, 1)
	tests := []struct {
		name string
		in   string
		want []TerritoryFeature
	}{
		{
			name: "collection of Polygon and MultiPolygon",
			in: "\xEF\xBB\xBF" + collection(
				feature(polygonJSON(north, hole), `{"name":" North ","reps":["ann@example.com","bob@example.com","ANN@example.com",""],"color":"#1F77b4"}`),
				feature(`{"type":"MultiPolygon","coordinates":[[`+ringJSON(south)+`],[`+ringJSON(square(20, 40, 1))+`]]}`,
					`{"name":"South","reps":"carl@example.com, dana@example.com","parent":"North","id":7,"extra":{"a":[1,2]}}`),
			),
			want: []TerritoryFeature{
				{Index: 1, Name: "North", Reps: []string{"ann@example.com", "bob@example.com"}, Color: "#1F77b4", Shape: geo.MultiPolygon{{north, hole}}},
				{Index: 2, Name: "South", Reps: []string{"carl@example.com", "dana@example.com"}, Parent: "North",
					Shape: geo.MultiPolygon{{south}, {square(20, 40, 1)}}},
			},
		},
		{
			name: "a single Feature, altitudes ignored, null properties dropped",
			in:   feature(`{"type":"Polygon","coordinates":[[[0,0,5],[1,0,5],[1,1,5],[0,0,5]]]}`, `{"name":"Tri","reps":null,"color":null,"parent":""}`),
			want: []TerritoryFeature{{Index: 1, Name: "Tri", Shape: geo.MultiPolygon{{{pt(0, 0), pt(1, 0), pt(1, 1), pt(0, 0)}}}}},
		},
		{
			name: "parent outside the file",
			in:   collection(feature(polygonJSON(north), `{"name":"North","parent":"Europe"}`)),
			want: []TerritoryFeature{{Index: 1, Name: "North", Parent: "Europe", Shape: geo.MultiPolygon{{north}}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTerritories(strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("ReadTerritories() = %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadTerritories() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTerritoriesErrors(t *testing.T) {
	ok := feature(polygonJSON(square(0, 0, 1)), `{"name":"Fine"}`)
	open := `{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`
	bowTie := `{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}`
	tests := []struct {
		name, in, want string
	}{
		{"ring not closed", collection(ok, feature(polygonJSON(square(5, 5, 1)), `{"name":"Other"}`), feature(open, `{"name":"North"}`)),
			`feature 3 ("North"): polygon 1 ring 1 is not closed: first point {0 0} differs from last {0 1}`},
		{"self-intersecting bow-tie", collection(feature(bowTie, `{"name":"Bow"}`)),
			`feature 1 ("Bow"): polygon 1 ring 1 intersects itself (edges 1 and 3 cross)`},
		{"latitude 95", collection(feature(`{"type":"Polygon","coordinates":[[[0,90],[1,95],[1,89],[0,90]]]}`, `{"name":"Pole"}`)),
			`feature 1 ("Pole"): polygon 1 ring 1 point 2: latitude 95 is outside [-90, 90]`},
		{"Point geometry", collection(ok, feature(`{"type":"Point","coordinates":[1,2]}`, `{"name":"Spot"}`)),
			`feature 2 ("Spot"): geometry type "Point" is not supported; territories need a Polygon or MultiPolygon`},
		{"duplicate names", collection(ok, feature(polygonJSON(square(5, 5, 1)), `{"name":"fine"}`)),
			`feature 2 ("fine"): the name is already used by feature 1; names must be unique`},
		{"no name", collection(feature(polygonJSON(square(5, 5, 1)), `{"color":"#000000"}`)),
			`feature 1: properties.name is required`},
		{"name not a string", collection(feature(polygonJSON(square(5, 5, 1)), `{"name":12}`)),
			`feature 1: properties.name must be a string, got a number`},
		{"no properties", collection(`{"type":"Feature","geometry":` + polygonJSON(square(5, 5, 1)) + `}`),
			`feature 1: properties.name is required`},
		{"no geometry", collection(`{"type":"Feature","properties":{"name":"Ghost"}}`),
			`feature 1 ("Ghost"): geometry is missing; territories need a Polygon or MultiPolygon`},
		{"null geometry", collection(feature(`null`, `{"name":"Ghost"}`)),
			`feature 1 ("Ghost"): geometry is missing; territories need a Polygon or MultiPolygon`},
		{"string coordinate", collection(feature(`{"type":"Polygon","coordinates":[[[0,0],[1,"0"],[1,1],[0,0]]]}`, `{"name":"S"}`)),
			`feature 1 ("S"): polygon 1 ring 1 position 2: coordinate 2 must be a number, got a string`},
		{"null coordinate", collection(feature(`{"type":"Polygon","coordinates":[[[0,0],[1,null],[1,1],[0,0]]]}`, `{"name":"S"}`)),
			`feature 1 ("S"): polygon 1 ring 1 position 2: coordinate 2 must be a number, got null`},
		{"one-number position", collection(feature(`{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}`, `{"name":"S"}`)),
			`feature 1 ("S"): polygon 1 ring 1 position 2 has 1 numbers; a position needs a longitude and a latitude`},
		{"MultiPolygon one level short", collection(feature(`{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}`, `{"name":"M"}`)),
			`feature 1 ("M"): polygon 1 ring 1 position 1 must be an array, got a number`},
		{"coordinates not an array", collection(feature(`{"type":"Polygon","coordinates":{"a":1}}`, `{"name":"M"}`)),
			`feature 1 ("M"): polygon 1 must be an array, got an object`},
		{"empty polygon", collection(feature(`{"type":"Polygon","coordinates":[]}`, `{"name":"E"}`)),
			`feature 1 ("E"): polygon 1 has no rings`},
		{"huge number", collection(feature(`{"type":"Polygon","coordinates":[[[0,0],[1,1e999],[1,1],[0,0]]]}`, `{"name":"H"}`)),
			`feature 1 ("H"): polygon 1 ring 1 position 2: coordinate 2 (1e999) is out of range`},
		{"bad colour", collection(feature(polygonJSON(square(5, 5, 1)), `{"name":"C","color":"red"}`)),
			`feature 1 ("C"): properties.color "red" is not a #rrggbb colour`},
		{"bad rep", collection(feature(polygonJSON(square(5, 5, 1)), `{"name":"R","reps":["ann@example.com","bob"]}`)),
			`feature 1 ("R"): properties.reps: "bob" is not an email address`},
		{"rep not a string", collection(feature(polygonJSON(square(5, 5, 1)), `{"name":"R","reps":[1]}`)),
			`feature 1 ("R"): properties.reps[0] must be an email, got a number`},
		{"own parent", collection(feature(polygonJSON(square(5, 5, 1)), `{"name":"P","parent":"p"}`)),
			`feature 1 ("P"): properties.parent names the territory itself`},
		{"parent loop", collection(
			feature(polygonJSON(square(5, 5, 1)), `{"name":"A","parent":"B"}`),
			feature(polygonJSON(square(5, 5, 2)), `{"name":"B","parent":"A"}`)),
			`feature 1 ("A"): the parent properties form a loop: A → B → A`},
		{"not a feature", collection(`{"type":"Polygon","properties":{"name":"X"}}`),
			`feature 1 ("X"): "type" is "Polygon"; expected "Feature"`},
		{"bare geometry", polygonJSON(square(0, 0, 1)),
			`GeoJSON: the file is a bare Polygon geometry; territories need a FeatureCollection of Features, each with a "name" property`},
		{"empty collection", `{"type":"FeatureCollection","features":[]}`, `GeoJSON: the FeatureCollection has no features`},
		{"features not an array", `{"type":"FeatureCollection","features":{}}`, `GeoJSON: "features" must be an array of features, got object`},
		{"unknown type", `{"type":"Topology"}`, `GeoJSON: "type" is "Topology"; expected "FeatureCollection" or "Feature"`},
		{"not an object", `[1,2]`, `GeoJSON: expected an object with "type": "FeatureCollection", got an array`},
		{"empty", " \n", `GeoJSON: the file is empty: expected a FeatureCollection`},
		{"not JSON", "{\n\"type\": FeatureCollection}", `GeoJSON: not valid JSON at line 2, character 10: invalid character 'F' looking for beginning of value`},
		{"too deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), `GeoJSON: arrays and objects nest more than 64 deep at line 1, character 65`},
		{"several bad features", collection(ok, feature(open, `{"name":"North"}`), feature(`null`, `{"name":"Ghost"}`)),
			"GeoJSON: 2 of 3 features are invalid; nothing was imported:\n" +
				`feature 2 ("North"): polygon 1 ring 1 is not closed: first point {0 0} differs from last {0 1}` + "\n" +
				`feature 3 ("Ghost"): geometry is missing; territories need a Polygon or MultiPolygon`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadTerritories(strings.NewReader(tt.in))
			if err == nil || err.Error() != tt.want {
				t.Fatalf("ReadTerritories() = %v, %v; want error %q", got, err, tt.want)
			}
			if !derrors.Is(err, derrors.Invalid) {
				t.Errorf("KindOf(err) = %v, want invalid", derrors.KindOf(err))
			}
		})
	}
}

func TestReadTerritoriesListsAtMostTen(t *testing.T) {
	var fs []string
	for i := range 15 {
		fs = append(fs, feature(`null`, fmt.Sprintf(`{"name":"T%d"}`, i)))
	}
	_, err := ReadTerritories(strings.NewReader(collection(fs...)))
	if err == nil {
		t.Fatal("ReadTerritories() = nil error, want one")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "GeoJSON: 15 of 15 features are invalid") || !strings.HasSuffix(msg, "\n… and 5 more invalid features") ||
		strings.Count(msg, "\n") != 11 {
		t.Errorf("ReadTerritories() = %q, want 10 features listed and 5 more counted", msg)
	}
}

func TestEncodeFeatureCollection(t *testing.T) {
	cw := geo.Ring{pt(0, 0), pt(0, 1), pt(1, 1), pt(1, 0), pt(0, 0)}            // clockwise
	holeCCW := geo.Ring{pt(0.2, 0.2), pt(0.4, 0.2), pt(0.4, 0.4), pt(0.2, 0.2)} // counter-clockwise
	loc := geo.Point{Lon: 2.3522, Lat: 48.8566}
	features := []Feature{
		{Geometry: geo.MultiPolygon{{cw, holeCCW}}, Properties: map[string]any{"name": "North", "reps": []string{"a@x.io"}, "color": "#1f77b4", "note": "<b>&"}},
		{Geometry: loc, Properties: map[string]any{"name": "Acme", "value": 1.5, "custom": map[string]string{"z": "1", "a": "2"}}},
		{Geometry: &loc},
		{Geometry: (*geo.Point)(nil), Properties: map[string]any{}},
		{Geometry: geo.Polygon{square(5, 5, 1)}},
	}
	var b bytes.Buffer
	if err := EncodeFeatureCollection(&b, features); err != nil {
		t.Fatalf("EncodeFeatureCollection() = %v", err)
	}
	want := `{"type":"FeatureCollection","features":[
{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]],[[0.2,0.2],[0.4,0.4],[0.4,0.2],[0.2,0.2]]]]},"properties":{"color":"#1f77b4","name":"North","note":"<b>&","reps":["a@x.io"]}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[2.3522,48.8566]},"properties":{"custom":{"a":"2","z":"1"},"name":"Acme","value":1.5}},
{"type":"Feature","geometry":{"type":"Point","coordinates":[2.3522,48.8566]},"properties":{}},
{"type":"Feature","geometry":null,"properties":{}},
{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[4,4],[6,4],[6,6],[4,6],[4,4]]]]},"properties":{}}
]}
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("EncodeFeatureCollection() mismatch (-want +got):\n%s", diff)
	}
	if cw[1] != pt(0, 1) {
		t.Errorf("EncodeFeatureCollection() changed its input ring to %v", cw)
	}

	b.Reset()
	if err := EncodeFeatureCollection(&b, nil); err != nil || b.String() != "{\"type\":\"FeatureCollection\",\"features\":[]}\n" {
		t.Errorf("EncodeFeatureCollection(nil) = %q, %v; want an empty collection", b.String(), err)
	}
}

func TestEncodeFeatureCollectionErrors(t *testing.T) {
	tests := []struct {
		name string
		f    Feature
		want string
	}{
		{"unsupported geometry", Feature{Geometry: "POINT(1 2)"}, "importer: feature 1: geometry of type string is not supported; use geo.Point or geo.MultiPolygon"},
		{"NaN coordinate", Feature{Geometry: geo.Point{Lon: math.NaN()}}, "importer: feature 1: coordinates (NaN, 0) are not finite numbers"},
		{"NaN property", Feature{Properties: map[string]any{"v": math.Inf(1)}}, `importer: feature 1: property "v": json: unsupported value: +Inf`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := EncodeFeatureCollection(&bytes.Buffer{}, []Feature{tt.f})
			if err == nil || err.Error() != tt.want {
				t.Errorf("EncodeFeatureCollection() = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTerritoriesRoundTrip writes territories and reads them back.
func TestTerritoriesRoundTrip(t *testing.T) {
	in := []TerritoryFeature{
		{Index: 1, Name: "North", Reps: []string{"ann@example.com"}, Color: "#1f77b4", Shape: geo.MultiPolygon{{square(10, 50, 1), square(10, 50, 0.25)}}},
		{Index: 2, Name: "North-East", Parent: "North", Shape: geo.MultiPolygon{{square(10.5, 50.5, 0.25)}, {square(30, 50, 1)}}},
	}
	var b bytes.Buffer
	if err := EncodeFeatureCollection(&b, territoryFeatures(in)); err != nil {
		t.Fatal(err)
	}
	got, err := ReadTerritories(&b)
	if err != nil {
		t.Fatalf("ReadTerritories(EncodeFeatureCollection()) = %v", err)
	}
	// The hole comes back clockwise, as RFC 7946 wants; compare it reversed.
	hole := got[0].Shape[0][1]
	for i, j := 0, len(hole)-1; i < j; i, j = i+1, j-1 {
		hole[i], hole[j] = hole[j], hole[i]
	}
	if diff := cmp.Diff(in, got); diff != "" {
		t.Errorf("round trip mismatch (-want +got):\n%s", diff)
	}
}

// territoryFeatures turns territories into features to encode.
func territoryFeatures(ts []TerritoryFeature) []Feature {
	fs := make([]Feature, len(ts))
	for i, t := range ts {
		props := map[string]any{"name": t.Name, "reps": t.Reps}
		if t.Color != "" {
			props["color"] = t.Color
		}
		if t.Parent != "" {
			props["parent"] = t.Parent
		}
		fs[i] = Feature{Geometry: t.Shape, Properties: props}
	}
	return fs
}
