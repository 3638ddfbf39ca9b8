// Package app holds Meridian's application services: the one place where a
// request from the API or the CLI is checked against the caller's role and
// scope, validated, and turned into calls on the stores. The HTTP API and the
// CLI are thin layers over it, so both enforce the same rules.
//
// The domain packages (account, territory, visit, auth) define the types and
// rules; app combines them, because most actions touch several (an account's
// territory follows from the territories; what a rep sees follows from the
// territories assigned to them).
package app
