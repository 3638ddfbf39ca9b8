package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
)

func cmdImport(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: meridian import accounts|interactions|territories FILE [flags]")
		return errUsage
	}
	kind := args[0]
	if kind == "journey" {
		return cmdImportJourney(e, args[1:])
	}
	if kind == "overlay" {
		return cmdImportOverlay(e, args[1:])
	}
	synopsis := map[string]string{
		"accounts":     "import accounts FILE [--map \"Header=field\"]... [--stage \"CRM value=stage\"]... [--rejects FILE] [--geocoder nominatim=URL] [--json]",
		"interactions": "import interactions FILE [--map \"Header=field\"]... [--rejects FILE] [--json]",
		"territories":  "import territories FILE.geojson [--json]",
	}[kind]
	if synopsis == "" {
		fmt.Fprintf(e.stderr, "meridian import: unknown kind %q (accounts, interactions, territories)\n", kind)
		return errUsage
	}
	fs := e.flags("import "+kind, synopsis)
	var maps, stages, geocoders multi
	asJSON := fs.Bool("json", false, `print a JSON summary {"imported","updated","rejected","rejects_file"}`)
	rejectsPath := fs.String("rejects", "", "where to write rejected rows (default FILE.rejects.csv beside the input)")
	if kind != "territories" {
		fs.Var(&maps, "map", "map a column: \"Header=field\", \"Header=custom.Name\" or \"Header=ignore\" (repeatable)")
	}
	if kind == "accounts" {
		fs.Var(&stages, "stage", "map a CRM stage value: \"Value=stage_key\" (repeatable)")
		fs.Var(&geocoders, "geocoder", "online geocoder after the offline gazetteer: nominatim=URL or census=URL (repeatable)")
	}
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	path := pos[0]
	opt := app.ImportOptions{RejectsPath: *rejectsPath, Overrides: map[string]string{}, StageMap: map[string]string{}}
	for _, m := range maps {
		h, f, ok := strings.Cut(m, "=")
		if !ok || strings.TrimSpace(h) == "" {
			return derrors.Invalidf("--map %q: expected \"Header=field\"", m)
		}
		opt.Overrides[strings.TrimSpace(h)] = strings.TrimSpace(f)
	}
	for _, s := range stages {
		v, k, ok := strings.Cut(s, "=")
		if !ok {
			return derrors.Invalidf("--stage %q: expected \"CRM value=stage_key\"", s)
		}
		opt.StageMap[strings.TrimSpace(v)] = strings.TrimSpace(k)
	}
	f, err := os.Open(path)
	if err != nil {
		return derrors.Invalidf("%s: %v", path, err)
	}
	defer f.Close()
	var r io.Reader = f
	if isTerminal(e.stderr) {
		if st, err := f.Stat(); err == nil {
			bar := progressbar.NewOptions64(st.Size(), progressbar.OptionSetWriter(e.stderr), progressbar.OptionShowBytes(true),
				progressbar.OptionSetDescription("importing "+kind), progressbar.OptionThrottle(100_000_000), progressbar.OptionClearOnFinish())
			pr := progressbar.NewReader(f, bar)
			r = &pr
			defer bar.Finish()
		}
	}
	svc, db, err := e.service(nil, geocoders...)
	if err != nil {
		return err
	}
	defer db.Close()
	var out any
	switch kind {
	case "accounts":
		sum, err := svc.ImportAccounts(e.ctx, auth.System, r, path, opt)
		if err != nil {
			return err
		}
		out = sum
		if !*asJSON {
			fmt.Fprintf(e.stdout, "%d rows: %d imported, %d updated, %d rejected in %.1fs\n", sum.Rows, sum.Imported, sum.Updated, sum.Rejected, sum.Seconds)
			fmt.Fprintf(e.stdout, "placed by geocoding: %d; not placed on the map: %d\n", sum.Geocoded, sum.Unplaced)
			if sum.UnknownStage > 0 {
				fmt.Fprintf(e.stdout, "%d rows had a stage not in the stage table: imported as the first stage, value kept in custom field \"CRM stage\" (map them with --stage)\n", sum.UnknownStage)
			}
			if sum.UnknownOwner > 0 {
				fmt.Fprintf(e.stdout, "%d rows had an owner who is not a user: left unassigned, value kept in custom field \"CRM owner\"\n", sum.UnknownOwner)
			}
			printRejects(e, sum.RejectsFile)
		}
	case "interactions":
		sum, err := svc.ImportInteractions(e.ctx, auth.System, r, path, opt)
		if err != nil {
			return err
		}
		out = sum
		if !*asJSON {
			fmt.Fprintf(e.stdout, "%d rows: %d imported, %d rejected in %.1fs\n", sum.Rows, sum.Imported, sum.Rejected, sum.Seconds)
			printRejects(e, sum.RejectsFile)
		}
	case "territories":
		sum, err := svc.ImportTerritories(e.ctx, auth.System, r)
		if err != nil {
			return err
		}
		out = sum
		if !*asJSON {
			fmt.Fprintf(e.stdout, "%d territories imported, %d updated: %s\n", sum.Imported, sum.Updated, strings.Join(sum.Names, ", "))
		}
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(out)
	}
	return nil
}

func printRejects(e *env, path string) {
	if path != "" {
		fmt.Fprintf(e.stdout, "rejected rows and the reasons: %s\n", path)
	}
}

func cmdExport(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: meridian export accounts|territories|interactions --format csv|geojson")
		return errUsage
	}
	kind := args[0]
	if kind == "journey" {
		return cmdExportJourney(e, args[1:])
	}
	fs := e.flags("export "+kind, "export accounts|territories|interactions --format csv|geojson [--out FILE]")
	defFormat := "csv"
	if kind == "territories" {
		defFormat = "geojson"
	}
	format := fs.String("format", defFormat, "csv or geojson (accounts); geojson or kml (territories); csv (interactions)")
	outPath := fs.String("out", "", "write to FILE instead of standard output")
	if _, err := parse(fs, args[1:]); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	w := e.stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	switch kind {
	case "accounts":
		_, err = svc.ExportAccounts(e.ctx, auth.System, accountFilterAll, *format, w)
	case "territories":
		_, err = svc.ExportTerritories(e.ctx, auth.System, *format, w)
	case "interactions":
		_, err = svc.ExportInteractions(e.ctx, auth.System, *format, w)
	default:
		fmt.Fprintf(e.stderr, "meridian export: unknown kind %q (accounts, territories, interactions)\n", kind)
		return errUsage
	}
	return err
}
