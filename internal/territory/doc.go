// Package territory holds sales territories: named areas on the map, each a
// (multi)polygon, optionally inside a parent territory (region → territory),
// assigned to one or more reps.
//
// An account's territory is derived from its location: the smallest
// territory containing it, so a child territory wins over its parent region.
// A rep assigned to a territory sees the accounts of that territory and of its
// descendants.
package territory
