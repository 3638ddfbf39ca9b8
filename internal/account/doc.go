// Package account holds the accounts a sales team works: leads, opportunities
// and customers, each a place on the map and a position in the pipeline.
//
// The pipeline is an ordered list of stages the organisation configures
// (New lead, Contacted, Qualified, Proposal, Customer, Lost by default), each
// of a kind (lead, opportunity, customer, lost) with a colour for the map.
// An account's territory is not chosen by hand: it follows from where the
// account is, through the territory package's index.
//
// The package is pure: rules and validation live here, storage behind Store.
package account
