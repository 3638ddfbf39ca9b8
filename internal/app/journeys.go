package app

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
	"github.com/meridian-crm/meridian/internal/journey/render"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/visit"
)

// JourneyStore keeps personas and journey maps (issue 6); Store embeds it.
type JourneyStore = journey.Store

// Who may do what with journeys: managers and admins (the marketing and
// sales leads) edit personas and journeys; reps read them, and see live
// figures over their own accounts only. The owner of a journey may mark it
// reviewed whatever their role.

func requireJourneyEditor(actor *auth.Actor) error {
	if !actor.IsManager() {
		return derrors.Forbiddenf("only a manager or admin may change personas and journeys")
	}
	return nil
}

func requireSignedIn(actor *auth.Actor) error {
	if actor == nil || actor.User == nil {
		return derrors.E(derrors.Unauthenticated, "sign in first")
	}
	return nil
}

// ListPersonas returns every persona.
func (s *Service) ListPersonas(ctx context.Context, actor *auth.Actor) ([]*journey.Persona, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	return s.Store.ListPersonas(ctx)
}

// GetPersona returns one persona.
func (s *Service) GetPersona(ctx context.Context, actor *auth.Actor, id int64) (*journey.Persona, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	return s.Store.GetPersona(ctx, id)
}

// SavePersona creates (ID 0) or replaces a persona (managers).
func (s *Service) SavePersona(ctx context.Context, actor *auth.Actor, p *journey.Persona) error {
	if err := requireJourneyEditor(actor); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	verb := "persona.update"
	if p.ID == 0 {
		verb = "persona.create"
	}
	if err := s.Store.SavePersona(ctx, p); err != nil {
		return err
	}
	s.audit(ctx, actor, verb, p.Name, "")
	return nil
}

// DeletePersona removes a persona no journey uses (managers).
func (s *Service) DeletePersona(ctx context.Context, actor *auth.Actor, id int64) error {
	if err := requireJourneyEditor(actor); err != nil {
		return err
	}
	p, err := s.Store.GetPersona(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeletePersona(ctx, id); err != nil {
		return err
	}
	s.audit(ctx, actor, "persona.delete", p.Name, "")
	return nil
}

// checkJourney normalizes and validates doc and checks that its owner is
// a user, who will get the review reminders.
func (s *Service) checkJourney(ctx context.Context, doc *journey.Document) error {
	doc.Normalize()
	if err := doc.Validate(); err != nil {
		return err
	}
	if doc.Owner != "" {
		if _, err := s.Store.GetUserByEmail(ctx, doc.Owner); err != nil {
			if derrors.Is(err, derrors.NotFound) {
				return derrors.Invalidf("owner: no user has email %q", doc.Owner)
			}
			return err
		}
	}
	return nil
}

func actorID(actor *auth.Actor) int64 {
	if actor == nil || actor.User == nil {
		return 0
	}
	return actor.User.ID
}

// CreateJourney stores doc as a new journey, version 1 (managers).
func (s *Service) CreateJourney(ctx context.Context, actor *auth.Actor, doc *journey.Document) (*journey.Journey, error) {
	if err := requireJourneyEditor(actor); err != nil {
		return nil, err
	}
	if err := s.checkJourney(ctx, doc); err != nil {
		return nil, err
	}
	j := &journey.Journey{}
	if err := s.Store.SaveJourney(ctx, j, doc, 0, actorID(actor)); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "journey.create", doc.Name, fmt.Sprintf("id=%d", j.ID))
	return j, nil
}

// UpdateJourney saves doc as the next version of journey id (managers).
// baseVersion is the version the editor started from (0: don't check); a
// save made meanwhile makes it a Conflict.
func (s *Service) UpdateJourney(ctx context.Context, actor *auth.Actor, id int64, doc *journey.Document, baseVersion int) (*journey.Journey, error) {
	if err := requireJourneyEditor(actor); err != nil {
		return nil, err
	}
	if err := s.checkJourney(ctx, doc); err != nil {
		return nil, err
	}
	j := &journey.Journey{ID: id}
	if err := s.Store.SaveJourney(ctx, j, doc, baseVersion, actorID(actor)); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "journey.update", doc.Name, fmt.Sprintf("id=%d version=%d", j.ID, j.Version))
	return j, nil
}

// ImportJourney reads an interchange document and stores it as a new
// journey (managers).
func (s *Service) ImportJourney(ctx context.Context, actor *auth.Actor, r io.Reader) (*journey.Journey, error) {
	if err := requireJourneyEditor(actor); err != nil {
		return nil, err
	}
	doc, _, _, err := journey.Parse(r)
	if err != nil {
		return nil, err
	}
	return s.CreateJourney(ctx, actor, doc)
}

// GetJourney returns a journey with its latest document. Its persona is the
// stored persona as it is now (it may have been edited since the save).
func (s *Service) GetJourney(ctx context.Context, actor *auth.Actor, id int64) (*journey.Journey, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	j, err := s.Store.GetJourney(ctx, id)
	if err != nil {
		return nil, err
	}
	if p, err := s.Store.GetPersona(ctx, j.PersonaID); err == nil {
		j.Document.Persona = *p
	}
	return j, nil
}

// ListJourneys returns every journey, or with dueOnly those whose review is
// due. Listing also sends the reminders of reviews that fell due (see
// NotifyDueReviews), so an owner hears of it without a scheduler.
func (s *Service) ListJourneys(ctx context.Context, actor *auth.Actor, dueOnly bool) ([]*journey.Journey, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	js, err := s.Store.ListJourneys(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	if _, err := s.notifyDue(ctx, js, now); err != nil {
		s.Log.Error("journey review reminders", "err", err)
	}
	if !dueOnly {
		return js, nil
	}
	out := []*journey.Journey{}
	for _, j := range js {
		if j.ReviewDue(now) {
			out = append(out, j)
		}
	}
	return out, nil
}

// NotifyDueReviews puts a reminder in the inbox (and daily email digest) of
// the owner of each journey whose review is due, once per due date, and
// returns how many it sent. `meridian journey reviews` runs it; so does
// every journey list.
func (s *Service) NotifyDueReviews(ctx context.Context) (int, error) {
	js, err := s.Store.ListJourneys(ctx)
	if err != nil {
		return 0, err
	}
	return s.notifyDue(ctx, js, s.Now())
}

func (s *Service) notifyDue(ctx context.Context, js []*journey.Journey, now time.Time) (int, error) {
	sent := 0
	for _, j := range js {
		due := j.ReviewDueAt()
		if !j.ReviewDue(now) || j.Owner == "" || j.ReviewNotifiedAt.Equal(due) {
			continue
		}
		owner, err := s.Store.GetUserByEmail(ctx, j.Owner)
		if err != nil {
			if derrors.Is(err, derrors.NotFound) {
				continue // the owner left; the list still shows the review as due
			}
			return sent, err
		}
		ok, err := s.Store.ClaimJourneyReviewNotice(ctx, j.ID, due)
		if err != nil || !ok {
			if err != nil {
				return sent, err
			}
			continue
		}
		n := &rules.Notification{
			UserID: owner.ID, RuleName: "Journey review", AccountName: j.Name, Day: rules.Day(now),
			Message: fmt.Sprintf("The journey map %q is due for review (every %d days; last reviewed %s). Open #/journeys/%d and save or mark it reviewed.",
				j.Name, j.ReviewEveryDays, j.ReviewedAt.Format("2006-01-02"), j.ID),
			Inbox: true, Email: true,
		}
		if _, err := s.Store.RecordNotifications(ctx, []*rules.Notification{n}); err != nil {
			return sent, err
		}
		sent++
	}
	return sent, nil
}

// MarkJourneyReviewed records a review without changing the map (managers
// and the journey's owner).
func (s *Service) MarkJourneyReviewed(ctx context.Context, actor *auth.Actor, id int64) (*journey.Journey, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	j, err := s.Store.GetJourney(ctx, id)
	if err != nil {
		return nil, err
	}
	if !actor.IsManager() && actor.User.Email != j.Owner {
		return nil, derrors.Forbiddenf("only a manager, an admin or the journey's owner may mark it reviewed")
	}
	if err := s.Store.MarkJourneyReviewed(ctx, id, s.Now()); err != nil {
		return nil, err
	}
	s.audit(ctx, actor, "journey.review", j.Name, fmt.Sprintf("id=%d", id))
	return s.GetJourney(ctx, actor, id)
}

// ListJourneyVersions lists a journey's versions, newest first.
func (s *Service) ListJourneyVersions(ctx context.Context, actor *auth.Actor, id int64) ([]*journey.Version, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	return s.Store.ListJourneyVersions(ctx, id)
}

// GetJourneyVersion returns one version with its document as saved.
func (s *Service) GetJourneyVersion(ctx context.Context, actor *auth.Actor, id int64, version int) (*journey.Version, error) {
	if err := requireSignedIn(actor); err != nil {
		return nil, err
	}
	return s.Store.GetJourneyVersion(ctx, id, version)
}

// DiffJourneyVersions lists what changed from version a to version b.
func (s *Service) DiffJourneyVersions(ctx context.Context, actor *auth.Actor, id int64, a, b int) ([]journey.Change, error) {
	va, err := s.GetJourneyVersion(ctx, actor, id, a)
	if err != nil {
		return nil, err
	}
	vb, err := s.GetJourneyVersion(ctx, actor, id, b)
	if err != nil {
		return nil, err
	}
	return journey.Diff(va.Document, vb.Document), nil
}

// JourneyMetrics computes the live figures of a journey from every stored
// interaction of the accounts the actor may see (a rep: their own and
// their territories') that the persona's rule covers.
func (s *Service) JourneyMetrics(ctx context.Context, actor *auth.Actor, id int64) (*journey.Metrics, error) {
	j, err := s.GetJourney(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.measure(ctx, actor, j.Document)
}

func (s *Service) measure(ctx context.Context, actor *auth.Actor, doc *journey.Document) (*journey.Metrics, error) {
	m, err := journey.NewMeter(doc)
	if err != nil {
		return nil, err
	}
	rule, err := journey.ParseRule(doc.Persona.Rule)
	if err != nil {
		return nil, derrors.Invalidf("persona.rule: %s", derrors.Message(err))
	}
	if actor.Scope != nil || !rule.Empty() {
		allowed := map[int64]bool{}
		err := s.Store.EachAccount(ctx, account.Filter{Scope: actor.Scope}, func(a *account.Account) error {
			if rule.Match(a) {
				allowed[a.ID] = true
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		m.Allow = func(id int64) bool { return allowed[id] }
	}
	if err := s.Store.EachInteraction(ctx, func(in *visit.Interaction) error {
		m.Add(in)
		return ctx.Err()
	}); err != nil {
		return nil, err
	}
	r := m.Result()
	return &r, nil
}

// Journey export formats.
const (
	FormatJSON = "json"
	FormatSVG  = "svg"
	FormatPNG  = "png"
	FormatPDF  = "pdf"
)

// JourneyContentType is the media type of an export format, "" for an
// unknown one.
func JourneyContentType(format string) string {
	return map[string]string{FormatJSON: "application/json", FormatSVG: "image/svg+xml", FormatPNG: "image/png", FormatPDF: "application/pdf"}[format]
}

// ExportJourney writes journey id's latest version as its interchange JSON
// or drawn (svg, png, pdf) with the live figures the actor may see.
func (s *Service) ExportJourney(ctx context.Context, actor *auth.Actor, id int64, format string, w io.Writer) error {
	if JourneyContentType(format) == "" {
		return derrors.Invalidf("format: %q must be json, svg, png or pdf", format)
	}
	j, err := s.GetJourney(ctx, actor, id)
	if err != nil {
		return err
	}
	if format == FormatJSON {
		_, err := w.Write(j.Document.MarshalCanonical())
		return err
	}
	metrics, err := s.measure(ctx, actor, j.Document)
	if err != nil {
		return err
	}
	return RenderJourney(j.Document, render.Options{Version: j.Version, Metrics: metrics}, format, w)
}

// RenderJourney draws doc in format (svg, png or pdf).
func RenderJourney(doc *journey.Document, opt render.Options, format string, w io.Writer) error {
	d := render.Layout(doc, opt)
	switch format {
	case FormatSVG:
		return d.SVG(w)
	case FormatPNG:
		return d.PNG(w, 1)
	case FormatPDF:
		return d.PDF(w, doc.Name)
	}
	return derrors.Invalidf("format: %q must be svg, png or pdf", format)
}

// JourneyTemplates lists the templates.
func (s *Service) JourneyTemplates() []journey.Template { return journey.Templates() }

// JourneyFromTemplate returns a template's document, owned by the actor
// when they are a user.
func (s *Service) JourneyFromTemplate(actor *auth.Actor, name string) (*journey.Document, error) {
	t, err := journey.TemplateByName(name)
	if err != nil {
		return nil, err
	}
	d := t.Document()
	if actor != nil && actor.User != nil && actor.User.ID != 0 {
		d.Owner = actor.User.Email
	}
	return d, nil
}
