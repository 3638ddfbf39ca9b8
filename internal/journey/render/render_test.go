package render

import (
	"bytes"
	"encoding/xml"
	"flag"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/journey"
	"github.com/meridian-crm/meridian/internal/journey/render/rendertest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func carDoc(t *testing.T) *journey.Document {
	t.Helper()
	tpl, err := journey.TemplateByName("car_purchase")
	if err != nil {
		t.Fatal(err)
	}
	d := tpl.Document()
	d.Owner = "marketing@example.com"
	// Text that must be escaped in SVG and kept in every format.
	d.Stages[0].Thoughts = append(d.Stages[0].Thoughts, `Is <cheap> & "safe" possible?`)
	return d
}

func f(v float64) *float64 { return &v }
func b(v bool) *bool       { return &v }

// funnel is the live figures of the acceptance case (100/60/30/12/9).
func funnel(d *journey.Document) *journey.Metrics {
	acc := []int{100, 60, 30, 12, 9}
	m := &journey.Metrics{}
	for i, s := range d.Stages {
		sm := journey.StageMetrics{Name: s.Name, Measured: true, Accounts: acc[i], KPIs: []journey.KPIResult{}}
		if i > 0 {
			sm.Conversion = f(float64(acc[i]) / float64(acc[i-1]))
			sm.MedianSecondsFromPrevious = f(259200)
		}
		for _, k := range s.KPIs {
			r := journey.KPIResult{Name: k.Name, Target: k.Target, Unit: k.Unit, Measure: journey.KPIMeasure(k.Unit)}
			if r.Measure == "conversion_percent" && sm.Conversion != nil {
				r.Actual, r.Met = f(*sm.Conversion*100), b(*sm.Conversion*100 >= k.Target)
			}
			sm.KPIs = append(sm.KPIs, r)
		}
		m.Stages = append(m.Stages, sm)
	}
	return m
}

// laneText is every piece of text the lanes hold.
func laneText(d *journey.Document) []string {
	var out []string
	for _, s := range d.Stages {
		out = append(out, s.Name, s.Entry)
		out = append(out, s.Actions...)
		out = append(out, s.Thoughts...)
		out = append(out, s.Goals...)
		out = append(out, s.Owners...)
		out = append(out, s.PainPoints...)
		out = append(out, s.Opportunities...)
		for _, tp := range s.Touchpoints {
			out = append(out, tp.Name, tp.Channel)
		}
		for _, k := range s.KPIs {
			out = append(out, journey.KPIText(k))
		}
	}
	return out
}

func TestSVG(t *testing.T) {
	d := carDoc(t)
	dr := Layout(d, Options{Version: 2, Metrics: funnel(d)})
	var buf bytes.Buffer
	if err := dr.SVG(&buf); err != nil {
		t.Fatal(err)
	}
	// Well-formed: encoding/xml reads it to the end; collect the text.
	dec := xml.NewDecoder(bytes.NewReader(buf.Bytes()))
	var texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			inText = tk.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tk))
			}
		}
	}
	all := strings.Join(texts, " ")
	all = strings.ReplaceAll(all, "• ", "")
	for _, want := range append(laneText(d), "Growing family", "100 accounts", "60% from previous", "median 3 d from previous", "actual 60 % (met)", "+2", "-1") {
		if !strings.Contains(all, want) {
			t.Errorf("SVG text lacks %q", want)
		}
	}
	if dr.W < 1200 {
		t.Errorf("drawing width %v, want ≥ 1200", dr.W)
	}
	golden(t, "car_purchase.svg", buf.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/journey/render -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got; -update rewrites it):\n%s", name, diff)
	}
}

func TestPNG(t *testing.T) {
	d := carDoc(t)
	dr := Layout(d, Options{Metrics: funnel(d)})
	var buf bytes.Buffer
	if err := dr.PNG(&buf, 1); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w < 1200 {
		t.Errorf("PNG width = %d, want ≥ 1200", w)
	}
	// The stage header of the first stage is painted in the header colour,
	// and the page is not blank.
	hx, hy := int(margin+labelW+20), 0
	for _, op := range dr.Ops {
		if op.Kind == "rect" && op.Fill == colHeader {
			hy = int(op.Y + 5)
			break
		}
	}
	r, g, bl, _ := img.At(hx, hy).RGBA()
	if want := parseHex(colHeader); uint8(r>>8) != want.R || uint8(g>>8) != want.G || uint8(bl>>8) != want.B {
		t.Errorf("pixel (%d,%d) = %d,%d,%d, want the header colour %s", hx, hy, r>>8, g>>8, bl>>8, colHeader)
	}
	dark := 0
	for y := 0; y < 60; y++ {
		for x := 0; x < 400; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r < 0x4000 {
				dark++
			}
		}
	}
	if dark < 100 {
		t.Errorf("title area has %d dark pixels: the title was not drawn", dark)
	}
}

func TestPDF(t *testing.T) {
	d := carDoc(t)
	dr := Layout(d, Options{Metrics: funnel(d)})
	var buf bytes.Buffer
	if err := dr.PDF(&buf, d.Name); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-1.")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:20])
	}
	text := rendertest.PDFText(t, buf.Bytes())
	for _, s := range d.Stages {
		if !strings.Contains(text, s.Name) {
			t.Errorf("pdftotext output lacks stage %q", s.Name)
		}
	}
	for _, want := range []string{"Family car purchase", "books a test drive", "100 accounts"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}

func BenchmarkRenderPNG(b *testing.B) {
	tpl, _ := journey.TemplateByName("car_purchase")
	d := tpl.Document()
	for b.Loop() {
		dr := Layout(d, Options{})
		if err := dr.PNG(io.Discard, 1); err != nil {
			b.Fatal(err)
		}
	}
}
