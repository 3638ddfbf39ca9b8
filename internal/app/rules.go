package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/overlay"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/territory"
)

// RulesStore keeps re-engagement rules, notifications and map overlays.
type RulesStore interface {
	rules.Store
	overlay.Store
}

// Notifier sends webhooks and email (the notify package implements it).
type Notifier = rules.Notifier

// RuleRun is what one run of the rules did.
type RuleRun struct {
	Day      string
	Notified int // new notifications over all rules
	Rules    []RuleResult
}

// RuleResult is one rule's part of a run.
type RuleResult struct {
	RuleID   int64
	Name     string
	Matched  int // accounts the rule matches now, notified before or not
	Notified []*rules.Notification
	// Deliveries are the webhook POSTs made for the new notifications.
	Deliveries []*rules.Delivery
}

// ListRules returns every rule (managers).
func (s *Service) ListRules(ctx context.Context, actor *auth.Actor) ([]*rules.Rule, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	return s.Store.ListRules(ctx)
}

// GetRule returns one rule (managers).
func (s *Service) GetRule(ctx context.Context, actor *auth.Actor, id int64) (*rules.Rule, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	return s.Store.GetRule(ctx, id)
}

// checkRule validates r and its references to the pipeline, territories and users.
func (s *Service) checkRule(ctx context.Context, r *rules.Rule) error {
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Stage != "" {
		p, err := s.Pipeline(ctx)
		if err != nil {
			return err
		}
		if err := p.CheckStage("stage", r.Stage); err != nil {
			return err
		}
	}
	if r.TerritoryID != 0 {
		if _, err := s.Store.GetTerritory(ctx, r.TerritoryID); err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return derrors.Invalidf("territory: territory %d does not exist", r.TerritoryID)
			}
			return err
		}
	}
	if r.OwnerID != 0 {
		if _, err := s.Store.GetUser(ctx, r.OwnerID); err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return derrors.Invalidf("owner: user %d does not exist", r.OwnerID)
			}
			return err
		}
	}
	return nil
}

// CreateRule adds a rule (managers); the actor receives the matches on
// accounts without an owner.
func (s *Service) CreateRule(ctx context.Context, actor *auth.Actor, r *rules.Rule) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if err := s.checkRule(ctx, r); err != nil {
		return err
	}
	r.CreatedBy = actor.User.ID
	if err := s.Store.CreateRule(ctx, r); err != nil {
		return err
	}
	s.audit(ctx, actor, "rule.create", r.Name, string(r.Kind))
	return nil
}

// UpdateRule saves a changed rule (managers).
func (s *Service) UpdateRule(ctx context.Context, actor *auth.Actor, r *rules.Rule) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	old, err := s.Store.GetRule(ctx, r.ID)
	if err != nil {
		return err
	}
	if err := s.checkRule(ctx, r); err != nil {
		return err
	}
	r.CreatedBy, r.CreatedAt = old.CreatedBy, old.CreatedAt
	if err := s.Store.UpdateRule(ctx, r); err != nil {
		return err
	}
	s.audit(ctx, actor, "rule.update", r.Name, "")
	return nil
}

// DeleteRule removes a rule (managers).
func (s *Service) DeleteRule(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.RequireManager(); err != nil {
		return err
	}
	r, err := s.Store.GetRule(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteRule(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, actor, "rule.delete", r.Name, "")
	return nil
}

// RunRules runs every enabled rule now (managers; auth.System for the CLI
// and the scheduler). Each match that was not notified today becomes a
// notification (inbox, digest) and goes to the rule's webhook; matches
// notified before today's run are left alone, so running again the same
// day notifies nothing new.
func (s *Service) RunRules(ctx context.Context, actor *auth.Actor) (*RuleRun, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	rs, err := s.Store.ListRules(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	run := &RuleRun{Day: rules.Day(now)}
	for _, r := range rs {
		if !r.Enabled {
			continue
		}
		res, err := s.runRule(ctx, r, now)
		if err != nil {
			return run, fmt.Errorf("rule %q: %w", r.Name, err)
		}
		run.Notified += len(res.Notified)
		run.Rules = append(run.Rules, *res)
	}
	return run, nil
}

// ruleBatch is how many accounts are evaluated at a time.
const ruleBatch = 2000

func (s *Service) runRule(ctx context.Context, r *rules.Rule, now time.Time) (*RuleResult, error) {
	res := &RuleResult{RuleID: r.ID, Name: r.Name}
	// The filter only narrows what is read; rules.Evaluate decides.
	var f account.Filter
	if r.Stage != "" {
		f.Stages = []string{r.Stage}
	}
	if r.OwnerID != 0 {
		f.OwnerIDs = []int64{r.OwnerID}
	}
	var within []int64
	if r.TerritoryID != 0 {
		ts, _, err := s.territories(ctx)
		if err != nil {
			return nil, err
		}
		within = territory.Descendants(ts, []int64{r.TerritoryID})
		f.TerritoryIDs = append([]int64{r.TerritoryID}, within...)
	}
	if r.Kind == rules.NotVisited {
		f.LastVisitTo, f.NeverVisited = now.Add(-time.Duration(r.Days)*24*time.Hour), true
	}
	day := rules.Day(now)
	var ns []*rules.Notification
	batch := make([]*account.Account, 0, ruleBatch)
	matched := map[int64]*account.Account{}
	flush := func() {
		for _, m := range rules.Evaluate(r, within, batch, now) {
			a := m.Account
			matched[a.ID] = a
			ns = append(ns, &rules.Notification{UserID: rules.Recipient(r, a), RuleID: r.ID, RuleName: r.Name, AccountID: a.ID,
				AccountExternalID: a.ExternalID, AccountName: a.Name, Day: day, Message: m.Reason, Inbox: r.Notify.Inbox, Email: r.Notify.Email})
		}
		batch = batch[:0]
	}
	if err := s.Store.EachAccount(ctx, f, func(a *account.Account) error {
		batch = append(batch, a)
		if len(batch) == ruleBatch {
			flush()
		}
		return nil
	}); err != nil {
		return nil, err
	}
	flush()
	res.Matched = len(ns)
	fresh, err := s.Store.RecordNotifications(ctx, ns)
	if err != nil {
		return nil, err
	}
	res.Notified = fresh
	if r.Notify.Webhook != "" && len(fresh) > 0 {
		res.Deliveries = s.sendWebhook(ctx, r, day, fresh, matched, now)
	}
	return res, nil
}

// sendWebhook POSTs the new matches to the rule's webhook, at most
// rules.MaxWebhookAccounts a POST, and logs each delivery.
func (s *Service) sendWebhook(ctx context.Context, r *rules.Rule, day string, ns []*rules.Notification, accounts map[int64]*account.Account, now time.Time) []*rules.Delivery {
	var out []*rules.Delivery
	for start := 0; start < len(ns); start += rules.MaxWebhookAccounts {
		chunk := ns[start:min(len(ns), start+rules.MaxWebhookAccounts)]
		body := rules.WebhookBody{Event: "rule.matched", Day: day, SentAt: now.UTC().Format(time.RFC3339),
			Rule: rules.WebhookRule{ID: r.ID, Name: r.Name, Kind: r.Kind, Days: r.Days}}
		for _, n := range chunk {
			wa := rules.WebhookAccount{ID: n.AccountID, ExternalID: n.AccountExternalID, Name: n.AccountName, Reason: n.Message}
			if a := accounts[n.AccountID]; a != nil {
				wa.Stage, wa.OwnerID = a.Stage, a.OwnerID
			}
			body.Accounts = append(body.Accounts, wa)
		}
		d := &rules.Delivery{RuleID: r.ID, Channel: rules.ChannelWebhook, Target: r.Notify.Webhook, Accounts: len(chunk)}
		b, err := json.Marshal(body)
		if err == nil && s.Notifier == nil {
			err = fmt.Errorf("no notifier configured in this process")
		}
		if err == nil {
			d.Attempts, err = s.Notifier.Webhook(ctx, r.Notify.Webhook, r.Notify.Secret, b)
		}
		d.OK = err == nil
		if err != nil {
			d.Error = err.Error()
			s.Log.Warn("rule webhook", "rule", r.Name, "url", r.Notify.Webhook, "attempts", d.Attempts, "err", err)
		}
		if err := s.Store.AddDelivery(ctx, d); err != nil {
			s.Log.Error("delivery log", "err", err)
		}
		out = append(out, d)
	}
	return out
}

// SendDigests emails each user the notifications waiting for their digest,
// once a day per user, from digestHour (0–23, the server's local time) on.
// Without email configured it does nothing. It returns how many digests went out.
func (s *Service) SendDigests(ctx context.Context, digestHour int) (int, error) {
	if s.Notifier == nil || !s.Notifier.CanEmail() {
		return 0, nil
	}
	now := s.Now()
	if now.Hour() < digestHour {
		return 0, nil
	}
	pending, err := s.Store.PendingEmail(ctx)
	if err != nil {
		return 0, err
	}
	byUser := map[int64][]*rules.Notification{}
	var users []int64
	for _, n := range pending {
		if n.UserID == 0 {
			continue
		}
		if byUser[n.UserID] == nil {
			users = append(users, n.UserID)
		}
		byUser[n.UserID] = append(byUser[n.UserID], n)
	}
	sort.Slice(users, func(i, j int) bool { return users[i] < users[j] })
	day, sent := rules.Day(now), 0
	for _, uid := range users {
		u, err := s.Store.GetUser(ctx, uid)
		if err != nil || u.Disabled {
			continue // a user gone or disabled gets no mail
		}
		ok, err := s.Store.ClaimDigest(ctx, uid, day)
		if err != nil {
			return sent, err
		}
		if !ok {
			continue // today's digest went out; the rest waits for tomorrow's
		}
		ns := byUser[uid]
		subject, body := rules.Digest(u.Name, ns)
		d := &rules.Delivery{Channel: rules.ChannelEmail, Target: u.Email, Accounts: len(ns), Attempts: 1}
		if err := s.Notifier.Email(ctx, u.Email, subject, body); err != nil {
			d.Error = err.Error()
			s.Log.Warn("digest", "user", u.Email, "err", err)
			if err := s.Store.ReleaseDigest(ctx, uid, day); err != nil {
				return sent, err
			}
		} else {
			d.OK = true
			ids := make([]int64, len(ns))
			for i, n := range ns {
				ids[i] = n.ID
			}
			if err := s.Store.MarkEmailed(ctx, ids, now); err != nil {
				return sent, err
			}
			sent++
		}
		if err := s.Store.AddDelivery(ctx, d); err != nil {
			s.Log.Error("delivery log", "err", err)
		}
	}
	return sent, nil
}

// RunScheduled is what serve runs periodically: every enabled rule, then
// the digests that are due.
func (s *Service) RunScheduled(ctx context.Context, digestHour int) (*RuleRun, int, error) {
	run, err := s.RunRules(ctx, auth.System)
	if err != nil {
		return run, 0, err
	}
	n, err := s.SendDigests(ctx, digestHour)
	return run, n, err
}

// Notifications returns a page of the actor's own inbox.
func (s *Service) Notifications(ctx context.Context, actor *auth.Actor, p rules.Page) (rules.List, error) {
	if actor == nil || actor.User == nil || actor.User.ID == 0 {
		return rules.List{}, derrors.E(derrors.Unauthenticated, "sign in to see notifications")
	}
	return s.Store.ListNotifications(ctx, actor.User.ID, p)
}

// MarkNotificationRead marks one of the actor's notifications read.
func (s *Service) MarkNotificationRead(ctx context.Context, actor *auth.Actor, id int64) error {
	if actor == nil || actor.User == nil {
		return derrors.E(derrors.Unauthenticated, "sign in to see notifications")
	}
	return s.Store.MarkRead(ctx, actor.User.ID, id, s.Now())
}

// MarkAllNotificationsRead marks all of the actor's notifications read.
func (s *Service) MarkAllNotificationsRead(ctx context.Context, actor *auth.Actor) (int, error) {
	if actor == nil || actor.User == nil {
		return 0, derrors.E(derrors.Unauthenticated, "sign in to see notifications")
	}
	return s.Store.MarkAllRead(ctx, actor.User.ID, s.Now())
}

// Deliveries lists the newest webhook and email deliveries (managers), of
// one rule when ruleID is not 0.
func (s *Service) Deliveries(ctx context.Context, actor *auth.Actor, ruleID int64, limit int) ([]*rules.Delivery, error) {
	if err := actor.RequireManager(); err != nil {
		return nil, err
	}
	return s.Store.ListDeliveries(ctx, ruleID, limit)
}

// AccountLabel is how a run names an account: its external id, or "#id"
// when it has none.
func AccountLabel(n *rules.Notification) string {
	if n.AccountExternalID != "" {
		return n.AccountExternalID
	}
	return "#" + strconv.FormatInt(n.AccountID, 10)
}

// RunSummary is a run as the API and `meridian rules run --json` show it.
type RunSummary struct {
	Day      string        `json:"day"`
	Notified int           `json:"notified"`
	Rules    []RuleSummary `json:"rules"`
}

// RuleSummary is one rule's part of a RunSummary: the accounts it newly
// notified, by external id ("#id" for an account without one).
type RuleSummary struct {
	ID         int64             `json:"id"`
	Rule       string            `json:"rule"`
	Matched    int               `json:"matched"`
	Accounts   []string          `json:"accounts"`
	Deliveries []DeliverySummary `json:"deliveries"`
}

// DeliverySummary is a webhook delivery of a run.
type DeliverySummary struct {
	Channel  string `json:"channel"`
	Target   string `json:"target"`
	Accounts int    `json:"accounts"`
	Attempts int    `json:"attempts"`
	OK       bool   `json:"ok"`
	Error    string `json:"error,omitempty"`
}

// Summarize shapes a run for JSON.
func Summarize(run *RuleRun) RunSummary {
	out := RunSummary{Day: run.Day, Notified: run.Notified, Rules: []RuleSummary{}}
	for _, r := range run.Rules {
		rs := RuleSummary{ID: r.RuleID, Rule: r.Name, Matched: r.Matched, Accounts: []string{}, Deliveries: []DeliverySummary{}}
		for _, n := range r.Notified {
			rs.Accounts = append(rs.Accounts, AccountLabel(n))
		}
		for _, d := range r.Deliveries {
			rs.Deliveries = append(rs.Deliveries, DeliverySummary{Channel: d.Channel, Target: d.Target, Accounts: d.Accounts, Attempts: d.Attempts, OK: d.OK, Error: d.Error})
		}
		out.Rules = append(out.Rules, rs)
	}
	return out
}
