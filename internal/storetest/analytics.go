package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/analytics"
	"github.com/meridian-crm/meridian/internal/visit"
)

// analyticsRow is one call of EachAnalyticsRow, its bytes copied.
type analyticsRow struct {
	Account int64
	AtMS    int64
	Fields  [6]string // in analytics.FieldNames order
	Value   float64
}

func analyticsRows(t *testing.T, s Store) []analyticsRow {
	t.Helper()
	out := []analyticsRow{}
	err := s.EachAnalyticsRow(ctx, func(acct, atMS int64, fields *[6][]byte, value float64) error {
		r := analyticsRow{Account: acct, AtMS: atMS, Value: value}
		for i, f := range fields {
			r.Fields[i] = string(f) // the bytes are only valid during the call
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatalf("EachAnalyticsRow = %v", err)
	}
	return out
}

func analyticsProperty(t *testing.T, s Store, name string) []string {
	t.Helper()
	out := []string{}
	if err := s.EachAnalyticsProperty(ctx, name, func(v string) error {
		out = append(out, v)
		return nil
	}); err != nil {
		t.Fatalf("EachAnalyticsProperty(%q) = %v", name, err)
	}
	return out
}

// testAnalyticsSource: the analyses read every interaction in id order (the
// order they were written, whatever their times), with the six coded fields,
// the time in Unix ms and the value; a custom property comes in the same
// order, "" where an interaction lacks it; the version moves when an
// interaction is added; a deleted account's interactions are gone.
func testAnalyticsSource(t *testing.T, s Store) {
	if got := analyticsRows(t, s); len(got) != 0 {
		t.Errorf("EachAnalyticsRow on an empty store = %d rows, want 0", len(got))
	}
	v0, err := s.InteractionsVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}

	a := mustCreate(t, s, newAccount("AN1", "Alpha", pt(1, 1)))
	b := mustCreate(t, s, newAccount("AN2", "Beta", pt(2, 2)))
	t0 := time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)
	// Written out of time order and interleaving accounts: the source keeps
	// the writing order and leaves sorting to the analyses.
	one := &visit.Interaction{AccountID: b.ID, At: t0.Add(2 * time.Hour), Channel: "email", Type: "newsletter", Variant: "B", Source: "import",
		Properties: map[string]string{"utm_campaign": "spring", "ab-test.v2": "red"}}
	if err := s.CreateInteraction(ctx, one); err != nil {
		t.Fatal(err)
	}
	v1, err := s.InteractionsVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v1 == v0 {
		t.Errorf("InteractionsVersion after an insert = %q, unchanged", v1)
	}
	if again, _ := s.InteractionsVersion(ctx); again != v1 {
		t.Errorf("InteractionsVersion with no change = %q then %q", v1, again)
	}
	bulk := []*visit.Interaction{
		{AccountID: a.ID, At: t0, Channel: "web", Type: "visit_site", Source: "import", Properties: map[string]string{"utm_campaign": "winter", `say "hi"`: "hello", `C:\temp`: "dir"}},
		{AccountID: b.ID, At: t0.Add(-time.Hour), Channel: "visit", Type: "visit", Outcome: "sale", Stage: "purchase", Value: 1234.5, Source: "import"},
		{AccountID: a.ID, At: t0.Add(1500 * time.Millisecond), Channel: "phone", Type: "call", Outcome: "follow_up", Variant: "A", Stage: "consider", Value: -2, Source: "manual",
			Properties: map[string]string{"ab-test.v2": "blue"}},
	}
	if err := s.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, bulk) }); err != nil {
		t.Fatal(err)
	}
	if v2, _ := s.InteractionsVersion(ctx); v2 == v1 {
		t.Errorf("InteractionsVersion after an import = %q, unchanged", v2)
	}

	ms := func(d time.Duration) int64 { return t0.Add(d).UnixMilli() }
	want := []analyticsRow{
		{b.ID, ms(2 * time.Hour), [6]string{"email", "newsletter", "", "B", "", "import"}, 0},
		{a.ID, ms(0), [6]string{"web", "visit_site", "", "", "", "import"}, 0},
		{b.ID, ms(-time.Hour), [6]string{"visit", "visit", "sale", "", "purchase", "import"}, 1234.5},
		{a.ID, ms(1500 * time.Millisecond), [6]string{"phone", "call", "follow_up", "A", "consider", "manual"}, -2},
	}
	if analytics.FieldNames != [6]string{"channel", "type", "outcome", "variant", "stage", "source"} {
		t.Fatalf("analytics.FieldNames = %v: update this contract's expectations", analytics.FieldNames)
	}
	if diff := cmp.Diff(want, analyticsRows(t, s)); diff != "" {
		t.Errorf("EachAnalyticsRow (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name string
		want []string
	}{
		{"utm_campaign", []string{"spring", "winter", "", ""}},
		{"ab-test.v2", []string{"red", "", "", "blue"}}, // a name with a dot is one key, not a path
		{"nothing", []string{"", "", "", ""}},
		{`say "hi"`, []string{"", "hello", "", ""}}, // quotes and backslashes are escaped
		{`C:\temp`, []string{"", "dir", "", ""}},
	} {
		if diff := cmp.Diff(tc.want, analyticsProperty(t, s, tc.name)); diff != "" {
			t.Errorf("EachAnalyticsProperty(%q) (-want +got):\n%s", tc.name, diff)
		}
	}

	// fn's error stops the scan and comes back as it is.
	stop := errors.New("stop")
	calls := 0
	err = s.EachAnalyticsRow(ctx, func(int64, int64, *[6][]byte, float64) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachAnalyticsRow with a failing fn = %v after %d calls, want stop after 1", err, calls)
	}
	calls = 0
	err = s.EachAnalyticsProperty(ctx, "utm_campaign", func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("EachAnalyticsProperty with a failing fn = %v after %d calls, want stop after 1", err, calls)
	}

	// A deleted account takes its interactions out of the analyses.
	if err := s.DeleteAccount(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]analyticsRow{want[1], want[3]}, analyticsRows(t, s)); diff != "" {
		t.Errorf("EachAnalyticsRow after deleting account %d (-want +got):\n%s", b.ID, diff)
	}
	if diff := cmp.Diff([]string{"winter", ""}, analyticsProperty(t, s, "utm_campaign")); diff != "" {
		t.Errorf("EachAnalyticsProperty after deleting account %d (-want +got):\n%s", b.ID, diff)
	}
}
