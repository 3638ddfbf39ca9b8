// Package rendertest holds test helpers for checking rendered journey maps.
package rendertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// PDFText runs pdftotext on pdf and returns its text. It skips the test when
// pdftotext is absent, and fails instead when MERIDIAN_REQUIRE_CHROMIUM is
// set (as in CI, which installs poppler-utils with Chromium).
func PDFText(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("MERIDIAN_REQUIRE_CHROMIUM") != "" {
			t.Fatal("MERIDIAN_REQUIRE_CHROMIUM is set but pdftotext (poppler-utils) is not installed")
		}
		t.Skip("PDF text check skipped: install poppler-utils for pdftotext")
	}
	path := filepath.Join(t.TempDir(), "j.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-raw", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
