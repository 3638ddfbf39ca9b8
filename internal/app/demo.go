package app

import (
	"context"
	"fmt"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/geocode"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/visit"
)

// IsEmpty reports whether the database has no users and no accounts.
func (s *Service) IsEmpty(ctx context.Context) (bool, error) {
	us, err := s.Store.ListUsers(ctx)
	if err != nil {
		return false, err
	}
	list, err := s.Store.ListAccounts(ctx, account.Filter{}, account.Page{Limit: 1})
	if err != nil {
		return false, err
	}
	return len(us) == 0 && list.Total == 0, nil
}

// LoadDemo fills an empty database with the demo company generated for now
// (deterministic for a given day) and returns it, for its logins.
func (s *Service) LoadDemo(ctx context.Context, now time.Time) (*demo.Dataset, error) {
	empty, err := s.IsEmpty(ctx)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, fmt.Errorf("the database already has data; --demo only fills an empty one")
	}
	var zips []demo.ZIP
	for _, z := range geocode.ZIPs() {
		zips = append(zips, demo.ZIP{Code: z.Code, Location: z.Location})
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	ds, err := demo.Generate(demo.Options{Seed: 2026, Now: day, ZIPs: zips})
	if err != nil {
		return nil, err
	}
	userIDs := map[string]int64{}
	for _, du := range ds.Users {
		u := &auth.User{Email: du.Email, Name: du.Name, Role: du.Role, Home: &du.Home}
		if err := s.CreateUser(ctx, auth.System, u, du.Password); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", du.Email, err)
		}
		userIDs[u.Email] = u.ID
	}
	for _, dt := range ds.Territories {
		t := &territory.Territory{Name: dt.Name, Color: dt.Color, Shape: dt.Shape}
		for _, e := range dt.RepEmails {
			t.RepIDs = append(t.RepIDs, userIDs[e])
		}
		if err := s.SaveTerritory(ctx, auth.System, t); err != nil {
			return nil, fmt.Errorf("demo territory %s: %w", dt.Name, err)
		}
	}
	_, ix, err := s.territories(ctx)
	if err != nil {
		return nil, err
	}
	accountIDs := map[string]int64{}
	err = s.Store.ImportAccounts(ctx, func(im account.Importer) error {
		ids, err := im.NextIDs(ctx, len(ds.Accounts))
		if err != nil {
			return err
		}
		batch := make([]*account.Account, len(ds.Accounts))
		for i := range ds.Accounts {
			da := &ds.Accounts[i]
			a := da.Account
			a.ID = ids[i]
			a.OwnerID = userIDs[da.OwnerEmail]
			if a.Location != nil {
				a.TerritoryID = ix.Assign(*a.Location)
			}
			if a.UpdatedAt.IsZero() {
				a.UpdatedAt = a.CreatedAt
			}
			if err := a.Validate(); err != nil {
				return fmt.Errorf("demo account %s: %w", a.ExternalID, err)
			}
			accountIDs[a.ExternalID] = a.ID
			batch[i] = &a
		}
		return im.Insert(ctx, batch)
	})
	if err != nil {
		return nil, err
	}
	err = s.Store.ImportInteractions(ctx, func(im visit.Importer) error {
		batch := make([]*visit.Interaction, 0, len(ds.Interactions))
		for i := range ds.Interactions {
			di := &ds.Interactions[i]
			in := di.Interaction
			in.AccountID = accountIDs[di.AccountExternalID]
			in.UserID = userIDs[di.UserEmail]
			batch = append(batch, &in)
		}
		return im.Insert(ctx, batch)
	})
	if err != nil {
		return nil, err
	}
	return ds, nil
}
