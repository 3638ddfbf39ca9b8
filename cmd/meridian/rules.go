package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/notify"
)

// notifyOptions are the flags that say how notifications leave Meridian
// (serve and rules run share them). The SMTP password comes from the
// environment only, so it never shows in a process list.
type notifyOptions struct {
	smtp, from, user, password, secret *string
	every                              *time.Duration
	digestHour                         *int
	getenv                             func(string) string
}

// notifyFlags puts the notification flags on fs; scheduled adds the
// scheduler's (serve only).
func notifyFlags(fs *flag.FlagSet, e *env, scheduled bool) *notifyOptions {
	o := &notifyOptions{getenv: e.getenv}
	o.smtp = fs.String("smtp", e.getenv("MERIDIAN_SMTP"), "SMTP server `host:port` for rule emails and digests (env MERIDIAN_SMTP); password in env MERIDIAN_SMTP_PASSWORD")
	o.from = fs.String("smtp-from", e.getenv("MERIDIAN_SMTP_FROM"), "sender `address` of Meridian's emails (env MERIDIAN_SMTP_FROM)")
	o.user = fs.String("smtp-user", e.getenv("MERIDIAN_SMTP_USER"), "SMTP user name, when the server wants one (env MERIDIAN_SMTP_USER)")
	o.secret = fs.String("webhook-secret", e.getenv("MERIDIAN_WEBHOOK_SECRET"), "HMAC-SHA256 `secret` for rule webhooks without their own (env MERIDIAN_WEBHOOK_SECRET)")
	if scheduled {
		o.every = fs.Duration("rules-every", 15*time.Minute, "how often serve runs the re-engagement rules (0: never)")
		o.digestHour = fs.Int("digest-hour", 7, "local `hour` (0-23) from which the daily email digests go out")
	}
	return o
}

// sender builds the notifier the flags describe.
func (o *notifyOptions) sender() *notify.Sender {
	return notify.New(notify.Config{WebhookSecret: *o.secret, SMTPAddr: *o.smtp, From: *o.from, SMTPUser: *o.user, SMTPPassword: o.getenv("MERIDIAN_SMTP_PASSWORD")})
}

// wire gives svc its notifier and returns it.
func (o *notifyOptions) wire(svc *app.Service) *app.Service {
	svc.Notifier = o.sender()
	return svc
}

// loop runs the rules and digests every --rules-every until ctx ends.
func (o *notifyOptions) loop(ctx context.Context, svc *app.Service, log *slog.Logger) {
	if o.every == nil || *o.every <= 0 {
		return
	}
	t := time.NewTicker(*o.every)
	defer t.Stop()
	for {
		run, digests, err := svc.RunScheduled(ctx, *o.digestHour)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("rules", "err", err)
		case err == nil && (run.Notified > 0 || digests > 0):
			log.Info("rules", "notified", run.Notified, "digests", digests)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func cmdRules(e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, "Usage: meridian rules run|list …")
		return errUsage
	}
	switch args[0] {
	case "run":
		return cmdRulesRun(e, args[1:])
	case "list":
		return cmdRulesList(e, args[1:])
	}
	fmt.Fprintf(e.stderr, "meridian rules: unknown subcommand %q (run, list)\n", args[0])
	return errUsage
}

func cmdRulesRun(e *env, args []string) error {
	fs := e.flags("rules run", "rules run [--json] [--digests] [--smtp host:port --smtp-from ADDRESS] [--webhook-secret S]")
	asJSON := fs.Bool("json", false, `print {"notified":N,"rules":[{"rule","accounts":[external ids…]}]}`)
	digests := fs.Bool("digests", false, "also send the daily email digests that are due")
	nf := notifyFlags(fs, e, false)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	nf.wire(svc)
	run, err := svc.RunRules(e.ctx, auth.System)
	if err != nil {
		return err
	}
	sent := 0
	if *digests {
		if sent, err = svc.SendDigests(e.ctx, 0); err != nil {
			return err
		}
	}
	sum := app.Summarize(run)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	fmt.Fprintf(e.stdout, "%d new notification(s) on %s\n", sum.Notified, sum.Day)
	for _, r := range sum.Rules {
		fmt.Fprintf(e.stdout, "  %s: %d matched, %d new", r.Rule, r.Matched, len(r.Accounts))
		if len(r.Accounts) > 0 {
			fmt.Fprintf(e.stdout, " (%s)", clipList(r.Accounts, 10))
		}
		fmt.Fprintln(e.stdout)
		for _, d := range r.Deliveries {
			if !d.OK {
				fmt.Fprintf(e.stdout, "    webhook failed after %d attempt(s): %s\n", d.Attempts, d.Error)
			}
		}
	}
	if *digests {
		fmt.Fprintf(e.stdout, "%d digest(s) sent\n", sent)
	}
	return nil
}

func clipList(s []string, n int) string {
	if len(s) <= n {
		return strings.Join(s, ", ")
	}
	return strings.Join(s[:n], ", ") + fmt.Sprintf(", … %d more", len(s)-n)
}

func cmdRulesList(e *env, args []string) error {
	fs := e.flags("rules list", "rules list [--json]")
	asJSON := fs.Bool("json", false, "print the rules as JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	rs, err := svc.ListRules(e.ctx, auth.System)
	if err != nil {
		return err
	}
	if *asJSON {
		type ruleOut struct {
			ID          int64  `json:"id"`
			Name        string `json:"name"`
			Kind        string `json:"kind"`
			Days        int    `json:"days"`
			Stage       string `json:"stage"`
			TerritoryID int64  `json:"territory_id"`
			OwnerID     int64  `json:"owner_id"`
			Webhook     string `json:"webhook"`
			Email       bool   `json:"email"`
			Inbox       bool   `json:"inbox"`
			Enabled     bool   `json:"enabled"`
		}
		out := []ruleOut{}
		for _, r := range rs {
			out = append(out, ruleOut{r.ID, r.Name, string(r.Kind), r.Days, r.Stage, r.TerritoryID, r.OwnerID, r.Notify.Webhook, r.Notify.Email, r.Notify.Inbox, r.Enabled})
		}
		return json.NewEncoder(e.stdout).Encode(out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tDAYS\tSTAGE\tNOTIFY\tENABLED")
	for _, r := range rs {
		var via []string
		if r.Notify.Inbox {
			via = append(via, "inbox")
		}
		if r.Notify.Email {
			via = append(via, "email")
		}
		if r.Notify.Webhook != "" {
			via = append(via, "webhook")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%v\n", r.ID, r.Name, r.Kind, r.Days, r.Stage, strings.Join(via, ","), r.Enabled)
	}
	return tw.Flush()
}

// cmdImportOverlay imports a GeoJSON file as a map overlay.
func cmdImportOverlay(e *env, args []string) error {
	fs := e.flags("import overlay", "import overlay FILE.geojson [--name N] [--json]")
	name := fs.String("name", "", "the overlay's name (default: the collection's \"name\")")
	asJSON := fs.Bool("json", false, `print {"id","name","features"}`)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return derrors.Invalidf("%v", err)
	}
	svc, db, err := e.service(nil)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := svc.CreateOverlay(e.ctx, auth.System, *name, data)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(e.stdout).Encode(map[string]any{"id": o.ID, "name": o.Name, "features": o.Count})
	}
	fmt.Fprintf(e.stdout, "overlay %d %q: %d feature(s)\n", o.ID, o.Name, o.Count)
	return nil
}
