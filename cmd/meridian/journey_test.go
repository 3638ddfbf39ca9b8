package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// The car-purchase journey imports, exports to the same JSON and back;
// templates list and make new journeys; bad input exits with a reason.
func TestCLIJourney(t *testing.T) {
	data := t.TempDir()
	src := "../../internal/journey/testdata/car_purchase.json"
	out, _, err := cli(t, "", "import", "journey", src, "--json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.ID == 0 {
		t.Fatalf("import --json printed %q", out)
	}
	first, _, err := cli(t, "", "export", "journey", "1", "--format", "json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "again.json")
	if err := os.WriteFile(p, []byte(first), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, _, err = cli(t, "", "import", "journey", p, "--json", "--data", data); err != nil || strings.TrimSpace(out) != `{"id":2}` {
		t.Fatalf("re-import = %q, %v", out, err)
	}
	second, _, _ := cli(t, "", "export", "journey", "2", "--data", data)
	if first != second || !strings.Contains(first, `"name": "Post-Purchase"`) {
		t.Errorf("export → import → export differs:\n%s\n---\n%s", first, second)
	}
	pngPath := filepath.Join(t.TempDir(), "j.png")
	if _, _, err := cli(t, "", "export", "journey", "1", "--format", "png", "--out", pngPath, "--data", data); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pngPath)
	if img, err := png.Decode(bytes.NewReader(b)); err != nil || img.Bounds().Dx() < 1200 {
		t.Errorf("png export: %v", err)
	}

	out, _, err = cli(t, "", "journey", "templates", "--data", data)
	if err != nil || !strings.Contains(out, "car_purchase") || !strings.Contains(out, "field_sale") || !strings.Contains(out, "b2b_sale") {
		t.Errorf("templates = %q, %v", out, err)
	}
	out, _, err = cli(t, "", "journey", "new", "--template", "b2b_sale", "--json", "--data", data)
	if err != nil || !strings.Contains(out, `"id":3`) {
		t.Errorf("journey new = %q, %v", out, err)
	}

	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(first, `"emotion": -1`, `"emotion": -7`, 1)), 0o600)
	_, _, err = cli(t, "", "import", "journey", bad, "--data", data)
	if !derrors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), `stage 3 "Considering": emotion: -7`) {
		t.Errorf("bad import = %v", err)
	}
	if _, _, err = cli(t, "", "export", "journey", "99", "--data", data); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("export unknown = %v, want NotFound", err)
	}
	if _, _, err = cli(t, "", "journey", "new", "--template", "nope", "--data", data); !derrors.Is(err, derrors.NotFound) {
		t.Errorf("unknown template = %v", err)
	}
}
