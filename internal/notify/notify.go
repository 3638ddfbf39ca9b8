// Package notify sends Meridian's notifications out of the app: signed
// webhooks over HTTP and email over SMTP. It implements rules.Notifier.
//
// A webhook is a JSON POST. When a secret is known (the rule's own, else
// the server's global one) the body is signed with HMAC-SHA256 and the
// signature sent as
//
//	X-Meridian-Signature: sha256=<hex of HMAC-SHA256(secret, body)>
//
// A receiver recomputes the HMAC over the raw body it got and compares the
// two in constant time (Verify does exactly that). Every attempt of one
// delivery carries the same X-Meridian-Delivery id, so a receiver can drop
// repeats. Failures that may pass (timeouts, connection errors, 5xx, 429)
// are retried with exponential backoff; other 4xx answers are not.
package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// SignatureHeader carries the body's HMAC-SHA256.
const SignatureHeader = "X-Meridian-Signature"

// DeliveryHeader carries an id shared by every attempt of one delivery.
const DeliveryHeader = "X-Meridian-Delivery"

// Config says how to reach the outside.
type Config struct {
	// WebhookSecret signs webhooks of rules without a secret of their own
	// ("" sends those unsigned).
	WebhookSecret string
	// Client sends webhooks; nil uses a client with no overall timeout
	// (each attempt has AttemptTimeout).
	Client *http.Client
	// AttemptTimeout bounds one webhook attempt (default 10 s).
	AttemptTimeout time.Duration
	// Attempts is how many times a webhook is tried (default 4).
	Attempts int
	// Backoff is the wait before the second attempt; it doubles after each
	// (default 1 s: waits of 1, 2, 4 s).
	Backoff time.Duration

	// SMTPAddr is the mail server as host:port ("" disables email).
	SMTPAddr string
	// From is the sender's address.
	From string
	// SMTPUser and SMTPPassword, when set, authenticate with PLAIN (only
	// over TLS, or to localhost).
	SMTPUser, SMTPPassword string
	// SMTPTimeout bounds one email's whole conversation (default 30 s).
	SMTPTimeout time.Duration
}

// Sender implements rules.Notifier.
type Sender struct {
	cfg   Config
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a sender with cfg's defaults filled in.
func New(cfg Config) *Sender {
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.AttemptTimeout <= 0 {
		cfg.AttemptTimeout = 10 * time.Second
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 4
	}
	if cfg.Backoff <= 0 {
		cfg.Backoff = time.Second
	}
	if cfg.SMTPTimeout <= 0 {
		cfg.SMTPTimeout = 30 * time.Second
	}
	return &Sender{cfg: cfg, sleep: sleepCtx}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Sign returns the signature header value for body: "sha256=" and the hex
// HMAC-SHA256 of body keyed with secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether header is the signature of body with secret,
// comparing in constant time.
func Verify(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(strings.TrimSpace(header)))
}

// Webhook implements rules.Notifier.
func (s *Sender) Webhook(ctx context.Context, url, secret string, body []byte) (int, error) {
	if secret == "" {
		secret = s.cfg.WebhookSecret
	}
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	delivery := hex.EncodeToString(id)
	wait := s.cfg.Backoff
	var last error
	for attempt := 1; attempt <= s.cfg.Attempts; attempt++ {
		retry, err := s.post(ctx, url, secret, delivery, body)
		if err == nil {
			return attempt, nil
		}
		last = err
		if !retry || attempt == s.cfg.Attempts {
			return attempt, err
		}
		if err := s.sleep(ctx, wait); err != nil {
			return attempt, fmt.Errorf("%v (then: %w)", last, err)
		}
		wait *= 2
	}
	return s.cfg.Attempts, last
}

// post makes one attempt and says whether a failure is worth retrying.
func (s *Sender) post(ctx context.Context, url, secret, delivery string, body []byte) (retry bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return false, fmt.Errorf("webhook %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Meridian-Webhook/1")
	req.Header.Set(DeliveryHeader, delivery)
	if secret != "" {
		req.Header.Set(SignatureHeader, Sign(secret, body))
	}
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return true, fmt.Errorf("webhook %s: %w", url, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return false, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return true, fmt.Errorf("webhook %s: %s", url, resp.Status)
	default:
		return false, fmt.Errorf("webhook %s: %s", url, resp.Status)
	}
}

// CanEmail implements rules.Notifier.
func (s *Sender) CanEmail() bool { return s.cfg.SMTPAddr != "" && s.cfg.From != "" }

// Email implements rules.Notifier: one plain-text UTF-8 message, upgraded
// to TLS when the server offers STARTTLS.
func (s *Sender) Email(ctx context.Context, to, subject, body string) (err error) {
	if !s.CanEmail() {
		return derrors.Invalidf("email: no SMTP server configured (serve --smtp host:port --smtp-from ADDRESS)")
	}
	defer derrors.Wrap(&err, "email to %s", to)
	if strings.ContainsAny(to, "\r\n<>") || !strings.Contains(to, "@") {
		return derrors.Invalidf("email: %q is not an address", to)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.SMTPTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.cfg.SMTPAddr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.cfg.SMTPAddr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return err
		}
	}
	if s.cfg.SMTPUser != "" {
		if err := c.Auth(smtp.PlainAuth("", s.cfg.SMTPUser, s.cfg.SMTPPassword, host)); err != nil {
			return err
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return err
	}
	if err := c.Rcpt(to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(Message(s.cfg.From, to, subject, body, time.Now())); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if err := c.Quit(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

// Message formats a plain-text email with CRLF line ends. The subject is
// kept to one line and MIME-encoded when not plain ASCII.
func Message(from, to, subject, body string, at time.Time) []byte {
	subject = strings.Map(func(r rune) rune {
		if r < 0x20 {
			return ' '
		}
		return r
	}, subject)
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n", from, to, mime.QEncoding.Encode("utf-8", subject), at.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\r", "\n")
	b.WriteString(strings.ReplaceAll(body, "\n", "\r\n"))
	return b.Bytes()
}
