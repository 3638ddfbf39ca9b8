package render

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	"golang.org/x/image/vector"
)

// PNG rasterises the drawing at scale pixels per layout pixel (1 gives the
// layout's width, at least MinWidth = 1,600 px) and writes it as PNG.
func (d *Drawing) PNG(w io.Writer, scale float64) error {
	if scale <= 0 {
		scale = 1
	}
	img := d.Raster(scale)
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	return enc.Encode(w, img)
}

// Raster draws the drawing into an RGBA image.
func (d *Drawing) Raster(scale float64) *image.RGBA {
	W, H := int(math.Ceil(d.W*scale)), int(math.Ceil(d.H*scale))
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.White), image.Point{}, draw.Src)
	r := &raster{img: img, s: scale}
	for _, op := range d.Ops {
		switch op.Kind {
		case "rect":
			if op.Stroke != "" {
				sw := op.StrokeWidth
				r.roundRect(op.X, op.Y, op.W, op.H, op.R, op.Stroke)
				if op.Fill != "" {
					r.roundRect(op.X+sw, op.Y+sw, op.W-2*sw, op.H-2*sw, math.Max(0, op.R-sw), op.Fill)
				}
			} else if op.Fill != "" {
				r.roundRect(op.X, op.Y, op.W, op.H, op.R, op.Fill)
			}
		case "line":
			r.segment(Point{op.X, op.Y}, Point{op.X + op.W, op.Y + op.H}, op.StrokeWidth, op.Stroke)
		case "polyline":
			for i := 1; i < len(op.Points); i++ {
				r.segment(op.Points[i-1], op.Points[i], op.StrokeWidth, op.Stroke)
			}
			for _, p := range op.Points {
				r.circle(p.X, p.Y, op.StrokeWidth/2, op.Stroke) // round joins
			}
		case "circle":
			if op.Stroke != "" {
				r.circle(op.X, op.Y, op.R+op.StrokeWidth/2, op.Stroke)
				r.circle(op.X, op.Y, op.R-op.StrokeWidth/2, op.Fill)
			} else {
				r.circle(op.X, op.Y, op.R, op.Fill)
			}
		case "text":
			r.text(op)
		}
	}
	return img
}

type raster struct {
	img *image.RGBA
	s   float64
	z   vector.Rasterizer
}

func parseHex(s string) color.RGBA {
	if len(s) != 7 || s[0] != '#' {
		return color.RGBA{0, 0, 0, 255}
	}
	v, err := strconv.ParseUint(s[1:], 16, 32)
	if err != nil {
		return color.RGBA{0, 0, 0, 255}
	}
	return color.RGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}
}

// fill rasterises one closed shape. The rasterizer covers only the shape's
// bounding box: one sized to the whole image would cost its full area for
// every chip and dot.
func (r *raster) fill(minX, minY, maxX, maxY float64, col string, path func(tx func(x, y float64) (float32, float32))) {
	b := image.Rect(int(math.Floor(minX*r.s))-1, int(math.Floor(minY*r.s))-1, int(math.Ceil(maxX*r.s))+1, int(math.Ceil(maxY*r.s))+1).Intersect(r.img.Bounds())
	if b.Empty() || col == "" {
		return
	}
	r.z.Reset(b.Dx(), b.Dy())
	ox, oy := float64(b.Min.X), float64(b.Min.Y)
	path(func(x, y float64) (float32, float32) { return float32(x*r.s - ox), float32(y*r.s - oy) })
	r.z.Draw(r.img, b, image.NewUniform(parseHex(col)), image.Point{})
}

func (r *raster) roundRect(x, y, w, h, rad float64, col string) {
	if w <= 0 || h <= 0 {
		return
	}
	rad = math.Min(rad, math.Min(w, h)/2)
	r.fill(x, y, x+w, y+h, col, func(tx func(x, y float64) (float32, float32)) {
		m := func(px, py float64) { r.z.MoveTo(tx(px, py)) }
		l := func(px, py float64) { r.z.LineTo(tx(px, py)) }
		q := func(cx, cy, px, py float64) {
			a, b := tx(cx, cy)
			c, d := tx(px, py)
			r.z.QuadTo(a, b, c, d)
		}
		m(x+rad, y)
		l(x+w-rad, y)
		if rad > 0 {
			q(x+w, y, x+w, y+rad)
		}
		l(x+w, y+h-rad)
		if rad > 0 {
			q(x+w, y+h, x+w-rad, y+h)
		}
		l(x+rad, y+h)
		if rad > 0 {
			q(x, y+h, x, y+h-rad)
		}
		l(x, y+rad)
		if rad > 0 {
			q(x, y, x+rad, y)
		}
		r.z.ClosePath()
	})
}

// circle draws a disc with four cubic Béziers.
func (r *raster) circle(cx, cy, rad float64, col string) {
	if rad <= 0 {
		return
	}
	const k = 0.5522847498
	r.fill(cx-rad, cy-rad, cx+rad, cy+rad, col, func(tx func(x, y float64) (float32, float32)) {
		c := func(x1, y1, x2, y2, x3, y3 float64) {
			a, b := tx(x1, y1)
			c, d := tx(x2, y2)
			e, f := tx(x3, y3)
			r.z.CubeTo(a, b, c, d, e, f)
		}
		r.z.MoveTo(tx(cx+rad, cy))
		c(cx+rad, cy+k*rad, cx+k*rad, cy+rad, cx, cy+rad)
		c(cx-k*rad, cy+rad, cx-rad, cy+k*rad, cx-rad, cy)
		c(cx-rad, cy-k*rad, cx-k*rad, cy-rad, cx, cy-rad)
		c(cx+k*rad, cy-rad, cx+rad, cy-k*rad, cx+rad, cy)
		r.z.ClosePath()
	})
}

// segment strokes a line as a quadrilateral width wide.
func (r *raster) segment(a, b Point, width float64, col string) {
	dx, dy := b.X-a.X, b.Y-a.Y
	l := math.Hypot(dx, dy)
	if l == 0 {
		return
	}
	nx, ny := -dy/l*width/2, dx/l*width/2
	pts := []Point{{a.X + nx, a.Y + ny}, {b.X + nx, b.Y + ny}, {b.X - nx, b.Y - ny}, {a.X - nx, a.Y - ny}}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, minY, maxX, maxY = math.Min(minX, p.X), math.Min(minY, p.Y), math.Max(maxX, p.X), math.Max(maxY, p.Y)
	}
	r.fill(minX, minY, maxX, maxY, col, func(tx func(x, y float64) (float32, float32)) {
		r.z.MoveTo(tx(pts[0].X, pts[0].Y))
		for _, p := range pts[1:] {
			r.z.LineTo(tx(p.X, p.Y))
		}
		r.z.ClosePath()
	})
}

func (r *raster) text(op Op) {
	f := face(op.Size*r.s, op.Bold)
	x := op.X * r.s
	if op.Anchor == "middle" {
		x -= TextWidth(op.Text, op.Size, op.Bold) * r.s / 2
	}
	fonts.mu.Lock()
	defer fonts.mu.Unlock()
	dr := font.Drawer{Dst: r.img, Src: image.NewUniform(parseHex(op.Fill)), Face: f,
		Dot: fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(op.Y * r.s * 64)}}
	dr.DrawString(op.Text)
}
