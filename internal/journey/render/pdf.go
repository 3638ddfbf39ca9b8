package render

import (
	"io"
	"time"

	"github.com/go-pdf/fpdf"
)

// pxToPt converts layout pixels (CSS pixels, 96 per inch) to PDF points.
const pxToPt = 0.75

// PDF writes the drawing as a one-page PDF the drawing's size, with its
// text in Helvetica (a standard font every reader has, so nothing is
// embedded and pdftotext reads the words). Characters Windows-1252 lacks
// are dropped by the font's encoding.
func (d *Drawing) PDF(w io.Writer, title string) error {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "pt", Size: fpdf.SizeType{Wd: d.W * pxToPt, Ht: d.H * pxToPt}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	// A fixed date keeps the file the same from one export to the next.
	pdf.SetCreationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	pdf.SetModificationDate(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	pdf.SetCatalogSort(true)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.SetTitle(tr(title), false)
	pdf.SetCreator("Meridian", false)
	pdf.AddPage()
	pdf.SetLineCapStyle("round")
	pdf.SetLineJoinStyle("round")
	k := pxToPt
	setFill := func(c string) {
		rgb := parseHex(c)
		pdf.SetFillColor(int(rgb.R), int(rgb.G), int(rgb.B))
	}
	setDraw := func(c string, width float64) {
		rgb := parseHex(c)
		pdf.SetDrawColor(int(rgb.R), int(rgb.G), int(rgb.B))
		pdf.SetLineWidth(width * k)
	}
	style := func(op Op) string {
		s := ""
		if op.Fill != "" {
			setFill(op.Fill)
			s += "F"
		}
		if op.Stroke != "" {
			setDraw(op.Stroke, op.StrokeWidth)
			s += "D"
		}
		return s
	}
	for _, op := range d.Ops {
		switch op.Kind {
		case "rect":
			st := style(op)
			if st == "" {
				continue
			}
			if op.R > 0 {
				pdf.RoundedRect(op.X*k, op.Y*k, op.W*k, op.H*k, op.R*k, "1234", st)
			} else {
				pdf.Rect(op.X*k, op.Y*k, op.W*k, op.H*k, st)
			}
		case "line":
			setDraw(op.Stroke, op.StrokeWidth)
			pdf.Line(op.X*k, op.Y*k, (op.X+op.W)*k, (op.Y+op.H)*k)
		case "polyline":
			setDraw(op.Stroke, op.StrokeWidth)
			for i := 1; i < len(op.Points); i++ {
				a, b := op.Points[i-1], op.Points[i]
				pdf.Line(a.X*k, a.Y*k, b.X*k, b.Y*k)
			}
		case "circle":
			if st := style(op); st != "" {
				pdf.Circle(op.X*k, op.Y*k, op.R*k, st)
			}
		case "text":
			st := ""
			if op.Bold {
				st = "B"
			}
			pdf.SetFont("Helvetica", st, op.Size*k)
			rgb := parseHex(op.Fill)
			pdf.SetTextColor(int(rgb.R), int(rgb.G), int(rgb.B))
			s := tr(op.Text)
			x := op.X * k
			if op.Anchor == "middle" {
				x -= pdf.GetStringWidth(s) / 2
			}
			pdf.Text(x, op.Y*k, s)
		}
	}
	return pdf.Output(w)
}
