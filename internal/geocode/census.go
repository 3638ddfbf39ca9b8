package geocode

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Census geocodes US street addresses with the US Census Bureau geocoder, a
// free service without a key:
//
//	GET {BaseURL}/geocoder/locations/address?street=…&city=…&state=…&zip=…&benchmark=Public_AR_Current&format=json
//
// Every answer is precision address. A query without a street, or outside
// the US and its territories, is not found without asking.
// Set the fields before the first Geocode call.
type Census struct {
	BaseURL   string       // e.g. "https://geocoding.geo.census.gov"
	Benchmark string       // the address data release: "Public_AR_Current" unless set
	UserAgent string       // DefaultUserAgent unless set
	Client    *http.Client // its Timeout bounds each request: DefaultTimeout unless set

	stats counters
}

// NewCensus returns a geocoder that asks the Census Bureau geocoder at
// baseURL.
func NewCensus(baseURL string) *Census {
	return &Census{BaseURL: baseURL, Benchmark: "Public_AR_Current", UserAgent: DefaultUserAgent, Client: defaultClient()}
}

// censusAnswer is the part of /geocoder/locations/address's JSON used.
type censusAnswer struct {
	Result struct {
		AddressMatches []struct {
			MatchedAddress string `json:"matchedAddress"`
			Coordinates    struct {
				X *float64 `json:"x"` // longitude
				Y *float64 `json:"y"` // latitude
			} `json:"coordinates"`
		} `json:"addressMatches"`
	} `json:"result"`
}

// Geocode asks the Census Bureau for q.
func (c *Census) Geocode(ctx context.Context, q Query) (Result, error) {
	r, err := c.geocode(ctx, q)
	c.stats.record(err)
	return r, err
}

// Stats returns the counters of c.
func (c *Census) Stats() Stats { return c.stats.snapshot() }

func (c *Census) geocode(ctx context.Context, q Query) (Result, error) {
	street := strings.TrimSpace(q.Street)
	if country := strings.TrimSpace(q.Country); country != "" {
		if cc, ok := countryCode(country); !ok || !(cc == "US" || usTerritories[cc]) {
			return Result{}, notFound(SourceCensus, q)
		}
	}
	zip := ""
	if z, ok := parseZIP(q.PostalCode); ok {
		zip = zipString(z)
	}
	city, state := strings.TrimSpace(q.City), strings.TrimSpace(q.Region)
	// The Census needs a street and either a ZIP or a city and state.
	if street == "" || (zip == "" && (city == "" || state == "")) {
		return Result{}, notFound(SourceCensus, q)
	}
	bench := c.Benchmark
	if bench == "" {
		bench = "Public_AR_Current"
	}
	v := url.Values{"street": {street}, "benchmark": {bench}, "format": {"json"}}
	if city != "" {
		v.Set("city", city)
	}
	if state != "" {
		v.Set("state", state)
	}
	if zip != "" {
		v.Set("zip", zip)
	}
	ua := c.UserAgent
	if ua == "" {
		ua = DefaultUserAgent
	}
	var a censusAnswer
	if err := getJSON(ctx, c.Client, ua, c.BaseURL, "/geocoder/locations/address", v, &a); err != nil {
		return Result{}, err
	}
	m := a.Result.AddressMatches
	if len(m) == 0 {
		return Result{}, notFound(SourceCensus, q)
	}
	x, y := m[0].Coordinates.X, m[0].Coordinates.Y
	if x == nil || y == nil {
		return Result{}, &badAnswerError{source: SourceCensus, detail: "a match without coordinates"}
	}
	loc := geo.Point{Lon: *x, Lat: *y}
	if err := loc.Validate(); err != nil {
		return Result{}, &badAnswerError{source: SourceCensus, detail: err.Error()}
	}
	return Result{Location: loc, Precision: account.PrecisionAddress, Source: SourceCensus}, nil
}
