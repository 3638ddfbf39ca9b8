package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
)

func init() {
	str, in, num := typ("string"), typ("integer"), typ("number")
	strs := arr(str)
	schemas["Persona"] = props([]string{"name"}, obj{
		"id": in, "name": str, "quote": str, "description": str,
		"demographics":   obj{"type": "object", "additionalProperties": str},
		"psychographics": props(nil, obj{"personality": str, "lifestyle": str, "values": str, "social_class": str}),
		"behaviours":     props(nil, obj{"purchase_frequency": str, "habits": strs, "preferred_channels": strs}),
		"goals":          strs, "pain_points": strs,
		"rule": obj{"type": "string", "description": "accounts the persona covers: stage=customer,custom.Segment=Family (fields stage, source_channel, city, region, country, postal_code, tag, custom.NAME)"},
	})
	schemas["PersonaList"] = listOf("Persona")
	schemas["JourneyStage"] = props([]string{"name"}, obj{
		"name": str, "actions": strs, "thoughts": strs, "emotion": obj{"type": "integer", "minimum": -2, "maximum": 2}, "goals": strs,
		"touchpoints": arr(props([]string{"name", "channel"}, obj{"name": str, "channel": str})),
		"owners":      strs, "pain_points": strs, "opportunities": strs,
		"kpis":  arr(props([]string{"name"}, obj{"name": str, "target": num, "unit": str})),
		"entry": obj{"type": "string", "description": "interaction filter marking entry into the stage, e.g. type=test_drive"},
	})
	schemas["JourneyDocument"] = props([]string{"name", "persona", "stages"}, obj{
		"id": in, "version": obj{"type": "integer", "description": "on PUT: the version the edit started from (a save made meanwhile is a 409); 0 or absent: no check"},
		"name": str, "status": obj{"type": "string", "enum": []string{"draft", "live", "archived"}},
		"persona": ref("Persona"), "owner": obj{"type": "string", "description": "email of the user who owns the journey"},
		"review_every_days": in, "stages": arr(ref("JourneyStage")),
	})
	schemas["JourneySummary"] = props([]string{"id", "name", "version"}, obj{
		"id": in, "name": str, "status": str, "owner": str, "persona_id": in, "persona": str, "review_every_days": in, "version": in,
		"created_at": str, "updated_at": str, "reviewed_at": str, "review_due_at": nullable("string"), "review_due": typ("boolean"),
	})
	schemas["JourneyList"] = listOf("JourneySummary")
	schemas["JourneyVersion"] = props([]string{"id", "version"}, obj{
		"id": in, "version": in, "author_id": nullable("integer"), "author": str, "created_at": str, "document": ref("JourneyDocument"),
	})
	schemas["JourneyVersionList"] = listOf("JourneyVersion")
	schemas["JourneyDiff"] = props([]string{"from", "to", "changes"}, obj{"from": in, "to": in, "changes": arr(props(nil, obj{
		"stage": str, "field": str, "kind": str, "before": str, "after": str, "text": str}))})
	schemas["JourneyMetrics"] = props([]string{"stages"}, obj{"stages": arr(props([]string{"name", "accounts", "conversion", "median_seconds_from_previous", "kpis"}, obj{
		"name": str, "measured": typ("boolean"), "accounts": in, "conversion": nullable("number"), "median_seconds_from_previous": nullable("number"), "skipped": in,
		"kpis": arr(props(nil, obj{"name": str, "target": num, "unit": str, "measure": str, "actual": nullable("number"), "met": nullable("boolean")})),
	}))})
	schemas["JourneyTemplateList"] = listOf("JourneyTemplate")
	schemas["JourneyTemplate"] = props([]string{"name"}, obj{"name": str, "title": str, "description": str})
	schemas["JourneyExport"] = obj{"type": "string", "format": "binary", "description": "the document (json) or the drawn map (svg, png, pdf)"}
}

// journeyDocJSON is the document with its id and version, the shape GET
// answers and PUT accepts.
type journeyDocJSON struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	*journey.Document
}

func journeyDoc(j *journey.Journey) journeyDocJSON {
	d := j.Document.Clone()
	d.Normalize()
	return journeyDocJSON{ID: j.ID, Version: j.Version, Document: d}
}

type journeySummaryJSON struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	Owner           string  `json:"owner"`
	PersonaID       int64   `json:"persona_id"`
	Persona         string  `json:"persona"`
	ReviewEveryDays int     `json:"review_every_days"`
	Version         int     `json:"version"`
	CreatedAt       *string `json:"created_at"`
	UpdatedAt       *string `json:"updated_at"`
	ReviewedAt      *string `json:"reviewed_at"`
	ReviewDueAt     *string `json:"review_due_at"`
	ReviewDue       bool    `json:"review_due"`
}

func journeySummary(j *journey.Journey, now time.Time) journeySummaryJSON {
	return journeySummaryJSON{ID: j.ID, Name: j.Name, Status: j.Status, Owner: j.Owner, PersonaID: j.PersonaID, Persona: j.PersonaName,
		ReviewEveryDays: j.ReviewEveryDays, Version: j.Version, CreatedAt: timeJSON(j.CreatedAt), UpdatedAt: timeJSON(j.UpdatedAt),
		ReviewedAt: timeJSON(j.ReviewedAt), ReviewDueAt: timeJSON(j.ReviewDueAt()), ReviewDue: j.ReviewDue(now)}
}

type journeyVersionJSON struct {
	ID        int64           `json:"id"`
	Version   int             `json:"version"`
	AuthorID  *int64          `json:"author_id"`
	Author    string          `json:"author"`
	CreatedAt *string         `json:"created_at"`
	Document  *journeyDocJSON `json:"document,omitempty"`
}

func journeyVersion(v *journey.Version) journeyVersionJSON {
	out := journeyVersionJSON{ID: v.JourneyID, Version: v.Version, Author: v.AuthorEmail, CreatedAt: timeJSON(v.CreatedAt)}
	if v.AuthorID != 0 {
		id := v.AuthorID
		out.AuthorID = &id
	}
	if v.Document != nil {
		d := journeyDoc(&journey.Journey{ID: v.JourneyID, Version: v.Version, Document: v.Document})
		out.Document = &d
	}
	return out
}

type personaJSON struct {
	ID int64 `json:"id"`
	*journey.Persona
}

// personaInput is a persona as sent; an "id" (from a GET) is allowed and
// ignored, the path says which persona.
type personaInput struct {
	ID *int64 `json:"id"`
	journey.Persona
}

func (s *Server) handleListPersonas(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.svc.ListPersonas(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return err
	}
	items := make([]personaJSON, len(ps))
	for i, p := range ps {
		p.Normalize()
		items[i] = personaJSON{ID: p.ID, Persona: p}
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func (s *Server) handleGetPersona(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.svc.GetPersona(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	p.Normalize()
	writeJSON(w, http.StatusOK, personaJSON{ID: p.ID, Persona: p})
	return nil
}

func (s *Server) handleSavePersona(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	var in personaInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := in.Persona
	p.ID = id
	if err := s.svc.SavePersona(r.Context(), actorFrom(r.Context()), &p); err != nil {
		return err
	}
	code := http.StatusOK
	if id == 0 {
		code = http.StatusCreated
		w.Header().Set("Location", "/api/v1/personas/"+fmtID(p.ID))
	}
	writeJSON(w, code, personaJSON{ID: p.ID, Persona: &p})
	return nil
}

func (s *Server) handleListJourneys(w http.ResponseWriter, r *http.Request) error {
	due := false
	switch v := r.URL.Query().Get("review_due"); v {
	case "", "0", "false":
	case "1", "true":
		due = true
	default:
		return derrors.Invalidf("review_due: %q must be 1 or 0", v)
	}
	js, err := s.svc.ListJourneys(r.Context(), actorFrom(r.Context()), due)
	if err != nil {
		return err
	}
	now := s.svc.Now()
	items := make([]journeySummaryJSON, len(js))
	for i, j := range js {
		items[i] = journeySummary(j, now)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

// readJourney reads a journey document body; the error names the stage and
// lane at fault.
func readJourney(r *http.Request) (*journey.Document, int64, int, error) {
	b, err := readBody(r)
	if err != nil {
		return nil, 0, 0, err
	}
	return journey.Parse(bytes.NewReader(b))
}

func (s *Server) handleCreateJourney(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	var doc *journey.Document
	if name := r.URL.Query().Get("template"); name != "" {
		d, err := s.svc.JourneyFromTemplate(actor, name)
		if err != nil {
			return err
		}
		doc = d
	} else {
		d, _, _, err := readJourney(r)
		if err != nil {
			return err
		}
		doc = d
	}
	j, err := s.svc.CreateJourney(ctx, actor, doc)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/journeys/"+fmtID(j.ID))
	writeJSON(w, http.StatusCreated, journeyDoc(j))
	return nil
}

func (s *Server) handleGetJourney(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.svc.GetJourney(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, journeyDoc(j))
	return nil
}

func (s *Server) handleUpdateJourney(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, bodyID, base, err := readJourney(r)
	if err != nil {
		return err
	}
	if bodyID != 0 && bodyID != id {
		return derrors.Invalidf("id: the body is journey %d but the path says %d", bodyID, id)
	}
	j, err := s.svc.UpdateJourney(r.Context(), actorFrom(r.Context()), id, doc, base)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, journeyDoc(j))
	return nil
}

func (s *Server) handleReviewJourney(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := s.svc.MarkJourneyReviewed(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, journeySummary(j, s.svc.Now()))
	return nil
}

func (s *Server) handleJourneyVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	vs, err := s.svc.ListJourneyVersions(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	items := make([]journeyVersionJSON, len(vs))
	for i, v := range vs {
		items[i] = journeyVersion(v)
	}
	writeJSON(w, http.StatusOK, list(items, len(items), ""))
	return nil
}

func versionParam(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, derrors.Invalidf("%s: %q is not a version number", name, v)
	}
	return n, nil
}

func (s *Server) handleJourneyVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := versionParam("v", r.PathValue("v"))
	if err != nil {
		return err
	}
	ver, err := s.svc.GetJourneyVersion(r.Context(), actorFrom(r.Context()), id, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, journeyVersion(ver))
	return nil
}

func (s *Server) handleJourneyDiff(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	from, err := versionParam("from", r.URL.Query().Get("from"))
	if err != nil {
		return err
	}
	to, err := versionParam("to", r.URL.Query().Get("to"))
	if err != nil {
		return err
	}
	cs, err := s.svc.DiffJourneyVersions(r.Context(), actorFrom(r.Context()), id, from, to)
	if err != nil {
		return err
	}
	type changeJSON struct {
		journey.Change
		Text string `json:"text"`
	}
	out := make([]changeJSON, len(cs))
	for i, c := range cs {
		out[i] = changeJSON{c, c.String()}
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "changes": out})
	return nil
}

func (s *Server) handleJourneyMetrics(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := s.svc.JourneyMetrics(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// handleJourneyFile serves /api/v1/journeys/{id}/export.{svg,png,pdf,json}:
// ServeMux wildcards are whole segments, so the suffix is parsed here.
func (s *Server) handleJourneyFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	file := r.PathValue("file")
	format, ok := strings.CutPrefix(file, "export.")
	if !ok || app.JourneyContentType(format) == "" {
		return derrors.NotFoundf("%s: not found (use export.svg, export.png, export.pdf or export.json)", file)
	}
	// Rendered whole before a byte is sent, so an error is a clean answer.
	var buf bytes.Buffer
	if err := s.svc.ExportJourney(r.Context(), actorFrom(r.Context()), id, format, &buf); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", app.JourneyContentType(format))
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="journey-%d.%s"`, id, format))
	// An SVG opened on its own must not run anything.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}

func (s *Server) handleJourneyTemplates(w http.ResponseWriter, r *http.Request) error {
	if actorFrom(r.Context()) == nil {
		return derrors.E(derrors.Unauthenticated, "sign in first")
	}
	ts := s.svc.JourneyTemplates()
	writeJSON(w, http.StatusOK, list(ts, len(ts), ""))
	return nil
}

func (s *Server) handleJourneyTemplate(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.JourneyFromTemplate(actorFrom(r.Context()), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, journeyDocJSON{Document: d})
	return nil
}
