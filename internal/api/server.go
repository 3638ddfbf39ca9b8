package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
)

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "meridian_session"

// Options configure the server.
type Options struct {
	// UI serves the web app for every path outside /api, /healthz and
	// /metrics; nil serves nothing there.
	UI http.Handler
	// SecureCookies marks the session cookie Secure (behind HTTPS).
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// MaxImportBytes bounds an uploaded import file.
	MaxImportBytes int64
	// Map configures the basemap.
	Map MapConfig
}

// Server is the HTTP API.
type Server struct {
	svc     *app.Service
	log     *slog.Logger
	opts    Options
	metrics *metrics
	mux     *http.ServeMux
	routes  []route
}

// New builds the server and its routes.
func New(svc *app.Service, log *slog.Logger, opts Options) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.MaxImportBytes == 0 {
		opts.MaxImportBytes = 512 << 20
	}
	s := &Server{svc: svc, log: log, opts: opts, metrics: newMetrics(), mux: http.NewServeMux()}
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		rt := rt
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	if opts.UI != nil {
		s.mux.Handle("/", opts.UI)
	}
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type ctxKey int

const (
	keyActor ctxKey = iota
	keyRequestID
)

func actorFrom(ctx context.Context) *auth.Actor {
	a, _ := ctx.Value(keyActor).(*auth.Actor)
	return a
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(keyRequestID).(string)
	return id
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// clientIP is the caller's address, from X-Forwarded-For only when the
// operator said a proxy sets it.
func (s *Server) clientIP(r *http.Request) string {
	if s.opts.TrustProxy {
		if f := r.Header.Get("X-Forwarded-For"); f != "" {
			return strings.TrimSpace(strings.Split(f, ",")[0])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// wrap adds what every route has: a request id, the caller's IP, recovery,
// authentication (unless public), CSRF for cookie sessions, metrics and a
// structured log line.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		rid := hex.EncodeToString(b)
		w.Header().Set("X-Request-Id", rid)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		if rt.Returns != "mvt" && rt.Returns != "pmtiles" {
			w.Header().Set("Cache-Control", "no-store")
		}
		ctx := context.WithValue(r.Context(), keyRequestID, rid)
		ctx = app.WithIP(ctx, s.clientIP(r))
		sw := &statusWriter{ResponseWriter: w}
		var actor *auth.Actor
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "path", r.URL.Path, "request_id", rid, "panic", p)
				if sw.code == 0 {
					s.writeError(sw, r, derrors.E(derrors.Internal, "internal error"))
				}
			}
			d := time.Since(start)
			s.metrics.observe(r.Method, rt.Pattern, sw.code, d)
			attrs := []any{"method", r.Method, "route", rt.Pattern, "path", r.URL.Path, "status", sw.code,
				"duration_ms", float64(d.Microseconds()) / 1000, "request_id", rid}
			if actor != nil && actor.User != nil {
				attrs = append(attrs, "user", actor.User.ID)
			}
			s.log.Info("request", attrs...)
		}()
		if !rt.Public {
			var err error
			actor, err = s.authenticate(ctx, r)
			if err != nil {
				s.writeError(sw, r.WithContext(ctx), err)
				return
			}
			ctx = context.WithValue(ctx, keyActor, actor)
		}
		r = r.WithContext(ctx)
		if err := rt.Handler(sw, r); err != nil {
			if sw.code == 0 {
				s.writeError(sw, r, err)
			} else {
				// The answer was already under way (a streamed export).
				s.log.Error("request failed mid-response", "route", rt.Pattern, "request_id", rid, "err", err)
			}
		}
	})
}

// authenticate finds the caller from a bearer token or a session cookie.
// Cookie-authenticated requests that change anything must carry the
// session's CSRF token in X-CSRF-Token.
func (s *Server) authenticate(ctx context.Context, r *http.Request) (*auth.Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return nil, derrors.E(derrors.Unauthenticated, "Authorization header must be \"Bearer TOKEN\"")
		}
		return s.svc.TokenActor(ctx, strings.TrimSpace(tok))
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, derrors.E(derrors.Unauthenticated, "sign in or send an API token (Authorization: Bearer TOKEN)")
	}
	actor, csrf, err := s.svc.SessionActor(ctx, c.Value)
	if err != nil {
		return nil, err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		got := r.Header.Get("X-CSRF-Token")
		if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(csrf)) != 1 {
			return nil, derrors.Forbiddenf("missing or wrong X-CSRF-Token header; reload the page")
		}
	}
	return actor, nil
}
