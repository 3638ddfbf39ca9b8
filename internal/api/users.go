package api

import (
	"net/http"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

type userJSON struct {
	ID        int64    `json:"id"`
	Email     string   `json:"email"`
	Name      string   `json:"name"`
	Role      string   `json:"role"`
	HomeLon   *float64 `json:"home_lon"`
	HomeLat   *float64 `json:"home_lat"`
	Disabled  bool     `json:"disabled"`
	CreatedAt *string  `json:"created_at"`
}

func userOut(u *auth.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, Name: u.Name, Role: string(u.Role), Disabled: u.Disabled, CreatedAt: timeJSON(u.CreatedAt)}
	if u.Home != nil {
		j.HomeLon, j.HomeLat = ptr(u.Home.Lon), ptr(u.Home.Lat)
	}
	return j
}

type meJSON struct {
	User      userJSON `json:"user"`
	CSRFToken string   `json:"csrf_token,omitempty"`
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Email == "" || body.Password == "" {
		return derrors.Invalidf("email and password: both required")
	}
	u, cookie, csrf, err := s.svc.SignIn(r.Context(), body.Email, body.Password)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: cookie, Path: "/", HttpOnly: true, Secure: s.opts.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: time.Now().Add(s.svc.Config.SessionTTL),
	})
	writeJSON(w, http.StatusOK, meJSON{User: userOut(u), CSRFToken: csrf})
	return nil
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if err := s.svc.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", HttpOnly: true, MaxAge: -1, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) error {
	actor := actorFrom(r.Context())
	out := meJSON{User: userOut(actor.User)}
	if c, err := r.Cookie(SessionCookie); err == nil && r.Header.Get("Authorization") == "" {
		if _, csrf, err := s.svc.SessionActor(r.Context(), c.Value); err == nil {
			out.CSRFToken = csrf
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	us, err := s.svc.ListUsers(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	items := make([]userJSON, len(us))
	for i, u := range us {
		items[i] = userOut(u)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func (s *Server) handleGetUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.svc.GetUser(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOut(u))
	return nil
}

type userInput struct {
	Email    *string  `json:"email"`
	Name     *string  `json:"name"`
	Role     *string  `json:"role"`
	Password *string  `json:"password"`
	HomeLon  *float64 `json:"home_lon"`
	HomeLat  *float64 `json:"home_lat"`
	Disabled *bool    `json:"disabled"`
}

func (in userInput) home() (*geo.Point, error) {
	if (in.HomeLon == nil) != (in.HomeLat == nil) {
		return nil, derrors.Invalidf("home_lon, home_lat: give both or neither")
	}
	if in.HomeLon == nil {
		return nil, nil
	}
	p := geo.Point{Lon: *in.HomeLon, Lat: *in.HomeLat}
	if err := p.Validate(); err != nil {
		return nil, derrors.Invalidf("home: %v", err)
	}
	return &p, nil
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	u := &auth.User{}
	if in.Email != nil {
		u.Email = *in.Email
	}
	if in.Name != nil {
		u.Name = *in.Name
	}
	if in.Role != nil {
		role, err := auth.ParseRole(*in.Role)
		if err != nil {
			return err
		}
		u.Role = role
	} else {
		u.Role = auth.RoleRep
	}
	home, err := in.home()
	if err != nil {
		return err
	}
	u.Home = home
	password := ""
	if in.Password != nil {
		password = *in.Password
	}
	if err := s.svc.CreateUser(r.Context(), actorFrom(r.Context()), u, password); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+fmtID(u.ID))
	writeJSON(w, http.StatusCreated, userOut(u))
	return nil
}

func (s *Server) handleUpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in userInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := app.UserPatch{Name: in.Name, Email: in.Email, Password: in.Password, Disabled: in.Disabled}
	if in.Role != nil {
		role, err := auth.ParseRole(*in.Role)
		if err != nil {
			return err
		}
		p.Role = &role
	}
	if p.Home, err = in.home(); err != nil {
		return err
	}
	u, err := s.svc.UpdateUser(r.Context(), actorFrom(r.Context()), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, userOut(u))
	return nil
}

type tokenJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	CreatedAt  *string `json:"created_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
	Token      string  `json:"token,omitempty"`
}

func tokenOut(t *auth.Token) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, CreatedAt: timeJSON(t.CreatedAt), LastUsedAt: timeJSON(t.LastUsedAt), RevokedAt: timeJSON(t.RevokedAt)}
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Name string `json:"name"`
	}
	if err := decode(r, &body); err != nil {
		return err
	}
	u, err := s.svc.GetUser(ctx, actor, id)
	if err != nil {
		return err
	}
	secret, t, err := s.svc.CreateToken(ctx, actor, u.Email, body.Name)
	if err != nil {
		return err
	}
	out := tokenOut(t)
	out.Token = secret
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleListTokens(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !actor.IsAdmin() && actor.User.ID != id {
		return derrors.Forbiddenf("you may only list your own tokens")
	}
	toks, err := s.svc.Store.ListTokens(ctx, id)
	if err != nil {
		return err
	}
	items := make([]tokenJSON, len(toks))
	for i, t := range toks {
		items[i] = tokenOut(t)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tid, err := pathID(r, "token")
	if err != nil {
		return err
	}
	if err := s.svc.RevokeToken(r.Context(), actorFrom(r.Context()), id, tid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type auditJSON struct {
	ID      int64   `json:"id"`
	At      *string `json:"at"`
	ActorID *int64  `json:"actor_id"`
	Action  string  `json:"action"`
	Target  string  `json:"target"`
	Detail  string  `json:"detail"`
	IP      string  `json:"ip"`
}

func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	before, err := queryInt(r, "before", 0)
	if err != nil {
		return err
	}
	es, err := s.svc.Audit(r.Context(), actorFrom(r.Context()), limit, int64(before))
	if err != nil {
		return err
	}
	items := make([]auditJSON, len(es))
	next := ""
	for i, e := range es {
		items[i] = auditJSON{ID: e.ID, At: timeJSON(e.At), Action: e.Action, Target: e.Target, Detail: e.Detail, IP: e.IP}
		if e.ActorID != 0 {
			items[i].ActorID = ptr(e.ActorID)
		}
	}
	if len(es) > 0 && len(es) == limit {
		next = fmtID(es[len(es)-1].ID)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), next))
	return nil
}
