// Package plan holds route plans: a day of visits for one rep or for several
// reps at once. A plan records what was asked (the accounts to visit, the
// shift, the lunch break, the time windows and the stops the user locked in
// place) and what the solver answered (per rep, the stops in order with
// arrival and departure times, the distance and the duration), so it can be
// shown, exported (GPX, ICS, map links), reordered and re-optimised later.
//
// The package is pure: the solver lives in internal/routing, storage in
// internal/sqlstore, the service that ties them in internal/app.
package plan
