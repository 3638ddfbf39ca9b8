package itinerary

import (
	"net/url"
	"strings"

	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/plan"
)

// GoogleMaxWaypoints is the most intermediate stops a Google Maps URL
// (https://developers.google.com/maps/documentation/urls/get-started,
// "Directions", parameter waypoints) takes: 9 (mobile browsers take only 3,
// but the app, which mobile links open, and desktop browsers take 9). A day
// with more stops is split into legs of at most 11 places, each leg starting
// where the previous one ended.
const GoogleMaxWaypoints = 9

// Link is one direction link covering part of a rep's day.
type Link struct {
	URL string `json:"url"`
	// From and To number the places the link covers: 0 is the start (home),
	// 1…n the stops, n+1 the return home.
	From int `json:"from"`
	To   int `json:"to"`
}

// places lists a route's places in driving order: home, stops, home.
func places(r plan.Route) []geo.Point {
	pts := make([]geo.Point, 0, len(r.Stops)+2)
	pts = append(pts, r.Start)
	for _, s := range r.Stops {
		pts = append(pts, s.Location)
	}
	return append(pts, r.End)
}

// latLon writes a point latitude first, as both map services read it.
func latLon(p geo.Point) string { return coord(p.Lat) + "," + coord(p.Lon) }

// GoogleLinks returns Google Maps direction links (Maps URLs, api=1) for a
// route: origin, destination and at most GoogleMaxWaypoints waypoints each,
// consecutive links sharing their end and start place.
func GoogleLinks(r plan.Route) []Link {
	pts := places(r)
	var out []Link
	per := GoogleMaxWaypoints + 1 // places advanced per link
	for from := 0; from < len(pts)-1; from += per {
		to := min(from+per, len(pts)-1)
		v := url.Values{}
		v.Set("api", "1")
		v.Set("origin", latLon(pts[from]))
		v.Set("destination", latLon(pts[to]))
		if to-from > 1 {
			var w []string
			for _, p := range pts[from+1 : to] {
				w = append(w, latLon(p))
			}
			v.Set("waypoints", strings.Join(w, "|"))
		}
		v.Set("travelmode", "driving")
		out = append(out, Link{URL: "https://www.google.com/maps/dir/?" + v.Encode(), From: from, To: to})
	}
	return out
}

// AppleLinks returns Apple Maps direction links for a route. Apple's
// documented map links (developer.apple.com, "Map Links": saddr, daddr,
// dirflg) give directions between two points only, so there is one link per
// leg: from each place to the next.
func AppleLinks(r plan.Route) []Link {
	pts := places(r)
	var out []Link
	for i := 0; i+1 < len(pts); i++ {
		v := url.Values{}
		v.Set("saddr", latLon(pts[i]))
		v.Set("daddr", latLon(pts[i+1]))
		v.Set("dirflg", "d")
		out = append(out, Link{URL: "https://maps.apple.com/?" + v.Encode(), From: i, To: i + 1})
	}
	return out
}
