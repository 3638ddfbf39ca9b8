package auth

import (
	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
)

// Actor is the signed-in user a request acts for, with what they may see.
type Actor struct {
	User *User
	// Scope is nil for admins and managers; for reps it lists their own id
	// and the territories (with descendants) assigned to them.
	Scope *account.Scope
}

// System is an actor for CLI commands run by whoever has the database: it may
// do everything.
var System = &Actor{User: &User{Name: "system", Role: RoleAdmin}}

// IsAdmin reports whether the actor administers users.
func (a *Actor) IsAdmin() bool { return a != nil && a.User.Role == RoleAdmin }

// IsManager reports whether the actor sees all data (admins too).
func (a *Actor) IsManager() bool {
	return a != nil && (a.User.Role == RoleAdmin || a.User.Role == RoleManager)
}

// RequireAdmin returns Forbidden unless the actor is an admin.
func (a *Actor) RequireAdmin() error {
	if !a.IsAdmin() {
		return derrors.Forbiddenf("only an admin may do this")
	}
	return nil
}

// RequireManager returns Forbidden unless the actor is a manager or admin.
func (a *Actor) RequireManager() error {
	if !a.IsManager() {
		return derrors.Forbiddenf("only a manager or admin may do this")
	}
	return nil
}

// CanSeeAccount reports whether the actor may read and change an account with
// that owner and territory.
func (a *Actor) CanSeeAccount(ownerID, territoryID int64) bool {
	if a == nil {
		return false
	}
	return a.Scope.Allows(ownerID, territoryID)
}
