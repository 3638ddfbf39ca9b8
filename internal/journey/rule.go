package journey

import (
	"strings"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/derrors"
)

// Rule selects the accounts a persona covers. It is written like an
// interaction filter, `field=value` conditions joined by commas, all of
// which must hold: `stage=customer,custom.Segment=Family`; `field!=value`
// negates one and `a|b` accepts either value. Fields are stage,
// source_channel, city, region, country, postal_code, tag (the account has
// that tag) and custom.NAME. Values compare case-insensitively.
type Rule struct {
	Conds []RuleCond
	text  string
}

// RuleCond is one condition of a Rule.
type RuleCond struct {
	Field  string
	Values []string
	Not    bool
}

var ruleFields = map[string]bool{"stage": true, "source_channel": true, "city": true, "region": true, "country": true, "postal_code": true, "tag": true}

// ParseRule reads a persona rule; the error names the condition at fault.
func ParseRule(s string) (Rule, error) {
	r := Rule{text: strings.TrimSpace(s)}
	if r.text == "" {
		return r, nil
	}
	for _, part := range strings.Split(r.text, ",") {
		part = strings.TrimSpace(part)
		i := strings.Index(part, "=")
		if i <= 0 {
			return Rule{}, derrors.Invalidf("condition %q must be field=value, e.g. stage=customer", part)
		}
		c := RuleCond{Field: strings.TrimSpace(part[:i])}
		if strings.HasSuffix(c.Field, "!") {
			c.Not = true
			c.Field = strings.TrimSpace(strings.TrimSuffix(c.Field, "!"))
		}
		if strings.HasPrefix(strings.ToLower(c.Field), "custom.") {
			c.Field = "custom." + c.Field[len("custom."):] // custom field names keep their case
		} else {
			c.Field = strings.ToLower(c.Field)
		}
		if !ruleFields[c.Field] && !(strings.HasPrefix(c.Field, "custom.") && len(c.Field) > 7) {
			return Rule{}, derrors.Invalidf("condition %q: unknown field %q (use stage, source_channel, city, region, country, postal_code, tag or custom.NAME)", part, c.Field)
		}
		for _, v := range strings.Split(part[i+1:], "|") {
			if v = strings.TrimSpace(v); v == "" {
				return Rule{}, derrors.Invalidf("condition %q has an empty value", part)
			}
			c.Values = append(c.Values, v)
		}
		r.Conds = append(r.Conds, c)
	}
	return r, nil
}

// String is the rule as written.
func (r Rule) String() string { return r.text }

// Empty reports whether the rule covers every account.
func (r Rule) Empty() bool { return len(r.Conds) == 0 }

// Match reports whether a satisfies every condition.
func (r Rule) Match(a *account.Account) bool {
	for _, c := range r.Conds {
		hit := false
		for _, want := range c.Values {
			if ruleHit(a, c.Field, want) {
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

func ruleHit(a *account.Account, field, want string) bool {
	var v string
	switch field {
	case "stage":
		v = a.Stage
	case "source_channel":
		v = a.SourceChannel
	case "city":
		v = a.City
	case "region":
		v = a.Region
	case "country":
		v = a.Country
	case "postal_code":
		v = a.PostalCode
	case "tag":
		for _, t := range a.Tags {
			if strings.EqualFold(t, want) {
				return true
			}
		}
		return false
	default:
		v = a.Custom[strings.TrimPrefix(field, "custom.")]
	}
	return strings.EqualFold(v, want)
}
