// Package itinerary turns a route plan into what a rep takes on the road: a
// GPX 1.1 file for a satnav or GPS app, an iCalendar (RFC 5545) file with one
// event per visit for their calendar, and direction links that open Google
// Maps or Apple Maps with the day's stops in order. It is pure: it reads a
// plan.Plan and writes bytes.
package itinerary
