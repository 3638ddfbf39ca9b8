package geocode

import (
	"context"
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Offline places addresses from the embedded gazetteer, without the network.
//
// A US address (country empty or a name or code of the United States, or of
// Puerto Rico, Guam, the US Virgin Islands, American Samoa or the Northern
// Mariana Islands) with a known ZIP code goes to the ZIP's centre (precision
// postal, source SourceZIP). ZIP+4 and ZIPs whose leading zeros a
// spreadsheet dropped ("2134" for 02134) are understood.
//
// Otherwise the city is looked up by name, ignoring case, accents and
// punctuation, within the country (precision city, source SourceCity). A
// region the gazetteer recognises (a US state's name or code, a Canadian
// province, a German Land, any region's English name) must match; one it does
// not recognise is ignored. Of several cities of the same name the largest
// wins, so "Springfield, US" is Springfield, Missouri, and "Springfield, IL,
// US" is Illinois's capital.
//
// Without a country the address is taken for a US one when the city exists
// in the US; else a city is accepted only when its name is unique in the
// world. A ZIP code is not trusted without a country when the city named
// exists outside the US only ("München", "80331").
//
// Street addresses are not resolved: the street is ignored.
//
// The gazetteer is decoded on first use, which takes a fraction of a second;
// an Offline is safe for concurrent use and all Offlines share the data.
type Offline struct {
	stats counters
}

// NewOffline returns a geocoder that answers from the embedded gazetteer.
func NewOffline() *Offline { return &Offline{} }

// Geocode places q at its ZIP code's or its city's centre, or returns a
// NotFound error.
func (o *Offline) Geocode(ctx context.Context, q Query) (Result, error) {
	if err := ctx.Err(); err != nil {
		o.stats.record(err)
		return Result{}, err
	}
	r, err := o.place(q)
	o.stats.record(err)
	return r, err
}

// Stats returns the counters of o.
func (o *Offline) Stats() Stats { return o.stats.snapshot() }

func (o *Offline) place(q Query) (Result, error) {
	country := strings.TrimSpace(q.Country)
	cc, known := "", false
	if country != "" {
		cc, known = countryCode(country)
	}
	if country == "" || (known && (cc == "US" || usTerritories[cc])) {
		if n, ok := parseZIP(q.PostalCode); ok {
			if p, ok := loadZIPs().lookup(n); ok && (country != "" || trustZIP(q)) {
				return Result{Location: p, Precision: account.PrecisionPostal, Source: SourceZIP}, nil
			}
		}
	}
	k := key(q.City)
	if k == "" {
		return Result{}, notFound("gazetteer", q)
	}
	t := loadCities()
	var c *city
	switch {
	case known:
		if cc == "US" {
			if terr, ok := usTerritory(q.Region); ok {
				cc = terr
			}
		}
		c = t.inCountry(k, cc, q.Region)
	case country == "":
		cc = "US"
		if terr, ok := usTerritory(q.Region); ok {
			cc = terr
		}
		c = t.inCountry(k, cc, q.Region)
		if _, isState := t.region("US", q.Region); c == nil && !isState && cc == "US" {
			c = t.unique(k, q.Region)
		}
	default:
		c = t.unique(k, q.Region)
	}
	if c == nil {
		return Result{}, notFound("gazetteer", q)
	}
	return Result{Location: c.location, Precision: account.PrecisionCity, Source: SourceCity}, nil
}

// trustZIP reports whether the ZIP code of a query without a country can be
// taken for a US one: unless the city named is known, but only outside the US.
func trustZIP(q Query) bool {
	if strings.TrimSpace(q.City) == "" {
		return true
	}
	t := loadCities()
	if _, isState := t.region("US", q.Region); isState {
		return true
	}
	k := key(q.City)
	cs := t.named(k)
	if a, ok := cityAliases[k]; ok && len(cs) == 0 {
		cs = t.named(a.key)
	}
	for _, c := range cs {
		if c.country == "US" || usTerritories[c.country] {
			return true
		}
	}
	return len(cs) == 0
}

// usTerritory returns the ISO code of the US territory a region names ("PR",
// "Puerto Rico", "Guam").
func usTerritory(region string) (string, bool) {
	if strings.TrimSpace(region) == "" {
		return "", false
	}
	cc, ok := countryCode(region)
	return cc, ok && usTerritories[cc]
}

// inCountry returns the largest city of country cc whose name has key k and
// that lies in the region when the region is recognised, or nil.
func (t *cityTable) inCountry(k, cc, region string) *city {
	cs := inCountry(t.named(k), cc)
	if len(cs) == 0 {
		if a, ok := cityAliases[k]; ok && a.country == cc {
			cs = inCountry(t.named(a.key), cc)
		}
	}
	if len(cs) == 0 {
		return nil
	}
	if code, ok := t.region(cc, region); ok {
		for _, c := range cs {
			if c.admin1 == code {
				return &c
			}
		}
		return nil
	}
	return &cs[0]
}

// inCountry returns the cities of cs in country cc, in order. cs is sorted by
// country, so they are consecutive.
func inCountry(cs []city, cc string) []city {
	lo := 0
	for lo < len(cs) && cs[lo].country != cc {
		lo++
	}
	hi := lo
	for hi < len(cs) && cs[hi].country == cc {
		hi++
	}
	return cs[lo:hi]
}

// sameCityKm is how close two entries of the same name must be to count as
// one place when deciding whether a name is unique.
const sameCityKm = 25

// unique returns the one city in the world whose name has key k, or nil when
// there is none or several. A region, when recognised for a city's country,
// narrows the choice.
func (t *cityTable) unique(k, region string) *city {
	cs := t.named(k)
	if a, ok := cityAliases[k]; ok && len(cs) == 0 {
		cs = inCountry(t.named(a.key), a.country)
	}
	var inRegion, notContradicted []city
	for _, c := range cs {
		code, ok := t.region(c.country, region)
		switch {
		case !ok:
			notContradicted = append(notContradicted, c)
		case code == c.admin1:
			inRegion = append(inRegion, c)
		}
	}
	if len(inRegion) > 0 {
		cs = inRegion
	} else {
		cs = notContradicted
	}
	if len(cs) == 0 {
		return nil
	}
	first := &cs[0]
	for _, c := range cs[1:] {
		if c.country != first.country || geo.DistanceMeters(c.location, first.location) > sameCityKm*1000 {
			return nil
		}
	}
	return first
}
