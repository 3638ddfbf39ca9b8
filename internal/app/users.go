package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

// Actor resolves what a signed-in user may see. A rep's scope is their own id
// and the territories assigned to them with every territory below those.
func (s *Service) Actor(ctx context.Context, u *auth.User) (*auth.Actor, error) {
	if u.Disabled {
		return nil, derrors.E(derrors.Unauthenticated, "this user is disabled")
	}
	a := &auth.Actor{User: u}
	if u.Role != auth.RoleRep {
		return a, nil
	}
	assigned, err := s.Store.RepTerritoryIDs(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	ts, _, err := s.territories(ctx)
	if err != nil {
		return nil, err
	}
	a.Scope = &account.Scope{OwnerID: u.ID, TerritoryIDs: territory.Descendants(ts, assigned)}
	return a, nil
}

// SignIn checks a password and opens a browser session. It returns the
// session's secret (for the cookie) and the CSRF token the page must echo.
// Too many recent failures for the email or from the IP give TooMany, so
// passwords cannot be guessed at speed.
func (s *Service) SignIn(ctx context.Context, email, password string) (u *auth.User, cookie, csrf string, err error) {
	now := s.Now()
	ip := ipFrom(ctx)
	byEmail, byIP, err := s.Store.FailedSignIns(ctx, email, ip, now.Add(-s.Config.SignInWindow))
	if err != nil {
		return nil, "", "", err
	}
	if byEmail >= s.Config.MaxFailuresPerEmail || byIP >= s.Config.MaxFailuresPerIP {
		return nil, "", "", derrors.E(derrors.TooMany, "too many failed sign-ins; try again in %d minutes", int(s.Config.SignInWindow.Minutes()))
	}
	u, err = s.Store.GetUserByEmail(ctx, email)
	if err != nil && !derrors.Is(err, derrors.NotFound) {
		return nil, "", "", err
	}
	// Check a password either way, so an unknown email takes as long to
	// refuse as a wrong password and answers do not reveal who has an account.
	hash := dummyHash()
	if err == nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok := auth.CheckPassword(hash, password) && err == nil && !u.Disabled && u.PasswordHash != ""
	if rerr := s.Store.RecordSignIn(ctx, email, ip, ok, now); rerr != nil {
		return nil, "", "", rerr
	}
	if !ok {
		s.audit(ctx, nil, "signin.failed", auth.NormalizeEmail(email), "")
		return nil, "", "", derrors.E(derrors.Unauthenticated, "wrong email or password")
	}
	cookie = auth.NewSecret("mrs_")
	csrf = auth.NewSecret("")
	sess := &auth.Session{Hash: auth.HashSecret(cookie), UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(s.Config.SessionTTL)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", "", err
	}
	s.audit(ctx, &auth.Actor{User: u}, "signin", u.Email, "")
	return u, cookie, csrf, nil
}

// SessionActor returns the actor and CSRF token of a session cookie.
func (s *Service) SessionActor(ctx context.Context, cookie string) (*auth.Actor, string, error) {
	sess, u, err := s.Store.SessionUser(ctx, auth.HashSecret(cookie), s.Now())
	if err != nil {
		if derrors.Is(err, derrors.NotFound) {
			return nil, "", derrors.E(derrors.Unauthenticated, "your session has ended; sign in again")
		}
		return nil, "", err
	}
	a, err := s.Actor(ctx, u)
	return a, sess.CSRF, err
}

// SignOut ends a browser session.
func (s *Service) SignOut(ctx context.Context, cookie string) error {
	return s.Store.DeleteSession(ctx, auth.HashSecret(cookie))
}

// TokenActor returns the actor of an API token.
func (s *Service) TokenActor(ctx context.Context, secret string) (*auth.Actor, error) {
	hash := auth.HashSecret(secret)
	if a := s.cachedToken(hash); a != nil { // see tokencache.go
		return a, nil
	}
	_, u, err := s.Store.TokenUser(ctx, hash, s.Now())
	if err != nil {
		if derrors.Is(err, derrors.NotFound) {
			return nil, derrors.E(derrors.Unauthenticated, "unknown or revoked API token")
		}
		return nil, err
	}
	a, err := s.Actor(ctx, u)
	if err == nil {
		s.cacheToken(hash, a)
	}
	return a, err
}

// CreateToken makes an API token for the user with email and returns its
// secret, which is shown once and stored only as a hash. Admins make tokens
// for anyone, others only for themselves.
func (s *Service) CreateToken(ctx context.Context, actor *auth.Actor, email, name string) (string, *auth.Token, error) {
	u, err := s.Store.GetUserByEmail(ctx, email)
	if err != nil {
		return "", nil, err
	}
	if !actor.IsAdmin() && actor.User.ID != u.ID {
		return "", nil, derrors.Forbiddenf("you may only create tokens for yourself")
	}
	secret := auth.NewSecret("mrd_")
	t := &auth.Token{UserID: u.ID, Name: name, Hash: auth.HashSecret(secret)}
	if err := s.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	s.audit(ctx, actor, "token.create", u.Email, name)
	return secret, t, nil
}

// RevokeToken revokes a token of the actor's (any token, for admins).
func (s *Service) RevokeToken(ctx context.Context, actor *auth.Actor, userID, tokenID int64) error {
	if !actor.IsAdmin() && actor.User.ID != userID {
		return derrors.Forbiddenf("you may only revoke your own tokens")
	}
	toks, err := s.Store.ListTokens(ctx, userID)
	if err != nil {
		return err
	}
	for _, t := range toks {
		if t.ID == tokenID {
			if err := s.Store.RevokeToken(ctx, tokenID, s.Now()); err != nil {
				return err
			}
			s.forgetTokens()
			s.audit(ctx, actor, "token.revoke", fmt.Sprint(tokenID), "")
			return nil
		}
	}
	return derrors.NotFoundf("token %d not found", tokenID)
}

// CreateUser adds a user (admins only). An empty password leaves the user
// unable to sign in with a password until one is set.
func (s *Service) CreateUser(ctx context.Context, actor *auth.Actor, u *auth.User, password string) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if password != "" {
		h, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return err
	}
	s.audit(ctx, actor, "user.create", u.Email, "role="+string(u.Role))
	return nil
}

// UserPatch changes some of a user's fields; nil fields are kept.
type UserPatch struct {
	Name     *string
	Email    *string
	Role     *auth.Role
	Password *string
	Home     *geo.Point // sets the home; nil keeps it
	Disabled *bool
}

// UpdateUser changes a user. Admins change anyone; others may change their
// own name and password only. Role changes are audited.
func (s *Service) UpdateUser(ctx context.Context, actor *auth.Actor, id int64, p UserPatch) (*auth.User, error) {
	self := actor.User.ID == id
	if !actor.IsAdmin() {
		if !self {
			return nil, derrors.Forbiddenf("only an admin may change other users")
		}
		if p.Role != nil || p.Email != nil || p.Disabled != nil {
			return nil, derrors.Forbiddenf("only an admin may change roles, emails or disable users")
		}
	}
	u, err := s.Store.GetUser(ctx, id)
	if err != nil {
		return nil, err
	}
	oldRole := u.Role
	if p.Name != nil {
		u.Name = *p.Name
	}
	if p.Email != nil {
		u.Email = *p.Email
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.Home != nil {
		h := *p.Home
		u.Home = &h
	}
	if p.Disabled != nil {
		if self && *p.Disabled {
			return nil, derrors.Invalidf("disabled: you cannot disable yourself")
		}
		u.Disabled = *p.Disabled
	}
	if p.Password != nil {
		h, err := auth.HashPassword(*p.Password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = h
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	s.forgetTokens()
	if u.Role != oldRole {
		s.audit(ctx, actor, "user.role", u.Email, fmt.Sprintf("%s→%s", oldRole, u.Role))
	}
	return u, nil
}

// DeleteUser removes a user (admins only, never themselves).
func (s *Service) DeleteUser(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := actor.RequireAdmin(); err != nil {
		return err
	}
	if actor.User.ID == id {
		return derrors.Invalidf("you cannot delete yourself")
	}
	u, err := s.Store.GetUser(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteUser(ctx, id); err != nil {
		return err
	}
	s.forgetTokens()
	s.invalidateTerritories()
	s.audit(ctx, actor, "user.delete", u.Email, "")
	return nil
}

// ListUsers lists users: everyone for managers; reps see the team without
// being able to change it (names are shown on accounts anyway).
func (s *Service) ListUsers(ctx context.Context, actor *auth.Actor) ([]*auth.User, error) {
	return s.Store.ListUsers(ctx)
}

// GetUser returns one user.
func (s *Service) GetUser(ctx context.Context, actor *auth.Actor, id int64) (*auth.User, error) {
	return s.Store.GetUser(ctx, id)
}

// Audit lists the audit log, newest first (admins only).
func (s *Service) Audit(ctx context.Context, actor *auth.Actor, limit int, beforeID int64) ([]*auth.AuditEntry, error) {
	if err := actor.RequireAdmin(); err != nil {
		return nil, err
	}
	return s.Store.ListAudit(ctx, limit, beforeID)
}

// Housekeep removes expired sessions and sign-in attempts older than a day
// (the rate limit looks back minutes), and pings older than the retention
// period. serve runs it every hour.
func (s *Service) Housekeep(ctx context.Context) (int64, error) {
	now := s.Now()
	n, err := s.Store.PurgeExpired(ctx, now, now.Add(-24*time.Hour))
	if err != nil {
		return n, err
	}
	pings, err := s.housekeepPings(ctx)
	return n + pings, err
}

var (
	dummyOnce sync.Once
	dummy     string
)

// dummyHash is a hash of a random password, checked when there is no user.
func dummyHash() string {
	dummyOnce.Do(func() {
		h, err := auth.HashPassword(auth.RandomPassword())
		if err != nil {
			panic(err)
		}
		dummy = h
	})
	return dummy
}
