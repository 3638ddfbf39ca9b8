package territory

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/geo"
)

// KMLInfo is what a KML placemark says of a territory besides its shape.
type KMLInfo struct {
	Reps   []string // emails
	Parent string   // the parent's name, "" at the top
}

// WriteKML writes territories as a KML 2.2 document (Google Earth, My Maps):
// one Placemark per territory, its shape a MultiGeometry of Polygons in
// "lon,lat" coordinates (KML's own order), filled in the territory's colour
// at 40 % opacity, with name, reps and parent as ExtendedData.
func WriteKML(w io.Writer, ts []*Territory, info func(*Territory) KMLInfo) error {
	bw := bufio.NewWriter(w)
	esc := func(s string) string {
		var b strings.Builder
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<kml xmlns="http://www.opengis.net/kml/2.2">` + "\n<Document>\n<name>Territories</name>\n")
	for _, t := range ts {
		in := KMLInfo{}
		if info != nil {
			in = info(t)
		}
		bw.WriteString("<Placemark id=\"territory-" + strconv.FormatInt(t.ID, 10) + "\">\n")
		bw.WriteString("<name>" + esc(t.Name) + "</name>\n")
		col := kmlColor(t.Color)
		bw.WriteString("<Style><LineStyle><color>ff" + col + "</color><width>2</width></LineStyle><PolyStyle><color>66" + col + "</color></PolyStyle></Style>\n")
		bw.WriteString("<ExtendedData>")
		for _, kv := range [][2]string{{"name", t.Name}, {"reps", strings.Join(in.Reps, ";")}, {"parent", in.Parent}, {"color", t.Color}} {
			bw.WriteString(`<Data name="` + kv[0] + `"><value>` + esc(kv[1]) + "</value></Data>")
		}
		bw.WriteString("</ExtendedData>\n<MultiGeometry>\n")
		for _, poly := range t.Shape {
			bw.WriteString("<Polygon>")
			for i, ring := range poly {
				tag := "innerBoundaryIs"
				if i == 0 {
					tag = "outerBoundaryIs"
				}
				bw.WriteString("<" + tag + "><LinearRing><coordinates>")
				writeKMLRing(bw, ring)
				bw.WriteString("</coordinates></LinearRing></" + tag + ">")
			}
			bw.WriteString("</Polygon>\n")
		}
		bw.WriteString("</MultiGeometry>\n</Placemark>\n")
	}
	bw.WriteString("</Document>\n</kml>\n")
	return bw.Flush()
}

func writeKMLRing(w *bufio.Writer, r geo.Ring) {
	for i, p := range r {
		if i > 0 {
			w.WriteByte(' ')
		}
		w.WriteString(strconv.FormatFloat(p.Lon, 'f', -1, 64))
		w.WriteByte(',')
		w.WriteString(strconv.FormatFloat(p.Lat, 'f', -1, 64))
	}
}

// kmlColor turns #rrggbb into KML's bbggrr (the alpha is written apart).
func kmlColor(c string) string {
	if len(c) != 7 || c[0] != '#' {
		return "888888"
	}
	return strings.ToLower(c[5:7] + c[3:5] + c[1:3])
}
