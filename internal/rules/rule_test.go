package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
)

var now = time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }

func ids(ms []Match) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.Account.ID)
	}
	return out
}

func TestEvaluateNotVisited(t *testing.T) {
	accts := []*account.Account{
		{ID: 1, Stage: "customer", LastVisitAt: daysAgo(31), CreatedAt: daysAgo(400)},
		{ID: 2, Stage: "customer", LastVisitAt: daysAgo(29), CreatedAt: daysAgo(400)},
		{ID: 3, Stage: "customer", LastVisitAt: daysAgo(30), CreatedAt: daysAgo(400)},     // exactly 30 days: due
		{ID: 4, Stage: "customer", CreatedAt: daysAgo(45)},                                // never visited, old
		{ID: 5, Stage: "customer", CreatedAt: daysAgo(3)},                                 // never visited, new
		{ID: 6, Stage: "lead", LastVisitAt: daysAgo(90), CreatedAt: daysAgo(400)},         // other stage
		{ID: 7, Stage: "customer", LastVisitAt: daysAgo(90), DoNotContact: true},          // do not contact
		{ID: 8, Stage: "customer", LastVisitAt: daysAgo(90), OwnerID: 5, TerritoryID: 12}, // in scope below
	}
	tests := []struct {
		name   string
		rule   Rule
		within []int64
		want   []int64
	}{
		{"stage", Rule{Kind: NotVisited, Days: 30, Stage: "customer"}, nil, []int64{1, 3, 4, 8}},
		{"any stage", Rule{Kind: NotVisited, Days: 30}, nil, []int64{1, 3, 4, 6, 8}},
		{"owner", Rule{Kind: NotVisited, Days: 30, OwnerID: 5}, nil, []int64{8}},
		{"territory with descendants", Rule{Kind: NotVisited, Days: 30, TerritoryID: 10}, []int64{10, 12}, []int64{8}},
		{"territory without", Rule{Kind: NotVisited, Days: 30, TerritoryID: 10}, []int64{10}, nil},
		{"60 days", Rule{Kind: NotVisited, Days: 60}, nil, []int64{6, 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(Evaluate(&tt.rule, tt.within, accts, now))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Evaluate (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEvaluateFollowUpAndStalled(t *testing.T) {
	accts := []*account.Account{
		{ID: 1, Stage: "proposal", NextFollowUpAt: now.Add(-time.Hour), UpdatedAt: daysAgo(20)},
		{ID: 2, Stage: "proposal", NextFollowUpAt: now.Add(36 * time.Hour), UpdatedAt: daysAgo(2)},
		{ID: 3, Stage: "proposal", UpdatedAt: daysAgo(15), LastVisitAt: daysAgo(16)},
		{ID: 4, Stage: "proposal", UpdatedAt: daysAgo(20), LastVisitAt: daysAgo(5)}, // visited lately
		{ID: 5, Stage: "lead", UpdatedAt: daysAgo(50)},
	}
	tests := []struct {
		rule Rule
		want []int64
	}{
		{Rule{Kind: FollowUpDue}, []int64{1}},
		{Rule{Kind: FollowUpDue, Days: 2}, []int64{1, 2}},
		{Rule{Kind: StageStalled, Stage: "proposal", Days: 14}, []int64{1, 3}},
		{Rule{Kind: StageStalled, Stage: "lead", Days: 14}, []int64{5}},
	}
	for _, tt := range tests {
		got := ids(Evaluate(&tt.rule, nil, accts, now))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Evaluate(%s %d %s) (-want +got):\n%s", tt.rule.Kind, tt.rule.Days, tt.rule.Stage, diff)
		}
	}
	m := Evaluate(&Rule{Kind: FollowUpDue}, nil, accts[:1], now)
	if len(m) != 1 || !strings.Contains(m[0].Reason, "overdue since 2025-06-30") {
		t.Errorf("reason = %+v, want overdue since 2025-06-30", m)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		rule Rule
		want string // "" valid, else a substring of the error
	}{
		{Rule{Name: "Lapsed", Kind: NotVisited, Days: 30, Notify: Notify{Inbox: true}}, ""},
		{Rule{Name: " ", Kind: NotVisited, Days: 30, Notify: Notify{Inbox: true}}, "name: required"},
		{Rule{Name: "x", Kind: "sometimes", Days: 30, Notify: Notify{Inbox: true}}, `kind: "sometimes" is not one of`},
		{Rule{Name: "x", Kind: NotVisited, Days: 0, Notify: Notify{Inbox: true}}, "days:"},
		{Rule{Name: "x", Kind: FollowUpDue, Days: 0, Notify: Notify{Inbox: true}}, ""},
		{Rule{Name: "x", Kind: StageStalled, Days: 10, Notify: Notify{Inbox: true}}, "stage: stage_stalled needs"},
		{Rule{Name: "x", Kind: NotVisited, Days: 3, Notify: Notify{Webhook: "ftp://x/y"}}, "notify.webhook"},
		{Rule{Name: "x", Kind: NotVisited, Days: 3, Notify: Notify{Webhook: "https://hooks.example.com/a"}}, ""},
		{Rule{Name: "x", Kind: NotVisited, Days: 3}, "notify: choose"},
	}
	for _, tt := range tests {
		err := tt.rule.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("Validate(%+v) = %v, want nil", tt.rule, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("Validate(%+v) = %v, want an error containing %q", tt.rule, err, tt.want)
		}
	}
}

func TestDigestKeepsOneLinePerAccount(t *testing.T) {
	subject, body := Digest("Ann\r\nBcc: x@evil", []*Notification{
		{RuleName: "Lapsed", AccountName: "Acme\nInjected: yes", AccountExternalID: "A-1", Message: "not visited for 31 days"},
		{RuleName: "Lapsed", AccountName: "Bolt", Message: "never visited"},
	})
	if subject != "Meridian: 2 accounts need attention" {
		t.Errorf("subject = %q", subject)
	}
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "Injected") || strings.HasPrefix(line, "Bcc") {
			t.Errorf("user text started its own line: %q", line)
		}
	}
	if !strings.Contains(body, "Acme Injected: yes [A-1]: not visited for 31 days") {
		t.Errorf("body lacks the account line:\n%s", body)
	}
}

func TestPageCursor(t *testing.T) {
	_, id, err := Page{Cursor: EncodeCursor(42)}.Normalize()
	if err != nil || id != 42 {
		t.Errorf("Normalize(EncodeCursor(42)) = %d, %v; want 42", id, err)
	}
	if _, _, err := (Page{Cursor: "nope"}).Normalize(); err == nil {
		t.Error("Normalize(bad cursor) = nil error")
	}
}
