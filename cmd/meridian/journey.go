package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
)

const journeyUsage = `Usage:
  meridian journey templates [--json]                      list the journey templates
  meridian journey new --template NAME [--owner EMAIL] [--json]
                                                           create a journey from a template; prints its id
  meridian journey reviews [--json]                        remind owners of journeys whose review is due
  meridian import journey FILE.json [--json]               import a journey document; prints its id
  meridian export journey ID --format json|svg|pdf|png [--out FILE]
`

// cmdJourney runs `meridian journey …`.
func cmdJourney(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, journeyUsage)
		return errUsage
	}
	switch args[0] {
	case "templates":
		fs := e.flags("journey templates", "journey templates [--json]")
		asJSON := fs.Bool("json", false, "print the templates as JSON")
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		svc, db, err := e.service(nil)
		if err != nil {
			return err
		}
		defer db.Close()
		ts := svc.JourneyTemplates()
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]any{"items": ts, "total": len(ts)})
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.Name, t.Title, t.Description)
		}
		return tw.Flush()
	case "new":
		fs := e.flags("journey new", "journey new --template NAME [--owner EMAIL] [--json]")
		tpl := fs.String("template", "", "template name (see meridian journey templates)")
		owner := fs.String("owner", "", "email of the user who owns the journey")
		asJSON := fs.Bool("json", false, `print {"id":…}`)
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		if *tpl == "" {
			return derrors.Invalidf("--template: required (see meridian journey templates)")
		}
		svc, db, err := e.service(nil)
		if err != nil {
			return err
		}
		defer db.Close()
		doc, err := svc.JourneyFromTemplate(auth.System, *tpl)
		if err != nil {
			return err
		}
		doc.Owner = *owner
		j, err := svc.CreateJourney(e.ctx, auth.System, doc)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]any{"id": j.ID, "version": j.Version})
		}
		fmt.Fprintf(e.stdout, "journey %d %q created from template %s\n", j.ID, j.Name, *tpl)
		return nil
	case "reviews":
		fs := e.flags("journey reviews", "journey reviews [--json]")
		asJSON := fs.Bool("json", false, `print {"reminded":N}`)
		if _, err := parse(fs, args[1:]); err != nil {
			return err
		}
		svc, db, err := e.service(nil)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := svc.NotifyDueReviews(e.ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(e.stdout).Encode(map[string]int{"reminded": n})
		}
		fmt.Fprintf(e.stdout, "%d owners reminded of a due review\n", n)
		return nil
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, journeyUsage)
		return errHelp
	}
	fmt.Fprintf(e.stderr, "meridian journey: unknown command %q\n\n%s", args[0], journeyUsage)
	return errUsage
}

// cmdImportJourney runs `meridian import journey FILE.json`.
func cmdImportJourney(e *env, args []string) error {
	fs := e.flags("import journey", "import journey FILE.json [--json]")
	asJSON := fs.Bool("json", false, `print {"id":…}`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	b, err := os.ReadFile(pos[0])
	if err != nil {
		return derrors.Invalidf("%s: %v", pos[0], err)
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	j, err := svc.ImportJourney(e.ctx, auth.System, bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"id": j.ID})
	}
	fmt.Fprintf(e.stdout, "journey %d %q imported (%d stages)\n", j.ID, j.Name, len(j.Document.Stages))
	return nil
}

// cmdExportJourney runs `meridian export journey ID --format …`.
func cmdExportJourney(e *env, args []string) error {
	fs := e.flags("export journey", "export journey ID --format json|svg|pdf|png [--out FILE]")
	format := fs.String("format", "json", "json (the interchange document), svg, pdf or png")
	outPath := fs.String("out", "", "write to FILE instead of standard output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return derrors.Invalidf("ID: %q is not a journey id", pos[0])
	}
	if app.JourneyContentType(*format) == "" {
		return derrors.Invalidf("--format: %q must be json, svg, pdf or png", *format)
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	// Rendered whole first, so a failure leaves no half-written file.
	var buf bytes.Buffer
	if err := svc.ExportJourney(e.ctx, auth.System, id, *format, &buf); err != nil {
		return err
	}
	if *outPath != "" {
		return os.WriteFile(*outPath, buf.Bytes(), 0o644)
	}
	_, err = e.stdout.Write(buf.Bytes())
	return err
}
