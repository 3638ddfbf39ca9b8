package visit

import "testing"

func TestFilter(t *testing.T) {
	in := &Interaction{Channel: "visit", Type: "demo", Outcome: "sale", Properties: map[string]string{"campaign": "Spring"}}
	for _, tc := range []struct {
		f    string
		want bool
	}{
		{"type=demo", true},
		{"type=quote", false},
		{"channel=visit,outcome=sale", true},
		{"channel=visit,outcome=no_answer", false},
		{"channel=phone|visit", true},
		{"channel!=visit", false},
		{"outcome!=no_answer", true},
		{"prop.campaign=spring", true},
		{"properties.campaign=autumn", false},
		{"Type = DEMO", true},
	} {
		f, err := ParseFilter(tc.f)
		if err != nil {
			t.Fatalf("%s: %v", tc.f, err)
		}
		if got := f.Match(in); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.f, got, tc.want)
		}
	}
	for _, bad := range []string{"", "type", "=demo", "colour=red", "type=", "type=a|"} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}
