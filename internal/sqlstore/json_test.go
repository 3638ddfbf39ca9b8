package sqlstore

import (
	"encoding/json"
	"testing"
)

func TestJSONEncodersMatchEncodingJSON(t *testing.T) {
	strs := [][]string{nil, {}, {"a"}, {"quote\"", "back\\slash", "new\nline", "tab\t", "nul\x00", "bell\x07", "é ü 漢字", "bad\xffutf8", "<html>&"}}
	for _, v := range strs {
		want := "[]"
		if len(v) > 0 {
			b, _ := json.Marshal(v)
			want = string(b)
		}
		got := jsonStrings(v)
		var back []string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("jsonStrings(%q) = %s: not JSON: %v", v, got, err)
			continue
		}
		var wantBack []string
		json.Unmarshal([]byte(want), &wantBack)
		if len(back) != len(wantBack) {
			t.Errorf("jsonStrings(%q) = %s, want %s", v, got, want)
		}
		for i := range back {
			if back[i] != wantBack[i] {
				t.Errorf("jsonStrings(%q)[%d] decodes to %q, want %q", v, i, back[i], wantBack[i])
			}
		}
	}
	maps := []map[string]string{nil, {}, {"b": "2", "a": "1"}, {"k\"ey": "v\\al\n", "Zebra": "漢", "x\x01": "\xfe"}}
	for _, m := range maps {
		got := jsonMap(m)
		var back map[string]string
		if err := json.Unmarshal([]byte(got), &back); err != nil {
			t.Errorf("jsonMap(%q) = %s: not JSON: %v", m, got, err)
			continue
		}
		b, _ := json.Marshal(m)
		var wantBack map[string]string
		json.Unmarshal(b, &wantBack)
		if len(back) != len(wantBack) {
			t.Errorf("jsonMap(%q) = %s, want %s", m, got, b)
		}
		for k, v := range wantBack {
			if back[k] != v {
				t.Errorf("jsonMap(%q)[%q] = %q, want %q", m, k, back[k], v)
			}
		}
	}
	if got := jsonMap(map[string]string{"b": "2", "a": "1"}); got != `{"a":"1","b":"2"}` {
		t.Errorf("jsonMap keys not sorted: %s", got)
	}
}
