package app

import (
	"context"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// ListAccounts returns a page of the accounts matching f that the actor may
// see; Total counts all of those, whatever the page size.
func (s *Service) ListAccounts(ctx context.Context, actor *auth.Actor, f account.Filter, p account.Page) (account.List, error) {
	f.Scope = actor.Scope
	if f.Overlay != 0 {
		return s.listInOverlay(ctx, f, p)
	}
	return s.Store.ListAccounts(ctx, f, p)
}

// EachAccount streams the accounts matching f that the actor may see.
func (s *Service) EachAccount(ctx context.Context, actor *auth.Actor, f account.Filter, fn func(*account.Account) error) error {
	f.Scope = actor.Scope
	if f.Overlay != 0 {
		return s.eachInOverlay(ctx, f, fn)
	}
	return s.Store.EachAccount(ctx, f, fn)
}

// GetAccount returns an account the actor may see. One they may not see is
// NotFound, so its existence does not leak.
func (s *Service) GetAccount(ctx context.Context, actor *auth.Actor, id int64) (*account.Account, error) {
	a, err := s.Store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.CanSeeAccount(a.OwnerID, a.TerritoryID) {
		return nil, derrors.NotFoundf("account %d not found", id)
	}
	return a, nil
}

// prepare validates a and derives what follows from it: stage default and
// check, owner check, territory from location.
func (s *Service) prepare(ctx context.Context, a *account.Account) error {
	p, err := s.Pipeline(ctx)
	if err != nil {
		return err
	}
	if a.Stage == "" {
		a.Stage = p.First()
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := p.CheckStage("stage", a.Stage); err != nil {
		return err
	}
	if a.OwnerID != 0 {
		if _, err := s.Store.GetUser(ctx, a.OwnerID); err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return derrors.Invalidf("owner: user %d does not exist", a.OwnerID)
			}
			return err
		}
	}
	a.TerritoryID = 0
	if a.Location != nil {
		_, ix, err := s.territories(ctx)
		if err != nil {
			return err
		}
		a.TerritoryID = ix.Assign(*a.Location)
	}
	return nil
}

// CreateAccount adds an account. A rep's new account is theirs unless it lies
// in one of their territories, and must end up visible to them.
func (s *Service) CreateAccount(ctx context.Context, actor *auth.Actor, a *account.Account) error {
	if !actor.IsManager() {
		if a.OwnerID == 0 {
			a.OwnerID = actor.User.ID
		}
		if a.OwnerID != actor.User.ID {
			return derrors.Forbiddenf("owner: a rep can only create accounts they own")
		}
	}
	a.ID = 0
	if err := s.prepare(ctx, a); err != nil {
		return err
	}
	if err := s.Store.CreateAccount(ctx, a); err != nil {
		return err
	}
	s.mapChanged()
	return nil
}

// UpdateAccount saves changes to an account the actor may see. Reps may not
// hand an account to someone else.
func (s *Service) UpdateAccount(ctx context.Context, actor *auth.Actor, a *account.Account) error {
	old, err := s.GetAccount(ctx, actor, a.ID)
	if err != nil {
		return err
	}
	if !actor.IsManager() && a.OwnerID != old.OwnerID && a.OwnerID != actor.User.ID {
		return derrors.Forbiddenf("owner: only a manager may give an account to another rep")
	}
	a.CreatedAt = old.CreatedAt
	if err := s.prepare(ctx, a); err != nil {
		return err
	}
	if !actor.CanSeeAccount(a.OwnerID, a.TerritoryID) {
		return derrors.Forbiddenf("this change would move the account out of your accounts; ask a manager")
	}
	if err := s.Store.UpdateAccount(ctx, a); err != nil {
		return err
	}
	s.mapChanged()
	return nil
}

// DeleteAccount removes an account and its interactions (managers only).
func (s *Service) DeleteAccount(ctx context.Context, actor *auth.Actor, id int64) error {
	if _, err := s.GetAccount(ctx, actor, id); err != nil {
		return err
	}
	if err := actor.RequireManager(); err != nil {
		return err
	}
	if err := s.Store.DeleteAccount(ctx, id); err != nil {
		return err
	}
	s.mapChanged()
	s.audit(ctx, actor, "account.delete", "", "")
	return nil
}

// ListInteractions lists an account's interactions, newest first.
func (s *Service) ListInteractions(ctx context.Context, actor *auth.Actor, accountID int64, p visit.Page) (visit.List, error) {
	if _, err := s.GetAccount(ctx, actor, accountID); err != nil {
		return visit.List{}, err
	}
	return s.Store.ListInteractions(ctx, accountID, p)
}

// CreateInteraction records an interaction with an account the actor may
// see, by the actor unless a manager says otherwise.
//
// A visit's outcome must be on the outcome list; a location verifies the
// check-in against the account's (Verified, DistanceM); FollowUpAt becomes
// the account's next follow-up.
func (s *Service) CreateInteraction(ctx context.Context, actor *auth.Actor, in *visit.Interaction) error {
	a, err := s.GetAccount(ctx, actor, in.AccountID)
	if err != nil {
		return err
	}
	if in.UserID == 0 || !actor.IsManager() {
		in.UserID = actor.User.ID
	}
	if err := in.Validate(); err != nil {
		return err
	}
	if err := s.checkIn(ctx, a, in); err != nil {
		return err
	}
	if err := s.Store.CreateInteraction(ctx, in); err != nil {
		return err
	}
	s.mapChanged()
	return nil
}
