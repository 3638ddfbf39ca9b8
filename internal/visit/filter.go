package visit

import (
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Filter selects interactions: every condition must hold. It is written
// as `field=value` conditions joined by commas, for example `type=demo` or
// `channel=visit,outcome=sale`; `field!=value` negates one, and `a|b`
// accepts either value. Fields are channel, type, outcome, variant, stage,
// source and prop.NAME (a custom property).
type Filter struct {
	Conds []Cond
	text  string
}

// Cond is one condition of a filter.
type Cond struct {
	Field  string // channel, type, outcome, variant, stage, source, or prop.NAME
	Values []string
	Not    bool
}

var filterFields = map[string]bool{"channel": true, "type": true, "outcome": true, "variant": true, "stage": true, "source": true}

// ParseFilter reads a filter; the error names the condition at fault.
func ParseFilter(s string) (Filter, error) {
	f := Filter{text: strings.TrimSpace(s)}
	if f.text == "" {
		return f, derrors.Invalidf("filter: empty; write conditions such as type=demo or channel=visit,outcome=sale")
	}
	for _, part := range strings.Split(f.text, ",") {
		part = strings.TrimSpace(part)
		var c Cond
		i := strings.Index(part, "=")
		if i <= 0 {
			return Filter{}, derrors.Invalidf("filter %q: condition %q must be field=value", f.text, part)
		}
		c.Field = strings.TrimSpace(part[:i])
		if strings.HasSuffix(c.Field, "!") {
			c.Not = true
			c.Field = strings.TrimSpace(strings.TrimSuffix(c.Field, "!"))
		}
		c.Field = strings.ToLower(c.Field)
		if strings.HasPrefix(c.Field, "properties.") {
			c.Field = "prop." + strings.TrimPrefix(c.Field, "properties.")
		}
		if !filterFields[c.Field] && !(strings.HasPrefix(c.Field, "prop.") && len(c.Field) > 5) {
			return Filter{}, derrors.Invalidf("filter %q: unknown field %q (use channel, type, outcome, variant, stage, source or prop.NAME)", f.text, c.Field)
		}
		for _, v := range strings.Split(part[i+1:], "|") {
			v = strings.TrimSpace(v)
			if v == "" {
				return Filter{}, derrors.Invalidf("filter %q: condition %q has an empty value", f.text, part)
			}
			c.Values = append(c.Values, v)
		}
		f.Conds = append(f.Conds, c)
	}
	return f, nil
}

// String is the filter as written.
func (f Filter) String() string { return f.text }

// Field returns the value of field (as named in a Cond) on in.
func (in *Interaction) Field(field string) string {
	switch field {
	case "channel":
		return in.Channel
	case "type":
		return in.Type
	case "outcome":
		return in.Outcome
	case "variant":
		return in.Variant
	case "stage":
		return in.Stage
	case "source":
		return in.Source
	}
	if strings.HasPrefix(field, "prop.") {
		return in.Properties[field[5:]]
	}
	return ""
}

// Match reports whether in satisfies every condition. Values compare
// case-insensitively, as CRM exports vary in case.
func (f Filter) Match(in *Interaction) bool {
	for _, c := range f.Conds {
		v := in.Field(c.Field)
		hit := false
		for _, want := range c.Values {
			if strings.EqualFold(v, want) {
				hit = true
				break
			}
		}
		if hit == c.Not {
			return false
		}
	}
	return true
}
