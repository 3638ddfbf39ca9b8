package journey

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/visit"
)

func carDoc(t *testing.T) *Document {
	t.Helper()
	tpl, err := TemplateByName("car_purchase")
	if err != nil {
		t.Fatal(err)
	}
	return tpl.Document()
}

func TestTemplatesValid(t *testing.T) {
	for _, tpl := range Templates() {
		d := tpl.Document()
		if err := d.Validate(); err != nil {
			t.Errorf("template %s: %v", tpl.Name, err)
		}
		for i, s := range d.Stages {
			if s.Entry == "" || len(s.Touchpoints) == 0 || len(s.KPIs) == 0 || len(s.Actions) == 0 {
				t.Errorf("template %s stage %d %q: lanes missing", tpl.Name, i+1, s.Name)
			}
		}
	}
	var names []string
	for _, s := range carDoc(t).Stages {
		names = append(names, s.Name)
	}
	if got, want := strings.Join(names, ","), "Discovery,Comparing,Considering,Purchase,Post-Purchase"; got != want {
		t.Errorf("car_purchase stages = %s, want %s", got, want)
	}
	if _, err := TemplateByName("nope"); err == nil || !strings.Contains(err.Error(), "car_purchase") {
		t.Errorf("TemplateByName(nope) = %v, want an error listing the templates", err)
	}
}

// A hand-written document (keys in any order, untrimmed text, no lists
// where empty) reads, and its canonical form reads back to the same bytes.
func TestCanonicalRoundTrip(t *testing.T) {
	src, err := os.ReadFile("testdata/car_purchase.json")
	if err != nil {
		t.Fatal(err)
	}
	d, _, _, err := Parse(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	first := d.MarshalCanonical()
	d2, _, _, err := Parse(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(first), string(d2.MarshalCanonical())); diff != "" {
		t.Errorf("export → import → export differs (-first +second):\n%s", diff)
	}
	if d.Stages[0].Name != "Discovery" || d.Persona.Demographics["age"] != "32–40" || d.Stages[2].Emotion != -1 {
		t.Errorf("parsed document lost data: %+v", d.Stages[0])
	}
	if strings.Contains(string(first), "\\u003c") || !strings.HasPrefix(string(first), "{\n  \"name\": ") {
		t.Errorf("canonical form not as documented:\n%s", first[:80])
	}
	// The template and the file agree once both are canonical.
	if diff := cmp.Diff(string(carDoc(t).MarshalCanonical()), string(first)); diff != "" {
		t.Errorf("testdata/car_purchase.json and the template differ (-template +file):\n%s", diff)
	}
}

func TestValidateNamesStageAndLane(t *testing.T) {
	for _, tc := range []struct {
		edit func(d *Document)
		want string
	}{
		{func(d *Document) { d.Stages[1].Emotion = 3 }, `stage 2 "Comparing": emotion: 3 is outside −2..+2`},
		{func(d *Document) { d.Stages[2].Entry = "colour=red" }, `stage 3 "Considering": entry: filter "colour=red": unknown field "colour"`},
		{func(d *Document) { d.Stages[0].Touchpoints[1].Channel = "Web Site" }, `stage 1 "Discovery": touchpoints[1] "Brand website": channel: "web site"`},
		{func(d *Document) { d.Stages[4].KPIs = append(d.Stages[4].KPIs, KPI{Target: 3}) }, `stage 5 "Post-Purchase": kpis[2]: name: required`},
		{func(d *Document) { d.Stages[3].Name = "comparing" }, `stage 4 "comparing": name: stage 2 has the same name`},
		{func(d *Document) { d.Stages[3].Name = " " }, `stage 4: name: required`},
		{func(d *Document) { d.Stages[0].Actions = make([]string, 51); d.Stages[0].Actions[0] = "x" }, ``},
		{func(d *Document) { d.Stages[0].Actions = []string{strings.Repeat("x", 501)} }, `stage 1 "Discovery": actions[0]: at most 500 characters`},
		{func(d *Document) { d.Status = "done" }, `status: "done" must be draft, live or archived`},
		{func(d *Document) { d.Owner = "nobody" }, `owner: "nobody" is not an email address`},
		{func(d *Document) { d.Persona.Rule = "colour=red" }, `persona.rule: condition "colour=red": unknown field`},
		{func(d *Document) { d.Persona.Name = "" }, `persona.name: required`},
		{func(d *Document) { d.Stages = nil }, `stages: a journey needs at least one stage`},
	} {
		d := carDoc(t)
		tc.edit(d)
		d.Normalize()
		err := d.Validate()
		if tc.want == "" {
			if err != nil {
				t.Errorf("Validate() = %v, want nil (empty items are dropped)", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate() = %v, want %q", err, tc.want)
		}
	}
}

func TestParseRejectsUnknownLane(t *testing.T) {
	_, _, _, err := Parse(strings.NewReader(`{"name":"x","stages":[{"name":"A","painpoints":["typo"]}]}`))
	if err == nil || !strings.Contains(err.Error(), `"painpoints"`) {
		t.Errorf("Parse = %v, want an error naming painpoints", err)
	}
	_, id, v, err := Parse(strings.NewReader(`{"id":7,"version":3,"name":"x","persona":{"name":"P"},"stages":[{"name":"A"}]}`))
	if err != nil || id != 7 || v != 3 {
		t.Errorf("Parse with id and version = %d, %d, %v", id, v, err)
	}
}

// The acceptance case: 100 accounts reach the five stages 100/60/30/12/9
// times, each stage three days after the one before.
func TestMeterFunnel(t *testing.T) {
	d := carDoc(t)
	types := []string{"web_visit", "configurator", "test_drive", "purchase", "service_visit"}
	reach := []int{100, 60, 30, 12, 9}
	start := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	var ins []*visit.Interaction
	for acc := 1; acc <= 100; acc++ {
		at := start.Add(time.Duration(acc) * time.Minute)
		for k, typ := range types {
			if acc > reach[k] {
				break
			}
			ins = append(ins, &visit.Interaction{AccountID: int64(acc), At: at.Add(time.Duration(k) * 72 * time.Hour), Channel: "web", Type: typ})
			// A second matching interaction later does not move the entry.
			ins = append(ins, &visit.Interaction{AccountID: int64(acc), At: at.Add(time.Duration(k)*72*time.Hour + 30*time.Hour), Channel: "web", Type: typ})
		}
		// Noise that matches no entry rule.
		ins = append(ins, &visit.Interaction{AccountID: int64(acc), At: at.Add(time.Hour), Channel: "email", Type: "newsletter"})
	}
	// Account 200 buys without coming through the earlier stages: skipped.
	ins = append(ins, &visit.Interaction{AccountID: 200, At: start, Channel: "visit", Type: "purchase"})
	sortByTime(ins)

	m, err := NewMeter(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		m.Add(in)
	}
	got := m.Result()
	var accounts []int
	var conv []float64
	for k, s := range got.Stages {
		accounts = append(accounts, s.Accounts)
		if k == 0 {
			if s.Conversion != nil || s.MedianSecondsFromPrevious != nil {
				t.Errorf("stage 1: conversion %v, median %v, want null", s.Conversion, s.MedianSecondsFromPrevious)
			}
			continue
		}
		conv = append(conv, *s.Conversion)
		if *s.MedianSecondsFromPrevious != 259200 {
			t.Errorf("stage %d %s: median_seconds_from_previous = %v, want 259200", k+1, s.Name, *s.MedianSecondsFromPrevious)
		}
	}
	if diff := cmp.Diff(reach, accounts); diff != "" {
		t.Errorf("accounts per stage (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]float64{0.6, 0.5, 0.4, 0.75}, conv); diff != "" {
		t.Errorf("conversions (-want +got):\n%s", diff)
	}
	if got.Stages[3].Skipped != 1 {
		t.Errorf("Purchase skipped = %d, want 1 (account 200)", got.Stages[3].Skipped)
	}
	// KPIs: Comparing's "Configurator conversion" 50 % against 60 %: met;
	// Considering's "Days from configuring" 7 days against 3: met;
	// Post-Purchase's "Satisfaction" in stars is not measurable.
	k := got.Stages[1].KPIs[0]
	if k.Actual == nil || *k.Actual != 60 || !*k.Met {
		t.Errorf("Comparing KPI = %+v, want actual 60, met", k)
	}
	k = got.Stages[2].KPIs[1]
	if k.Measure != "median_days" || k.Actual == nil || *k.Actual != 3 || !*k.Met {
		t.Errorf("Considering days KPI = %+v, want 3 days, met", k)
	}
	if k := got.Stages[4].KPIs[0]; k.Actual != nil || k.Met != nil || k.Measure != "" {
		t.Errorf("stars KPI = %+v, want unmeasured", k)
	}
	if k := got.Stages[3].KPIs[0]; *k.Actual != 40 || *k.Met {
		t.Errorf("Purchase close rate = %v met %v, want 40, not met (target 70)", *k.Actual, *k.Met)
	}

	// Allow restricts the accounts (a rep's scope, the persona's rule).
	m2, _ := NewMeter(d)
	m2.Allow = func(id int64) bool { return id <= 10 }
	for _, in := range ins {
		m2.Add(in)
	}
	if got := m2.Result().Stages[0].Accounts; got != 10 {
		t.Errorf("with Allow: Discovery accounts = %d, want 10", got)
	}
}

// A stage is entered only after the previous one: a test drive before the
// configurator does not count, the one after does.
func TestMeterOrder(t *testing.T) {
	d := carDoc(t)
	d.Stages[1].Entry = "" // Comparing unmeasured: Considering follows Discovery
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ins := []*visit.Interaction{
		{AccountID: 1, At: t0, Type: "test_drive"},
		{AccountID: 1, At: t0.Add(time.Hour), Type: "web_visit"},
		{AccountID: 1, At: t0.Add(3 * time.Hour), Type: "test_drive"},
		{AccountID: 2, At: t0.Add(time.Hour), Type: "web_visit"},
		{AccountID: 2, At: t0.Add(2 * time.Hour), Type: "test_drive"},
	}
	m, _ := NewMeter(d)
	for _, in := range ins {
		m.Add(in)
	}
	r := m.Result()
	if r.Stages[1].Measured || r.Stages[1].Accounts != 0 {
		t.Errorf("Comparing = %+v, want unmeasured", r.Stages[1])
	}
	s := r.Stages[2]
	if s.Accounts != 2 || *s.Conversion != 1 || *s.MedianSecondsFromPrevious != 5400 || s.Skipped != 0 {
		t.Errorf("Considering = %d accounts, conversion %v, median %v, skipped %d; want 2, 1, 5400 (1 h and 2 h), 0",
			s.Accounts, *s.Conversion, *s.MedianSecondsFromPrevious, s.Skipped)
	}
}

func sortByTime(ins []*visit.Interaction) {
	for i := 1; i < len(ins); i++ {
		for j := i; j > 0 && ins[j].At.Before(ins[j-1].At); j-- {
			ins[j], ins[j-1] = ins[j-1], ins[j]
		}
	}
}

func TestDiff(t *testing.T) {
	a := carDoc(t)
	b := a.Clone()
	b.Stages[1].Thoughts = append(b.Stages[1].Thoughts, "Electric or petrol?")
	b.Stages[1].Emotion = -1
	b.Stages[0].PainPoints = nil
	b.Stages[3], b.Stages[4] = b.Stages[4], b.Stages[3]
	b.Stages = append(b.Stages, Stage{Name: "Loyalty"})
	b.Status = StatusLive
	b.Normalize()
	var got []string
	for _, c := range Diff(a, b) {
		got = append(got, c.String())
	}
	want := []string{
		`status: "draft" → "live"`,
		`stages: added "Loyalty"`,
		`stages: "Discovery → Comparing → Considering → Purchase → Post-Purchase" → "Discovery → Comparing → Considering → Post-Purchase → Purchase"`,
		`Discovery: pain_points: removed "too many models to compare"`,
		`Comparing: thoughts: added "Electric or petrol?"`,
		`Comparing: emotion: "+0" → "-1"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff (-want +got):\n%s", diff)
	}
	if n := len(Diff(a, a.Clone())); n != 0 {
		t.Errorf("Diff of equal documents has %d changes", n)
	}
}

func TestRule(t *testing.T) {
	a := &account.Account{Stage: "customer", City: "Lyon", Tags: []string{"VIP"}, Custom: map[string]string{"Segment": "Family"}}
	for _, tc := range []struct {
		rule string
		want bool
	}{
		{"", true},
		{"stage=customer", true},
		{"stage=lead|customer,city=lyon", true},
		{"tag=vip", true},
		{"tag!=vip", false},
		{"custom.Segment=family", true},
		{"custom.Segment=single", false},
		{"country=FR", false},
	} {
		r, err := ParseRule(tc.rule)
		if err != nil {
			t.Fatalf("%q: %v", tc.rule, err)
		}
		if got := r.Match(a); got != tc.want {
			t.Errorf("ParseRule(%q).Match = %v, want %v", tc.rule, got, tc.want)
		}
	}
	for _, bad := range []string{"stage", "colour=red", "city=", "custom.=x"} {
		if _, err := ParseRule(bad); err == nil {
			t.Errorf("ParseRule(%q): want an error", bad)
		}
	}
}

func TestReviewDue(t *testing.T) {
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	j := &Journey{ReviewEveryDays: 30, ReviewedAt: at, Status: StatusLive}
	if j.ReviewDue(at.AddDate(0, 0, 29)) || !j.ReviewDue(at.AddDate(0, 0, 30)) {
		t.Errorf("ReviewDue around day 30 wrong; due at %v", j.ReviewDueAt())
	}
	j.Status = StatusArchived
	if j.ReviewDue(at.AddDate(1, 0, 0)) {
		t.Error("an archived journey is never due")
	}
}
