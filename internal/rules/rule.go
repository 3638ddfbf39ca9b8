package rules

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
)

// Kind is what a rule looks for.
type Kind string

// Rule kinds.
const (
	// NotVisited matches accounts whose last visit (or, never visited, whose
	// creation) is at least Days days old.
	NotVisited Kind = "not_visited"
	// FollowUpDue matches accounts whose next follow-up falls on or before
	// now plus Days days (0: due now or overdue).
	FollowUpDue Kind = "follow_up_due"
	// StageStalled matches accounts in Stage that have not changed and not
	// been visited for Days days.
	StageStalled Kind = "stage_stalled"
)

// Kinds lists every kind, for messages and the UI.
var Kinds = []Kind{NotVisited, FollowUpDue, StageStalled}

// MaxDays bounds a rule's days (about ten years).
const MaxDays = 3650

// Notify says where a rule's matches go.
type Notify struct {
	// Webhook is an http(s) URL that receives a signed JSON POST per run
	// with the new matches ("" none).
	Webhook string
	// Secret signs this rule's webhook; "" uses the server's global secret.
	Secret string
	// Email puts the matches into each recipient's daily digest.
	Email bool
	// Inbox shows each match in the recipient's in-app inbox.
	Inbox bool
}

// Rule is a re-engagement rule.
type Rule struct {
	ID   int64
	Name string
	Kind Kind
	Days int
	// Scope: zero values select every account. Stage is also the stage a
	// stage_stalled rule watches (required there).
	Stage       string
	TerritoryID int64 // this territory and those below it
	OwnerID     int64
	Notify      Notify
	Enabled     bool
	CreatedBy   int64 // the manager who made it; receives matches of unowned accounts
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks r as a manager would enter it (stage keys are checked
// against the pipeline by the caller that knows it).
func (r *Rule) Validate() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" {
		return derrors.Invalidf("name: required")
	}
	if len(r.Name) > 200 {
		return derrors.Invalidf("name: at most 200 characters, got %d", len(r.Name))
	}
	switch r.Kind {
	case NotVisited, StageStalled:
		if r.Days < 1 || r.Days > MaxDays {
			return derrors.Invalidf("days: %s needs a number of days from 1 to %d, got %d", r.Kind, MaxDays, r.Days)
		}
	case FollowUpDue:
		if r.Days < 0 || r.Days > MaxDays {
			return derrors.Invalidf("days: follow_up_due takes 0 to %d days of notice, got %d", MaxDays, r.Days)
		}
	case "":
		return derrors.Invalidf("kind: required (one of %s)", kindList())
	default:
		return derrors.Invalidf("kind: %q is not one of %s", r.Kind, kindList())
	}
	r.Stage = strings.TrimSpace(r.Stage)
	if r.Kind == StageStalled && r.Stage == "" {
		return derrors.Invalidf("stage: stage_stalled needs the stage to watch")
	}
	if r.TerritoryID < 0 || r.OwnerID < 0 {
		return derrors.Invalidf("territory, owner: ids must be positive")
	}
	r.Notify.Webhook = strings.TrimSpace(r.Notify.Webhook)
	if w := r.Notify.Webhook; w != "" {
		u, err := url.Parse(w)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return derrors.Invalidf("notify.webhook: %q is not an http:// or https:// URL", clip(w))
		}
		if len(w) > 2000 {
			return derrors.Invalidf("notify.webhook: at most 2000 characters")
		}
	}
	if len(r.Notify.Secret) > 500 {
		return derrors.Invalidf("notify.secret: at most 500 characters")
	}
	if r.Notify.Webhook == "" && !r.Notify.Email && !r.Notify.Inbox {
		return derrors.Invalidf("notify: choose at least one of webhook, email, inbox")
	}
	return nil
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// Day is the calendar day of t in t's own location, "2006-01-02": the day
// part of a notification's key. The server's clock (its TZ) decides it.
func Day(t time.Time) string { return t.Format(time.DateOnly) }

// Key identifies one notification: a rule notifies about an account at most
// once a day.
type Key struct {
	RuleID    int64
	AccountID int64
	Day       string
}

// Match is an account a rule found, with why.
type Match struct {
	Account *account.Account
	Reason  string
}

// Evaluate returns the accounts among accounts that r matches at now, in
// the order given. within is the set of territory ids the rule's territory
// scope covers (the territory and its descendants); it is ignored when the
// rule has no territory. Accounts marked do-not-contact never match: a
// re-engagement rule exists to make someone get in touch.
func Evaluate(r *Rule, within []int64, accounts []*account.Account, now time.Time) []Match {
	terr := map[int64]bool{}
	for _, id := range within {
		terr[id] = true
	}
	if r.TerritoryID != 0 {
		terr[r.TerritoryID] = true
	}
	var out []Match
	for _, a := range accounts {
		if reason, ok := match(r, terr, a, now); ok {
			out = append(out, Match{Account: a, Reason: reason})
		}
	}
	return out
}

// Matches reports whether r matches a at now (within as for Evaluate).
func Matches(r *Rule, within []int64, a *account.Account, now time.Time) bool {
	return len(Evaluate(r, within, []*account.Account{a}, now)) == 1
}

func match(r *Rule, terr map[int64]bool, a *account.Account, now time.Time) (string, bool) {
	if a.DoNotContact {
		return "", false
	}
	if r.Stage != "" && a.Stage != r.Stage {
		return "", false
	}
	if r.OwnerID != 0 && a.OwnerID != r.OwnerID {
		return "", false
	}
	if r.TerritoryID != 0 && !terr[a.TerritoryID] {
		return "", false
	}
	days := time.Duration(r.Days) * 24 * time.Hour
	switch r.Kind {
	case NotVisited:
		if a.LastVisitAt.IsZero() {
			if a.CreatedAt.IsZero() || now.Sub(a.CreatedAt) < days {
				return "", false
			}
			return fmt.Sprintf("never visited (added %d days ago)", wholeDays(now.Sub(a.CreatedAt))), true
		}
		if now.Sub(a.LastVisitAt) < days {
			return "", false
		}
		return fmt.Sprintf("not visited for %d days", wholeDays(now.Sub(a.LastVisitAt))), true
	case FollowUpDue:
		if a.NextFollowUpAt.IsZero() || a.NextFollowUpAt.After(now.Add(days)) {
			return "", false
		}
		if a.NextFollowUpAt.After(now) {
			return "follow-up due " + Day(a.NextFollowUpAt.In(now.Location())), true
		}
		return "follow-up overdue since " + Day(a.NextFollowUpAt.In(now.Location())), true
	case StageStalled:
		last := a.UpdatedAt
		if a.LastVisitAt.After(last) {
			last = a.LastVisitAt
		}
		if last.IsZero() {
			last = a.CreatedAt
		}
		if last.IsZero() || now.Sub(last) < days {
			return "", false
		}
		return fmt.Sprintf("in %s with no change for %d days", a.Stage, wholeDays(now.Sub(last))), true
	}
	return "", false
}

func wholeDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// Recipient is the user a match on a is for: the account's owner, else the
// rule's author (0 when neither is known).
func Recipient(r *Rule, a *account.Account) int64 {
	if a.OwnerID != 0 {
		return a.OwnerID
	}
	return r.CreatedBy
}

// SortRules orders rules by name, then id.
func SortRules(rs []*Rule) {
	sort.Slice(rs, func(i, j int) bool {
		if !strings.EqualFold(rs[i].Name, rs[j].Name) {
			return strings.ToLower(rs[i].Name) < strings.ToLower(rs[j].Name)
		}
		return rs[i].ID < rs[j].ID
	})
}
