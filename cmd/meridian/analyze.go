package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"text/tabwriter"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
)

// snapshotFile is the analytics snapshot's name in a SQLite data directory:
// the interactions' columns as the last analysis read them, which the next
// one loads instead of reading the table when nothing changed meanwhile.
const snapshotFile = "analytics.snapshot"

// cmdAnalyze runs the journey analyses over the stored interactions.
func cmdAnalyze(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: meridian analyze funnel|paths|attribution|variants|segments [flags] (--help for each)")
		return errUsage
	}
	kind := args[0]
	synopsis := map[string]string{
		"funnel":      "analyze funnel --step FILTER [--step FILTER]... [--window 14d] [--mode M,...] [--per-account] [--breakdown FIELD] [--dropoff-step K] [--json]",
		"paths":       "analyze paths --anchor FILTER [--before] [--depth 3] [--label type] [--json]",
		"attribution": "analyze attribution --conversion FILTER --model first_touch|last_touch|linear|time_decay|position_based [--lookback 90d] [--half-life 7d] [--json]",
		"variants":    "analyze variants --exposure FILTER --conversion FILTER [--window 90d] [--json]",
		"segments":    "analyze segments [--conversion FILTER] [--max-k 6] [--json]",
	}[kind]
	if synopsis == "" {
		fmt.Fprintf(e.stderr, "meridian analyze: unknown analysis %q (funnel, paths, attribution, variants, segments)\n", kind)
		return errUsage
	}
	fs := e.flags("analyze "+kind, synopsis)
	asJSON := fs.Bool("json", false, "print JSON")
	noSnapshot := fs.Bool("no-snapshot", false, "read the interactions from the store, neither using nor writing DATA_DIR/"+snapshotFile)
	var steps, excl multi
	var window, mode, breakdown, from, to, anchor, label, conversion, touch, model, lookback, halfLife, exposure *string
	var perAccount, before *bool
	var dropoff, depth, maxK *int
	switch kind {
	case "funnel":
		fs.Var(&steps, "step", "a step's interaction filter, such as type=demo or channel=visit,outcome=sale (repeat, in order)")
		fs.Var(&excl, "exclude", "FROM-TO:FILTER leaves out accounts matching FILTER between steps FROM and TO (repeatable)")
		window = fs.String("window", "14d", "conversion window from the first step, such as 90d or 3600s")
		mode = fs.String("mode", "", "windowFunnel options, comma-separated: strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry")
		perAccount = fs.Bool("per-account", false, "list every account's furthest step")
		breakdown = fs.String("breakdown", "", "split by channel, type, variant, stage, prop.NAME, territory, owner, account_stage, persona or custom.FIELD")
		dropoff = fs.Int("dropoff-step", 0, "save the accounts that stopped at this step as a selection for the map")
		from = fs.String("from", "", "only interactions from this date")
		to = fs.String("to", "", "only interactions before this date")
	case "paths":
		anchor = fs.String("anchor", "", "the touchpoint's filter, such as type=demo")
		before = fs.Bool("before", false, "the paths leading to it instead of those after it")
		depth = fs.Int("depth", 3, "touchpoints in each path")
		label = fs.String("label", "type", "the field naming a touchpoint: type, channel, stage, outcome or variant")
	case "attribution":
		conversion = fs.String("conversion", "", "what a conversion is, such as outcome=sale")
		touch = fs.String("touch", "", "only these touchpoints get credit (a filter)")
		model = fs.String("model", "linear", "first_touch, last_touch, linear, time_decay or position_based")
		lookback = fs.String("lookback", "90d", "touchpoints this long before a conversion count")
		halfLife = fs.String("half-life", "7d", "time_decay: a touchpoint this much older gets half the credit")
	case "variants":
		exposure = fs.String("exposure", "", "where an account meets a variant, such as channel=email")
		conversion = fs.String("conversion", "", "what a conversion is, such as outcome=sale")
		window = fs.String("window", "90d", "how long after the exposure a conversion counts")
	case "segments":
		conversion = fs.String("conversion", "", "what a conversion is, such as outcome=sale (for converted, days_to_convert and odds ratios)")
		maxK = fs.Int("max-k", 6, "the most segments tried")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		fs.Usage()
		return errUsage
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if e.dbURL == "" && !*noSnapshot {
		svc.SetAnalyticsSnapshot(filepath.Join(e.dataDir, snapshotFile))
	}
	ctx := e.ctx
	var out any
	switch kind {
	case "funnel":
		req := app.FunnelRequest{Steps: steps, Window: *window, Mode: *mode, PerAccount: *perAccount, Breakdown: *breakdown, DropOffStep: *dropoff, From: *from, To: *to}
		for _, x := range excl {
			var f, t int
			rng, filter, ok := strings.Cut(x, ":")
			if _, err := fmt.Sscanf(rng, "%d-%d", &f, &t); err != nil || !ok {
				return fmt.Errorf("--exclude %q: expected FROM-TO:FILTER such as 1-2:type=unsubscribe", x)
			}
			req.Exclusions = append(req.Exclusions, app.ExclusionRequest{Filter: filter, From: f, To: t})
		}
		rep, err := svc.Funnel(ctx, auth.System, req)
		if err != nil {
			return err
		}
		out = rep
		if !*asJSON {
			tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "step\tfilter\taccounts\tconversion\tfrom previous\tmedian from previous")
			for i, s := range rep.Steps {
				fmt.Fprintf(tw, "%d\t%s\t%d\t%.1f%%\t%.1f%%\t%s\n", i+1, s.Filter, s.Accounts, 100*s.Conversion, 100*s.ConversionFromPrevious, seconds(s.MedianSeconds))
			}
			tw.Flush()
			for _, a := range rep.PerAccount {
				fmt.Fprintf(e.stdout, "%s\t%d\n", a.Account, a.Level)
			}
			if rep.Selection != nil {
				fmt.Fprintf(e.stdout, "saved %d accounts as selection %s (open #/map?selection=%s)\n", rep.Selection.Accounts, rep.Selection.ID, rep.Selection.ID)
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ai, err := svc.Analytics(ctx); err == nil {
				from := "store"
				if ai.FromSnapshot {
					from = "snapshot"
				}
				fmt.Fprintf(e.stderr, "%d interactions in %.2fs (columns read from the %s in %.2fs); heap %d MB\n", rep.Interactions, rep.Seconds, from, ai.BuildSeconds, ms.HeapInuse>>20)
			}
		}
	case "paths":
		dir := "after"
		if *before {
			dir = "before"
		}
		res, err := svc.Paths(ctx, auth.System, app.PathsRequest{Anchor: *anchor, Direction: dir, Depth: *depth, Label: *label})
		if err != nil {
			return err
		}
		out = res
		if !*asJSON {
			for _, p := range res.Paths {
				fmt.Fprintf(e.stdout, "%6d  %5.1f%%  %s\n", p.Accounts, 100*p.Share, strings.Join(p.Steps, " → "))
			}
		}
	case "attribution":
		res, err := svc.Attribution(ctx, auth.System, app.AttributionRequest{Conversion: *conversion, Touch: *touch, Model: *model, Lookback: *lookback, HalfLife: *halfLife})
		if err != nil {
			return err
		}
		out = res
		if !*asJSON {
			fmt.Fprintf(e.stdout, "%d conversions, model %s\n", res.Conversions, res.Model)
			for _, c := range res.Channels {
				fmt.Fprintf(e.stdout, "%-12s %10.2f %12.2f\n", c.Channel, c.Credit, c.Revenue)
			}
		}
	case "variants":
		res, err := svc.Variants(ctx, auth.System, app.VariantsRequest{Exposure: *exposure, Conversion: *conversion, Window: *window})
		if err != nil {
			return err
		}
		out = res
		if !*asJSON {
			for _, v := range res.Variants {
				fmt.Fprintf(e.stdout, "%-8s %6d accounts %6d converted %5.1f%%  P(best) %.3f  p %.4f\n", v.Variant, v.Accounts, v.Converted, 100*v.Conversion, v.ProbabilityBest, v.PValue)
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(e.stdout, "warning:", w)
			}
		}
	case "segments":
		res, err := svc.Segments(ctx, auth.System, app.SegmentsRequest{Conversion: *conversion, MaxK: *maxK})
		if err != nil {
			return err
		}
		out = res
		if !*asJSON {
			fmt.Fprintf(e.stdout, "k = %d\n", res.K)
			for _, s := range res.Segments {
				fmt.Fprintf(e.stdout, "segment %d (%s): %d accounts\n", s.ID, s.Name, s.Accounts)
			}
		}
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	return nil
}

func seconds(s float64) string {
	switch {
	case s == 0:
		return "–"
	case s < 3600:
		return fmt.Sprintf("%.0fs", s)
	case s < 86400:
		return fmt.Sprintf("%.1fh", s/3600)
	}
	return fmt.Sprintf("%.1fd", s/86400)
}
