package account

import (
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/geo"
)

func TestStageMapper(t *testing.T) {
	p := NewPipeline(DefaultPipeline())
	m, err := NewStageMapper(p, DefaultStageMap())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"Prospect", "lead", true}, {"Customer - Direct", "customer", true}, {"Channel Partner / Reseller", "customer", true},
		{"marketingqualifiedlead", "contacted", true}, {"Marketing Qualified Lead", "contacted", true},
		{"salesqualifiedlead", "qualified", true}, {"opportunity", "proposal", true}, {"Customer", "customer", true},
		{"New lead", "lead", true}, {"", "lead", true}, {"Closed Won", "customer", true}, {"banana", "", false},
	}
	for _, tt := range tests {
		got, ok := m.Map(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Map(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidatePipeline(t *testing.T) {
	if err := ValidatePipeline(DefaultPipeline()); err != nil {
		t.Fatal(err)
	}
	bad := [][]Stage{
		nil,
		{{Key: "Lead", Name: "x", Kind: KindLead, Color: "#000000"}},
		{{Key: "a", Name: "x", Kind: KindLead, Color: "#000000"}, {Key: "a", Name: "y", Kind: KindLead, Color: "#000000"}},
		{{Key: "a", Name: "x", Kind: "won", Color: "#000000"}},
		{{Key: "a", Name: "x", Kind: KindLead, Color: "red"}},
	}
	for _, b := range bad {
		if err := ValidatePipeline(b); err == nil {
			t.Errorf("ValidatePipeline(%v) = nil error", b)
		}
	}
}

func TestAccountValidate(t *testing.T) {
	a := &Account{Name: "  Acme  ", Stage: "lead", Location: &geo.Point{Lon: 1, Lat: 2}, Tags: []string{"VIP", " vip ", "", "new"}, Custom: map[string]string{"Industry": "x"}}
	if err := a.Validate(); err != nil {
		t.Fatal(err)
	}
	if a.Name != "Acme" || a.Precision != PrecisionExact || strings.Join(a.Tags, ",") != "new,vip" {
		t.Errorf("after Validate: name %q precision %q tags %v", a.Name, a.Precision, a.Tags)
	}
	for name, bad := range map[string]*Account{
		"name":     {Name: " ", Stage: "lead"},
		"location": {Name: "x", Stage: "lead", Location: &geo.Point{Lon: 500, Lat: 0}},
		"custom":   {Name: "x", Stage: "lead", Custom: map[string]string{" leading space": "v"}},
		"stage":    {Name: "x"},
	} {
		if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Validate(bad %s) = %v, want an error naming %s", name, err, name)
		}
	}
}

func TestCursor(t *testing.T) {
	if id, err := DecodeCursor(EncodeCursor(12345)); err != nil || id != 12345 {
		t.Errorf("cursor round trip = %d, %v", id, err)
	}
	for _, bad := range []string{"x", "YTEy!", EncodeCursor(1)[:1]} {
		if _, err := DecodeCursor(bad); err == nil {
			t.Errorf("DecodeCursor(%q) = nil error", bad)
		}
	}
	if l, _, _ := (Page{Limit: 1_000_000}).Normalize(); l != MaxLimit {
		t.Errorf("limit not capped: %d", l)
	}
}
