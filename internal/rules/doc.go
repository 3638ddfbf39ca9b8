// Package rules holds re-engagement rules: standing questions a manager asks
// of the accounts ("which customers has nobody visited in 30 days?",
// "whose follow-up is due?", "which proposals have sat still for two
// weeks?") and the notifications their answers become.
//
// A rule has a kind (not_visited, follow_up_due, stage_stalled), a number of
// days, and a scope (a stage, a territory with the territories below it, an
// owner). Evaluate answers a rule over a list of accounts at a given time; it
// is a pure function, so the same accounts and the same "now" always give the
// same matches. Each match is keyed by (rule, account, day): the store keeps
// the keys, so a rule never notifies twice for one account on one day however
// often it runs.
//
// A notification goes to the account's owner (or, for an account with no
// owner, to the manager who made the rule): in the app's inbox, in their
// daily email digest, and to the rule's webhook.
package rules
