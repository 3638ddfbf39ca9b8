package api

import (
	"net/http"
	"strconv"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/rules"
)

func init() {
	notifyObj := props(nil, obj{"webhook": typ("string"), "secret": typ("string"), "email": typ("boolean"), "inbox": typ("boolean")})
	schemas["Rule"] = props([]string{"id", "name", "kind", "days", "notify", "enabled"}, obj{
		"id": typ("integer"), "name": typ("string"), "kind": obj{"enum": []string{"not_visited", "follow_up_due", "stage_stalled"}}, "days": typ("integer"),
		"stage": nullable("string"), "territory": nullable("string"), "territory_id": nullable("integer"), "owner": nullable("string"), "owner_id": nullable("integer"),
		"notify":  props(nil, obj{"webhook": nullable("string"), "has_secret": typ("boolean"), "email": typ("boolean"), "inbox": typ("boolean")}),
		"enabled": typ("boolean"), "created_at": typ("string"), "updated_at": typ("string")})
	schemas["RuleInput"] = props(nil, obj{"name": typ("string"), "kind": typ("string"), "days": typ("integer"), "stage": typ("string"),
		"territory": typ("string"), "owner": typ("string"), "notify": notifyObj, "enabled": typ("boolean")})
	schemas["RuleList"] = listOf("Rule")
	schemas["RuleRun"] = props([]string{"notified", "rules"}, obj{"day": typ("string"), "notified": typ("integer"), "rules": arr(props(nil, obj{
		"id": typ("integer"), "rule": typ("string"), "matched": typ("integer"), "accounts": arr(typ("string")), "deliveries": arr(ref("Delivery"))}))})
	schemas["Delivery"] = props(nil, obj{"id": typ("integer"), "rule_id": nullable("integer"), "channel": typ("string"), "target": typ("string"),
		"accounts": typ("integer"), "attempts": typ("integer"), "ok": typ("boolean"), "error": typ("string"), "at": typ("string")})
	schemas["DeliveryList"] = listOf("Delivery")
	schemas["Notification"] = props([]string{"id", "rule", "account_id", "account_name", "day", "read"}, obj{
		"id": typ("integer"), "rule_id": nullable("integer"), "rule": typ("string"), "account_id": typ("integer"), "account_external_id": nullable("string"),
		"account_name": typ("string"), "day": typ("string"), "message": typ("string"), "created_at": typ("string"), "read_at": nullable("string"), "read": typ("boolean")})
	schemas["NotificationList"] = props([]string{"items", "total", "unread"}, obj{"items": arr(ref("Notification")), "total": typ("integer"),
		"unread": typ("integer"), "next_cursor": typ("string")})
}

// ruleJSON is a rule on the wire. The webhook secret is never sent back.
type ruleJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Kind        rules.Kind `json:"kind"`
	Days        int        `json:"days"`
	Stage       *string    `json:"stage"`
	Territory   *string    `json:"territory"`
	TerritoryID *int64     `json:"territory_id"`
	Owner       *string    `json:"owner"`
	OwnerID     *int64     `json:"owner_id"`
	Notify      struct {
		Webhook   *string `json:"webhook"`
		HasSecret bool    `json:"has_secret"`
		Email     bool    `json:"email"`
		Inbox     bool    `json:"inbox"`
	} `json:"notify"`
	Enabled   bool    `json:"enabled"`
	CreatedAt *string `json:"created_at"`
	UpdatedAt *string `json:"updated_at"`
}

func (n *names) rule(r *rules.Rule) ruleJSON {
	j := ruleJSON{ID: r.ID, Name: r.Name, Kind: r.Kind, Days: r.Days, Enabled: r.Enabled, CreatedAt: timeJSON(r.CreatedAt), UpdatedAt: timeJSON(r.UpdatedAt)}
	if r.Stage != "" {
		j.Stage = ptr(r.Stage)
	}
	if r.TerritoryID != 0 {
		j.TerritoryID = ptr(r.TerritoryID)
		if t := n.terrs[r.TerritoryID]; t != nil {
			j.Territory = ptr(t.Name)
		}
	}
	if r.OwnerID != 0 {
		j.OwnerID = ptr(r.OwnerID)
		if u := n.users[r.OwnerID]; u != nil {
			j.Owner = ptr(u.Email)
		}
	}
	if r.Notify.Webhook != "" {
		j.Notify.Webhook = ptr(r.Notify.Webhook)
	}
	j.Notify.HasSecret, j.Notify.Email, j.Notify.Inbox = r.Notify.Secret != "", r.Notify.Email, r.Notify.Inbox
	return j
}

// ruleInput is what clients send; absent fields are left as they are on PUT.
type ruleInput struct {
	Name      *string     `json:"name"`
	Kind      *rules.Kind `json:"kind"`
	Days      *int        `json:"days"`
	Stage     *string     `json:"stage"`
	Territory *string     `json:"territory"`
	Owner     *string     `json:"owner"`
	Notify    *struct {
		Webhook *string `json:"webhook"`
		Secret  *string `json:"secret"`
		Email   *bool   `json:"email"`
		Inbox   *bool   `json:"inbox"`
	} `json:"notify"`
	Enabled *bool `json:"enabled"`
}

func (in *ruleInput) apply(r *rules.Rule, actor *auth.Actor, n *names) error {
	if in.Name != nil {
		r.Name = *in.Name
	}
	if in.Kind != nil {
		r.Kind = *in.Kind
	}
	if in.Days != nil {
		r.Days = *in.Days
	}
	if in.Stage != nil {
		r.Stage = *in.Stage
	}
	if in.Enabled != nil {
		r.Enabled = *in.Enabled
	}
	if in.Territory != nil {
		r.TerritoryID = 0
		if *in.Territory != "" {
			id, err := n.resolveTerritory("territory", *in.Territory)
			if err != nil {
				return err
			}
			if id == 0 {
				return derrors.Invalidf("territory: give a territory's name or id (or \"\" for any)")
			}
			r.TerritoryID = id
		}
	}
	if in.Owner != nil {
		r.OwnerID = 0
		if *in.Owner != "" {
			id, err := n.resolveUser(actor, "owner", *in.Owner)
			if err != nil {
				return err
			}
			r.OwnerID = id
		}
	}
	if nt := in.Notify; nt != nil {
		if nt.Webhook != nil {
			r.Notify.Webhook = *nt.Webhook
		}
		if nt.Secret != nil {
			r.Notify.Secret = *nt.Secret
		}
		if nt.Email != nil {
			r.Notify.Email = *nt.Email
		}
		if nt.Inbox != nil {
			r.Notify.Inbox = *nt.Inbox
		}
	}
	return nil
}

func (s *Server) handleListRules(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	rs, err := s.svc.ListRules(ctx, actor)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	items := make([]ruleJSON, len(rs))
	for i, rule := range rs {
		items[i] = n.rule(rule)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func (s *Server) handleGetRule(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := s.svc.GetRule(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n.rule(rule))
	return nil
}

func (s *Server) handleCreateRule(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	if err := actor.RequireManager(); err != nil {
		return err
	}
	var in ruleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	// A new rule is on and, unless told otherwise, notifies in the app.
	rule := &rules.Rule{Enabled: true, Notify: rules.Notify{Inbox: true}}
	if in.Notify != nil && in.Notify.Inbox == nil {
		rule.Notify.Inbox = false
	}
	if err := in.apply(rule, actor, n); err != nil {
		return err
	}
	if err := s.svc.CreateRule(ctx, actor, rule); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/rules/"+fmtID(rule.ID))
	writeJSON(w, http.StatusCreated, n.rule(rule))
	return nil
}

func (s *Server) handleUpdateRule(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in ruleInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rule, err := s.svc.GetRule(ctx, actor, id)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	if err := in.apply(rule, actor, n); err != nil {
		return err
	}
	if err := s.svc.UpdateRule(ctx, actor, rule); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, n.rule(rule))
	return nil
}

func (s *Server) handleRunRules(w http.ResponseWriter, r *http.Request) error {
	run, err := s.svc.RunRules(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, app.Summarize(run))
	return nil
}

type deliveryJSON struct {
	ID       int64  `json:"id"`
	RuleID   *int64 `json:"rule_id"`
	Channel  string `json:"channel"`
	Target   string `json:"target"`
	Accounts int    `json:"accounts"`
	Attempts int    `json:"attempts"`
	OK       bool   `json:"ok"`
	Error    string `json:"error"`
	At       string `json:"at"`
}

func (s *Server) handleRuleDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 100)
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), actorFrom(r.Context())
	if _, err := s.svc.GetRule(ctx, actor, id); err != nil {
		return err
	}
	ds, err := s.svc.Deliveries(ctx, actor, id, limit)
	if err != nil {
		return err
	}
	items := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		items[i] = deliveryJSON{ID: d.ID, Channel: d.Channel, Target: d.Target, Accounts: d.Accounts, Attempts: d.Attempts, OK: d.OK, Error: d.Error, At: *timeJSON(d.At)}
		if d.RuleID != 0 {
			items[i].RuleID = ptr(d.RuleID)
		}
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

type notificationJSON struct {
	ID                int64   `json:"id"`
	RuleID            *int64  `json:"rule_id"`
	Rule              string  `json:"rule"`
	AccountID         int64   `json:"account_id"`
	AccountExternalID *string `json:"account_external_id"`
	AccountName       string  `json:"account_name"`
	Day               string  `json:"day"`
	Message           string  `json:"message"`
	CreatedAt         *string `json:"created_at"`
	ReadAt            *string `json:"read_at"`
	Read              bool    `json:"read"`
}

func (s *Server) handleListNotifications(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", rules.DefaultLimit)
	if err != nil {
		return err
	}
	l, err := s.svc.Notifications(r.Context(), actorFrom(r.Context()), rules.Page{Limit: limit, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	items := make([]notificationJSON, len(l.Items))
	for i, n := range l.Items {
		j := notificationJSON{ID: n.ID, Rule: n.RuleName, AccountID: n.AccountID, AccountName: n.AccountName, Day: n.Day, Message: n.Message,
			CreatedAt: timeJSON(n.CreatedAt), ReadAt: timeJSON(n.ReadAt), Read: !n.ReadAt.IsZero()}
		if n.RuleID != 0 {
			j.RuleID = ptr(n.RuleID)
		}
		if n.AccountExternalID != "" {
			j.AccountExternalID = ptr(n.AccountExternalID)
		}
		items[i] = j
	}
	writeJSON(w, http.StatusOK, struct {
		Items      []notificationJSON `json:"items"`
		Total      int                `json:"total"`
		Unread     int                `json:"unread"`
		NextCursor string             `json:"next_cursor"`
	}{items, l.Total, l.Unread, l.NextCursor})
	return nil
}

func (s *Server) handleReadAllNotifications(w http.ResponseWriter, r *http.Request) error {
	n, err := s.svc.MarkAllNotificationsRead(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"marked": n})
	return nil
}

// overlayParam reads ?overlay=ID for account filters (0 when absent).
func overlayParam(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("overlay")
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, derrors.Invalidf("overlay: %q is not an overlay id", v)
	}
	return id, nil
}
