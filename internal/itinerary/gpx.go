package itinerary

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

// GPX writes p as a GPX 1.1 document: a waypoint for every stop (named with
// its number in the rep's day and the account's name, timed at the planned
// arrival), then one route per rep from home through the stops back home.
// Unassigned stops are not written.
func GPX(w io.Writer, p *plan.Plan) error {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<gpx version="1.1" creator="Meridian" xmlns="http://www.topografix.com/GPX/1/1" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.topografix.com/GPX/1/1 http://www.topografix.com/GPX/1/1/gpx.xsd">` + "\n")
	b.WriteString("  <metadata>\n")
	elem(&b, 4, "name", planTitle(p))
	if d := planSummary(p); d != "" {
		elem(&b, 4, "desc", d)
	}
	if !p.UpdatedAt.IsZero() {
		elem(&b, 4, "time", gpxTime(p.UpdatedAt))
	}
	if bb, ok := bounds(p); ok {
		fmt.Fprintf(&b, `    <bounds minlat="%s" minlon="%s" maxlat="%s" maxlon="%s"/>`+"\n",
			coord(bb.MinLat), coord(gpxLon(bb.MinLon)), coord(bb.MaxLat), coord(gpxLon(bb.MaxLon)))
	}
	b.WriteString("  </metadata>\n")

	for _, r := range p.Routes {
		for i, s := range r.Stops {
			fmt.Fprintf(&b, `  <wpt lat="%s" lon="%s">`+"\n", coord(s.Location.Lat), coord(gpxLon(s.Location.Lon)))
			if !s.Arrival.IsZero() {
				elem(&b, 4, "time", gpxTime(s.Arrival))
			}
			elem(&b, 4, "name", fmt.Sprintf("%d. %s", i+1, s.Name))
			if s.Address != "" {
				elem(&b, 4, "cmt", s.Address)
			}
			elem(&b, 4, "desc", stopDescription(p, r, i))
			elem(&b, 4, "type", "visit")
			b.WriteString("  </wpt>\n")
		}
	}

	for n, r := range p.Routes {
		b.WriteString("  <rte>\n")
		elem(&b, 4, "name", routeTitle(p, r))
		elem(&b, 4, "desc", fmt.Sprintf("%d stops, %s, %s", len(r.Stops), km(r.DistanceMeters), hours(r.DurationSeconds)))
		elem(&b, 4, "number", strconv.Itoa(n+1))
		rtept(&b, r.Start, r.Depart, "Home")
		for i, s := range r.Stops {
			rtept(&b, s.Location, s.Arrival, fmt.Sprintf("%d. %s", i+1, s.Name))
		}
		rtept(&b, r.End, r.Return, "Home")
		b.WriteString("  </rte>\n")
	}
	b.WriteString("</gpx>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func rtept(b *bytes.Buffer, pt geo.Point, at time.Time, name string) {
	fmt.Fprintf(b, `    <rtept lat="%s" lon="%s">`+"\n", coord(pt.Lat), coord(gpxLon(pt.Lon)))
	if !at.IsZero() {
		elem(b, 6, "time", gpxTime(at))
	}
	elem(b, 6, "name", name)
	b.WriteString("    </rtept>\n")
}

// elem writes <name>text</name> with text escaped, indented by indent spaces.
func elem(b *bytes.Buffer, indent int, name, text string) {
	for range indent {
		b.WriteByte(' ')
	}
	b.WriteString("<" + name + ">")
	_ = xml.EscapeText(b, []byte(text))
	b.WriteString("</" + name + ">\n")
}

func gpxTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// coord writes a degree value with at most 7 decimals (about a centimetre),
// never in exponent form, which xsd:decimal does not allow.
func coord(v float64) string {
	s := strconv.FormatFloat(v, 'f', 7, 64)
	// Trim trailing zeros but keep one digit after the point.
	i := len(s)
	for i > 0 && s[i-1] == '0' {
		i--
	}
	if i > 0 && s[i-1] == '.' {
		i++
	}
	return s[:i]
}

// gpxLon maps 180° to -180°: GPX's longitudeType excludes 180.
func gpxLon(lon float64) float64 {
	if lon >= 180 {
		return lon - 360
	}
	return lon
}

func bounds(p *plan.Plan) (geo.BBox, bool) {
	bb := geo.EmptyBBox()
	n := 0
	add := func(pt geo.Point) {
		n++
		bb.MinLon, bb.MaxLon = min(bb.MinLon, pt.Lon), max(bb.MaxLon, pt.Lon)
		bb.MinLat, bb.MaxLat = min(bb.MinLat, pt.Lat), max(bb.MaxLat, pt.Lat)
	}
	for _, r := range p.Routes {
		add(r.Start)
		add(r.End)
		for _, s := range r.Stops {
			add(s.Location)
		}
	}
	return bb, n > 0
}
