package analytics

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/visit"
)

// ev is one hand-made interaction: an account, a time in seconds and a
// type (the event name of ClickHouse's examples).
type ev struct {
	acct int64
	sec  int64
	typ  string
}

func build(es []ev) *Events {
	b := NewBuilder(len(es))
	for _, e := range es {
		b.Add(&Row{AccountID: e.acct, AtMS: e.sec * 1000, Fields: [numFields]string{"web", e.typ}})
	}
	return b.Build()
}

// events1 makes account 1's events at times 0, 1, 2… (or the given times).
func events1(names string, times ...int64) []ev {
	var out []ev
	for i, n := range strings.Fields(names) {
		t := int64(i + 1)
		if len(times) > 0 {
			t = times[i]
		}
		out = append(out, ev{1, t, n})
	}
	return out
}

func steps(t *testing.T, names ...string) []visit.Filter {
	t.Helper()
	var fs []visit.Filter
	for _, n := range names {
		f, err := visit.ParseFilter("type=" + n)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	return fs
}

// levels returns each account's level.
func levels(t *testing.T, es []ev, window time.Duration, mode string, names ...string) map[int64]int {
	t.Helper()
	m, err := ParseMode(mode)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Funnel(build(es), FunnelQuery{Steps: steps(t, names...), Window: window, Mode: m, PerAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]int{}
	for _, a := range res.PerAccount {
		out[a.AccountID] = a.Level
	}
	return out
}

// The cases come from ClickHouse's documentation and its test
// tests/queries/0_stateless/00632_aggregation_window_funnel; the expected
// levels are those of the current algorithm
// (src/AggregateFunctions/AggregateFunctionWindowFunnel.cpp, with the
// strict_deduplication fix of ClickHouse PR 99003 and allow_reentry).
func TestWindowFunnelLevels(t *testing.T) {
	numbered := []ev{}
	for i := int64(0); i <= 8; i++ {
		numbered = append(numbered, ev{1, i, fmt.Sprint(1000 + i)})
	}
	strictTable := []ev{{1, 0, "1000"}, {1, 10, "1001"}, {1, 20, "1002"}, {1, 30, "1003"}, {1, 40, "1004"}, {1, 50, "1005"}, {1, 51, "1005"}, {1, 60, "1006"}, {1, 70, "1007"}, {1, 80, "1008"}}
	increase := []ev{{1, 0, "1000"}, {1, 1, "1001"}, {1, 1, "1002"}, {1, 1, "1003"}, {1, 2, "1004"}}
	day := 86400 * time.Second
	for _, tc := range []struct {
		name   string
		events []ev
		window time.Duration
		mode   string
		steps  []string
		want   int
	}{
		{"one step", numbered, 10000 * time.Second, "", []string{"1000"}, 1},
		{"two steps", numbered, 10000 * time.Second, "", []string{"1000", "1001"}, 2},
		{"three steps", numbered, 10000 * time.Second, "", []string{"1000", "1001", "1002"}, 3},
		{"gaps between steps are allowed", numbered, 10000 * time.Second, "", []string{"1000", "1001", "1002", "1008"}, 4},
		{"window 1, one step", numbered, time.Second, "", []string{"1000"}, 1},
		{"window 2 from the first step", numbered, 2 * time.Second, "", []string{"1003", "1004", "1005", "1006", "1007"}, 3},
		{"window 3", numbered, 3 * time.Second, "", []string{"1003", "1004", "1005", "1006", "1007"}, 4},
		{"window 4 is inclusive", numbered, 4 * time.Second, "", []string{"1003", "1004", "1005", "1006", "1007"}, 5},
		{"steps out of order", numbered, 10000 * time.Second, "", []string{"1008", "1001"}, 1},
		{"a repeated step counts without strict_deduplication", strictTable, 10000 * time.Second, "", []string{"1000", "1001", "1002", "1003", "1004", "1005", "1006"}, 7},
		{"strict_deduplication stops at a repeated step", strictTable, 10000 * time.Second, "strict_deduplication", []string{"1000", "1001", "1002", "1003", "1004", "1005", "1006"}, 6},
		{"documented: A-B-C-B-D strict_deduplication", events1("a b c b d"), day, "strict_deduplication", []string{"a", "b", "c", "d"}, 3},
		{"PR 99003: the level reached, not the previous event's step", events1("install start login install"), 60 * time.Second, "strict_deduplication", []string{"install", "start", "login", "end"}, 3},
		{"documented: A-B-D-C strict_order", events1("a b d c"), day, "strict_order", []string{"a", "b", "c", "d"}, 2},
		{"A-B-D-C without strict_order", events1("a b d c"), day, "", []string{"a", "b", "c", "d"}, 3},
		{"equal times: default counts each matching step", increase, 10000 * time.Second, "", []string{"1000", "1001", "1002", "1003", "1004"}, 5},
		{"strict_increase needs later times", increase, 10000 * time.Second, "strict_increase", []string{"1000", "1001", "1002", "1003", "1004"}, 2},
		{"one event matching three steps", increase, 10000 * time.Second, "", []string{"1004", "1004", "1004"}, 3},
		{"strict_once uses an event once", increase, 10000 * time.Second, "strict_once", []string{"1004", "1004", "1004"}, 1},
		{"strict_increase with one event for three steps", increase, 10000 * time.Second, "strict_increase", []string{"1004", "1004", "1004"}, 1},
		{"strict_order: a step too early ends the chain", events1("a c b"), 10 * time.Second, "strict_order", []string{"a", "b", "c"}, 1},
		{"allow_reentry skips a step that comes too early", events1("a c b"), day, "strict_order,allow_reentry", []string{"a", "b", "c"}, 2},
		{"allow_reentry: a b c b d", events1("a b c b d"), day, "strict_order,allow_reentry", []string{"a", "b", "c", "d"}, 4},
		{"strict_order: an event of no step ends the chain", events1("a x b c"), day, "strict_order", []string{"a", "b", "c"}, 1},
		{"strict_order: events before the first step do not count", events1("x c b a a"), day, "strict_order", []string{"a", "b", "c"}, 1},
		{"a later first step restarts the window", events1("a a b", 0, 100, 150), 60 * time.Second, "", []string{"a", "b"}, 2},
		{"out of the window", events1("a b", 0, 61), 60 * time.Second, "", []string{"a", "b"}, 1},
		{"strict_once with strict_order and allow_reentry", events1("a c b c"), day, "strict_order,allow_reentry,strict_once", []string{"a", "b", "c"}, 3},
		{"strict_once with strict_deduplication", events1("a b b c"), day, "strict_once,strict_deduplication", []string{"a", "b", "c"}, 2},
		{"strict_once with strict_increase", events1("a b c", 1, 1, 2), day, "strict_once,strict_increase", []string{"a", "b", "c"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := levels(t, tc.events, tc.window, tc.mode, tc.steps...)
			if got[1] != tc.want {
				t.Errorf("windowFunnel(%v, %q) = %d, want %d", tc.window, tc.mode, got[1], tc.want)
			}
		})
	}
}

// TestWindowFunnelUsers is ClickHouse's strict_order table: six users,
// three modes.
func TestWindowFunnelUsers(t *testing.T) {
	var es []ev
	for u, s := range []string{"a b c", "a d b c", "a a b b c c", "a a a a b b c c", "a a b b d c c", "c c b b a a"} {
		for i, n := range strings.Fields(s) {
			es = append(es, ev{int64(u + 1), int64(i + 1), n})
		}
	}
	for _, tc := range []struct {
		mode string
		want []int
	}{
		{"", []int{3, 3, 3, 3, 3, 1}},
		{"strict_order", []int{3, 1, 3, 3, 2, 1}},
		{"strict_deduplication,strict_order", []int{3, 1, 2, 2, 2, 1}},
	} {
		got := levels(t, es, 86400*time.Second, tc.mode, "a", "b", "c")
		for u, want := range tc.want {
			if got[int64(u+1)] != want {
				t.Errorf("mode %q user %d: level %d, want %d", tc.mode, u+1, got[int64(u+1)], want)
			}
		}
	}
}

// TestWindowFunnelStrictOnce is ClickHouse's failure, failure, success
// example: one result row may match the first two steps.
func TestWindowFunnelStrictOnce(t *testing.T) {
	es := []ev{{234, 100, "failure"}, {345, 200, "success"}, {345, 210, "failure"}, {345, 230, "success"}, {234, 250, "failure"}, {123, 180, "failure"}, {123, 220, "failure"}, {123, 250, "success"}}
	for _, mode := range []string{"strict_once,strict_increase", "strict_once", "strict_once,strict_deduplication"} {
		got := levels(t, es, 200*time.Second, mode, "failure", "failure", "success")
		want := map[int64]int{123: 3, 234: 2, 345: 1}
		for a, w := range want {
			if got[a] != w {
				t.Errorf("mode %q account %d: level %d, want %d", mode, a, got[a], w)
			}
		}
	}
	// Without strict_once one failure counts for both failure steps.
	if got := levels(t, es, 200*time.Second, "", "failure", "failure", "success"); got[345] != 3 {
		t.Errorf("default mode account 345: level %d, want 3", got[345])
	}
}

func TestFunnelFigures(t *testing.T) {
	h := int64(3600)
	es := []ev{
		{1, 0, "a"}, {1, 1 * h, "b"}, {1, 3 * h, "c"},
		{2, 0, "a"}, {2, 2 * h, "b"},
		{3, 0, "a"}, {3, 3 * h, "b"}, {3, 4 * h, "c"},
		{4, 0, "x"},
		{5, 0, "a"}, {5, 100 * h, "b"},
	}
	evs := build(es)
	res, err := Funnel(evs, FunnelQuery{Steps: steps(t, "a", "b", "c"), Window: 24 * time.Hour, DropOff: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		accounts       int
		conv, fromPrev float64
		median, mean   float64
	}{
		{4, 1, 1, 0, 0},
		{3, 0.75, 0.75, 2 * 3600, 2 * 3600},
		{2, 0.5, 2.0 / 3, 1.5 * 3600, 1.5 * 3600},
	}
	for k, w := range want {
		s := res.Steps[k]
		if s.Accounts != w.accounts || !near(s.Conversion, w.conv) || !near(s.ConversionFromPrevious, w.fromPrev) || s.MedianSeconds != w.median || s.MeanSeconds != w.mean {
			t.Errorf("step %d = %+v, want %+v", k+1, s, w)
		}
	}
	if res.Accounts != 5 {
		t.Errorf("accounts = %d, want 5", res.Accounts)
	}
	if fmt.Sprint(res.DropOffAccounts) != "[2]" {
		t.Errorf("drop-off after step 2 = %v, want [2]", res.DropOffAccounts)
	}
	if res.MedianConvertSeconds != 3.5*3600 {
		t.Errorf("median time to convert = %v, want %v", res.MedianConvertSeconds, 3.5*3600)
	}
	total := 0
	for _, b := range res.TimeToConvert {
		total += b.Accounts
	}
	if total != 2 || res.TimeToConvert[1].Accounts != 2 {
		t.Errorf("time to convert = %+v, want both in 1–24 hours", res.TimeToConvert)
	}
	if len(res.Weeks) != 1 || res.Weeks[0].Entered != 4 || res.Weeks[0].Converted != 2 {
		t.Errorf("weeks = %+v, want one week with 4 entered, 2 converted", res.Weeks)
	}
	// Excluding accounts that did x between a and b: account 1 now does.
	ev2 := build(append(es, ev{1, 1800, "x"}))
	xf, _ := visit.ParseFilter("type=x")
	res, err = Funnel(ev2, FunnelQuery{Steps: steps(t, "a", "b", "c"), Window: 24 * time.Hour, Exclusions: []Exclusion{{Filter: xf, From: 1, To: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Excluded != 1 || res.Steps[0].Accounts != 3 || res.Steps[2].Accounts != 1 {
		t.Errorf("with exclusion: excluded %d, steps %+v; want 1 excluded, 3 at step 1, 1 at step 3", res.Excluded, res.Steps)
	}
	// Breakdown by an account label.
	res, err = Funnel(evs, FunnelQuery{Steps: steps(t, "a", "b"), Window: 24 * time.Hour, BreakdownLabel: func(id int64) string { return map[bool]string{true: "odd", false: "even"}[id%2 == 1] }})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Breakdown) != "[{odd [3 2]} {even [1 1]}]" {
		t.Errorf("breakdown = %v, want [{odd [3 2]} {even [1 1]}]", res.Breakdown)
	}
}

func TestFunnelErrors(t *testing.T) {
	e := build(events1("a b"))
	for _, q := range []FunnelQuery{
		{},
		{Steps: steps(t, "a"), Window: -time.Second},
		{Steps: steps(t, "a", "b"), Exclusions: []Exclusion{{Filter: steps(t, "x")[0], From: 2, To: 1}}},
		{Steps: steps(t, "a"), Mode: Mode{AllowReentry: true}},
	} {
		if _, err := Funnel(e, q); err == nil {
			t.Errorf("Funnel(%+v) = nil error, want one", q)
		}
	}
	if _, err := ParseMode("strict_order,bogus"); err == nil {
		t.Error("ParseMode(bogus) = nil error")
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		xs   []int64
		want float64
	}{{[]int64{5}, 5}, {[]int64{3, 1, 2}, 2}, {[]int64{4, 1, 3, 2}, 2.5}, {[]int64{7, 7, 7, 1}, 7}} {
		if got := medianMS(append([]int64{}, tc.xs...)); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.xs, got, tc.want)
		}
	}
}
