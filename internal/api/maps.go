package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/tile"
)

// colorFields are the fields single accounts can be coloured by on tiles.
// Values are what the page buckets and colours: days since the last visit
// as whole days ("" never), the estimated value as a number, custom.NAME the
// field's value, selection the account's group in the selection= of the
// request (a funnel's furthest step, a segment).
var colorFields = []string{"stage", "owner", "territory", "days_since_visit", "last_visit_result", "estimated_value", "selection", "custom.NAME"}

// tileFilter turns the request's account filter into the map index's.
// Filters the index cannot answer (text, tags, custom fields) become a set
// of allowed ids from the store.
func (s *Server) tileFilter(r *http.Request, actor *auth.Actor, n *names, mi *app.MapIndex) (tile.Filter, error) {
	f, err := s.accountFilter(r, actor, n)
	if err != nil {
		return tile.Filter{}, err
	}
	var tf tile.Filter
	for _, k := range f.Stages {
		tf.Stages = append(tf.Stages, uint8(mi.Pipeline.Position(k)))
	}
	tf.OwnerIDs, tf.TerritoryIDs = f.OwnerIDs, f.TerritoryIDs
	if len(f.TerritoryIDs) > 0 && tf.TerritoryIDs == nil {
		tf.TerritoryIDs = []int64{}
	}
	if sc := actor.Scope; sc != nil {
		tf.Scope = &tile.Scope{OwnerID: sc.OwnerID, TerritoryIDs: sc.TerritoryIDs}
	}
	if !f.LastVisitFrom.IsZero() || !f.LastVisitTo.IsZero() {
		tf.LastVisitFrom, tf.LastVisitTo = f.LastVisitFrom.Unix(), f.LastVisitTo.Unix()
		if f.LastVisitFrom.IsZero() {
			tf.LastVisitFrom = 1
		}
		if f.LastVisitTo.IsZero() {
			tf.LastVisitTo = 0
		}
	} else if f.NeverVisited {
		// Only accounts never visited: a range no visit falls in, plus never.
		tf.LastVisitFrom, tf.LastVisitTo = 1, 1
	}
	tf.NeverVisited = f.NeverVisited
	if f.Text != "" || len(f.Tags) > 0 || len(f.Custom) > 0 || len(f.IDs) > 0 {
		ids := map[int64]bool{}
		sub := account.Filter{Text: f.Text, Tags: f.Tags, Custom: f.Custom, BBox: f.BBox, IDs: f.IDs}
		if err := s.svc.EachAccount(r.Context(), actor, sub, func(a *account.Account) error {
			ids[a.ID] = true
			return nil
		}); err != nil {
			return tf, err
		}
		tf.Allowed = func(id int64) bool { return ids[id] }
	}
	if f.Overlay != 0 {
		if tf.Allowed, err = s.svc.OverlayFilter(r.Context(), f.Overlay, mi, tf.Allowed); err != nil {
			return tf, err
		}
	}
	return tf, nil
}

func (s *Server) handleTile(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	z, err := strconv.Atoi(r.PathValue("z"))
	if err != nil || z < 0 || z > 24 {
		return derrors.Invalidf("z: %q is not a zoom level from 0 to 24", r.PathValue("z"))
	}
	max := uint64(1) << z
	x, err := strconv.ParseUint(r.PathValue("x"), 10, 32)
	if err != nil || x >= max {
		return derrors.Invalidf("x: %q is not a tile column at zoom %d (0 to %d)", r.PathValue("x"), z, max-1)
	}
	ys := strings.TrimSuffix(r.PathValue("y"), ".mvt")
	y, err := strconv.ParseUint(ys, 10, 32)
	if err != nil || y >= max {
		return derrors.Invalidf("y: %q is not a tile row at zoom %d (0 to %d)", r.PathValue("y"), z, max-1)
	}
	color := r.URL.Query().Get("color")
	if color == "" {
		color = "stage"
	}
	known := strings.HasPrefix(color, "custom.") && len(color) > len("custom.")
	for _, c := range colorFields[:len(colorFields)-1] {
		known = known || c == color
	}
	if !known {
		return derrors.Invalidf("color: %q is not one of %s", color, strings.Join(colorFields, ", "))
	}
	var sel *app.Selection // colour=selection: the groups of the accounts
	if color == "selection" {
		id := r.URL.Query().Get("selection")
		if id == "" {
			return derrors.Invalidf("color: selection needs selection=ID (a saved selection with groups)")
		}
		if sel, err = s.svc.GetSelection(ctx, actor, id); err != nil {
			return err
		}
	}
	mi, err := s.svc.MapIndex(ctx)
	if err != nil {
		return err
	}
	// The tile changes only with the data, the query and who asks.
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%s|%d", mi.Version, r.URL.RawQuery, actor.User.ID)))
	etag := `"` + hex.EncodeToString(h[:12]) + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, no-cache")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	tf, err := s.tileFilter(r, actor, n, mi)
	if err != nil {
		return err
	}
	stageKey := func(i uint8) string {
		if int(i) < len(mi.Pipeline.Stages) {
			return mi.Pipeline.Stages[i].Key
		}
		return ""
	}
	now := time.Now()
	feats := mi.Tile(z, uint32(x), uint32(y), tf)
	// Custom fields are not in the map index: read them for the single
	// accounts of this tile in one query.
	var custom map[int64]string
	if name, ok := strings.CutPrefix(color, "custom."); ok {
		var ids []int64
		for _, f := range feats {
			if f.Count == 1 {
				ids = append(ids, mi.At(f.Index).ID)
			}
		}
		custom = map[int64]string{}
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			if err := s.svc.EachAccount(ctx, actor, account.Filter{IDs: chunk}, func(a *account.Account) error {
				custom[a.ID] = a.Custom[name]
				return nil
			}); err != nil {
				return err
			}
		}
	}
	out := make([]tile.MVTFeature, len(feats))
	for i, f := range feats {
		if f.Count > 1 {
			out[i] = tile.MVTFeature{ID: uint64(f.CellKey), X: f.X, Y: f.Y, Props: []tile.Prop{
				{Key: "cluster", Value: true}, {Key: "point_count", Value: int64(f.Count)},
				{Key: "sum_value", Value: f.SumValue}, {Key: "stage", Value: stageKey(f.TopStage)}}}
			continue
		}
		p := mi.At(f.Index)
		var c string
		switch color {
		case "stage":
			c = stageKey(p.Stage)
		case "owner":
			if u := n.users[p.OwnerID]; u != nil {
				c = u.Email
			}
		case "territory":
			if t := n.terrs[p.TerritoryID]; t != nil {
				c = t.Name
			}
		case "days_since_visit":
			if p.LastVisitAt != 0 {
				c = strconv.Itoa(int(now.Sub(time.Unix(p.LastVisitAt, 0)).Hours() / 24))
			}
		case "last_visit_result":
			c = p.LastResult
		case "estimated_value":
			c = strconv.FormatFloat(p.Value, 'f', -1, 64)
		case "selection":
			c = sel.GroupLabel(p.ID)
		default:
			c = custom[p.ID]
		}
		out[i] = tile.MVTFeature{ID: uint64(p.ID), X: f.X, Y: f.Y, Props: []tile.Prop{
			{Key: "id", Value: p.ID}, {Key: "name", Value: p.Name}, {Key: "stage", Value: stageKey(p.Stage)},
			{Key: "color", Value: c}, {Key: "estimated_value", Value: p.Value}}}
	}
	w.Header().Set("Content-Type", "application/vnd.mapbox-vector-tile")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(tile.EncodeMVT("accounts", out))
	return err
}

type areaJSON struct {
	Accounts         int            `json:"accounts"`
	ByStage          map[string]int `json:"by_stage"`
	LeadsCreated     int            `json:"leads_created"`
	Won              int            `json:"won"`
	Lost             int            `json:"lost"`
	WinRate          float64        `json:"win_rate"`
	EstimatedRevenue float64        `json:"estimated_revenue"`
	WonRevenue       float64        `json:"won_revenue"`
	From             string         `json:"from"`
	To               string         `json:"to"`
}

func (s *Server) handleAreaMetrics(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	q := r.URL.Query()
	var box geo.BBox
	var shape geo.MultiPolygon
	if r.Method == http.MethodPost {
		var body struct {
			Polygon *geometryJSON `json:"polygon"`
		}
		if err := decode(r, &body); err != nil {
			return err
		}
		if body.Polygon == nil {
			return derrors.Invalidf("polygon: required (a GeoJSON Polygon or MultiPolygon geometry)")
		}
		m, err := parseShape(*body.Polygon)
		if err != nil {
			return err
		}
		if err := m.Validate(); err != nil {
			return derrors.Invalidf("polygon: %v", err)
		}
		shape, box = m, m.Bounds()
	} else {
		v := q.Get("bbox")
		if v == "" {
			return derrors.Invalidf("bbox: required (minLon,minLat,maxLon,maxLat), or POST a polygon")
		}
		b, err := geo.ParseBBox(v)
		if err != nil {
			return derrors.Invalidf("bbox: %v", err)
		}
		box = b
	}
	to := time.Now().UTC()
	from := to.AddDate(0, 0, -30)
	if v := q.Get("from"); v != "" {
		t, err := parseTimeParam("from", v)
		if err != nil {
			return err
		}
		from = t
	}
	if v := q.Get("to"); v != "" {
		t, err := parseTimeParam("to", v)
		if err != nil {
			return err
		}
		to = t
	}
	mi, err := s.svc.MapIndex(ctx)
	if err != nil {
		return err
	}
	n, err := s.names(ctx, actor)
	if err != nil {
		return err
	}
	tf, err := s.tileFilter(r, actor, n, mi)
	if err != nil {
		return err
	}
	var out tile.Outcomes
	for i, st := range mi.Pipeline.Stages {
		switch st.Kind {
		case account.KindCustomer:
			out.Won |= 1 << uint(i)
		case account.KindLost:
			out.Lost |= 1 << uint(i)
		}
	}
	st := mi.Area(box, shape, tf, from.Unix(), to.Unix(), out, len(mi.Pipeline.Stages))
	res := areaJSON{Accounts: st.Accounts, ByStage: map[string]int{}, LeadsCreated: st.LeadsCreated, Won: st.Won, Lost: st.Lost,
		WinRate: st.WinRate(), EstimatedRevenue: st.EstimatedRevenue, WonRevenue: st.WonRevenue,
		From: from.Format(time.RFC3339), To: to.Format(time.RFC3339)}
	for i, c := range st.ByStage {
		res.ByStage[mi.Pipeline.Stages[i].Key] = c
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}
