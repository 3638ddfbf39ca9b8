package territory

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/geo"
)

func TestWriteKML(t *testing.T) {
	holed := geo.Difference(box(-105, 39, -104, 40), box(-104.8, 39.2, -104.6, 39.4))
	ts := []*Territory{
		{ID: 7, Name: `North & "East" <1>`, Color: "#1f77b4", Shape: holed},
		{ID: 8, Name: "Child", Color: "#ff7f0e", ParentID: 7, Shape: box(-104.9, 39.5, -104.8, 39.6)},
	}
	var buf bytes.Buffer
	err := WriteKML(&buf, ts, func(t *Territory) KMLInfo {
		if t.ID == 8 {
			return KMLInfo{Reps: []string{"ann@example.com"}, Parent: ts[0].Name}
		}
		return KMLInfo{}
	})
	if err != nil {
		t.Fatal(err)
	}
	// It must parse as XML and carry the names back unchanged.
	var doc struct {
		Placemarks []struct {
			Name string `xml:"name"`
			Data []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value"`
			} `xml:"ExtendedData>Data"`
			Polygons []struct {
				Outer string   `xml:"outerBoundaryIs>LinearRing>coordinates"`
				Inner []string `xml:"innerBoundaryIs>LinearRing>coordinates"`
			} `xml:"MultiGeometry>Polygon"`
			Color string `xml:"Style>PolyStyle>color"`
		} `xml:"Document>Placemark"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("KML does not parse: %v\n%s", err, buf.String())
	}
	if len(doc.Placemarks) != 2 {
		t.Fatalf("%d placemarks, want 2", len(doc.Placemarks))
	}
	p := doc.Placemarks[0]
	if p.Name != ts[0].Name {
		t.Errorf("name = %q, want %q", p.Name, ts[0].Name)
	}
	if len(p.Polygons) != 1 || len(p.Polygons[0].Inner) != 1 {
		t.Fatalf("polygons = %+v, want one with one hole", p.Polygons)
	}
	if !strings.HasPrefix(p.Polygons[0].Outer, "-105,39 ") && !strings.Contains(p.Polygons[0].Outer, "-105,39") {
		t.Errorf("outer ring %q: want lon,lat pairs", p.Polygons[0].Outer)
	}
	if p.Color != "66b4771f" {
		t.Errorf("fill colour = %q, want 66b4771f (aabbggrr)", p.Color)
	}
	got := map[string]string{}
	for _, d := range doc.Placemarks[1].Data {
		got[d.Name] = d.Value
	}
	if got["parent"] != ts[0].Name || got["reps"] != "ann@example.com" {
		t.Errorf("child data = %v", got)
	}
}
