package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/territory"
)

const territoryUsage = `Usage: meridian territory check|balance|union|history …

  check    [--within BOUNDARY.geojson] [--json]
           overlaps, gaps, accounts in no territory, territories without a rep, reps without a territory
  balance  --k K [--by accounts|value|workload] [--centres reps] [--lock NAME]... [--parent NAME] [--apply] [--json]
           propose K balanced territories; --apply saves them and records the change
  union    FILE.geojson --name NAME [--select PROP=V1,V2] [--parent NAME] [--reps EMAILS] [--json]
           save the union of a boundary layer's polygons (states, counties, ZCTAs) as a territory
  history  [--json]
           applied balances, newest first
`

func cmdTerritory(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, territoryUsage)
		return errUsage
	}
	switch args[0] {
	case "check":
		return cmdTerritoryCheck(e, args[1:])
	case "balance":
		return cmdTerritoryBalance(e, args[1:])
	case "union":
		return cmdTerritoryUnion(e, args[1:])
	case "history":
		return cmdTerritoryHistory(e, args[1:])
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, territoryUsage)
		return nil
	}
	fmt.Fprintf(e.stderr, "meridian territory: unknown subcommand %q\n\n%s", args[0], territoryUsage)
	return errUsage
}

func cmdTerritoryCheck(e *env, args []string) error {
	fs := e.flags("territory check", "territory check [--within BOUNDARY.geojson] [--json]")
	withinPath := fs.String("within", "", "GeoJSON `file` of the area that should be covered (default: the convex hull of all territories)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	var within geo.MultiPolygon
	if *withinPath != "" {
		layer, err := readBoundaryLayer(*withinPath)
		if err != nil {
			return err
		}
		var shapes []geo.MultiPolygon
		for _, f := range layer {
			shapes = append(shapes, f.shape)
		}
		if within = geo.UnionAll(shapes); len(within) == 0 {
			return derrors.Invalidf("--within %s: the boundary has no area", *withinPath)
		}
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := svc.CheckTerritories(e.ctx, auth.System, within)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(rep)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Overlaps\t%d\n", len(rep.Overlaps))
	for _, o := range rep.Overlaps {
		fmt.Fprintf(tw, "  %s × %s\t%.3f km²\t%d accounts\n", o.A, o.B, o.AreaKm2, o.Accounts)
	}
	fmt.Fprintf(tw, "Gaps (within the %s)\t%d\n", rep.Boundary, len(rep.Gaps))
	for _, g := range rep.Gaps {
		fmt.Fprintf(tw, "  gap\t%.3f km²\t%d accounts\n", g.AreaKm2, g.Accounts)
	}
	fmt.Fprintf(tw, "Accounts in no territory\t%d\n", rep.UnassignedAccounts)
	fmt.Fprintf(tw, "Accounts without a location\t%d\n", rep.UnplacedAccounts)
	fmt.Fprintf(tw, "Territories without a rep\t%s\n", namesOf(rep.TerritoriesWithoutRep))
	fmt.Fprintf(tw, "Reps without a territory\t%s\n", namesOf(rep.RepsWithoutTerritory))
	return tw.Flush()
}

func namesOf(ns []territory.Named) string {
	if len(ns) == 0 {
		return "none"
	}
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return strings.Join(out, ", ")
}

func cmdTerritoryBalance(e *env, args []string) error {
	fs := e.flags("territory balance", "territory balance --k K [--by accounts|value|workload] [--centres reps] [--lock NAME]... [--parent NAME] [--apply] [--json]")
	k := fs.Int("k", 0, "number of territories (with --centres reps: default one per rep with a home)")
	by := fs.String("by", "accounts", "what to balance: accounts, value (estimated value) or workload (visits a month by stage)")
	centres := fs.String("centres", "", `"reps": build the territories around the reps' homes`)
	var lock multi
	fs.Var(&lock, "lock", "a territory `NAME` to keep as it is (repeatable)")
	parent := fs.String("parent", "", "balance the child territories of this region, inside it")
	apply := fs.Bool("apply", false, "save the territories and the accounts' assignments (default: only propose)")
	asJSON := fs.Bool("json", false, "print the proposal as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := svc.BalanceTerritories(e.ctx, auth.System, app.BalanceRequest{K: *k, By: *by, Centres: *centres, Lock: lock, Parent: *parent, Apply: *apply})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(p)
	}
	verb := "Proposal"
	if p.Applied {
		verb = fmt.Sprintf("Applied (history %d)", p.HistoryID)
	}
	fmt.Fprintf(e.stdout, "%s: %d territories by %s over %d accounts; largest/smallest %.3f, mean Polsby–Popper %.3f\n",
		verb, p.K, p.By, p.Balanced, p.Ratio, p.MeanPolsbyPopper)
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TERRITORY\tACTION\tACCOUNTS\tTOTAL\tVALUE\tAREA KM²\tPOLSBY–POPPER\tREPS")
	for _, t := range p.Territories {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.1f\t%.0f\t%.1f\t%.3f\t%s\n", t.Name, t.Action, t.Accounts, t.Total, t.Value, t.AreaKm2, t.PolsbyPopper, strings.Join(t.Reps, ", "))
	}
	tw.Flush()
	if len(p.Deleted) > 0 {
		fmt.Fprintf(e.stdout, "Replaced and removed: %s\n", strings.Join(p.Deleted, ", "))
	}
	fmt.Fprintf(e.stdout, "Accounts changing territory: %d; changing rep: %d\n", p.Changes.Territory, p.Changes.Rep)
	if !p.Applied {
		fmt.Fprintln(e.stdout, "Nothing saved: run again with --apply to save it.")
	}
	return nil
}

func cmdTerritoryUnion(e *env, args []string) error {
	fs := e.flags("territory union", "territory union FILE.geojson --name NAME [--select PROP=V1,V2] [--parent NAME] [--reps EMAILS] [--json]")
	name := fs.String("name", "", "the new territory's name")
	sel := fs.String("select", "", "only features whose property PROP is one of the values, as PROP=V1,V2 (e.g. ZCTA5CE20=80202,80203)")
	parent := fs.String("parent", "", "the region the territory belongs to")
	reps := fs.String("reps", "", "comma-separated rep emails")
	asJSON := fs.Bool("json", false, "print the territory as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fmt.Fprintln(e.stderr, "Usage: meridian territory union FILE.geojson --name NAME [--select PROP=V1,V2]")
		return errUsage
	}
	layer, err := readBoundaryLayer(pos[0])
	if err != nil {
		return err
	}
	var shapes []geo.MultiPolygon
	if *sel != "" {
		prop, vals, ok := strings.Cut(*sel, "=")
		if !ok {
			return derrors.Invalidf("--select %q: expected PROP=V1,V2", *sel)
		}
		want := map[string]bool{}
		for _, v := range strings.Split(vals, ",") {
			want[strings.TrimSpace(v)] = true
		}
		for _, f := range layer {
			if want[fmt.Sprint(f.props[prop])] {
				shapes = append(shapes, f.shape)
			}
		}
		if len(shapes) == 0 {
			return derrors.Invalidf("--select %q: no feature of %s matches", *sel, pos[0])
		}
	} else {
		for _, f := range layer {
			shapes = append(shapes, f.shape)
		}
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := svc.UnionShapes(e.ctx, auth.System, shapes)
	if err != nil {
		return err
	}
	t := &territory.Territory{Name: *name, Shape: u}
	if *parent != "" {
		p, err := db.GetTerritoryByName(e.ctx, *parent)
		if err != nil {
			return derrors.Invalidf("--parent: no territory is named %q", *parent)
		}
		t.ParentID = p.ID
	}
	if *reps != "" {
		if t.RepIDs, err = svc.RepIDsByEmail(e.ctx, strings.Split(*reps, ",")); err != nil {
			return err
		}
	}
	if err := svc.SaveTerritory(e.ctx, auth.System, t); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"id": t.ID, "name": t.Name, "features": len(shapes), "polygons": len(u), "area_km2": u.AreaKm2()})
	}
	fmt.Fprintf(e.stdout, "Saved territory %q (id %d): the union of %d features, %d polygon(s), %.1f km²\n", t.Name, t.ID, len(shapes), len(u), u.AreaKm2())
	return nil
}

func cmdTerritoryHistory(e *env, args []string) error {
	fs := e.flags("territory history", "territory history [--json]")
	asJSON := fs.Bool("json", false, "print the entries as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := svc.TerritoryHistory(e.ctx, auth.System, 100, 0)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(l)
	}
	for _, h := range l.Items {
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%s\n", h.ID, h.At, h.Actor, h.Action, h.Summary)
	}
	return nil
}

type layerFeature struct {
	props map[string]any
	shape geo.MultiPolygon
}

// readBoundaryLayer reads the Polygon and MultiPolygon features of a
// GeoJSON file (a FeatureCollection, a Feature or a bare geometry).
func readBoundaryLayer(path string) ([]layerFeature, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type geometry struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	type feature struct {
		Type       string         `json:"type"`
		Geometry   *geometry      `json:"geometry"`
		Properties map[string]any `json:"properties"`
	}
	var doc struct {
		Type        string          `json:"type"`
		Features    []feature       `json:"features"`
		Geometry    *geometry       `json:"geometry"`
		Properties  map[string]any  `json:"properties"`
		Coordinates json.RawMessage `json:"coordinates"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, derrors.Invalidf("%s: not GeoJSON: %v", path, err)
	}
	var fs []feature
	switch doc.Type {
	case "FeatureCollection":
		fs = doc.Features
	case "Feature":
		fs = []feature{{Geometry: doc.Geometry, Properties: doc.Properties}}
	case "Polygon", "MultiPolygon":
		fs = []feature{{Geometry: &geometry{Type: doc.Type, Coordinates: doc.Coordinates}}}
	default:
		return nil, derrors.Invalidf("%s: type %q is not a FeatureCollection, Feature, Polygon or MultiPolygon", path, doc.Type)
	}
	var out []layerFeature
	for i, f := range fs {
		if f.Geometry == nil {
			continue
		}
		var m geo.MultiPolygon
		switch f.Geometry.Type {
		case "Polygon":
			var c [][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return nil, derrors.Invalidf("%s: feature %d: Polygon coordinates: %v", path, i+1, err)
			}
			m = geo.FromCoordinates([][][][2]float64{c})
		case "MultiPolygon":
			var c [][][][2]float64
			if err := json.Unmarshal(f.Geometry.Coordinates, &c); err != nil {
				return nil, derrors.Invalidf("%s: feature %d: MultiPolygon coordinates: %v", path, i+1, err)
			}
			m = geo.FromCoordinates(c)
		default:
			continue
		}
		if err := m.Validate(); err != nil {
			return nil, derrors.Invalidf("%s: feature %d: %v", path, i+1, err)
		}
		out = append(out, layerFeature{props: f.Properties, shape: m})
	}
	if len(out) == 0 {
		return nil, derrors.Invalidf("%s: no Polygon or MultiPolygon features", path)
	}
	return out, nil
}
