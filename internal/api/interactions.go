package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/visit"
)

type interactionJSON struct {
	ID         int64             `json:"id"`
	AccountID  int64             `json:"account_id"`
	At         *string           `json:"at"`
	Channel    string            `json:"channel"`
	Type       string            `json:"type"`
	Outcome    string            `json:"outcome"`
	UserID     *int64            `json:"user_id"`
	User       *string           `json:"user"`
	Variant    string            `json:"variant"`
	Stage      string            `json:"stage"`
	Value      float64           `json:"value"`
	Lon        *float64          `json:"lon"`
	Lat        *float64          `json:"lat"`
	Notes      string            `json:"notes"`
	Source     string            `json:"source"`
	Properties map[string]string `json:"properties"`
}

func (n *names) interaction(in *visit.Interaction) interactionJSON {
	j := interactionJSON{ID: in.ID, AccountID: in.AccountID, At: timeJSON(in.At), Channel: in.Channel, Type: in.Type,
		Outcome: in.Outcome, Variant: in.Variant, Stage: in.Stage, Value: in.Value, Notes: in.Notes, Source: in.Source,
		Properties: in.Properties}
	if u := n.users[in.UserID]; u != nil {
		j.UserID, j.User = ptr(u.ID), ptr(u.Email)
	}
	if in.Location != nil {
		j.Lon, j.Lat = ptr(in.Location.Lon), ptr(in.Location.Lat)
	}
	if j.Properties == nil {
		j.Properties = map[string]string{}
	}
	return j
}

func (s *Server) handleListInteractions(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 50)
	if err != nil {
		return err
	}
	res, err := s.svc.ListInteractions(ctx, actor, id, visit.Page{Limit: limit, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	items := make([]interactionJSON, len(res.Items))
	for i, in := range res.Items {
		items[i] = n.interaction(in)
	}
	writeJSON(w, http.StatusOK, list(items, res.Total, res.NextCursor))
	return nil
}

func (s *Server) handleCreateInteraction(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var body struct {
		Account    *int64            `json:"account"`
		AccountID  *int64            `json:"account_id"`
		At         string            `json:"at"`
		Channel    string            `json:"channel"`
		Type       string            `json:"type"`
		Outcome    string            `json:"outcome"`
		User       string            `json:"user"`
		Variant    string            `json:"variant"`
		Stage      string            `json:"stage"`
		Value      float64           `json:"value"`
		Lon        *float64          `json:"lon"`
		Lat        *float64          `json:"lat"`
		Notes      string            `json:"notes"`
		Properties map[string]string `json:"properties"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	in := &visit.Interaction{Channel: strings.ToLower(strings.TrimSpace(body.Channel)), Type: body.Type, Outcome: body.Outcome,
		Variant: body.Variant, Stage: body.Stage, Value: body.Value, Notes: body.Notes, Properties: body.Properties, Source: "manual"}
	switch {
	case body.Account != nil:
		in.AccountID = *body.Account
	case body.AccountID != nil:
		in.AccountID = *body.AccountID
	default:
		return derrors.Invalidf("account: required (the account's id)")
	}
	in.At = time.Now().UTC()
	if body.At != "" {
		t, err := parseTimeParam("at", body.At)
		if err != nil {
			return err
		}
		in.At = t
	}
	if (body.Lon == nil) != (body.Lat == nil) {
		return derrors.Invalidf("lon, lat: give both or neither")
	}
	if body.Lon != nil {
		p := geo.Point{Lon: *body.Lon, Lat: *body.Lat}
		if err := p.Validate(); err != nil {
			return derrors.Invalidf("lon, lat: %v", err)
		}
		in.Location = &p
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	if body.User != "" {
		if in.UserID, err = n.resolveUser(actor, "user", body.User); err != nil {
			return err
		}
	}
	if err := s.svc.CreateInteraction(ctx, actor, in); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, n.interaction(in))
	return nil
}
