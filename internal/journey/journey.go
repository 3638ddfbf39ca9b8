package journey

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// Persona is a kind of customer a journey follows. Its JSON form is the
// "persona" object of the interchange document.
type Persona struct {
	ID          int64  `json:"-"`
	Name        string `json:"name"`
	Quote       string `json:"quote"`
	Description string `json:"description"`
	// Demographics are free facts keyed by name: age, income, family,
	// occupation, location…
	Demographics   map[string]string `json:"demographics"`
	Psychographics Psychographics    `json:"psychographics"`
	Behaviours     Behaviours        `json:"behaviours"`
	Goals          []string          `json:"goals"`
	PainPoints     []string          `json:"pain_points"`
	// Rule selects the accounts the persona covers (see ParseRule); empty
	// covers every account.
	Rule string `json:"rule"`
}

// Psychographics say how a persona thinks and lives.
type Psychographics struct {
	Personality string `json:"personality"`
	Lifestyle   string `json:"lifestyle"`
	Values      string `json:"values"`
	SocialClass string `json:"social_class"`
}

// Behaviours say how a persona buys.
type Behaviours struct {
	PurchaseFrequency string   `json:"purchase_frequency"`
	Habits            []string `json:"habits"`
	PreferredChannels []string `json:"preferred_channels"`
}

// Statuses of a journey.
const (
	StatusDraft    = "draft"
	StatusLive     = "live"
	StatusArchived = "archived"
)

// Document is a journey map as exchanged: the JSON of `meridian import
// journey` and `meridian export journey --format json`, and the body of
// PUT /api/v1/journeys/{id}.
type Document struct {
	Name    string  `json:"name"`
	Status  string  `json:"status"`
	Persona Persona `json:"persona"`
	// Owner is the email of the user who answers for the journey and is
	// reminded when its review falls due.
	Owner string `json:"owner"`
	// ReviewEveryDays is the review cadence; 0: never due.
	ReviewEveryDays int     `json:"review_every_days"`
	Stages          []Stage `json:"stages"`
}

// Stage is one column of the map; its fields are the lanes.
type Stage struct {
	Name     string   `json:"name"`
	Actions  []string `json:"actions"`
	Thoughts []string `json:"thoughts"`
	// Emotion is how the customer feels, from −2 (very bad) to +2 (very good).
	Emotion       int          `json:"emotion"`
	Goals         []string     `json:"goals"`
	Touchpoints   []Touchpoint `json:"touchpoints"`
	Owners        []string     `json:"owners"`
	PainPoints    []string     `json:"pain_points"`
	Opportunities []string     `json:"opportunities"`
	KPIs          []KPI        `json:"kpis"`
	// Entry is an interaction filter (visit.ParseFilter) marking when an
	// account enters the stage; empty: the stage is not measured.
	Entry string `json:"entry"`
}

// Touchpoint is where the customer meets the company in a stage.
type Touchpoint struct {
	Name    string `json:"name"`
	Channel string `json:"channel"`
}

// KPI is a figure a stage is judged by. Units Meridian can measure from
// interactions are listed in KPIMeasure.
type KPI struct {
	Name   string  `json:"name"`
	Target float64 `json:"target"`
	Unit   string  `json:"unit"`
}

// Lanes are the lane keys in the order the editor and the exports show them.
var Lanes = []string{"actions", "thoughts", "emotion", "goals", "touchpoints", "owners", "pain_points", "opportunities", "kpis", "entry"}

// LaneTitle is the heading of a lane.
func LaneTitle(lane string) string {
	switch lane {
	case "pain_points":
		return "Pain points"
	case "kpis":
		return "KPIs"
	}
	return strings.ToUpper(lane[:1]) + strings.ReplaceAll(lane[1:], "_", " ")
}

// Limits on a document, so one map stays a map and not a database.
const (
	MaxStages    = 30
	MaxItems     = 50  // items in one cell
	MaxItemChars = 500 // characters in one item
	MaxNameChars = 200
)

var (
	channelRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-.]{0,63}$`)
	emailRe   = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Normalize trims text, drops empty list items, lower-cases channels and the
// owner's email, defaults the status to draft and turns absent lists into
// empty ones, so equal maps have equal JSON.
func (d *Document) Normalize() {
	d.Name = strings.TrimSpace(d.Name)
	d.Status = strings.ToLower(strings.TrimSpace(d.Status))
	if d.Status == "" {
		d.Status = StatusDraft
	}
	d.Owner = strings.ToLower(strings.TrimSpace(d.Owner))
	d.Persona.Normalize()
	if d.Stages == nil {
		d.Stages = []Stage{}
	}
	for i := range d.Stages {
		d.Stages[i].Normalize()
	}
}

// Normalize tidies a stage as Document.Normalize does.
func (s *Stage) Normalize() {
	s.Name = strings.TrimSpace(s.Name)
	s.Actions = tidy(s.Actions)
	s.Thoughts = tidy(s.Thoughts)
	s.Goals = tidy(s.Goals)
	s.Owners = tidy(s.Owners)
	s.PainPoints = tidy(s.PainPoints)
	s.Opportunities = tidy(s.Opportunities)
	s.Entry = strings.TrimSpace(s.Entry)
	tps := []Touchpoint{}
	for _, tp := range s.Touchpoints {
		tp.Name = strings.TrimSpace(tp.Name)
		tp.Channel = strings.ToLower(strings.TrimSpace(tp.Channel))
		if tp.Name == "" && tp.Channel == "" {
			continue
		}
		tps = append(tps, tp)
	}
	s.Touchpoints = tps
	kpis := []KPI{}
	for _, k := range s.KPIs {
		k.Name = strings.TrimSpace(k.Name)
		k.Unit = strings.TrimSpace(k.Unit)
		if k.Name == "" && k.Unit == "" && k.Target == 0 {
			continue
		}
		kpis = append(kpis, k)
	}
	s.KPIs = kpis
}

// Normalize tidies a persona as Document.Normalize does.
func (p *Persona) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Quote = strings.TrimSpace(p.Quote)
	p.Description = strings.TrimSpace(p.Description)
	p.Rule = strings.TrimSpace(p.Rule)
	dm := map[string]string{}
	for k, v := range p.Demographics {
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if k != "" && v != "" {
			dm[k] = v
		}
	}
	p.Demographics = dm
	ps := &p.Psychographics
	ps.Personality, ps.Lifestyle = strings.TrimSpace(ps.Personality), strings.TrimSpace(ps.Lifestyle)
	ps.Values, ps.SocialClass = strings.TrimSpace(ps.Values), strings.TrimSpace(ps.SocialClass)
	b := &p.Behaviours
	b.PurchaseFrequency = strings.TrimSpace(b.PurchaseFrequency)
	b.Habits = tidy(b.Habits)
	b.PreferredChannels = tidy(b.PreferredChannels)
	for i, c := range b.PreferredChannels {
		b.PreferredChannels[i] = strings.ToLower(c)
	}
	p.Goals = tidy(p.Goals)
	p.PainPoints = tidy(p.PainPoints)
}

func tidy(items []string) []string {
	out := []string{}
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// Validate checks a persona; the message names the field.
func (p *Persona) Validate() error { return p.validate("") }

func (p *Persona) validate(prefix string) error {
	if p.Name == "" {
		return derrors.Invalidf("%sname: required", prefix)
	}
	if len(p.Name) > MaxNameChars {
		return derrors.Invalidf("%sname: at most %d characters", prefix, MaxNameChars)
	}
	for _, f := range []struct{ name, v string }{{"quote", p.Quote}, {"psychographics.personality", p.Psychographics.Personality},
		{"psychographics.lifestyle", p.Psychographics.Lifestyle}, {"psychographics.values", p.Psychographics.Values},
		{"psychographics.social_class", p.Psychographics.SocialClass}, {"behaviours.purchase_frequency", p.Behaviours.PurchaseFrequency}} {
		if len(f.v) > MaxItemChars {
			return derrors.Invalidf("%s%s: at most %d characters", prefix, f.name, MaxItemChars)
		}
	}
	if len(p.Description) > 10*MaxItemChars {
		return derrors.Invalidf("%sdescription: at most %d characters", prefix, 10*MaxItemChars)
	}
	if len(p.Demographics) > MaxItems {
		return derrors.Invalidf("%sdemographics: at most %d entries", prefix, MaxItems)
	}
	for k, v := range p.Demographics {
		if len(k) > 100 || len(v) > MaxItemChars {
			return derrors.Invalidf("%sdemographics[%q]: key at most 100 and value at most %d characters", prefix, k, MaxItemChars)
		}
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"behaviours.habits", p.Behaviours.Habits}, {"behaviours.preferred_channels", p.Behaviours.PreferredChannels}, {"goals", p.Goals}, {"pain_points", p.PainPoints}} {
		if err := checkItems(prefix+l.name, l.items); err != nil {
			return err
		}
	}
	for i, c := range p.Behaviours.PreferredChannels {
		if !channelRe.MatchString(c) {
			return derrors.Invalidf("%sbehaviours.preferred_channels[%d]: %q must be a lower-case word such as visit, phone, email, web", prefix, i, c)
		}
	}
	if p.Rule != "" {
		if _, err := ParseRule(p.Rule); err != nil {
			return derrors.Invalidf("%srule: %s", prefix, derrors.Message(err))
		}
	}
	return nil
}

func checkItems(where string, items []string) error {
	if len(items) > MaxItems {
		return derrors.Invalidf("%s: at most %d items", where, MaxItems)
	}
	for i, it := range items {
		if len(it) > MaxItemChars {
			return derrors.Invalidf("%s[%d]: at most %d characters", where, i, MaxItemChars)
		}
	}
	return nil
}

// Validate checks a normalized document. The message names the stage (by
// number and name) and the lane at fault, e.g.
// `stage 2 "Comparing": emotion: 3 is outside −2..+2`.
func (d *Document) Validate() error {
	if d.Name == "" {
		return derrors.Invalidf("name: required")
	}
	if len(d.Name) > MaxNameChars {
		return derrors.Invalidf("name: at most %d characters", MaxNameChars)
	}
	switch d.Status {
	case StatusDraft, StatusLive, StatusArchived:
	default:
		return derrors.Invalidf("status: %q must be draft, live or archived", d.Status)
	}
	if d.Owner != "" && !emailRe.MatchString(d.Owner) {
		return derrors.Invalidf("owner: %q is not an email address", d.Owner)
	}
	if d.ReviewEveryDays < 0 || d.ReviewEveryDays > 3660 {
		return derrors.Invalidf("review_every_days: %d must be between 0 (no reviews) and 3660", d.ReviewEveryDays)
	}
	if err := d.Persona.validate("persona."); err != nil {
		return err
	}
	if len(d.Stages) == 0 {
		return derrors.Invalidf("stages: a journey needs at least one stage")
	}
	if len(d.Stages) > MaxStages {
		return derrors.Invalidf("stages: at most %d stages", MaxStages)
	}
	seen := map[string]int{}
	for i := range d.Stages {
		s := &d.Stages[i]
		where := fmt.Sprintf("stage %d", i+1)
		if s.Name != "" {
			where += fmt.Sprintf(" %q", s.Name)
		}
		if err := s.validate(where); err != nil {
			return err
		}
		key := strings.ToLower(s.Name)
		if j, dup := seen[key]; dup {
			return derrors.Invalidf("%s: name: stage %d has the same name", where, j+1)
		}
		seen[key] = i
	}
	return nil
}

func (s *Stage) validate(where string) error {
	if s.Name == "" {
		return derrors.Invalidf("%s: name: required", where)
	}
	if len(s.Name) > MaxNameChars {
		return derrors.Invalidf("%s: name: at most %d characters", where, MaxNameChars)
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"actions", s.Actions}, {"thoughts", s.Thoughts}, {"goals", s.Goals}, {"owners", s.Owners}, {"pain_points", s.PainPoints}, {"opportunities", s.Opportunities}} {
		if err := checkItems(where+": "+l.name, l.items); err != nil {
			return err
		}
	}
	if s.Emotion < -2 || s.Emotion > 2 {
		return derrors.Invalidf("%s: emotion: %d is outside −2..+2", where, s.Emotion)
	}
	if len(s.Touchpoints) > MaxItems {
		return derrors.Invalidf("%s: touchpoints: at most %d", where, MaxItems)
	}
	for i, tp := range s.Touchpoints {
		if tp.Name == "" {
			return derrors.Invalidf("%s: touchpoints[%d]: name: required", where, i)
		}
		if len(tp.Name) > MaxNameChars {
			return derrors.Invalidf("%s: touchpoints[%d]: name: at most %d characters", where, i, MaxNameChars)
		}
		if !channelRe.MatchString(tp.Channel) {
			return derrors.Invalidf("%s: touchpoints[%d] %q: channel: %q must be a lower-case word such as visit, phone, email, web", where, i, tp.Name, tp.Channel)
		}
	}
	if len(s.KPIs) > MaxItems {
		return derrors.Invalidf("%s: kpis: at most %d", where, MaxItems)
	}
	for i, k := range s.KPIs {
		if k.Name == "" {
			return derrors.Invalidf("%s: kpis[%d]: name: required", where, i)
		}
		if len(k.Name) > MaxNameChars || len(k.Unit) > 40 {
			return derrors.Invalidf("%s: kpis[%d] %q: name at most %d, unit at most 40 characters", where, i, k.Name, MaxNameChars)
		}
		if math.IsNaN(k.Target) || math.IsInf(k.Target, 0) {
			return derrors.Invalidf("%s: kpis[%d] %q: target: must be a finite number", where, i, k.Name)
		}
	}
	if s.Entry != "" {
		if _, err := visit.ParseFilter(s.Entry); err != nil {
			return derrors.Invalidf("%s: entry: %s", where, derrors.Message(err))
		}
	}
	return nil
}

// Parse reads an interchange document strictly (unknown keys are errors,
// since a misspelt lane would otherwise vanish silently), normalizes and
// validates it. Keys "id" and "version", which GET adds, are accepted and
// returned.
func Parse(r io.Reader) (doc *Document, id int64, version int, err error) {
	var in struct {
		Document
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return nil, 0, 0, jsonError(err)
	}
	if dec.More() {
		return nil, 0, 0, derrors.Invalidf("journey document: expected one JSON object")
	}
	d := in.Document
	d.Normalize()
	if err := d.Validate(); err != nil {
		return nil, 0, 0, err
	}
	return &d, in.ID, in.Version, nil
}

// ParsePersona reads a persona's JSON strictly, normalizes and validates it.
func ParsePersona(r io.Reader) (*Persona, error) {
	var p Persona
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, jsonError(err)
	}
	p.Normalize()
	return &p, p.Validate()
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return derrors.Invalidf("journey document: expected a JSON object")
	case errors.As(err, &syn):
		return derrors.Invalidf("journey document: malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return derrors.Invalidf("journey document: %s must be %s, got %s", typ.Field, typ.Type, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return derrors.Invalidf("journey document: unknown key %s (lanes are %s)", strings.TrimPrefix(err.Error(), "json: unknown field "), strings.Join(Lanes, ", "))
	}
	return derrors.Invalidf("journey document: %v", err)
}

// MarshalCanonical is the document's one JSON form: keys in the order of
// docs/journeys.md, map keys sorted, two-space indents, a final newline,
// and no HTML escaping. Export → import → export gives the same bytes.
func (d *Document) MarshalCanonical() []byte {
	cp := d.Clone()
	cp.Normalize()
	return canonical(cp)
}

// MarshalCanonical is the persona's one JSON form.
func (p *Persona) MarshalCanonical() []byte {
	cp := *p
	cp.Normalize()
	return canonical(&cp)
}

func canonical(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // only strings, numbers and lists of them
	}
	return b.Bytes()
}

// Clone returns a deep copy.
func (d *Document) Clone() *Document {
	var cp Document
	b, _ := json.Marshal(d)
	_ = json.Unmarshal(b, &cp)
	cp.Persona.ID = d.Persona.ID
	return &cp
}
