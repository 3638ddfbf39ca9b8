package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// TestCLIAnalyze imports accounts and touchpoints through the CLI, then
// checks `analyze funnel` and `analyze attribution` print design.md's JSON
// with the figures the file implies.
func TestCLIAnalyze(t *testing.T) {
	data, work := t.TempDir(), t.TempDir()
	var accounts, touches strings.Builder
	accounts.WriteString("external_id,name,lat,lon\n")
	touches.WriteString("account_id,at,channel,type,outcome,value\n")
	// A-0…A-9 see an ad; A-0…A-5 get a demo a day later; A-0…A-2 buy two
	// days after the demo (by a visit), A-3 buys 40 days after the ad (out of
	// a 30-day window).
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&accounts, "A-%d,Account %d,39.7,-104.9\n", i, i)
		fmt.Fprintf(&touches, "A-%d,2025-03-01T10:00:00Z,ad,ad_click,,\n", i)
		if i < 6 {
			fmt.Fprintf(&touches, "A-%d,2025-03-02T10:00:00Z,email,demo,,\n", i)
		}
		if i < 3 {
			fmt.Fprintf(&touches, "A-%d,2025-03-04T10:00:00Z,visit,visit,sale,1000\n", i)
		}
	}
	fmt.Fprintf(&touches, "A-3,2025-04-10T10:00:00Z,visit,visit,sale,500\n")
	if _, stderr, err := cli(t, "", "import", "accounts", writeFile(t, work, "a.csv", accounts.String()), "--data", data); err != nil {
		t.Fatalf("import accounts: %v\n%s", err, stderr)
	}
	if _, stderr, err := cli(t, "", "import", "interactions", writeFile(t, work, "i.csv", touches.String()), "--data", data); err != nil {
		t.Fatalf("import interactions: %v\n%s", err, stderr)
	}

	out, stderr, err := cli(t, "", "analyze", "funnel", "--data", data, "--step", "type=ad_click", "--step", "type=demo",
		"--step", "channel=visit,outcome=sale", "--window", "30d", "--per-account", "--json")
	if err != nil {
		t.Fatalf("analyze funnel: %v\n%s", err, stderr)
	}
	var f struct {
		Steps []struct {
			Filter        string   `json:"filter"`
			Accounts      int      `json:"accounts"`
			Conversion    float64  `json:"conversion"`
			MedianSeconds *float64 `json:"median_seconds"`
		} `json:"steps"`
		PerAccount []struct {
			Account string `json:"account"`
			Level   int    `json:"level"`
		} `json:"per_account"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("funnel JSON: %v\n%s", err, out)
	}
	if len(f.Steps) != 3 {
		t.Fatalf("funnel steps = %d, want 3:\n%s", len(f.Steps), out)
	}
	wantAccounts := []int{10, 6, 3}
	wantMedian := []float64{0, 86400, 2 * 86400}
	for i, st := range f.Steps {
		if st.Accounts != wantAccounts[i] {
			t.Errorf("step %d (%s) accounts = %d, want %d", i+1, st.Filter, st.Accounts, wantAccounts[i])
		}
		if i > 0 && (st.MedianSeconds == nil || *st.MedianSeconds != wantMedian[i]) {
			t.Errorf("step %d median_seconds = %v, want %v", i+1, st.MedianSeconds, wantMedian[i])
		}
	}
	if f.Steps[0].Filter != "type=ad_click" || math.Abs(f.Steps[1].Conversion-0.6) > 1e-9 || math.Abs(f.Steps[2].Conversion-0.3) > 1e-9 {
		t.Errorf("steps = %+v, want the first filter and conversions 0.6 and 0.3 from the first step", f.Steps)
	}
	levels := map[string]int{}
	for _, a := range f.PerAccount {
		levels[a.Account] = a.Level
	}
	if len(levels) != 10 || levels["A-0"] != 3 || levels["A-3"] != 2 || levels["A-9"] != 1 {
		t.Errorf("per_account = %v, want A-0…A-2 at 3, A-3…A-5 at 2, A-6…A-9 at 1", levels)
	}

	out, stderr, err = cli(t, "", "analyze", "attribution", "--data", data, "--conversion", "outcome=sale", "--model", "linear", "--json")
	if err != nil {
		t.Fatalf("analyze attribution: %v\n%s", err, stderr)
	}
	var a struct {
		Conversions int `json:"conversions"`
		Channels    []struct {
			Channel string  `json:"channel"`
			Credit  float64 `json:"credit"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("attribution JSON: %v\n%s", err, out)
	}
	sum := 0.0
	for _, c := range a.Channels {
		sum += c.Credit
	}
	if a.Conversions != 4 || math.Abs(sum-4) > 1e-9 {
		t.Errorf("attribution: %d conversions, credits add up to %v; want 4 and 4\n%s", a.Conversions, sum, out)
	}
}
