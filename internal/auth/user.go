package auth

import (
	"context"
	"net/mail"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// Role is what a user may do.
type Role string

// Roles, most powerful first.
const (
	RoleAdmin   Role = "admin"
	RoleManager Role = "manager"
	RoleRep     Role = "rep"
)

// ParseRole checks a role name.
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleManager, RoleRep:
		return r, nil
	}
	return "", derrors.Invalidf("role: %q is not one of admin, manager, rep", s)
}

// User is a person who signs in.
type User struct {
	ID           int64
	Email        string // lower case, unique
	Name         string
	Role         Role
	PasswordHash string // argon2id, PHC string format; empty: cannot sign in with a password
	Home         *geo.Point
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// NormalizeEmail lower-cases and trims an email address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the user's fields; the message names the field.
func (u *User) Validate() error {
	u.Email = NormalizeEmail(u.Email)
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		return derrors.Invalidf("email: %q is not an email address", u.Email)
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name == "" {
		return derrors.Invalidf("name: required")
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.Home != nil {
		if err := u.Home.Validate(); err != nil {
			return derrors.Invalidf("home: %v", err)
		}
	}
	return nil
}

// Token is an API token. Only its hash is stored.
type Token struct {
	ID         int64
	UserID     int64
	Name       string
	Hash       string
	CreatedAt  time.Time
	LastUsedAt time.Time
	RevokedAt  time.Time
}

// Session is a signed-in browser.
type Session struct {
	Hash      string // SHA-256 of the cookie value
	UserID    int64
	CSRF      string // sent back by the page with every change
	CreatedAt time.Time
	ExpiresAt time.Time
}

// AuditEntry records who did what: sign-ins, exports, changes of roles or
// territories.
type AuditEntry struct {
	ID      int64
	At      time.Time
	ActorID int64 // 0: the system or an anonymous caller
	Action  string
	Target  string
	Detail  string
	IP      string
}

// Store keeps users, tokens, sessions, sign-in attempts and the audit log.
// Methods return NotFound for missing records and Conflict for a duplicate
// email.
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id int64) (*User, error)
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	ListUsers(ctx context.Context) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error
	// DeleteUser removes the user, their tokens and sessions; their accounts
	// lose their owner.
	DeleteUser(ctx context.Context, id int64) error

	CreateToken(ctx context.Context, t *Token) error
	// TokenUser returns the unrevoked token with this hash and its user, and
	// records the use; NotFound otherwise.
	TokenUser(ctx context.Context, hash string, now time.Time) (*Token, *User, error)
	ListTokens(ctx context.Context, userID int64) ([]*Token, error)
	RevokeToken(ctx context.Context, id int64, now time.Time) error

	CreateSession(ctx context.Context, s *Session) error
	// SessionUser returns the unexpired session with this hash and its user.
	SessionUser(ctx context.Context, hash string, now time.Time) (*Session, *User, error)
	DeleteSession(ctx context.Context, hash string) error

	// RecordSignIn logs an attempt; FailedSignIns counts failures for the
	// email or from the IP since a time.
	RecordSignIn(ctx context.Context, email, ip string, ok bool, at time.Time) error
	FailedSignIns(ctx context.Context, email, ip string, since time.Time) (byEmail, byIP int, err error)

	// PurgeExpired deletes sessions that have expired and sign-in attempts
	// older than a time, and says how many rows went.
	PurgeExpired(ctx context.Context, now, signInsBefore time.Time) (int64, error)

	AddAudit(ctx context.Context, e *AuditEntry) error
	ListAudit(ctx context.Context, limit int, beforeID int64) ([]*AuditEntry, error)

	// RepTerritoryIDs returns the ids of territories assigned to a user.
	RepTerritoryIDs(ctx context.Context, userID int64) ([]int64, error)
}
