package journey

import (
	"fmt"
	"strings"
)

// Change is one difference between two versions of a journey, as the
// editor lists them.
type Change struct {
	// Stage is the stage's name ("" for the journey's own fields).
	Stage string `json:"stage"`
	// Field is the lane or field: name, status, owner, review_every_days,
	// persona, stages (added, removed, order) or a lane key.
	Field string `json:"field"`
	// Kind is added, removed or changed.
	Kind   string `json:"kind"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// String is the change in a sentence fit for a list.
func (c Change) String() string {
	where := c.Field
	if c.Stage != "" {
		where = fmt.Sprintf("%s: %s", c.Stage, c.Field)
	}
	switch c.Kind {
	case "added":
		return fmt.Sprintf("%s: added %q", where, c.After)
	case "removed":
		return fmt.Sprintf("%s: removed %q", where, c.Before)
	}
	return fmt.Sprintf("%s: %q → %q", where, c.Before, c.After)
}

// Diff lists what changed from a to b. Stages are matched by name (case
// aside), so a renamed stage shows as one removed and one added; list
// lanes report the items added and removed.
func Diff(a, b *Document) []Change {
	var cs []Change
	field := func(name, x, y string) {
		if x != y {
			cs = append(cs, Change{Field: name, Kind: "changed", Before: x, After: y})
		}
	}
	field("name", a.Name, b.Name)
	field("status", a.Status, b.Status)
	field("owner", a.Owner, b.Owner)
	field("review_every_days", fmt.Sprint(a.ReviewEveryDays), fmt.Sprint(b.ReviewEveryDays))
	if pa, pb := string(a.Persona.MarshalCanonical()), string(b.Persona.MarshalCanonical()); pa != pb {
		if a.Persona.Name != b.Persona.Name {
			field("persona", a.Persona.Name, b.Persona.Name)
		} else {
			cs = append(cs, Change{Field: "persona", Kind: "changed", Before: a.Persona.Name + " (before)", After: b.Persona.Name + " (edited)"})
		}
	}

	index := func(d *Document) map[string]int {
		m := map[string]int{}
		for i, s := range d.Stages {
			m[strings.ToLower(s.Name)] = i
		}
		return m
	}
	ia, ib := index(a), index(b)
	var orderA, orderB []string
	for _, s := range a.Stages {
		if _, ok := ib[strings.ToLower(s.Name)]; !ok {
			cs = append(cs, Change{Field: "stages", Kind: "removed", Before: s.Name})
		} else {
			orderA = append(orderA, s.Name)
		}
	}
	for _, s := range b.Stages {
		if _, ok := ia[strings.ToLower(s.Name)]; !ok {
			cs = append(cs, Change{Field: "stages", Kind: "added", After: s.Name})
		} else {
			orderB = append(orderB, s.Name)
		}
	}
	if strings.ToLower(strings.Join(orderA, "\x00")) != strings.ToLower(strings.Join(orderB, "\x00")) {
		cs = append(cs, Change{Field: "stages", Kind: "changed", Before: strings.Join(orderA, " → "), After: strings.Join(orderB, " → ")})
	}
	for _, sb := range b.Stages {
		i, ok := ia[strings.ToLower(sb.Name)]
		if !ok {
			continue
		}
		sa := a.Stages[i]
		name := sb.Name
		if sa.Name != sb.Name {
			cs = append(cs, Change{Stage: name, Field: "name", Kind: "changed", Before: sa.Name, After: sb.Name})
		}
		lists := []struct {
			lane string
			x, y []string
		}{
			{"actions", sa.Actions, sb.Actions}, {"thoughts", sa.Thoughts, sb.Thoughts}, {"goals", sa.Goals, sb.Goals},
			{"touchpoints", touchpointStrings(sa.Touchpoints), touchpointStrings(sb.Touchpoints)},
			{"owners", sa.Owners, sb.Owners}, {"pain_points", sa.PainPoints, sb.PainPoints}, {"opportunities", sa.Opportunities, sb.Opportunities},
			{"kpis", kpiStrings(sa.KPIs), kpiStrings(sb.KPIs)},
		}
		for _, l := range lists {
			cs = append(cs, listDiff(name, l.lane, l.x, l.y)...)
			if l.lane == "thoughts" && sa.Emotion != sb.Emotion {
				cs = append(cs, Change{Stage: name, Field: "emotion", Kind: "changed", Before: fmt.Sprintf("%+d", sa.Emotion), After: fmt.Sprintf("%+d", sb.Emotion)})
			}
		}
		if sa.Entry != sb.Entry {
			cs = append(cs, Change{Stage: name, Field: "entry", Kind: "changed", Before: sa.Entry, After: sb.Entry})
		}
	}
	if cs == nil {
		cs = []Change{}
	}
	return cs
}

func listDiff(stage, lane string, x, y []string) []Change {
	var cs []Change
	count := map[string]int{}
	for _, v := range x {
		count[v]++
	}
	for _, v := range y {
		count[v]--
	}
	for _, v := range x {
		if count[v] > 0 {
			count[v]--
			cs = append(cs, Change{Stage: stage, Field: lane, Kind: "removed", Before: v})
		}
	}
	for _, v := range y {
		if count[v] < 0 {
			count[v]++
			cs = append(cs, Change{Stage: stage, Field: lane, Kind: "added", After: v})
		}
	}
	return cs
}

func touchpointStrings(tps []Touchpoint) []string {
	out := make([]string, len(tps))
	for i, tp := range tps {
		out[i] = tp.Name + " (" + tp.Channel + ")"
	}
	return out
}

func kpiStrings(ks []KPI) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = KPIText(k)
	}
	return out
}

// KPIText is a KPI as one line: "Close rate: 70 %".
func KPIText(k KPI) string {
	s := k.Name + ": " + trimFloat(k.Target)
	if k.Unit != "" {
		s += " " + k.Unit
	}
	return s
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.2f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}
