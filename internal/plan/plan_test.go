package plan

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{{"08:00", 8 * 3600, true}, {"00:00", 0, true}, {"24:00", 86400, true}, {"13:45", 13*3600 + 45*60, true},
		{"24:01", 0, false}, {"8:00", 0, false}, {"08:60", 0, false}, {"0a:00", 0, false}, {"", 0, false}} {
		got, err := ParseClock("shift_start", tt.in)
		if tt.ok && (err != nil || got != tt.want) {
			t.Errorf("ParseClock(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
		if !tt.ok && !derrors.Is(err, derrors.Invalid) {
			t.Errorf("ParseClock(%q) error = %v, want Invalid naming shift_start", tt.in, err)
		}
	}
}

func TestRepIDs(t *testing.T) {
	p := &Plan{Request: Request{RepIDs: []int64{3, 4, 3}}, Routes: []Route{{RepID: 4}, {RepID: 9}}}
	if d := cmp.Diff([]int64{3, 4, 9}, p.RepIDs()); d != "" {
		t.Errorf("RepIDs (-want +got):\n%s", d)
	}
	if !p.HasRep(9) || !p.HasRep(3) || p.HasRep(5) {
		t.Errorf("HasRep: 9 %v, 3 %v, 5 %v; want true, true, false", p.HasRep(9), p.HasRep(3), p.HasRep(5))
	}
}
