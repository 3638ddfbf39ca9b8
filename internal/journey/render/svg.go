package render

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// fontFamily lists the Go font (which the layout measures with) first.
const fontFamily = "Go, 'Helvetica Neue', Helvetica, Arial, sans-serif"

// SVG writes the drawing as a standalone SVG document. Numbers are printed
// with at most two decimals, so the output is stable across platforms (the
// golden file depends on it).
func (d *Drawing) SVG(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="%s">`+"\n",
		num(d.W), num(d.H), num(d.W), num(d.H), fontFamily)
	fmt.Fprintf(bw, `<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`+"\n", num(d.W), num(d.H))
	for _, op := range d.Ops {
		switch op.Kind {
		case "rect":
			fmt.Fprintf(bw, `<rect x="%s" y="%s" width="%s" height="%s"`, num(op.X), num(op.Y), num(op.W), num(op.H))
			if op.R > 0 {
				fmt.Fprintf(bw, ` rx="%s"`, num(op.R))
			}
			paint(bw, op)
			bw.WriteString("/>\n")
		case "line":
			fmt.Fprintf(bw, `<line x1="%s" y1="%s" x2="%s" y2="%s"`, num(op.X), num(op.Y), num(op.X+op.W), num(op.Y+op.H))
			paint(bw, op)
			bw.WriteString("/>\n")
		case "polyline":
			var pts []string
			for _, p := range op.Points {
				pts = append(pts, num(p.X)+","+num(p.Y))
			}
			fmt.Fprintf(bw, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" stroke-linecap="round"/>`+"\n",
				strings.Join(pts, " "), op.Stroke, num(op.StrokeWidth))
		case "circle":
			fmt.Fprintf(bw, `<circle cx="%s" cy="%s" r="%s"`, num(op.X), num(op.Y), num(op.R))
			paint(bw, op)
			bw.WriteString("/>\n")
		case "text":
			fmt.Fprintf(bw, `<text x="%s" y="%s" font-size="%s" fill="%s"`, num(op.X), num(op.Y), num(op.Size), op.Fill)
			if op.Bold {
				bw.WriteString(` font-weight="bold"`)
			}
			if op.Anchor == "middle" {
				bw.WriteString(` text-anchor="middle"`)
			}
			bw.WriteString(">")
			if err := xml.EscapeText(bw, []byte(op.Text)); err != nil {
				return err
			}
			bw.WriteString("</text>\n")
		}
	}
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

func paint(w *bufio.Writer, op Op) {
	fill := op.Fill
	if fill == "" {
		fill = "none"
	}
	fmt.Fprintf(w, ` fill="%s"`, fill)
	if op.Stroke != "" {
		fmt.Fprintf(w, ` stroke="%s" stroke-width="%s"`, op.Stroke, num(op.StrokeWidth))
	}
}

func num(f float64) string {
	s := strconv.FormatFloat(f, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}
