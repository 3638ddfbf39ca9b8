// Package render draws a journey map the way the editor shows it (stages
// across, lanes down, the emotion curve, touchpoint chips coloured by
// channel and each stage's live figures) and writes the drawing as SVG,
// PNG or PDF. One layout makes a list of drawing operations; each format
// only replays them, so the three files agree.
package render

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"github.com/meridian-crm/meridian/internal/journey"
)

// Point is a position in the drawing, in pixels from the top left.
type Point struct{ X, Y float64 }

// Op is one drawing operation.
type Op struct {
	// Kind is rect, line, polyline, circle or text.
	Kind       string
	X, Y, W, H float64 // rect: box; line: from (X, Y) to (X+W, Y+H); circle: centre; text: baseline start
	R          float64 // rect: corner radius; circle: radius
	Points     []Point // polyline
	// Fill and Stroke are "#rrggbb" or "" for none.
	Fill, Stroke string
	StrokeWidth  float64
	Text         string
	Size         float64 // text: font size in pixels
	Bold         bool
	Anchor       string // text: "" (start) or "middle"
}

// Drawing is a laid-out journey map.
type Drawing struct {
	W, H float64
	Ops  []Op
}

// Options say what to draw besides the document.
type Options struct {
	// Version is printed in the title line when not 0.
	Version int
	// Metrics, when set, are shown under each stage's name and beside the
	// KPIs.
	Metrics *journey.Metrics
}

// Geometry of the layout, in pixels.
const (
	MinWidth  = 1600.0
	margin    = 24.0
	labelW    = 150.0
	minColW   = 210.0
	pad       = 8.0
	textSize  = 12.0
	lineH     = 16.0
	headerH   = 70.0
	emotionH  = 110.0
	chipH     = 20.0
	chipGap   = 5.0
	chipSize  = 11.0
	titleSize = 24.0
)

// Colours.
const (
	colInk       = "#1f2328"
	colMuted     = "#57606a"
	colGrid      = "#d0d7de"
	colLabelBg   = "#f3f4f6"
	colHeader    = "#1d4f91"
	colHeaderInk = "#ffffff"
	colCurve     = "#6a3d9a"
	colMet       = "#1a7f37"
	colMissed    = "#cf222e"
)

// ChannelColor is the colour of a touchpoint chip; channels Meridian knows
// have fixed colours, others one picked from the channel's name.
func ChannelColor(channel string) string {
	if c, ok := channelColors[channel]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(channel))
	return spare[h.Sum32()%uint32(len(spare))]
}

var channelColors = map[string]string{
	"visit": "#1f77b4", "phone": "#2ca02c", "email": "#d62728", "web": "#9467bd", "social": "#e377c2",
	"event": "#8c564b", "ad": "#ff7f0e", "referral": "#17becf", "chat": "#bcbd22", "sms": "#7f7f7f", "other": "#5f6b7a",
}

var spare = []string{"#3b5b92", "#8a3ffc", "#007d79", "#b28600", "#a2191f", "#198038"}

// EmotionColor is the colour of an emotion from −2 to +2.
func EmotionColor(e int) string {
	switch {
	case e <= -2:
		return "#cf222e"
	case e == -1:
		return "#e16f24"
	case e == 0:
		return "#8c959f"
	case e == 1:
		return "#7cb342"
	}
	return "#1a7f37"
}

// fonts are the Go fonts; the layout measures text with them, and the
// PNG draws with them.
var fonts struct {
	once          sync.Once
	regular, bold *opentype.Font
	mu            sync.Mutex
	faces         map[faceKey]font.Face
}

type faceKey struct {
	size float64
	bold bool
}

func loadFonts() {
	var err error
	if fonts.regular, err = opentype.Parse(goregular.TTF); err != nil {
		panic(err)
	}
	if fonts.bold, err = opentype.Parse(gobold.TTF); err != nil {
		panic(err)
	}
	fonts.faces = map[faceKey]font.Face{}
}

// face returns a font face of size pixels (at 72 dpi a point is a pixel).
func face(size float64, bold bool) font.Face {
	fonts.once.Do(loadFonts)
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	k := faceKey{size, bold}
	if f := fonts.faces[k]; f != nil {
		return f
	}
	src := fonts.regular
	if bold {
		src = fonts.bold
	}
	f, err := opentype.NewFace(src, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err)
	}
	fonts.faces[k] = f
	return f
}

// TextWidth is the width of s in pixels.
func TextWidth(s string, size float64, bold bool) float64 {
	f := face(size, bold)
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	return fixedFloat(font.MeasureString(f, s))
}

func fixedFloat(v fixed.Int26_6) float64 { return float64(v) / 64 }

// wrap breaks s into lines at most width wide, at spaces where it can.
// Helvetica (the PDF's font) runs a little wider than the Go font, so the
// width kept is 92 % of the room.
func wrap(s string, width, size float64, bold bool) []string {
	width *= 0.92
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if TextWidth(try, size, bold) <= width {
			line = try
			continue
		}
		if line != "" {
			lines = append(lines, line)
		}
		// A word wider than the room is broken by characters.
		for TextWidth(w, size, bold) > width && len([]rune(w)) > 1 {
			rs := []rune(w)
			n := len(rs) - 1
			for n > 1 && TextWidth(string(rs[:n]), size, bold) > width {
				n--
			}
			lines = append(lines, string(rs[:n]))
			w = string(rs[n:])
		}
		line = w
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

type builder struct{ ops []Op }

func (b *builder) rect(x, y, w, h, r float64, fill, stroke string) {
	b.ops = append(b.ops, Op{Kind: "rect", X: x, Y: y, W: w, H: h, R: r, Fill: fill, Stroke: stroke, StrokeWidth: 1})
}

func (b *builder) text(x, y float64, s string, size float64, bold bool, fill, anchor string) {
	b.ops = append(b.ops, Op{Kind: "text", X: x, Y: y, Text: s, Size: size, Bold: bold, Fill: fill, Anchor: anchor})
}

// Layout lays out d.
func Layout(d *journey.Document, opt Options) *Drawing {
	n := len(d.Stages)
	colW := minColW
	if n > 0 {
		colW = math.Max(minColW, math.Floor((MinWidth-2*margin-labelW)/float64(n)))
	}
	W := math.Max(MinWidth, 2*margin+labelW+float64(n)*colW)
	b := &builder{}
	gridX := margin + labelW
	colX := func(i int) float64 { return gridX + float64(i)*colW }
	var metrics []journey.StageMetrics
	if opt.Metrics != nil && len(opt.Metrics.Stages) == n {
		metrics = opt.Metrics.Stages
	}

	// Title, persona and facts.
	y := margin + titleSize
	b.text(margin, y, d.Name, titleSize, true, colInk, "")
	var facts []string
	if d.Owner != "" {
		facts = append(facts, "owner "+d.Owner)
	}
	facts = append(facts, "status "+d.Status)
	if d.ReviewEveryDays > 0 {
		facts = append(facts, fmt.Sprintf("review every %d days", d.ReviewEveryDays))
	}
	if opt.Version > 0 {
		facts = append(facts, fmt.Sprintf("version %d", opt.Version))
	}
	y += 20
	b.text(margin, y, strings.Join(facts, " · "), textSize, false, colMuted, "")
	p := d.Persona
	personaLines := []string{}
	head := "Persona: " + p.Name
	if p.Quote != "" {
		head += ` - "` + p.Quote + `"`
	}
	personaLines = append(personaLines, wrap(head, W-2*margin, 14, true)...)
	desc := p.Description
	if len(p.Goals) > 0 {
		desc = strings.TrimSpace(desc + " Goals: " + strings.Join(p.Goals, "; ") + ".")
	}
	if len(p.PainPoints) > 0 {
		desc = strings.TrimSpace(desc + " Pain points: " + strings.Join(p.PainPoints, "; ") + ".")
	}
	descLines := wrap(desc, W-2*margin, textSize, false)
	y += 24
	for _, l := range personaLines {
		b.text(margin, y, l, 14, true, colInk, "")
		y += 18
	}
	for _, l := range descLines {
		b.text(margin, y, l, textSize, false, colMuted, "")
		y += lineH
	}
	y += 10

	// Stage headers with the live figures.
	for i, s := range d.Stages {
		x := colX(i)
		b.rect(x+2, y, colW-4, headerH, 6, colHeader, "")
		b.text(x+colW/2, y+24, s.Name, 16, true, colHeaderInk, "middle")
		var l1, l2 string
		switch {
		case metrics != nil && metrics[i].Measured:
			m := metrics[i]
			l1 = fmt.Sprintf("%d accounts", m.Accounts)
			if m.Conversion != nil {
				l1 += fmt.Sprintf(" · %s%% from previous", trim(*m.Conversion*100, 1))
			}
			if m.MedianSecondsFromPrevious != nil {
				l2 = "median " + Duration(*m.MedianSecondsFromPrevious) + " from previous"
			}
		case metrics != nil:
			l1 = "not measured (no entry rule)"
		}
		if l1 != "" {
			b.text(x+colW/2, y+44, l1, textSize, false, colHeaderInk, "middle")
		}
		if l2 != "" {
			b.text(x+colW/2, y+60, l2, textSize, false, colHeaderInk, "middle")
		}
	}
	y += headerH + 6

	// Lanes.
	for _, lane := range journey.Lanes {
		var h float64
		var draw func(top float64)
		switch lane {
		case "emotion":
			h = emotionH
			draw = func(top float64) { emotionLane(b, d, top, colX, colW) }
		case "touchpoints":
			rows := 1
			for _, s := range d.Stages {
				rows = max(rows, len(chipRows(s.Touchpoints, colW-2*pad)))
			}
			h = 2*pad + float64(rows)*(chipH+chipGap) - chipGap
			draw = func(top float64) {
				for i, s := range d.Stages {
					for r, row := range chipRows(s.Touchpoints, colW-2*pad) {
						cx := colX(i) + pad
						cy := top + pad + float64(r)*(chipH+chipGap)
						for _, c := range row {
							b.rect(cx, cy, c.w, chipH, chipH/2, ChannelColor(c.tp.Channel), "")
							b.text(cx+c.w/2, cy+14.5, c.label, chipSize, false, "#ffffff", "middle")
							cx += c.w + chipGap
						}
					}
				}
			}
		default:
			cells := make([][]cellLine, n)
			lines := 1
			for i, s := range d.Stages {
				var m *journey.StageMetrics
				if metrics != nil {
					m = &metrics[i]
				}
				cells[i] = laneLines(lane, s, m, colW-2*pad)
				lines = max(lines, len(cells[i]))
			}
			h = 2*pad + float64(lines)*lineH
			draw = func(top float64) {
				for i := range d.Stages {
					for k, l := range cells[i] {
						col := colInk
						if l.color != "" {
							col = l.color
						}
						b.text(colX(i)+pad+l.indent, top+pad+12+float64(k)*lineH, l.text, textSize, false, col, "")
					}
				}
			}
		}
		// Grid first, content over it.
		b.rect(margin, y, labelW, h, 0, colLabelBg, colGrid)
		b.text(margin+pad, y+pad+13, journey.LaneTitle(lane), 13, true, colInk, "")
		for i := range d.Stages {
			b.rect(colX(i), y, colW, h, 0, "#ffffff", colGrid)
		}
		draw(y)
		y += h
	}

	// Channel legend.
	y += 18
	seen := map[string]bool{}
	var chans []string
	for _, s := range d.Stages {
		for _, tp := range s.Touchpoints {
			if !seen[tp.Channel] {
				seen[tp.Channel] = true
				chans = append(chans, tp.Channel)
			}
		}
	}
	if len(chans) > 0 {
		b.text(margin, y+14, "Channels:", textSize, true, colInk, "")
		x := margin + 80
		for _, c := range chans {
			w := TextWidth(c, chipSize, false) + 2*pad
			if x+w > W-margin {
				x = margin + 80
				y += chipH + chipGap
			}
			b.rect(x, y, w, chipH, chipH/2, ChannelColor(c), "")
			b.text(x+w/2, y+14.5, c, chipSize, false, "#ffffff", "middle")
			x += w + chipGap
		}
		y += chipH
	}
	return &Drawing{W: W, H: math.Ceil(y + margin), Ops: b.ops}
}

type cellLine struct {
	text   string
	indent float64
	color  string
}

// laneLines are the text lines of one cell.
func laneLines(lane string, s journey.Stage, m *journey.StageMetrics, width float64) []cellLine {
	var items []string
	switch lane {
	case "actions":
		items = s.Actions
	case "thoughts":
		items = s.Thoughts
	case "goals":
		items = s.Goals
	case "owners":
		items = s.Owners
	case "pain_points":
		items = s.PainPoints
	case "opportunities":
		items = s.Opportunities
	case "entry":
		if s.Entry == "" {
			return []cellLine{{text: "(not measured)", color: colMuted}}
		}
		var out []cellLine
		for _, l := range wrap(s.Entry, width, textSize, false) {
			out = append(out, cellLine{text: l})
		}
		return out
	case "kpis":
		var out []cellLine
		for i, k := range s.KPIs {
			out = append(out, bullet(journey.KPIText(k), width, "")...)
			if m != nil && i < len(m.KPIs) && m.KPIs[i].Actual != nil {
				r := m.KPIs[i]
				col, word := colMet, "met"
				if !*r.Met {
					col, word = colMissed, "not met"
				}
				out = append(out, cellLine{text: fmt.Sprintf("actual %s %s (%s)", trim(*r.Actual, 1), r.Unit, word), indent: 12, color: col})
			}
		}
		return out
	}
	var out []cellLine
	for _, it := range items {
		out = append(out, bullet(it, width, "")...)
	}
	return out
}

func bullet(s string, width float64, color string) []cellLine {
	var out []cellLine
	for k, l := range wrap(s, width-12, textSize, false) {
		if k == 0 {
			out = append(out, cellLine{text: "• " + l, color: color})
		} else {
			out = append(out, cellLine{text: l, indent: 12, color: color})
		}
	}
	return out
}

type chip struct {
	tp    journey.Touchpoint
	label string
	w     float64
}

// chipRows flows a stage's touchpoint chips into rows that fit width.
func chipRows(tps []journey.Touchpoint, width float64) [][]chip {
	var rows [][]chip
	var row []chip
	used := 0.0
	for _, tp := range tps {
		label := tp.Name
		for TextWidth(label, chipSize, false)+2*pad > width && len([]rune(label)) > 4 {
			rs := []rune(label)
			label = string(rs[:len(rs)-4]) + "..."
		}
		c := chip{tp: tp, label: label, w: TextWidth(label, chipSize, false) + 2*pad}
		if len(row) > 0 && used+chipGap+c.w > width {
			rows = append(rows, row)
			row, used = nil, 0
		}
		if len(row) > 0 {
			used += chipGap
		}
		row = append(row, c)
		used += c.w
	}
	if len(row) > 0 {
		rows = append(rows, row)
	}
	return rows
}

func emotionLane(b *builder, d *journey.Document, top float64, colX func(int) float64, colW float64) {
	yOf := func(e int) float64 { return top + emotionH/2 - float64(e)*(emotionH/2-14)/2 }
	x0, x1 := colX(0), colX(len(d.Stages))
	for e := -2; e <= 2; e++ {
		col := "#eaeef2"
		if e == 0 {
			col = colGrid
		}
		b.ops = append(b.ops, Op{Kind: "line", X: x0, Y: yOf(e), W: x1 - x0, Stroke: col, StrokeWidth: 1})
	}
	var pts []Point
	for i, s := range d.Stages {
		pts = append(pts, Point{colX(i) + colW/2, yOf(s.Emotion)})
	}
	if len(pts) > 1 {
		b.ops = append(b.ops, Op{Kind: "polyline", Points: pts, Stroke: colCurve, StrokeWidth: 2.5})
	}
	for i, s := range d.Stages {
		b.ops = append(b.ops, Op{Kind: "circle", X: pts[i].X, Y: pts[i].Y, R: 7, Fill: EmotionColor(s.Emotion), Stroke: "#ffffff", StrokeWidth: 2})
		b.text(pts[i].X+10, pts[i].Y-10, fmt.Sprintf("%+d", s.Emotion), textSize, true, EmotionColor(s.Emotion), "")
	}
}

// Duration formats seconds as the editor does: "3 d", "5.5 h", "12 min".
func Duration(sec float64) string {
	switch {
	case sec >= 86400:
		return trim(sec/86400, 1) + " d"
	case sec >= 3600:
		return trim(sec/3600, 1) + " h"
	case sec >= 60:
		return trim(sec/60, 0) + " min"
	}
	return trim(sec, 0) + " s"
}

func trim(f float64, decimals int) string {
	s := fmt.Sprintf("%.*f", decimals, f)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
