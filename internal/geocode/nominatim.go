package geocode

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Nominatim geocodes with a Nominatim server (OpenStreetMap's geocoder) or
// any service that speaks its /search API, by a structured query:
//
//	GET {BaseURL}/search?format=jsonv2&limit=1&street=…&city=…&state=…&postalcode=…&country=…
//
// An answer at house, building or street level for a query with a street is
// precision address; a postcode is postal; a town, village or district is
// city. An answer no finer than a county, state or country is taken as not
// found: a pin in the middle of a state misleads more than no pin.
//
// The public server at nominatim.openstreetmap.org allows one request a
// second (wrap it in RateLimited) and requires a User-Agent that identifies
// the application. Set the fields before the first Geocode call.
type Nominatim struct {
	BaseURL   string       // e.g. "https://nominatim.openstreetmap.org"
	UserAgent string       // DefaultUserAgent unless set
	Email     string       // optional contact address sent as email=, as the policy asks of heavy users
	Client    *http.Client // its Timeout bounds each request: DefaultTimeout unless set

	stats counters
}

// NewNominatim returns a geocoder that asks the Nominatim server at baseURL.
func NewNominatim(baseURL string) *Nominatim {
	return &Nominatim{BaseURL: baseURL, UserAgent: DefaultUserAgent, Client: defaultClient()}
}

// nominatimPlace is one result of /search?format=jsonv2.
type nominatimPlace struct {
	Lat         string `json:"lat"`
	Lon         string `json:"lon"`
	Category    string `json:"category"`
	Type        string `json:"type"`
	AddressType string `json:"addresstype"`
	PlaceRank   int    `json:"place_rank"`
}

// Geocode asks the server for q.
func (n *Nominatim) Geocode(ctx context.Context, q Query) (Result, error) {
	r, err := n.geocode(ctx, q)
	n.stats.record(err)
	return r, err
}

// Stats returns the counters of n.
func (n *Nominatim) Stats() Stats { return n.stats.snapshot() }

func (n *Nominatim) geocode(ctx context.Context, q Query) (Result, error) {
	v := url.Values{"format": {"jsonv2"}, "limit": {"1"}}
	set := func(name, value string) {
		if value = strings.TrimSpace(value); value != "" {
			v.Set(name, value)
		}
	}
	set("street", q.Street)
	set("city", q.City)
	set("state", q.Region)
	set("country", q.Country)
	cc, known := "", false
	if strings.TrimSpace(q.Country) != "" {
		cc, known = countryCode(q.Country)
		if known {
			v.Set("countrycodes", strings.ToLower(cc))
		}
	}
	postal := strings.TrimSpace(q.PostalCode)
	if z, ok := parseZIP(postal); ok && (strings.TrimSpace(q.Country) == "" || (known && cc == "US")) {
		postal = zipString(z) // "2134" → "02134"
	}
	set("postalcode", postal)
	if len(v) == 2 { // format and limit: nothing to look for
		return Result{}, notFound(SourceNominatim, q)
	}
	set("email", n.Email)
	ua := n.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	var places []nominatimPlace
	if err := getJSON(ctx, n.Client, ua, n.BaseURL, "/search", v, &places); err != nil {
		return Result{}, err
	}
	if len(places) == 0 {
		return Result{}, notFound(SourceNominatim, q)
	}
	p := places[0]
	prec := nominatimPrecision(p, strings.TrimSpace(q.Street) != "")
	if prec == account.PrecisionNone {
		return Result{}, notFound(SourceNominatim, q)
	}
	lat, err1 := strconv.ParseFloat(p.Lat, 64)
	lon, err2 := strconv.ParseFloat(p.Lon, 64)
	loc := geo.Point{Lon: lon, Lat: lat}
	if err1 != nil || err2 != nil || loc.Validate() != nil {
		return Result{}, &badAnswerError{source: SourceNominatim, detail: "lat " + strconv.Quote(p.Lat) + ", lon " + strconv.Quote(p.Lon)}
	}
	return Result{Location: loc, Precision: prec, Source: SourceNominatim}, nil
}

// nominatimPrecision grades a Nominatim result: address, postal, city, or
// none when it is no finer than a county.
func nominatimPrecision(p nominatimPlace, hadStreet bool) account.Precision {
	kind := p.AddressType
	if kind == "" {
		kind = p.Type
	}
	switch {
	case kind == "postcode" || p.Type == "postcode":
		return account.PrecisionPostal
	case addressLevel[kind] || addressLevel[p.Type] || p.Category == "building" || p.Category == "highway" || p.PlaceRank >= 26:
		if hadStreet {
			return account.PrecisionAddress
		}
		return account.PrecisionCity
	case coarse[kind] || (p.PlaceRank > 0 && p.PlaceRank <= 12):
		return account.PrecisionNone
	default:
		return account.PrecisionCity
	}
}

// addressLevel are the Nominatim address types at street level or finer.
var addressLevel = map[string]bool{
	"house": true, "house_number": true, "building": true, "road": true, "street": true,
	"residential": true, "amenity": true, "shop": true, "office": true,
}

// coarse are the Nominatim address types too coarse to place an account.
var coarse = map[string]bool{
	"country": true, "state": true, "region": true, "province": true,
	"state_district": true, "county": true, "continent": true,
}

// badAnswerError is an answer a geocoder should not have given.
type badAnswerError struct{ source, detail string }

func (e *badAnswerError) Error() string { return e.source + ": unreadable answer: " + e.detail }
