package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/geo"
)

// MaxGeoJSONBytes is the largest GeoJSON file ReadTerritories reads.
const MaxGeoJSONBytes = 256 << 20

// MaxGeoJSONDepth is how deeply ReadTerritories lets arrays and objects
// nest. A FeatureCollection of MultiPolygons needs 8 levels.
const MaxGeoJSONDepth = 64

// maxListedErrors is how many invalid features one error lists.
const maxListedErrors = 10

// TerritoryFeature is one territory read from GeoJSON.
type TerritoryFeature struct {
	Index  int    // 1-based position of the feature in the file
	Name   string // trimmed, unique in the file (ignoring case)
	Reps   []string
	Color  string // #rrggbb, or "" when not given
	Parent string // the parent territory's name, or ""
	Shape  geo.MultiPolygon
}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// ReadTerritories reads a GeoJSON FeatureCollection, or a single Feature, of
// territories. Each feature needs a Polygon or MultiPolygon geometry that
// passes geo.MultiPolygon.Validate (closed rings, no self-intersection,
// coordinates in range) and a "name" property, unique in the file ignoring
// case. Optional properties: "reps" (an array of emails or one
// comma-separated string), "color" (#rrggbb) and "parent" (another
// territory's name, in the file or already in Meridian). Other properties
// and altitudes are ignored.
//
// The file is accepted whole or refused: the Invalid error names each
// invalid feature (up to ten) by index and name, as in
// `feature 3 ("North"): polygon 1 ring 1 is not closed: …`.
func ReadTerritories(r io.Reader) ([]TerritoryFeature, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxGeoJSONBytes+1))
	if err != nil {
		return nil, fmt.Errorf("importer: reading GeoJSON: %w", err)
	}
	if len(data) > MaxGeoJSONBytes {
		return nil, derrors.Invalidf("GeoJSON: the file is larger than %d MiB", MaxGeoJSONBytes>>20)
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, derrors.Invalidf("GeoJSON: the file is empty: expected a FeatureCollection")
	}
	if err := checkDepth(data, MaxGeoJSONDepth); err != nil {
		return nil, err
	}
	if !json.Valid(data) {
		// Unmarshal checks the syntax of the whole input before decoding,
		// and says where it is wrong.
		err := json.Unmarshal(data, &struct{}{})
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := lineCol(data, se.Offset)
			return nil, derrors.Invalidf("GeoJSON: not valid JSON at line %d, character %d: %v", line, col, se)
		}
		return nil, derrors.Invalidf("GeoJSON: not valid JSON: %v", err)
	}
	// Decoding features straight into raw messages copies each once.
	var top struct {
		Type     json.RawMessage   `json:"type"`
		Features []json.RawMessage `json:"features"`
	}
	if err := json.Unmarshal(data, &top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "features" {
			return nil, derrors.Invalidf("GeoJSON: \"features\" must be an array of features, got %s", te.Value)
		}
		return nil, derrors.Invalidf("GeoJSON: expected an object with \"type\": \"FeatureCollection\", got %s", kindOf(data))
	}
	typ, _ := stringMember(map[string]json.RawMessage{"type": top.Type}, "type")
	raws := top.Features
	switch typ {
	case "FeatureCollection":
		if len(raws) == 0 {
			return nil, derrors.Invalidf("GeoJSON: the FeatureCollection has no features")
		}
	case "Feature":
		raws = []json.RawMessage{data}
	case "Polygon", "MultiPolygon", "Point", "MultiPoint", "LineString", "MultiLineString", "GeometryCollection":
		return nil, derrors.Invalidf("GeoJSON: the file is a bare %s geometry; territories need a FeatureCollection of Features, each with a \"name\" property", typ)
	default:
		return nil, derrors.Invalidf("GeoJSON: \"type\" is %q; expected \"FeatureCollection\" or \"Feature\"", clip(typ))
	}

	feats := make([]TerritoryFeature, 0, len(raws))
	var problems []string
	nProblems := 0
	fail := func(msg string) {
		nProblems++
		if len(problems) < maxListedErrors {
			problems = append(problems, msg)
		}
	}
	byName := map[string]int{} // lower-case name → index
	for i, raw := range raws {
		f, err := readTerritory(i+1, raw)
		if err != nil {
			fail(err.Error())
			continue
		}
		k := strings.ToLower(f.Name)
		if j, dup := byName[k]; dup {
			fail(fmt.Sprintf("%s: the name is already used by feature %d; names must be unique", f.label(), j))
			continue
		}
		byName[k] = f.Index
		feats = append(feats, f)
	}
	if nProblems == 0 {
		for _, msg := range parentLoops(feats) {
			fail(msg)
		}
	}
	if nProblems > 0 {
		msg := strings.Join(problems, "\n")
		if nProblems > len(problems) {
			msg += fmt.Sprintf("\n… and %d more invalid features", nProblems-len(problems))
		}
		if nProblems > 1 {
			msg = fmt.Sprintf("GeoJSON: %d of %d features are invalid; nothing was imported:\n%s", nProblems, len(raws), msg)
		}
		return nil, derrors.Invalidf("%s", msg)
	}
	return feats, nil
}

func (f TerritoryFeature) label() string {
	if f.Name == "" {
		return fmt.Sprintf("feature %d", f.Index)
	}
	return fmt.Sprintf("feature %d (%q)", f.Index, f.Name)
}

// readTerritory reads and checks feature i (1-based).
func readTerritory(i int, raw json.RawMessage) (TerritoryFeature, error) {
	f := TerritoryFeature{Index: i}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return f, fmt.Errorf("%s: expected a Feature object, got %s", f.label(), kindOf(raw))
	}
	var props map[string]json.RawMessage
	if p, ok := obj["properties"]; ok && !isNull(p) {
		if err := json.Unmarshal(p, &props); err != nil {
			return f, fmt.Errorf("%s: \"properties\" must be an object, got %s", f.label(), kindOf(p))
		}
	}
	// The name first, so that later messages can show it.
	name, ok := stringMember(props, "name")
	if !ok {
		return f, fmt.Errorf("%s: properties.name must be a string, got %s", f.label(), kindOf(props["name"]))
	}
	f.Name = strings.TrimSpace(name)
	if t, _ := stringMember(obj, "type"); t != "Feature" {
		return f, fmt.Errorf("%s: \"type\" is %q; expected \"Feature\"", f.label(), t)
	}
	if f.Name == "" {
		return f, fmt.Errorf("%s: properties.name is required", f.label())
	}
	if len(f.Name) > 200 {
		return f, fmt.Errorf("%s: properties.name is %d characters long; at most 200", f.label(), len(f.Name))
	}

	shape, err := readShape(obj["geometry"])
	if err != nil {
		return f, fmt.Errorf("%s: %v", f.label(), err)
	}
	if err := shape.Validate(); err != nil {
		return f, fmt.Errorf("%s: %v", f.label(), err)
	}
	f.Shape = shape

	if f.Reps, err = readReps(props["reps"]); err != nil {
		return f, fmt.Errorf("%s: %v", f.label(), err)
	}
	color, ok := stringMember(props, "color")
	if !ok {
		return f, fmt.Errorf("%s: properties.color must be a string such as \"#1f77b4\", got %s", f.label(), kindOf(props["color"]))
	}
	if f.Color = strings.TrimSpace(color); f.Color != "" && !hexColor.MatchString(f.Color) {
		return f, fmt.Errorf("%s: properties.color %q is not a #rrggbb colour", f.label(), clip(f.Color))
	}
	parent, ok := stringMember(props, "parent")
	if !ok {
		return f, fmt.Errorf("%s: properties.parent must be a territory name, got %s", f.label(), kindOf(props["parent"]))
	}
	if f.Parent = strings.TrimSpace(parent); f.Parent != "" && strings.EqualFold(f.Parent, f.Name) {
		return f, fmt.Errorf("%s: properties.parent names the territory itself", f.label())
	}
	return f, nil
}

// readShape reads a Polygon or MultiPolygon geometry as a MultiPolygon.
func readShape(raw json.RawMessage) (geo.MultiPolygon, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, errors.New("geometry is missing; territories need a Polygon or MultiPolygon")
	}
	var g map[string]json.RawMessage
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, fmt.Errorf("geometry must be an object, got %s", kindOf(raw))
	}
	typ, _ := stringMember(g, "type")
	coords, ok := g["coordinates"]
	switch typ {
	case "Polygon", "MultiPolygon":
		if !ok || isNull(coords) {
			return nil, fmt.Errorf("the %s has no coordinates", typ)
		}
	case "":
		return nil, errors.New("geometry has no type; territories need a Polygon or MultiPolygon")
	default:
		return nil, fmt.Errorf("geometry type %q is not supported; territories need a Polygon or MultiPolygon", clip(typ))
	}
	p := &coordParser{b: coords}
	var m geo.MultiPolygon
	var err error
	if typ == "Polygon" {
		var poly geo.Polygon
		poly, err = p.polygon("polygon 1")
		m = geo.MultiPolygon{poly}
	} else {
		err = p.array("coordinates", func(i int) error {
			poly, err := p.polygon(fmt.Sprintf("polygon %d", i+1))
			m = append(m, poly)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// readReps reads the reps property: an array of emails or one string of
// them separated by commas (or semicolons). Empty entries are dropped.
func readReps(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || isNull(raw) {
		return nil, nil
	}
	var list []string
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		list = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' })
	} else {
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("properties.reps must be an array of emails or a comma-separated string, got %s", kindOf(raw))
		}
		for i, it := range items {
			var e string
			if err := json.Unmarshal(it, &e); err != nil {
				return nil, fmt.Errorf("properties.reps[%d] must be an email, got %s", i, kindOf(it))
			}
			list = append(list, e)
		}
	}
	var reps []string
	seen := map[string]bool{}
	for _, e := range list {
		e = strings.TrimSpace(e)
		if e == "" || seen[strings.ToLower(e)] {
			continue
		}
		if !looksLikeEmail(e) {
			return nil, fmt.Errorf("properties.reps: %q is not an email address", clip(e))
		}
		seen[strings.ToLower(e)] = true
		reps = append(reps, e)
	}
	return reps, nil
}

// looksLikeEmail is a loose check: one @ with something either side and no
// spaces.
func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t\r\n,;<>")
}

// parentLoops finds territories that are, through parent properties within
// the file, their own ancestor.
func parentLoops(feats []TerritoryFeature) []string {
	byName := make(map[string]*TerritoryFeature, len(feats))
	for i := range feats {
		byName[strings.ToLower(feats[i].Name)] = &feats[i]
	}
	var msgs []string
	reported := map[int]bool{}
	for i := range feats {
		f := &feats[i]
		seen := map[int]bool{f.Index: true}
		path := []string{f.Name}
		for p := byName[strings.ToLower(f.Parent)]; p != nil; p = byName[strings.ToLower(p.Parent)] {
			path = append(path, p.Name)
			if p.Index == f.Index {
				if !reported[f.Index] {
					for _, n := range path {
						reported[byName[strings.ToLower(n)].Index] = true
					}
					msgs = append(msgs, fmt.Sprintf("%s: the parent properties form a loop: %s", f.label(), strings.Join(path, " → ")))
				}
				break
			}
			if seen[p.Index] {
				break // a loop that does not include f; reported from its members
			}
			seen[p.Index] = true
		}
	}
	return msgs
}

// stringMember returns the string member k of obj: "" when it is missing or
// null, and false when it is something other than a string.
func stringMember(obj map[string]json.RawMessage, k string) (string, bool) {
	raw, ok := obj[k]
	if !ok || isNull(raw) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// kindOf names the kind of JSON value raw holds, for messages.
func kindOf(raw []byte) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "nothing"
	}
	switch c := t[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	default:
		return "a number"
	}
}

// checkDepth refuses JSON nested deeper than max.
func checkDepth(data []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			if depth++; depth > max {
				line, col := lineCol(data, int64(i))
				return derrors.Invalidf("GeoJSON: arrays and objects nest more than %d deep at line %d, character %d", max, line, col)
			}
		case ']', '}':
			depth--
		}
	}
	return nil
}

// lineCol turns a byte offset into a 1-based line and character.
func lineCol(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// coordParser reads GeoJSON coordinate arrays from JSON already known to be
// valid, with messages that say which polygon, ring and position is wrong.
type coordParser struct {
	b []byte
	i int
}

func (p *coordParser) skipSpace() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// rest is the input from the cursor on, for messages.
func (p *coordParser) rest() []byte { return p.b[p.i:] }

// array calls elem for each element of the array at the cursor; what names
// the array in messages.
func (p *coordParser) array(what string, elem func(i int) error) error {
	p.skipSpace()
	if p.i >= len(p.b) || p.b[p.i] != '[' {
		return fmt.Errorf("%s must be an array, got %s", what, kindOf(p.rest()))
	}
	p.i++
	p.skipSpace()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return nil
	}
	for i := 0; ; i++ {
		if err := elem(i); err != nil {
			return err
		}
		p.skipSpace()
		if p.i >= len(p.b) {
			return fmt.Errorf("%s is cut short", what)
		}
		switch p.b[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return nil
		default:
			return fmt.Errorf("%s: unexpected %q", what, p.b[p.i])
		}
	}
}

func (p *coordParser) polygon(what string) (geo.Polygon, error) {
	var poly geo.Polygon
	err := p.array(what, func(i int) error {
		ring, err := p.ring(fmt.Sprintf("%s ring %d", what, i+1))
		poly = append(poly, ring)
		return err
	})
	return poly, err
}

func (p *coordParser) ring(what string) (geo.Ring, error) {
	var ring geo.Ring
	err := p.array(what, func(i int) error {
		pt, err := p.position(fmt.Sprintf("%s position %d", what, i+1))
		ring = append(ring, pt)
		return err
	})
	return ring, err
}

// position reads [lon, lat, …]: at least two numbers; more (altitude) are
// read and ignored.
func (p *coordParser) position(what string) (geo.Point, error) {
	var v [2]float64
	n := 0
	err := p.array(what, func(i int) error {
		p.skipSpace()
		start := p.i
		for p.i < len(p.b) && strings.IndexByte("+-0123456789.eE", p.b[p.i]) >= 0 {
			p.i++
		}
		if start == p.i {
			return fmt.Errorf("%s: coordinate %d must be a number, got %s", what, i+1, kindOf(p.rest()))
		}
		x, err := strconv.ParseFloat(string(p.b[start:p.i]), 64)
		if err != nil {
			return fmt.Errorf("%s: coordinate %d (%s) is out of range", what, i+1, p.b[start:p.i])
		}
		if i < 2 {
			v[i] = x
		}
		n++
		return nil
	})
	if err != nil {
		return geo.Point{}, err
	}
	if n < 2 {
		return geo.Point{}, fmt.Errorf("%s has %d numbers; a position needs a longitude and a latitude", what, n)
	}
	return geo.Point{Lon: v[0], Lat: v[1]}, nil
}

// Feature is one GeoJSON feature to write.
type Feature struct {
	// Geometry is a geo.Point, *geo.Point, geo.MultiPolygon, geo.Polygon or
	// nil; a nil pointer or an empty MultiPolygon is written as a null
	// geometry.
	Geometry any
	// Properties are written with encoding/json, keys sorted.
	Properties map[string]any
}

// EncodeFeatureCollection writes features as an RFC 7946 FeatureCollection:
// coordinates in (lon, lat) order, points as Point, shapes always as
// MultiPolygon with exterior rings counter-clockwise and holes clockwise.
// Keys are written in a fixed order and properties sorted by key, so equal
// input gives equal bytes; one feature per line. On error w may hold part
// of the collection.
func EncodeFeatureCollection(w io.Writer, features []Feature) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	var buf []byte
	var err error
	for i, f := range features {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
		if buf, err = appendFeature(buf, f); err != nil {
			return fmt.Errorf("importer: feature %d: %w", i+1, err)
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	if len(features) > 0 {
		bw.WriteByte('\n')
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

func appendFeature(b []byte, f Feature) ([]byte, error) {
	b = append(b, `{"type":"Feature","geometry":`...)
	var err error
	if b, err = appendGeometry(b, f.Geometry); err != nil {
		return nil, err
	}
	b = append(b, `,"properties":`...)
	if b, err = appendProperties(b, f.Properties); err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

func appendGeometry(b []byte, g any) ([]byte, error) {
	switch g := g.(type) {
	case nil:
		return append(b, "null"...), nil
	case *geo.Point:
		if g == nil {
			return append(b, "null"...), nil
		}
		return appendGeometry(b, *g)
	case geo.Point:
		b = append(b, `{"type":"Point","coordinates":`...)
		b, err := appendPosition(b, g)
		return append(b, '}'), err
	case *geo.MultiPolygon:
		if g == nil {
			return append(b, "null"...), nil
		}
		return appendGeometry(b, *g)
	case geo.Polygon:
		return appendGeometry(b, geo.MultiPolygon{g})
	case geo.MultiPolygon:
		if len(g) == 0 {
			return append(b, "null"...), nil
		}
		b = append(b, `{"type":"MultiPolygon","coordinates":[`...)
		for i, poly := range g {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			for j, ring := range poly {
				if j > 0 {
					b = append(b, ',')
				}
				// RFC 7946 §3.1.6: exteriors counter-clockwise, holes clockwise.
				reverse := (signedArea(ring) < 0) == (j == 0)
				b = append(b, '[')
				for k := range ring {
					if k > 0 {
						b = append(b, ',')
					}
					idx := k
					if reverse {
						idx = len(ring) - 1 - k
					}
					var err error
					if b, err = appendPosition(b, ring[idx]); err != nil {
						return nil, err
					}
				}
				b = append(b, ']')
			}
			b = append(b, ']')
		}
		return append(b, "]}"...), nil
	}
	return nil, fmt.Errorf("geometry of type %T is not supported; use geo.Point or geo.MultiPolygon", g)
}

// signedArea is twice the planar area of the ring in degrees, positive when
// it runs counter-clockwise.
func signedArea(r geo.Ring) float64 {
	s := 0.0
	for i := 0; i+1 < len(r); i++ {
		s += r[i].Lon*r[i+1].Lat - r[i+1].Lon*r[i].Lat
	}
	return s
}

func appendPosition(b []byte, p geo.Point) ([]byte, error) {
	if math.IsNaN(p.Lon) || math.IsInf(p.Lon, 0) || math.IsNaN(p.Lat) || math.IsInf(p.Lat, 0) {
		return nil, fmt.Errorf("coordinates (%v, %v) are not finite numbers", p.Lon, p.Lat)
	}
	b = append(b, '[')
	b = strconv.AppendFloat(b, p.Lon, 'f', -1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, p.Lat, 'f', -1, 64)
	return append(b, ']'), nil
}

func appendProperties(b []byte, props map[string]any) ([]byte, error) {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		buf.Reset()
		if err := enc.Encode(k); err != nil {
			return nil, err
		}
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		b = append(b, ':')
		buf.Reset()
		if err := enc.Encode(props[k]); err != nil {
			return nil, fmt.Errorf("property %q: %w", k, err)
		}
		b = append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	}
	return append(b, '}'), nil
}
