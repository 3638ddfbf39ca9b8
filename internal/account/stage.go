package account

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Kind is what a stage means for reporting: a lead, an opportunity, a won
// customer or a lost account.
type Kind string

// Stage kinds.
const (
	KindLead        Kind = "lead"
	KindOpportunity Kind = "opportunity"
	KindCustomer    Kind = "customer"
	KindLost        Kind = "lost"
)

// Stage is one step of the pipeline.
type Stage struct {
	Key   string `json:"key"`   // stable identifier stored on accounts
	Name  string `json:"name"`  // shown to users
	Kind  Kind   `json:"kind"`  // lead, opportunity, customer or lost
	Color string `json:"color"` // #rrggbb, used by the map
}

// DefaultPipeline is the pipeline of a new organisation.
func DefaultPipeline() []Stage {
	return []Stage{
		{Key: "lead", Name: "New lead", Kind: KindLead, Color: "#9e9e9e"},
		{Key: "contacted", Name: "Contacted", Kind: KindLead, Color: "#42a5f5"},
		{Key: "qualified", Name: "Qualified", Kind: KindOpportunity, Color: "#ab47bc"},
		{Key: "proposal", Name: "Proposal", Kind: KindOpportunity, Color: "#ffa726"},
		{Key: "customer", Name: "Customer", Kind: KindCustomer, Color: "#43a047"},
		{Key: "lost", Name: "Lost", Kind: KindLost, Color: "#e53935"},
	}
}

var (
	stageKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	color    = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// ValidatePipeline checks an ordered list of stages: at least one, unique keys
// of lower-case letters, digits and _, names, a known kind and a #rrggbb colour.
func ValidatePipeline(stages []Stage) error {
	if len(stages) == 0 {
		return derrors.Invalidf("stages: at least one stage is required")
	}
	seen := map[string]bool{}
	for i, s := range stages {
		if !stageKey.MatchString(s.Key) {
			return derrors.Invalidf("stages[%d].key: %q must be lower-case letters, digits and _ starting with a letter", i, s.Key)
		}
		if seen[s.Key] {
			return derrors.Invalidf("stages[%d].key: %q appears twice", i, s.Key)
		}
		seen[s.Key] = true
		if strings.TrimSpace(s.Name) == "" {
			return derrors.Invalidf("stages[%d].name: required", i)
		}
		switch s.Kind {
		case KindLead, KindOpportunity, KindCustomer, KindLost:
		default:
			return derrors.Invalidf("stages[%d].kind: %q is not one of lead, opportunity, customer, lost", i, s.Kind)
		}
		if !color.MatchString(s.Color) {
			return derrors.Invalidf("stages[%d].color: %q is not a #rrggbb colour", i, s.Color)
		}
	}
	return nil
}

// Pipeline is an ordered set of stages with lookups.
type Pipeline struct {
	Stages []Stage
	byKey  map[string]int
}

// NewPipeline wraps stages, which must be valid.
func NewPipeline(stages []Stage) *Pipeline {
	p := &Pipeline{Stages: stages, byKey: map[string]int{}}
	for i, s := range stages {
		p.byKey[s.Key] = i
	}
	return p
}

// Stage returns the stage with key k.
func (p *Pipeline) Stage(k string) (Stage, bool) {
	i, ok := p.byKey[k]
	if !ok {
		return Stage{}, false
	}
	return p.Stages[i], true
}

// Position is the index of stage k in the pipeline, or -1.
func (p *Pipeline) Position(k string) int {
	if i, ok := p.byKey[k]; ok {
		return i
	}
	return -1
}

// First is the key of the first lead stage (the stage of a new account when
// none is given).
func (p *Pipeline) First() string {
	for _, s := range p.Stages {
		if s.Kind == KindLead {
			return s.Key
		}
	}
	return p.Stages[0].Key
}

// FirstOfKind is the key of the first stage of kind k, or "".
func (p *Pipeline) FirstOfKind(k Kind) string {
	for _, s := range p.Stages {
		if s.Kind == k {
			return s.Key
		}
	}
	return ""
}

// CheckStage returns an Invalid error naming field when k is not a stage.
func (p *Pipeline) CheckStage(field, k string) error {
	if _, ok := p.byKey[k]; ok {
		return nil
	}
	keys := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		keys[i] = s.Key
	}
	return derrors.Invalidf("%s: %q is not a pipeline stage (%s)", field, k, strings.Join(keys, ", "))
}

// NormalizeLabel folds a CRM value for matching: lower case, letters and
// digits only ("Customer - Direct" → "customerdirect").
func NormalizeLabel(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// DefaultStageMap maps the stage and type values of Salesforce account
// exports (Type) and HubSpot company exports (Lifecycle Stage), normalised by
// NormalizeLabel, to the default pipeline's stage keys.
func DefaultStageMap() map[string]string {
	return map[string]string{
		// Salesforce Account.Type
		"prospect": "lead", "customerdirect": "customer", "customerchannel": "customer",
		"customer": "customer", "channelpartnerreseller": "customer", "installationpartner": "customer",
		"technologypartner": "customer", "partner": "customer", "former customer": "lost", "formercustomer": "lost",
		// HubSpot lifecycle stages (internal values and labels)
		"subscriber": "lead", "lead": "lead", "marketingqualifiedlead": "contacted", "mql": "contacted",
		"salesqualifiedlead": "qualified", "sql": "qualified", "opportunity": "proposal",
		"evangelist": "customer", "other": "lead",
		// Meridian's own keys and names, so an export imports again unchanged.
		"newlead": "lead", "contacted": "contacted", "qualified": "qualified", "proposal": "proposal",
		"negotiation": "proposal", "won": "customer", "closedwon": "customer", "lost": "lost",
		"closedlost": "lost", "churned": "lost",
	}
}

// StageMapper turns CRM stage values into pipeline keys.
type StageMapper struct {
	pipeline *Pipeline
	table    map[string]string // normalised label → key
}

// NewStageMapper builds a mapper from the pipeline and a table of CRM value →
// stage key (keys are normalised here; values must be stages). Stage keys and
// names of the pipeline always map to themselves.
func NewStageMapper(p *Pipeline, table map[string]string) (*StageMapper, error) {
	m := &StageMapper{pipeline: p, table: map[string]string{}}
	for k, v := range table {
		if _, ok := p.Stage(v); !ok {
			continue // a default entry for a stage this pipeline lacks
		}
		m.table[NormalizeLabel(k)] = v
	}
	for _, s := range p.Stages {
		m.table[NormalizeLabel(s.Key)] = s.Key
		m.table[NormalizeLabel(s.Name)] = s.Key
	}
	return m, nil
}

// Map returns the stage key for a CRM value; an empty value maps to the first
// lead stage, an unknown one to false.
func (m *StageMapper) Map(v string) (string, bool) {
	n := NormalizeLabel(v)
	if n == "" {
		return m.pipeline.First(), true
	}
	k, ok := m.table[n]
	return k, ok
}
