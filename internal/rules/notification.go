package rules

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Notification is one match of one rule on one day, addressed to a user.
// The store keeps at most one per Key.
type Notification struct {
	ID                int64
	UserID            int64 // recipient; 0 when nobody could be named
	RuleID            int64 // 0 once the rule is deleted
	RuleName          string
	AccountID         int64
	AccountExternalID string
	AccountName       string
	Day               string
	Message           string
	Inbox             bool // shown in the recipient's inbox
	Email             bool // goes into the recipient's daily digest
	CreatedAt         time.Time
	ReadAt            time.Time // zero: unread
	EmailedAt         time.Time // zero: not (yet) emailed
}

// Key is n's idempotence key.
func (n *Notification) Key() Key { return Key{RuleID: n.RuleID, AccountID: n.AccountID, Day: n.Day} }

// Page asks for up to Limit notifications older than the cursor.
type Page struct {
	Limit  int
	Cursor string
}

// MaxLimit caps a page of notifications; DefaultLimit is the page size when
// none is asked for.
const (
	MaxLimit     = 500
	DefaultLimit = 50
)

// Normalize applies the default and cap and reads the cursor (the id the
// next page starts below; 0 for the first page).
func (p Page) Normalize() (limit int, beforeID int64, err error) {
	limit = p.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	if limit > MaxLimit {
		limit = MaxLimit
	}
	if p.Cursor != "" {
		b, derr := base64.RawURLEncoding.DecodeString(p.Cursor)
		if derr == nil && len(b) > 1 && b[0] == 'n' {
			if id, perr := strconv.ParseInt(string(b[1:]), 10, 64); perr == nil && id > 0 {
				return limit, id, nil
			}
		}
		return 0, 0, derrors.Invalidf("cursor: %q is not a cursor this server gave out", p.Cursor)
	}
	return limit, 0, nil
}

// EncodeCursor makes the cursor of the page after the notification id.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("n" + strconv.FormatInt(id, 10)))
}

// List is a page of a user's inbox, newest first.
type List struct {
	Items      []*Notification
	Total      int // all of the user's inbox notifications
	Unread     int
	NextCursor string
}

// Delivery is one attempt to send a run's matches outside the app: a
// webhook POST or an email, with how it went.
type Delivery struct {
	ID       int64
	RuleID   int64 // 0 for a digest, which spans rules
	Channel  string
	Target   string // the URL or the address
	Accounts int    // how many accounts it named
	Attempts int
	OK       bool
	Error    string
	At       time.Time
}

// Delivery channels.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
)

// Store keeps rules, notifications and the delivery log. Methods return
// derrors NotFound for a missing rule or notification and Conflict for a
// second rule with the same name.
type Store interface {
	// CreateRule inserts r, setting ID, CreatedAt and UpdatedAt.
	CreateRule(ctx context.Context, r *Rule) error
	// GetRule returns the rule with id, or NotFound.
	GetRule(ctx context.Context, id int64) (*Rule, error)
	// UpdateRule saves every field of r (by ID), or NotFound.
	UpdateRule(ctx context.Context, r *Rule) error
	// DeleteRule removes a rule, or NotFound. Its notifications stay, with
	// the rule's name.
	DeleteRule(ctx context.Context, id int64) error
	// ListRules returns every rule by name.
	ListRules(ctx context.Context) ([]*Rule, error)

	// RecordNotifications stores, in one transaction, each notification
	// whose Key has not been stored before, setting its ID and CreatedAt,
	// and returns those; the others are dropped.
	RecordNotifications(ctx context.Context, ns []*Notification) ([]*Notification, error)
	// ListNotifications returns a page of the user's inbox, newest first.
	ListNotifications(ctx context.Context, userID int64, p Page) (List, error)
	// MarkRead marks one of the user's notifications read, or NotFound.
	MarkRead(ctx context.Context, userID, id int64, at time.Time) error
	// MarkAllRead marks all of the user's notifications read and says how many were unread.
	MarkAllRead(ctx context.Context, userID int64, at time.Time) (int, error)
	// PendingEmail returns the notifications waiting for a digest, oldest first.
	PendingEmail(ctx context.Context) ([]*Notification, error)
	// MarkEmailed records that the notifications went out in a digest.
	MarkEmailed(ctx context.Context, ids []int64, at time.Time) error
	// ClaimDigest records that the user's digest for day is being sent; false
	// when it already was.
	ClaimDigest(ctx context.Context, userID int64, day string) (bool, error)
	// ReleaseDigest forgets a claim whose sending failed, so a later run retries.
	ReleaseDigest(ctx context.Context, userID int64, day string) error

	// AddDelivery appends to the delivery log, setting ID.
	AddDelivery(ctx context.Context, d *Delivery) error
	// ListDeliveries returns the newest deliveries (of one rule when ruleID
	// is not 0), newest first.
	ListDeliveries(ctx context.Context, ruleID int64, limit int) ([]*Delivery, error)
}

// Notifier sends outside the app. The notify package implements it over
// HTTP and SMTP.
type Notifier interface {
	// Webhook POSTs body (JSON) to url, signed with secret ("" the sender's
	// global secret), retrying failures that may pass. It returns how many
	// attempts it made.
	Webhook(ctx context.Context, url, secret string, body []byte) (attempts int, err error)
	// Email sends a plain-text message to one address. Not configured: an
	// error of kind Invalid.
	Email(ctx context.Context, to, subject, body string) error
	// CanEmail reports whether email is configured.
	CanEmail() bool
}

// WebhookAccount is one account in a webhook's body.
type WebhookAccount struct {
	ID         int64  `json:"id"`
	ExternalID string `json:"external_id"`
	Name       string `json:"name"`
	Stage      string `json:"stage"`
	OwnerID    int64  `json:"owner_id,omitempty"`
	Reason     string `json:"reason"`
}

// WebhookRule names the rule in a webhook's body.
type WebhookRule struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`
	Days int    `json:"days"`
}

// WebhookBody is what a rule's webhook receives: the rule and the accounts
// it newly matched that day (at most MaxWebhookAccounts a POST).
type WebhookBody struct {
	Event    string           `json:"event"` // "rule.matched"
	Rule     WebhookRule      `json:"rule"`
	Day      string           `json:"day"`
	SentAt   string           `json:"sent_at"` // RFC 3339; lets a receiver refuse replays
	Accounts []WebhookAccount `json:"accounts"`
}

// MaxWebhookAccounts is how many accounts one webhook POST names; more are
// sent in several POSTs.
const MaxWebhookAccounts = 500

// Digest is the text of a user's daily digest email.
func Digest(userName string, ns []*Notification) (subject, body string) {
	sorted := append([]*Notification(nil), ns...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].RuleName != sorted[j].RuleName {
			return sorted[i].RuleName < sorted[j].RuleName
		}
		return sorted[i].AccountName < sorted[j].AccountName
	})
	subject = fmt.Sprintf("Meridian: %d account%s need%s attention", len(ns), plural(len(ns)), map[bool]string{true: "s", false: ""}[len(ns) == 1])
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nYour re-engagement rules found these accounts:\n", oneLine(userName))
	rule := "\x00"
	for _, n := range sorted {
		if n.RuleName != rule {
			rule = n.RuleName
			fmt.Fprintf(&b, "\n%s\n", oneLine(rule))
		}
		ext := ""
		if n.AccountExternalID != "" {
			ext = " [" + oneLine(n.AccountExternalID) + "]"
		}
		fmt.Fprintf(&b, "  - %s%s: %s\n", oneLine(n.AccountName), ext, oneLine(n.Message))
	}
	b.WriteString("\nOpen Meridian to see them on the map.\n")
	return subject, b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// oneLine keeps user-written text from adding lines (or headers) to a mail.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 {
			return ' '
		}
		return r
	}, s)
}
