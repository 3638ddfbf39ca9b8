// Package analytics answers questions about customer journeys from the
// stored interactions: how many accounts go from one touchpoint to the next
// within a time (funnels, with ClickHouse windowFunnel's modes), which
// sequences of touchpoints are common (paths), which channels deserve the
// credit for a sale (attribution), which campaign variant converts best
// (A/B), and which behavioural groups of accounts exist (segments).
//
// Everything works on Events, a compact column-wise copy of the
// interactions sorted by account and time, read in one pass per question
// with memory bounded by the largest single account. The package is pure:
// the app layer fills Events from the store and keeps it current.
package analytics
