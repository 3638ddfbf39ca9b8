package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/notify"
	"github.com/meridian-crm/meridian/internal/notify/notifytest"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/sqlstore"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/visit"
)

// hookServer is a local webhook receiver that checks every signature.
type hookServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   []rules.WebhookBody
	badSigs  int
	failNext int // answer 503 to this many requests first
}

func newHookServer(t *testing.T, secret string) *hookServer {
	h := &hookServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		defer h.mu.Unlock()
		if !notify.Verify(secret, body, r.Header.Get(notify.SignatureHeader)) {
			h.badSigs++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if h.failNext > 0 {
			h.failNext--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var b rules.WebhookBody
		if err := json.Unmarshal(body, &b); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		h.bodies = append(h.bodies, b)
	}))
	t.Cleanup(h.Close)
	return h
}

// named returns the external ids the receiver was told of, sorted.
func (h *hookServer) named() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, b := range h.bodies {
		for _, a := range b.Accounts {
			out = append(out, a.ExternalID)
		}
	}
	sort.Strings(out)
	return out
}

type rulesFixture struct {
	svc     *app.Service
	db      *sqlstore.DB
	clock   time.Time
	manager *auth.Actor
	rep     *auth.User
	ids     map[string]int64
}

// newRulesFixture makes a store with a mix of accounts, all added 60 days
// before the clock: customers visited long ago, lately, never; a customer
// marked do-not-contact; leads.
func newRulesFixture(t *testing.T, open func(testing.TB) *sqlstore.DB) *rulesFixture {
	t.Helper()
	ctx := context.Background()
	db := open(t)
	f := &rulesFixture{db: db, clock: time.Now().Truncate(time.Second), ids: map[string]int64{}}
	created := f.clock.Add(-60 * 24 * time.Hour)
	db.Now = func() time.Time { return created }
	f.svc = app.New(db, nil, nil)
	f.svc.Now = func() time.Time { return f.clock }
	if err := f.svc.Init(ctx); err != nil {
		t.Fatal(err)
	}
	mgr := &auth.User{Email: "mgr@example.com", Name: "Mona Manager", Role: auth.RoleManager}
	f.rep = &auth.User{Email: "rep@example.com", Name: "Rep One", Role: auth.RoleRep}
	for _, u := range []*auth.User{mgr, f.rep} {
		if err := f.svc.CreateUser(ctx, auth.System, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	f.manager = &auth.Actor{User: mgr}
	day := 24 * time.Hour
	for _, a := range []struct {
		ext, name, stage string
		owner            int64
		visited          time.Duration // 0 never
		dnc              bool
	}{
		{"C-1", "Acme <b>& Co</b>", "customer", f.rep.ID, 45 * day, false},
		{"C-2", "Bolt Hardware", "customer", 0, 10 * day, false},
		{"C-3", "Cobalt Supply", "customer", 0, 0, false},
		{"C-4", "Delta Farms", "customer", 0, 90 * day, true},
		{"C-5", "Echo Dental", "customer", 0, 30*day + time.Hour, false},
		{"C-6", "Foxtrot Bakery", "customer", f.rep.ID, 29 * day, false},
		{"L-1", "Gamma Lead", "lead", 0, 90 * day, false},
		{"L-2", "Hotel Lead", "lead", 0, 0, false},
	} {
		acc := &account.Account{ExternalID: a.ext, Name: a.name, Stage: a.stage, OwnerID: a.owner, DoNotContact: a.dnc,
			Location: &geo.Point{Lon: -106, Lat: 39.7}}
		if err := f.svc.CreateAccount(ctx, auth.System, acc); err != nil {
			t.Fatal(err)
		}
		f.ids[a.ext] = acc.ID
		if a.visited != 0 {
			in := &visit.Interaction{AccountID: acc.ID, At: f.clock.Add(-a.visited), Channel: "visit", Outcome: "follow-up"}
			if err := db.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Now = func() time.Time { return f.clock }
	return f
}

// TestRuleNotVisitedNamesEveryCustomerOnceADay is the acceptance test: a
// rule for customers not visited in 30 days names every such customer, and
// no other account, to a local webhook with a valid HMAC; a second run the
// same day notifies nothing; the next day they are named again.
func TestRuleNotVisitedNamesEveryCustomerOnceADay(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRulesFixture(t, eng.Open)
			hook := newHookServer(t, "global-secret")
			hook.failNext = 1 // the first POST meets a 503 and is retried
			f.svc.Notifier = notify.New(notify.Config{WebhookSecret: "global-secret", Backoff: time.Millisecond})
			r := &rules.Rule{Name: "Lapsed customers", Kind: rules.NotVisited, Days: 30, Stage: "customer", Enabled: true,
				Notify: rules.Notify{Webhook: hook.URL, Inbox: true}}
			if err := f.svc.CreateRule(ctx, f.manager, r); err != nil {
				t.Fatal(err)
			}
			run, err := f.svc.RunRules(ctx, f.manager)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"C-1", "C-3", "C-5"}
			if diff := cmp.Diff(want, hook.named()); diff != "" {
				t.Errorf("webhook named (-want +got):\n%s", diff)
			}
			if hook.badSigs != 0 {
				t.Errorf("%d webhook requests had a bad signature", hook.badSigs)
			}
			if run.Notified != 3 || len(run.Rules) != 1 || len(run.Rules[0].Deliveries) != 1 {
				t.Fatalf("run = %+v, want 3 notified in one delivery", run)
			}
			if d := run.Rules[0].Deliveries[0]; !d.OK || d.Attempts != 2 || d.Accounts != 3 {
				t.Errorf("delivery = %+v, want ok after 2 attempts, 3 accounts", d)
			}
			b := hook.bodies[0]
			if b.Rule.Name != "Lapsed customers" || b.Event != "rule.matched" || b.Day != rules.Day(f.clock) {
				t.Errorf("webhook body names rule %q event %q day %q", b.Rule.Name, b.Event, b.Day)
			}
			for _, a := range b.Accounts {
				if a.ExternalID == "C-1" && a.Name != "Acme <b>& Co</b>" {
					t.Errorf("C-1 name = %q", a.Name)
				}
			}

			// Again the same day: nothing new, no POST.
			posts := len(hook.bodies)
			run, err = f.svc.RunRules(ctx, f.manager)
			if err != nil {
				t.Fatal(err)
			}
			if run.Notified != 0 || len(hook.bodies) != posts || run.Rules[0].Matched != 3 {
				t.Errorf("second run: notified %d, posts %d→%d, matched %d; want 0 new, no POST, 3 matched", run.Notified, posts, len(hook.bodies), run.Rules[0].Matched)
			}

			// Inboxes: C-1 is the rep's; the unowned ones go to the rule's author.
			repInbox, err := f.svc.Notifications(ctx, &auth.Actor{User: f.rep}, rules.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if repInbox.Unread != 1 || len(repInbox.Items) != 1 || repInbox.Items[0].AccountExternalID != "C-1" {
				t.Errorf("rep inbox = %d unread, %d items", repInbox.Unread, len(repInbox.Items))
			}
			mgrInbox, _ := f.svc.Notifications(ctx, f.manager, rules.Page{})
			if mgrInbox.Unread != 2 {
				t.Errorf("manager inbox unread = %d, want 2", mgrInbox.Unread)
			}
			if err := f.svc.MarkNotificationRead(ctx, f.manager, repInbox.Items[0].ID); err == nil {
				t.Error("a manager marked the rep's notification read")
			}

			// The next day the same customers are due again, and C-6, last
			// visited 29 days ago, has now reached 30.
			f.clock = f.clock.Add(24 * time.Hour)
			if run, err = f.svc.RunRules(ctx, f.manager); err != nil {
				t.Fatal(err)
			}
			want = []string{"C-1", "C-1", "C-3", "C-3", "C-5", "C-5", "C-6"}
			if diff := cmp.Diff(want, hook.named()); run.Notified != 4 || diff != "" {
				t.Errorf("next day: notified %d, want 4; webhook named (-want +got):\n%s", run.Notified, diff)
			}
			ds, _ := f.svc.Deliveries(ctx, f.manager, r.ID, 10)
			if len(ds) != 2 {
				t.Errorf("delivery log has %d entries, want 2", len(ds))
			}
		})
	}
}

func TestRuleScopesAndRoles(t *testing.T) {
	ctx := context.Background()
	f := newRulesFixture(t, storetest.OpenSQLite)
	repActor := &auth.Actor{User: f.rep, Scope: &account.Scope{OwnerID: f.rep.ID}}
	bad := []*rules.Rule{
		{Name: "x", Kind: rules.NotVisited, Days: 30, Stage: "nope", Notify: rules.Notify{Inbox: true}},
		{Name: "x", Kind: rules.NotVisited, Days: 30, OwnerID: 999999, Notify: rules.Notify{Inbox: true}},
		{Name: "x", Kind: rules.NotVisited, Days: 30, TerritoryID: 999999, Notify: rules.Notify{Inbox: true}},
	}
	for _, r := range bad {
		if err := f.svc.CreateRule(ctx, f.manager, r); err == nil {
			t.Errorf("CreateRule(%+v) = nil error", r)
		}
	}
	r := &rules.Rule{Name: "Rep's lapsed", Kind: rules.NotVisited, Days: 20, OwnerID: f.rep.ID, Enabled: true, Notify: rules.Notify{Inbox: true}}
	if err := f.svc.CreateRule(ctx, repActor, r); err == nil {
		t.Error("a rep created a rule")
	}
	if err := f.svc.CreateRule(ctx, f.manager, r); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RunRules(ctx, repActor); err == nil {
		t.Error("a rep ran the rules")
	}
	run, err := f.svc.RunRules(ctx, f.manager)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range run.Rules[0].Notified {
		got = append(got, app.AccountLabel(n))
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"C-1", "C-6"}, got); diff != "" {
		t.Errorf("owner-scoped rule (-want +got):\n%s", diff)
	}
	r.Enabled = false
	if err := f.svc.UpdateRule(ctx, f.manager, r); err != nil {
		t.Fatal(err)
	}
	if run, _ = f.svc.RunRules(ctx, f.manager); len(run.Rules) != 0 {
		t.Errorf("a disabled rule ran: %+v", run.Rules)
	}
}

func TestDailyDigestOverLocalSMTP(t *testing.T) {
	ctx := context.Background()
	f := newRulesFixture(t, storetest.OpenSQLite)
	mail := notifytest.StartSMTP(t)
	f.svc.Notifier = notify.New(notify.Config{SMTPAddr: mail.Addr(), From: "meridian@example.com"})
	r := &rules.Rule{Name: "Lapsed customers", Kind: rules.NotVisited, Days: 30, Stage: "customer", Enabled: true, Notify: rules.Notify{Email: true}}
	if err := f.svc.CreateRule(ctx, f.manager, r); err != nil {
		t.Fatal(err)
	}
	_, sent, err := f.svc.RunScheduled(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	msgs := mail.Messages()
	if sent != 2 || len(msgs) != 2 {
		t.Fatalf("digests sent %d, server got %d; want 2 (the rep and the manager)", sent, len(msgs))
	}
	byTo := map[string]string{}
	for _, m := range msgs {
		byTo[m.To] = m.Data
	}
	if d := byTo["rep@example.com"]; !strings.Contains(d, "Acme <b>& Co</b> [C-1]: not visited for 45 days") || strings.Contains(d, "Cobalt") {
		t.Errorf("rep's digest:\n%s", d)
	}
	if d := byTo["mgr@example.com"]; !strings.Contains(d, "Cobalt Supply [C-3]: never visited") || !strings.Contains(d, "Echo Dental [C-5]") {
		t.Errorf("manager's digest:\n%s", d)
	}
	// Once a day: a later run the same day sends nothing more.
	if _, sent, err = f.svc.RunScheduled(ctx, 0); err != nil || sent != 0 || len(mail.Messages()) != 2 {
		t.Errorf("second scheduled run sent %d (%v), server has %d", sent, err, len(mail.Messages()))
	}
	// Email-only rules leave the inbox empty.
	if l, _ := f.svc.Notifications(ctx, f.manager, rules.Page{}); l.Total != 0 {
		t.Errorf("inbox total = %d for an email-only rule", l.Total)
	}
}
