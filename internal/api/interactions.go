package api

import (
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
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
	EndedAt    *string           `json:"ended_at"`
	DurationS  *int64            `json:"duration_s"`
	Verified   *bool             `json:"verified"`
	DistanceM  *float64          `json:"distance_m"`
	FollowUpAt *string           `json:"follow_up_at"`
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
	j.EndedAt, j.FollowUpAt, j.Verified = timeJSON(in.EndedAt), timeJSON(in.FollowUpAt), in.Verified
	if in.DistanceM != nil {
		j.DistanceM = ptr(math.Round(*in.DistanceM*10) / 10)
	}
	if in.Duration > 0 || !in.EndedAt.IsZero() {
		j.DurationS = ptr(int64(in.Duration / time.Second))
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
		FollowUpAt string            `json:"follow_up_at"`
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
	if body.FollowUpAt != "" {
		t, err := parseTimeParam("follow_up_at", body.FollowUpAt)
		if err != nil {
			return err
		}
		in.FollowUpAt = t
	}
	if (body.Lon == nil) != (body.Lat == nil) {
		return derrors.Invalidf("lon, lat: give both or neither")
	}
	if body.Lon != nil {
		if v := *body.Lon; math.IsNaN(v) || v < -180 || v > 180 {
			return derrors.Invalidf("lon: %v is not a longitude; it must be between -180 and 180", v)
		}
		if v := *body.Lat; math.IsNaN(v) || v < -90 || v > 90 {
			return derrors.Invalidf("lat: %v is not a latitude; it must be between -90 and 90", v)
		}
		in.Location = &geo.Point{Lon: *body.Lon, Lat: *body.Lat}
	}
	// A check-in by the caller needs only the caller's name: loading every
	// user and territory would cost more than the check-in itself.
	n := &names{users: map[int64]*auth.User{actor.User.ID: actor.User}}
	if body.User != "" {
		var err error
		if n, err = s.names(ctx, actor); err != nil {
			return err
		}
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
