// Package visit holds interactions: anything that happened between the
// company and an account, at a time, through a channel (a field visit, a
// call, an email, a web visit, an ad, …). Field visits and marketing events
// live in one table, which is what lets journeys and maps use each other's
// data. Check-ins, GPS pings and automatic visit detection build on it.
package visit
