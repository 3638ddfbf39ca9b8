package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

// accountJSON is an account on the wire. owner is the owner's email and
// territory the territory's name (both null when none).
type accountJSON struct {
	ID              int64             `json:"id"`
	ExternalID      *string           `json:"external_id"`
	Name            string            `json:"name"`
	Stage           string            `json:"stage"`
	Lon             *float64          `json:"lon"`
	Lat             *float64          `json:"lat"`
	Precision       string            `json:"precision"`
	GeoSource       string            `json:"geo_source"`
	Owner           *string           `json:"owner"`
	OwnerID         *int64            `json:"owner_id"`
	OwnerName       *string           `json:"owner_name"`
	Territory       *string           `json:"territory"`
	TerritoryID     *int64            `json:"territory_id"`
	Street          string            `json:"street"`
	City            string            `json:"city"`
	Region          string            `json:"region"`
	PostalCode      string            `json:"postal_code"`
	Country         string            `json:"country"`
	EstimatedValue  float64           `json:"estimated_value"`
	SourceChannel   string            `json:"source_channel"`
	Tags            []string          `json:"tags"`
	Custom          map[string]string `json:"custom"`
	CreatedAt       *string           `json:"created_at"`
	UpdatedAt       *string           `json:"updated_at"`
	LastVisitAt     *string           `json:"last_visit_at"`
	LastVisitResult string            `json:"last_visit_result"`
	NextFollowUpAt  *string           `json:"next_follow_up_at"`
	DoNotContact    bool              `json:"do_not_contact"`
}

// names resolves user and territory ids for display within one request.
type names struct {
	users map[int64]*auth.User
	terrs map[int64]*territory.Territory
}

func (s *Server) names(ctx context.Context, actor *auth.Actor) (*names, error) {
	us, err := s.svc.ListUsers(ctx, actor)
	if err != nil {
		return nil, err
	}
	ts, err := s.svc.ListTerritories(ctx, actor)
	if err != nil {
		return nil, err
	}
	n := &names{users: map[int64]*auth.User{}, terrs: map[int64]*territory.Territory{}}
	for _, u := range us {
		n.users[u.ID] = u
	}
	for _, t := range ts {
		n.terrs[t.ID] = t
	}
	return n, nil
}

func ptr[T any](v T) *T { return &v }

func (n *names) account(a *account.Account) accountJSON {
	j := accountJSON{
		ID: a.ID, Name: a.Name, Stage: a.Stage, Precision: string(a.Precision), GeoSource: a.GeoSource,
		Street: a.Street, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: a.Country,
		EstimatedValue: a.EstimatedValue, SourceChannel: a.SourceChannel, Tags: a.Tags, Custom: a.Custom,
		CreatedAt: timeJSON(a.CreatedAt), UpdatedAt: timeJSON(a.UpdatedAt), LastVisitAt: timeJSON(a.LastVisitAt),
		LastVisitResult: a.LastVisitResult, NextFollowUpAt: timeJSON(a.NextFollowUpAt), DoNotContact: a.DoNotContact,
	}
	if a.ExternalID != "" {
		j.ExternalID = ptr(a.ExternalID)
	}
	if a.Location != nil {
		j.Lon, j.Lat = ptr(a.Location.Lon), ptr(a.Location.Lat)
	}
	if u := n.users[a.OwnerID]; u != nil {
		j.Owner, j.OwnerID, j.OwnerName = ptr(u.Email), ptr(u.ID), ptr(u.Name)
	}
	if t := n.terrs[a.TerritoryID]; t != nil {
		j.Territory, j.TerritoryID = ptr(t.Name), ptr(t.ID)
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Custom == nil {
		j.Custom = map[string]string{}
	}
	return j
}

// resolveUser accepts "me", a user id or an email.
func (n *names) resolveUser(actor *auth.Actor, field, v string) (int64, error) {
	if v == "me" {
		return actor.User.ID, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if _, ok := n.users[id]; ok {
			return id, nil
		}
	}
	e := auth.NormalizeEmail(v)
	for _, u := range n.users {
		if u.Email == e {
			return u.ID, nil
		}
	}
	return 0, derrors.Invalidf("%s: no user %q (give an email, an id or \"me\")", field, v)
}

// resolveTerritory accepts a territory id, a name, or "none".
func (n *names) resolveTerritory(field, v string) (int64, error) {
	if v == "none" {
		return 0, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		if _, ok := n.terrs[id]; ok {
			return id, nil
		}
	}
	for _, t := range n.terrs {
		if strings.EqualFold(t.Name, v) {
			return t.ID, nil
		}
	}
	return 0, derrors.Invalidf("%s: no territory %q (give a name, an id or \"none\")", field, v)
}

// accountFilter reads the filter parameters shared by lists, exports and
// (later) tiles and metrics.
func (s *Server) accountFilter(r *http.Request, actor *auth.Actor, n *names) (account.Filter, error) {
	q := r.URL.Query()
	var f account.Filter
	if v := q.Get("bbox"); v != "" {
		b, err := geo.ParseBBox(v)
		if err != nil {
			return f, derrors.Invalidf("bbox: %v", err)
		}
		f.BBox = &b
	}
	if st := queryList(r, "stage"); len(st) > 0 {
		p, err := s.svc.Pipeline(r.Context())
		if err != nil {
			return f, err
		}
		for _, k := range st {
			if err := p.CheckStage("stage", k); err != nil {
				return f, err
			}
		}
		f.Stages = st
	}
	for _, o := range queryList(r, "owner") {
		id, err := n.resolveUser(actor, "owner", o)
		if err != nil {
			return f, err
		}
		f.OwnerIDs = append(f.OwnerIDs, id)
	}
	for _, t := range queryList(r, "territory") {
		id, err := n.resolveTerritory("territory", t)
		if err != nil {
			return f, err
		}
		f.TerritoryIDs = append(f.TerritoryIDs, id)
	}
	// Last visit: last_visit_after / last_visit_before (dates or times) and
	// last_visit=never.
	if v := q.Get("last_visit_after"); v != "" {
		t, err := parseDateParam("last_visit_after", v, false)
		if err != nil {
			return f, err
		}
		f.LastVisitFrom = t
	}
	if v := q.Get("last_visit_before"); v != "" {
		t, err := parseDateParam("last_visit_before", v, true)
		if err != nil {
			return f, err
		}
		f.LastVisitTo = t
	}
	switch v := q.Get("last_visit"); v {
	case "":
	case "never":
		f.NeverVisited = true
	default:
		return f, derrors.Invalidf("last_visit: %q is not \"never\" (use last_visit_after / last_visit_before for a range)", v)
	}
	ov, err := overlayParam(r)
	if err != nil {
		return f, err
	}
	f.Overlay = ov
	f.Text = q.Get("q")
	f.Tags = queryList(r, "tag")
	if ids, err := s.selectionIDs(r); err != nil { // a saved selection (analytics.go)
		return f, err
	} else if ids != nil {
		f.IDs = ids
	}
	for k, vs := range q {
		if name, ok := strings.CutPrefix(k, "custom."); ok && name != "" && len(vs) > 0 {
			if f.Custom == nil {
				f.Custom = map[string]string{}
			}
			f.Custom[name] = vs[0]
		}
	}
	return f, nil
}

func (s *Server) handleListAccounts(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	f, err := s.accountFilter(r, actor, n)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", account.DefaultLimit)
	if err != nil {
		return err
	}
	res, err := s.svc.ListAccounts(ctx, actor, f, account.Page{Limit: limit, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	items := make([]accountJSON, len(res.Items))
	for i, a := range res.Items {
		items[i] = n.account(a)
	}
	writeJSON(w, http.StatusOK, list(items, res.Total, res.NextCursor))
	return nil
}

func (s *Server) handleGetAccount(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.svc.GetAccount(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n.account(a))
	return nil
}

// accountInput is what clients send to create or change an account; absent
// fields are left as they are on PATCH.
type accountInput struct {
	ExternalID     *string            `json:"external_id"`
	Name           *string            `json:"name"`
	Stage          *string            `json:"stage"`
	Lon            *float64           `json:"lon"`
	Lat            *float64           `json:"lat"`
	Precision      *string            `json:"precision"`
	Owner          *string            `json:"owner"`
	Street         *string            `json:"street"`
	City           *string            `json:"city"`
	Region         *string            `json:"region"`
	PostalCode     *string            `json:"postal_code"`
	Country        *string            `json:"country"`
	EstimatedValue *float64           `json:"estimated_value"`
	SourceChannel  *string            `json:"source_channel"`
	Tags           *[]string          `json:"tags"`
	Custom         *map[string]string `json:"custom"`
	NextFollowUpAt *string            `json:"next_follow_up_at"`
	DoNotContact   *bool              `json:"do_not_contact"`
	// clearLocation is set when the body has "lon": null and "lat": null.
	clearLocation bool
}

func decodeAccountInput(r *http.Request) (*accountInput, error) {
	raw := map[string]json.RawMessage{}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, derrors.Invalidf("request body: expected a JSON object")
	}
	var in accountInput
	if err := decodeBytes(body, &in); err != nil {
		return nil, err
	}
	lon, hasLon := raw["lon"]
	lat, hasLat := raw["lat"]
	if hasLon != hasLat {
		return nil, derrors.Invalidf("lon, lat: give both or neither")
	}
	if hasLon && string(lon) == "null" && string(lat) == "null" {
		in.clearLocation = true
	}
	return &in, nil
}

func (in *accountInput) apply(a *account.Account, actor *auth.Actor, n *names) error {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = strings.TrimSpace(*v)
		}
	}
	set(&a.ExternalID, in.ExternalID)
	set(&a.Name, in.Name)
	set(&a.Stage, in.Stage)
	set(&a.Street, in.Street)
	set(&a.City, in.City)
	set(&a.Region, in.Region)
	set(&a.PostalCode, in.PostalCode)
	set(&a.Country, in.Country)
	set(&a.SourceChannel, in.SourceChannel)
	if in.EstimatedValue != nil {
		a.EstimatedValue = *in.EstimatedValue
	}
	if in.Tags != nil {
		a.Tags = *in.Tags
	}
	if in.Custom != nil {
		a.Custom = *in.Custom
	}
	if in.DoNotContact != nil {
		a.DoNotContact = *in.DoNotContact
	}
	if in.clearLocation {
		a.Location, a.Precision, a.GeoSource = nil, account.PrecisionNone, ""
	} else if in.Lon != nil && in.Lat != nil {
		p := geo.Point{Lon: *in.Lon, Lat: *in.Lat}
		if err := p.Validate(); err != nil {
			return derrors.Invalidf("lon, lat: %v", err)
		}
		a.Location, a.Precision, a.GeoSource = &p, account.PrecisionExact, "manual"
	}
	if in.Precision != nil && a.Location != nil {
		a.Precision = account.Precision(*in.Precision)
	}
	if in.Owner != nil {
		if *in.Owner == "" {
			a.OwnerID = 0
		} else {
			id, err := n.resolveUser(actor, "owner", *in.Owner)
			if err != nil {
				return err
			}
			a.OwnerID = id
		}
	}
	if in.NextFollowUpAt != nil {
		if *in.NextFollowUpAt == "" {
			a.NextFollowUpAt = time.Time{}
		} else {
			t, err := parseTimeParam("next_follow_up_at", *in.NextFollowUpAt)
			if err != nil {
				return err
			}
			a.NextFollowUpAt = t
		}
	}
	return nil
}

func (s *Server) handleCreateAccount(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	in, err := decodeAccountInput(r)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	a := &account.Account{}
	if err := in.apply(a, actor, n); err != nil {
		return err
	}
	if err := s.svc.CreateAccount(ctx, actor, a); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/accounts/"+fmtID(a.ID))
	writeJSON(w, http.StatusCreated, n.account(a))
	return nil
}

func (s *Server) handleUpdateAccount(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decodeAccountInput(r)
	if err != nil {
		return err
	}
	a, err := s.svc.GetAccount(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	if err := in.apply(a, actor, n); err != nil {
		return err
	}
	if err := s.svc.UpdateAccount(ctx, actor, a); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n.account(a))
	return nil
}

func (s *Server) handleGetStages(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.Pipeline(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(p.Stages, len(p.Stages), ""))
	return nil
}

func (s *Server) handlePutStages(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Items []account.Stage `json:"items"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if err := s.svc.SetPipeline(r.Context(), actorFrom(r.Context()), body.Items); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list(body.Items, len(body.Items), ""))
	return nil
}

func (s *Server) handleGetStageMap(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.StageMap(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

func (s *Server) handlePutStageMap(w http.ResponseWriter, r *http.Request) error {
	var m map[string]string
	if err := decode(r, &m); err != nil {
		return err
	}
	if err := s.svc.SetStageMap(r.Context(), actorFrom(r.Context()), m); err != nil {
		return err
	}
	s.handleGetStageMap(w, r)
	return nil
}
