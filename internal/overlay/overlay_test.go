package overlay

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/geo"
)

const swaths = `{"type":"FeatureCollection","name":"Hail 2025-06-01","features":[
 {"type":"Feature","properties":{"name":"Swath A","date":"2025-06-01","severity":3},
  "geometry":{"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1,0.5],[1,1],[0.5,1],[0.5,0.5]]]}},
 {"type":"Feature","properties":{"severity":1},
  "geometry":{"type":"MultiPolygon","coordinates":[[[[10,10],[11,10],[11,11],[10,11],[10,10]]]]}}]}`

func TestParseContainsAndRoundTrip(t *testing.T) {
	o, err := Parse("", []byte(swaths))
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "Hail 2025-06-01" || o.Count != 2 {
		t.Errorf("Parse = name %q, %d features; want Hail 2025-06-01, 2", o.Name, o.Count)
	}
	want := geo.BBox{MinLon: 0, MinLat: 0, MaxLon: 11, MaxLat: 11}
	if o.BBox != want {
		t.Errorf("BBox = %v, want %v", o.BBox, want)
	}
	tests := []struct {
		p    geo.Point
		want bool
	}{
		{geo.Point{Lon: 1.5, Lat: 1.5}, true},
		{geo.Point{Lon: 0.75, Lat: 0.75}, false}, // in the hole
		{geo.Point{Lon: 10.5, Lat: 10.5}, true},
		{geo.Point{Lon: 5, Lat: 5}, false}, // in the box, in no feature
		{geo.Point{Lon: 50, Lat: 5}, false},
	}
	for _, tt := range tests {
		if got := o.Contains(tt.p); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	b, err := o.MarshalFeatures()
	if err != nil {
		t.Fatal(err)
	}
	var back Overlay
	if err := back.UnmarshalFeatures(b); err != nil {
		t.Fatal(err)
	}
	back.BBox = o.BBox
	for _, tt := range tests {
		if got := back.Contains(tt.p); got != tt.want {
			t.Errorf("after a round trip Contains(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
	var sev int
	if err := json.Unmarshal(back.Features[0].Properties["severity"], &sev); err != nil || sev != 3 {
		t.Errorf("severity after a round trip = %d, %v; want 3", sev, err)
	}
	if !strings.Contains(string(back.Features[0].Properties["date"]), "2025-06-01") {
		t.Errorf("date after a round trip = %s", back.Features[0].Properties["date"])
	}
}

func TestParseNamesTheBadFeature(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"no name", `{"type":"FeatureCollection","features":[]}`, "name: required"},
		{"empty", `{"type":"FeatureCollection","name":"x","features":[]}`, "no features"},
		{"not closed", `{"type":"FeatureCollection","name":"x","features":[
			{"type":"Feature","properties":{"name":"ok"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
			{"type":"Feature","properties":{"name":"Swath B"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}}]}`,
			`feature 2 ("Swath B"): polygon 1 ring 1 is not closed`},
		{"longitude 500", `{"type":"FeatureCollection","name":"x","features":[
			{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[500,0],[1,1],[0,0]]]}}]}`,
			`feature 1: polygon 1 ring 1 point 2`},
		{"point", `{"type":"FeatureCollection","name":"x","features":[
			{"type":"Feature","properties":{"name":"P"},"geometry":{"type":"Point","coordinates":[0,0]}}]}`,
			`feature 1 ("P"): geometry type "Point" is not supported`},
		{"bad position", `{"type":"FeatureCollection","name":"x","features":[
			{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1],[1,1],[0,0]]]}}]}`,
			`feature 1: polygon 1 ring 1 point 2: a position needs [lon, lat]`},
		{"not geojson", `[1,2]`, "expected a FeatureCollection"},
	}
	for _, tt := range tests {
		_, err := Parse("", []byte(tt.body))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Parse = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
