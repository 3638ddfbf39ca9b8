package notify

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/notify/notifytest"
)

func fastSender(cfg Config) *Sender {
	s := New(cfg)
	s.sleep = func(ctx context.Context, d time.Duration) error { return nil }
	return s
}

func TestSignVerify(t *testing.T) {
	body := []byte(`{"a":1}`)
	got := Sign("k", body)
	// echo -n '{"a":1}' | openssl dgst -sha256 -hmac k
	if want := "sha256=c3a92ff9e274cdcce27a58c15a78ec6dcbbdbd0038a87e7a11baef2028fd8bff"; got != want {
		t.Fatalf("Sign = %q, want %q", got, want)
	}
	if !Verify("k", body, got) {
		t.Error("Verify(own signature) = false")
	}
	if Verify("k", []byte(`{"a":2}`), got) || Verify("other", body, got) {
		t.Error("Verify accepted a changed body or another secret")
	}
}

func TestWebhookRetriesAndSigns(t *testing.T) {
	var mu sync.Mutex
	var calls int
	var deliveries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		calls++
		n := calls
		deliveries = append(deliveries, r.Header.Get(DeliveryHeader))
		mu.Unlock()
		if !Verify("rule-secret", body, r.Header.Get(SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if n <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := fastSender(Config{WebhookSecret: "global"})
	attempts, err := s.Webhook(context.Background(), srv.URL, "rule-secret", []byte(`{"x":1}`))
	if err != nil || attempts != 3 {
		t.Fatalf("Webhook = %d attempts, %v; want 3, nil", attempts, err)
	}
	if deliveries[0] == "" || deliveries[0] != deliveries[1] || deliveries[1] != deliveries[2] {
		t.Errorf("delivery ids %q: want one id on every attempt", deliveries)
	}
}

func TestWebhookGlobalSecretAndNoRetryOn4xx(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		calls++
		if !Verify("global", body, r.Header.Get(SignatureHeader)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		http.Error(w, "no such hook", http.StatusNotFound)
	}))
	defer srv.Close()
	s := fastSender(Config{WebhookSecret: "global"})
	attempts, err := s.Webhook(context.Background(), srv.URL, "", []byte(`{}`))
	if err == nil || !strings.Contains(err.Error(), "404") || attempts != 1 || calls != 1 {
		t.Errorf("Webhook = %d attempts (%d calls), %v; want 1 attempt, a 404 error (signed with the global secret)", attempts, calls, err)
	}
}

func TestWebhookTimeoutIsRetried(t *testing.T) {
	var calls int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			select {
			case <-time.After(500 * time.Millisecond):
			case <-r.Context().Done():
			}
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	s := fastSender(Config{AttemptTimeout: 100 * time.Millisecond, Attempts: 3})
	attempts, err := s.Webhook(context.Background(), srv.URL, "", []byte(`{}`))
	if err != nil || attempts != 2 {
		t.Errorf("Webhook = %d attempts, %v; want 2, nil", attempts, err)
	}
	s = fastSender(Config{Attempts: 2})
	_, err = s.Webhook(context.Background(), "http://127.0.0.1:1/hook", "", []byte(`{}`))
	if err == nil {
		t.Error("Webhook to a closed port = nil error")
	}
}

func TestEmailOverLocalSMTP(t *testing.T) {
	srv := notifytest.StartSMTP(t)
	s := New(Config{SMTPAddr: srv.Addr(), From: "meridian@example.com"})
	if !s.CanEmail() {
		t.Fatal("CanEmail = false with a server and a sender")
	}
	body := "Hello Ann,\n\n  - Acme: not visited for 31 days\n.leading dot line\n"
	if err := s.Email(context.Background(), "ann@example.com", "Meridian: 1 account needs attention — täglich", body); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "meridian@example.com" || m.To != "ann@example.com" {
		t.Errorf("envelope = %q → %q", m.From, m.To)
	}
	for _, want := range []string{"To: ann@example.com\r\n", "Subject: =?utf-8?q?", "Content-Type: text/plain; charset=utf-8", "  - Acme: not visited for 31 days\r\n", "\r\n.leading dot line\r\n"} {
		if !strings.Contains(m.Data, want) {
			t.Errorf("message lacks %q:\n%s", want, m.Data)
		}
	}
	if err := s.Email(context.Background(), "bob@example.com\r\nRCPT TO:<eve@example.com>", "x", "y"); err == nil {
		t.Error("Email to an address with a line break = nil error")
	}
	if err := New(Config{}).Email(context.Background(), "a@b.c", "x", "y"); err == nil || !strings.Contains(err.Error(), "no SMTP server") {
		t.Errorf("Email without a server = %v", err)
	}
}
