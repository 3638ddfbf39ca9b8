package app

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/territory"
	"github.com/meridian-crm/meridian/internal/visit"
)

// accountCSVColumns are the fixed columns of an account export, named as the
// importer recognises them so the file imports again unchanged.
var accountCSVColumns = []string{"external_id", "name", "stage", "owner", "street", "city", "region", "postal_code",
	"country", "lat", "lon", "precision", "estimated_value", "source_channel", "tags", "do_not_contact", "territory"}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ExportAccounts writes the accounts the actor may see matching f, as "csv"
// or "geojson" (a FeatureCollection of Points; unplaced accounts have a null
// geometry). Exports are audited.
func (s *Service) ExportAccounts(ctx context.Context, actor *auth.Actor, f account.Filter, format string, w io.Writer) (n int, err error) {
	if format != "csv" && format != "geojson" {
		return 0, derrors.Invalidf("format: %q is not csv or geojson", format)
	}
	emails, err := s.userEmails(ctx)
	if err != nil {
		return 0, err
	}
	ts, _, err := s.territories(ctx)
	if err != nil {
		return 0, err
	}
	terrName := map[int64]string{}
	for _, t := range ts {
		terrName[t.ID] = t.Name
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	defer func() {
		if ferr := bw.Flush(); err == nil {
			err = ferr
		}
		if err == nil {
			s.audit(ctx, actor, "export.accounts", format, strconv.Itoa(n))
		}
	}()
	if format == "geojson" {
		return n, s.exportAccountsGeoJSON(ctx, actor, f, bw, emails, terrName, &n)
	}
	// First pass: the custom field names, for the header.
	keys := map[string]bool{}
	if err := s.EachAccount(ctx, actor, f, func(a *account.Account) error {
		for k := range a.Custom {
			keys[k] = true
		}
		return nil
	}); err != nil {
		return 0, err
	}
	custom := make([]string, 0, len(keys))
	for k := range keys {
		custom = append(custom, k)
	}
	sort.Strings(custom)
	cw := csv.NewWriter(bw)
	header := append([]string{}, accountCSVColumns...)
	for _, k := range custom {
		header = append(header, "custom."+k)
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rec := make([]string, len(header))
	err = s.EachAccount(ctx, actor, f, func(a *account.Account) error {
		lat, lon := "", ""
		if a.Location != nil {
			lat, lon = fmtFloat(a.Location.Lat), fmtFloat(a.Location.Lon)
		}
		dnc := ""
		if a.DoNotContact {
			dnc = "true"
		}
		copy(rec, []string{a.ExternalID, a.Name, a.Stage, emails[a.OwnerID], a.Street, a.City, a.Region, a.PostalCode,
			a.Country, lat, lon, string(a.Precision), fmtFloat(a.EstimatedValue), a.SourceChannel, strings.Join(a.Tags, ";"),
			dnc, terrName[a.TerritoryID]})
		for i, k := range custom {
			rec[len(accountCSVColumns)+i] = a.Custom[k]
		}
		n++
		return cw.Write(rec)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

func (s *Service) exportAccountsGeoJSON(ctx context.Context, actor *auth.Actor, f account.Filter, w *bufio.Writer, emails, terrName map[int64]string, n *int) error {
	if _, err := io.WriteString(w, `{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	err := s.EachAccount(ctx, actor, f, func(a *account.Account) error {
		if *n > 0 {
			w.WriteByte(',')
		}
		*n++
		var geom any
		if a.Location != nil {
			geom = map[string]any{"type": "Point", "coordinates": []float64{a.Location.Lon, a.Location.Lat}}
		}
		props := map[string]any{"id": a.ID, "external_id": a.ExternalID, "name": a.Name, "stage": a.Stage,
			"owner": emails[a.OwnerID], "territory": terrName[a.TerritoryID], "street": a.Street, "city": a.City,
			"region": a.Region, "postal_code": a.PostalCode, "country": a.Country, "precision": a.Precision,
			"estimated_value": a.EstimatedValue, "source_channel": a.SourceChannel, "tags": a.Tags, "custom": a.Custom}
		return enc.Encode(map[string]any{"type": "Feature", "id": a.ID, "geometry": geom, "properties": props})
	})
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, "]}\n")
	return err
}

// ExportInteractions writes every interaction (managers) as CSV in the
// import's format, oldest first.
func (s *Service) ExportInteractions(ctx context.Context, actor *auth.Actor, format string, w io.Writer) (n int, err error) {
	if err := actor.RequireManager(); err != nil {
		return 0, err
	}
	if format != "csv" {
		return 0, derrors.Invalidf("format: interactions export as csv only, not %q", format)
	}
	ext := map[int64]string{}
	if err := s.Store.EachAccount(ctx, account.Filter{}, func(a *account.Account) error {
		ext[a.ID] = a.ExternalID
		return nil
	}); err != nil {
		return 0, err
	}
	emails, err := s.userEmails(ctx)
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"account_id", "at", "channel", "type", "outcome", "user", "variant", "stage", "value", "lat", "lon", "notes"}); err != nil {
		return 0, err
	}
	err = s.Store.EachInteraction(ctx, func(in *visit.Interaction) error {
		lat, lon := "", ""
		if in.Location != nil {
			lat, lon = fmtFloat(in.Location.Lat), fmtFloat(in.Location.Lon)
		}
		n++
		return cw.Write([]string{ext[in.AccountID], in.At.UTC().Format(time.RFC3339), in.Channel, in.Type, in.Outcome,
			emails[in.UserID], in.Variant, in.Stage, fmtFloat(in.Value), lat, lon, in.Notes})
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		s.audit(ctx, actor, "export.interactions", format, strconv.Itoa(n))
	}
	return n, err
}

// ExportTerritories writes every territory as a GeoJSON FeatureCollection
// that imports again (name, reps, color, parent), or as KML
// (territory.WriteKML), by format "geojson" or "kml".
func (s *Service) ExportTerritories(ctx context.Context, actor *auth.Actor, format string, w io.Writer) (int, error) {
	if format != "geojson" && format != "kml" {
		return 0, derrors.Invalidf("format: territories export as geojson or kml, not %q", format)
	}
	ts, _, err := s.territories(ctx)
	if err != nil {
		return 0, err
	}
	emails, err := s.userEmails(ctx)
	if err != nil {
		return 0, err
	}
	names := map[int64]string{}
	for _, t := range ts {
		names[t.ID] = t.Name
	}
	// info names a territory's reps by email and its parent by name.
	info := func(t *territory.Territory) territory.KMLInfo {
		in := territory.KMLInfo{Reps: []string{}, Parent: names[t.ParentID]}
		for _, id := range t.RepIDs {
			in.Reps = append(in.Reps, emails[id])
		}
		return in
	}
	if format == "kml" {
		err = territory.WriteKML(w, ts, info)
	} else {
		err = writeTerritoriesGeoJSON(w, ts, info)
	}
	if err != nil {
		return 0, err
	}
	s.audit(ctx, actor, "export.territories", format, strconv.Itoa(len(ts)))
	return len(ts), nil
}

func writeTerritoriesGeoJSON(w io.Writer, ts []*territory.Territory, info func(*territory.Territory) territory.KMLInfo) error {
	type feature struct {
		Type       string         `json:"type"`
		Geometry   map[string]any `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	fc := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection", Features: []feature{}}
	for _, t := range ts {
		in := info(t)
		props := map[string]any{"name": t.Name, "reps": in.Reps, "color": t.Color}
		if t.ParentID != 0 {
			props["parent"] = in.Parent
		}
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: map[string]any{"type": "MultiPolygon", "coordinates": t.Shape.Coordinates()}, Properties: props})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	return enc.Encode(fc)
}

// userEmails maps user ids to emails, as exports name users.
func (s *Service) userEmails(ctx context.Context) (map[int64]string, error) {
	users, err := s.Store.ListUsers(ctx)
	if err != nil {
		return nil, err
	}
	emails := make(map[int64]string, len(users))
	for _, u := range users {
		emails[u.ID] = u.Email
	}
	return emails, nil
}
