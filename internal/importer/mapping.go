package importer

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Ignore is the override target that drops a column.
const Ignore = "ignore"

// Column says what one column of a file feeds.
type Column struct {
	Index  int    // 0-based position in the header
	Header string // the header cell, trimmed
	// Field is a field name ("name"), a custom field ("custom.Region") or,
	// for interactions, a property ("property.Campaign"), or "ignore".
	Field string
	// Override is true when a --map override chose Field.
	Override bool
}

// String formats c for listings: `"Account Name" → name`.
func (c Column) String() string {
	s := fmt.Sprintf("%q → %s", c.Header, c.Field)
	if c.Override {
		s += " (--map)"
	}
	return s
}

// spec describes the fields of one kind of import.
type spec struct {
	fields   []string         // canonical order
	required []string         // fields a file must have
	aliases  map[string]alias // folded header → field
	// prefixes mark custom columns in headers and overrides ("custom.");
	// the first is the one Column.Field uses.
	prefixes []string
	// strictNames makes custom names fit account custom field keys.
	strictNames bool
	what        string // "account", "interaction": for messages
}

type alias struct {
	field    int
	fallback bool // used only when no other column gives the field
}

// newSpec builds a spec; aliases maps each field to its recognised headers,
// and fallbacks to headers used only when no other column gives it.
func newSpec(what string, fields, required []string, aliases, fallbacks map[string][]string, prefixes []string, strict bool) *spec {
	s := &spec{fields: fields, required: required, aliases: map[string]alias{}, prefixes: prefixes, strictNames: strict, what: what}
	add := func(table map[string][]string, fallback bool) {
		for field, hs := range table {
			fi := s.index(field)
			if fi < 0 {
				panic("importer: alias for unknown field " + field)
			}
			for _, h := range hs {
				k := fold(h)
				if _, dup := s.aliases[k]; dup || k == "" {
					panic("importer: duplicate or empty alias " + h)
				}
				s.aliases[k] = alias{field: fi, fallback: fallback}
			}
		}
	}
	for _, f := range fields {
		aliases[f] = append(aliases[f], f) // every field name is its own header
	}
	add(aliases, false)
	add(fallbacks, true)
	return s
}

func (s *spec) index(field string) int {
	for i, f := range s.fields {
		if f == field {
			return i
		}
	}
	return -1
}

// fold reduces a header to lower-case letters and digits, so that "Billing
// Zip/Postal Code", "BillingZipPostalCode" and "billing_zip_postal_code"
// match.
func fold(h string) string {
	var b strings.Builder
	b.Grow(len(h))
	for _, r := range h {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		case 'A' <= r && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r > unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// mapping is the resolved column → target table shared by both kinds of
// import.
type mapping struct {
	spec     *spec
	cols     []Column
	fieldCol []int // per field: the column giving it, or -1
	custom   []customCol
}

type customCol struct {
	index int
	name  string
}

const (
	targetField = iota
	targetCustom
	targetIgnore
)

type target struct {
	kind   int
	field  int
	custom string
}

// colState is a column's target while the mapping is worked out.
type colState struct {
	target
	override bool
	explicit bool // custom name given by an override or a "custom." header
	fallback bool
}

func newMapping(s *spec, rawHeader []string, overrides map[string]string) (*mapping, error) {
	header := make([]string, len(rawHeader))
	for i, h := range rawHeader {
		header[i] = strings.TrimSpace(h)
	}
	states := make([]colState, len(header))
	set := make([]bool, len(header))

	// Overrides first, in a stable order so errors are reproducible.
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	byKey := make([]string, len(header)) // the override key that set each column
	for _, k := range keys {
		v := overrides[k]
		flag := fmt.Sprintf("--map %q", k+"="+v)
		col, err := findColumn(header, k)
		if err != nil {
			return nil, derrors.Invalidf("%s: %v", flag, err)
		}
		t, err := s.parseTarget(v)
		if err != nil {
			return nil, derrors.Invalidf("%s: %v", flag, err)
		}
		if set[col] {
			if states[col].target != t {
				return nil, derrors.Invalidf("--map %q and %s both set column %q; give it once", byKey[col]+"="+overrides[byKey[col]], flag, header[col])
			}
			continue
		}
		set[col], byKey[col] = true, k
		states[col] = colState{target: t, override: true, explicit: t.kind == targetCustom}
	}

	// Then recognised headers; the rest are custom fields.
	for i, h := range header {
		if set[i] {
			continue
		}
		if name, ok := s.customPrefix(h); ok {
			states[i] = colState{target: target{kind: targetCustom, custom: name}, explicit: true}
			continue
		}
		if a, ok := s.aliases[fold(h)]; ok {
			states[i] = colState{target: target{kind: targetField, field: a.field}, fallback: a.fallback}
			continue
		}
		states[i] = colState{target: target{kind: targetCustom}}
	}

	m := &mapping{spec: s, fieldCol: make([]int, len(s.fields))}
	// One column per field: an override beats a recognised header, which
	// beats a fallback; a tie is an error.
	for f := range s.fields {
		m.fieldCol[f] = -1
		best, rank := -1, 0
		for i, st := range states {
			if st.kind != targetField || st.field != f {
				continue
			}
			r := 1
			if st.override {
				r = 0
			} else if st.fallback {
				r = 2
			}
			switch {
			case best < 0 || r < rank:
				best, rank = i, r
			case r == rank:
				if rank == 0 {
					return nil, derrors.Invalidf("--map gives %s to both column %q and column %q; map only one of them to it", s.fields[f], header[best], header[i])
				}
				return nil, derrors.Invalidf("columns %q and %q both map to %s; choose one with --map %q (or map it to another field)", header[best], header[i], s.fields[f], header[i]+"=ignore")
			}
		}
		m.fieldCol[f] = best
		// The losers are kept as custom fields.
		for i, st := range states {
			if i != best && st.kind == targetField && st.field == f {
				states[i] = colState{target: target{kind: targetCustom}}
			}
		}
	}

	// Custom names: explicit ones as given (a clash is an error), then the
	// others from their headers, made unique.
	used := map[string]int{}
	for i := range states {
		st := &states[i]
		if st.kind != targetCustom || !st.explicit {
			continue
		}
		if s.strictNames && !customKey.MatchString(st.custom) {
			st.custom = customName(st.custom, i)
		}
		k := strings.ToLower(st.custom)
		if j, dup := used[k]; dup {
			return nil, derrors.Invalidf("columns %q and %q both map to %s%s; rename one with --map %q", header[j], header[i], s.prefixes[0], st.custom, header[i]+"="+s.prefixes[0]+"Other name")
		}
		used[k] = i
	}
	// Headers that are valid names as they are go before those that had
	// to be cleaned, so "Phone" keeps its name and "Phone #" becomes "Phone 2".
	var implicit []int
	for i, st := range states {
		if st.kind == targetCustom && !st.explicit {
			implicit = append(implicit, i)
		}
	}
	names := make([]string, len(header))
	for _, i := range implicit {
		names[i] = header[i]
		if s.strictNames {
			names[i] = customName(header[i], i)
		} else if names[i] == "" {
			names[i] = fmt.Sprintf("Column %d", i+1)
		}
	}
	sort.SliceStable(implicit, func(a, b int) bool {
		return names[implicit[a]] == header[implicit[a]] && names[implicit[b]] != header[implicit[b]]
	})
	next := map[string]int{} // the next suffix to try for a name
	for _, i := range implicit {
		name, key := names[i], strings.ToLower(names[i])
		for n := max(next[key], 2); ; n++ {
			if _, dup := used[strings.ToLower(name)]; !dup {
				next[key] = n
				break
			}
			suffix, base := fmt.Sprintf(" %d", n), names[i]
			if s.strictNames && len(base)+len(suffix) > 64 {
				base = strings.TrimRight(base[:64-len(suffix)], " ")
			}
			name = base + suffix
		}
		states[i].custom = name
		used[strings.ToLower(name)] = i
	}

	for i, st := range states {
		c := Column{Index: i, Header: header[i], Override: st.override}
		switch st.kind {
		case targetField:
			if m.fieldCol[st.field] != i {
				panic("importer: mapping lost a field")
			}
			c.Field = s.fields[st.field]
		case targetCustom:
			c.Field = s.prefixes[0] + st.custom
			m.custom = append(m.custom, customCol{index: i, name: st.custom})
		default:
			c.Field = Ignore
		}
		m.cols = append(m.cols, c)
	}

	for _, f := range s.required {
		if m.fieldCol[s.index(f)] < 0 {
			return nil, derrors.Invalidf("no column gives %s, which an %s import needs; the columns are %s; use --map %q to say which column holds it",
				f, s.what, listHeaders(header), "Header="+f)
		}
	}
	if lat, lon := m.fieldCol[s.index("lat")], m.fieldCol[s.index("lon")]; (lat < 0) != (lon < 0) {
		has, missing := "lat", "lon"
		col := lat
		if lat < 0 {
			has, missing, col = "lon", "lat", lon
		}
		return nil, derrors.Invalidf("column %q gives %s but no column gives %s; map one with --map %q, or drop it with --map %q",
			header[col], has, missing, "Header="+missing, header[col]+"=ignore")
	}
	return m, nil
}

// findColumn finds the column an override key names: the same header, or
// failing that the only one equal but for case.
func findColumn(header []string, key string) (int, error) {
	key = strings.TrimSpace(key)
	found := -1
	for i, h := range header {
		if h == key {
			return i, nil
		}
		if strings.EqualFold(h, key) {
			if found >= 0 {
				return 0, fmt.Errorf("columns %q and %q both match %q; write the header exactly", header[found], h, key)
			}
			found = i
		}
	}
	if found < 0 {
		return 0, fmt.Errorf("the file has no column %q; the columns are %s", key, listHeaders(header))
	}
	return found, nil
}

// parseTarget reads the right side of an override.
func (s *spec) parseTarget(v string) (target, error) {
	t := strings.TrimSpace(v)
	if strings.EqualFold(t, Ignore) {
		return target{kind: targetIgnore}, nil
	}
	if name, ok := s.customPrefix(t); ok {
		if name == "" {
			return target{}, fmt.Errorf("%q names no %s field after the dot", t, strings.TrimSuffix(s.prefixes[0], "."))
		}
		if s.strictNames && !customKey.MatchString(name) {
			return target{}, fmt.Errorf("custom field name %q may only use letters, digits, spaces and _ . - /, start with a letter, digit or _, and be at most 64 characters", name)
		}
		return target{kind: targetCustom, custom: name}, nil
	}
	for i, f := range s.fields {
		if strings.EqualFold(t, f) || fold(t) == fold(f) {
			return target{kind: targetField, field: i}, nil
		}
	}
	return target{}, fmt.Errorf("%q is not a field; use one of %s, %s<Name> or ignore", t, strings.Join(s.fields, ", "), s.prefixes[0])
}

// customPrefix reports whether h starts with a custom prefix, and the name
// after it.
func (s *spec) customPrefix(h string) (string, bool) {
	for _, p := range s.prefixes {
		if len(h) >= len(p) && strings.EqualFold(h[:len(p)], p) {
			return strings.TrimSpace(h[len(p):]), true
		}
	}
	return "", false
}

// listHeaders quotes the headers for a message, eliding a long list.
func listHeaders(h []string) string {
	const max = 40
	q := make([]string, 0, min(len(h), max)+1)
	for i, s := range h {
		if i == max {
			q = append(q, fmt.Sprintf("and %d more", len(h)-max))
			break
		}
		q = append(q, fmt.Sprintf("%q", clip(s)))
	}
	if len(q) == 0 {
		return "(none)"
	}
	return strings.Join(q, ", ")
}

// customKey is the rule account.Account.Validate applies to custom field
// names.
var customKey = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_ .\-/]{0,63}$`)

// latinFold spells common accented letters in ASCII.
var latinFold = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o", 'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Þ': "Th", 'þ': "th"}
	for ascii, accented := range map[string]string{
		"A": "ÀÁÂÃÄÅĀĂĄ", "a": "àáâãäåāăą", "C": "ÇĆČ", "c": "çćč", "D": "Ď", "d": "ď",
		"E": "ÈÉÊËĒĖĘĚ", "e": "èéêëēėęě", "I": "ÌÍÎÏĪĮ", "i": "ìíîïīįı", "N": "ÑŃŇ", "n": "ñńň",
		"O": "ÒÓÔÕÖŌŐ", "o": "òóôõöōő", "R": "Ř", "r": "ř", "S": "ŚŠŞ", "s": "śšş", "T": "ŤŢ", "t": "ťţ",
		"U": "ÙÚÛÜŪŮŰŲ", "u": "ùúûüūůűų", "Y": "ÝŸ", "y": "ýÿ", "Z": "ŹŻŽ", "z": "źżž",
	} {
		for _, r := range accented {
			m[r] = ascii
		}
	}
	return m
}()

// customName makes a valid custom field name from a header: accents are
// folded, apostrophes dropped, other characters outside letters, digits and
// _ . - / become spaces, and the result is at most 64 characters. A header
// with nothing left becomes "Column N".
func customName(h string, index int) string {
	if customKey.MatchString(h) {
		return h
	}
	var b strings.Builder
	for _, r := range h {
		switch {
		case r < unicode.MaxASCII && (r == '_' || r == '.' || r == '-' || r == '/' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			b.WriteRune(r)
		case r == '\'' || r == '\u2019':
		default:
			if f, ok := latinFold[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	s = strings.TrimLeft(s, " .-/")
	if len(s) > 64 {
		s = strings.TrimRight(s[:64], " ")
	}
	if s == "" {
		s = fmt.Sprintf("Column %d", index+1)
	}
	return s
}

// cell returns the trimmed value of field f in row, "" when the file has no
// such column.
func (m *mapping) cell(row Row, f int) string {
	i := m.fieldCol[f]
	if i < 0 || i >= len(row.Cells) {
		return ""
	}
	return strings.TrimSpace(row.Cells[i])
}

// header returns the header of the column giving field f.
func (m *mapping) header(f int) string {
	if i := m.fieldCol[f]; i >= 0 {
		return m.cols[i].Header
	}
	return m.spec.fields[f]
}

// number reads field f as a number; nil when the cell is empty.
func (m *mapping) number(row Row, f int, money bool) (*float64, error) {
	v := m.cell(row, f)
	if v == "" {
		return nil, nil
	}
	x, err := parseNumberCell(v, money)
	if err != nil {
		return nil, &RowError{Row: row.Number, Column: m.header(f), Err: err}
	}
	return &x, nil
}

// coordinates reads a latitude and longitude that come together. Both empty,
// or exactly 0,0, is no position.
func (m *mapping) coordinates(row Row, latF, lonF int) (lat, lon *float64, err error) {
	latV, lonV := m.cell(row, latF), m.cell(row, lonF)
	if latV == "" && lonV == "" {
		return nil, nil, nil
	}
	if latV == "" || lonV == "" {
		has, hasV, empty := m.header(latF), latV, m.header(lonF)
		if latV == "" {
			has, hasV, empty = m.header(lonF), lonV, m.header(latF)
		}
		return nil, nil, &RowError{Row: row.Number, Err: fmt.Errorf("column %q has %q but column %q is empty: give both coordinates or neither", has, clip(hasV), empty)}
	}
	y, err := parseCoordinate(latV)
	if err != nil {
		return nil, nil, &RowError{Row: row.Number, Column: m.header(latF), Err: err}
	}
	x, err := parseCoordinate(lonV)
	if err != nil {
		return nil, nil, &RowError{Row: row.Number, Column: m.header(lonF), Err: err}
	}
	if y == 0 && x == 0 {
		return nil, nil, nil // a CRM's "unknown", not a place
	}
	var why string
	switch {
	case math.Abs(y) > 90:
		why = "latitude must be within [-90, 90]"
		if math.Abs(x) <= 90 && math.Abs(y) <= 180 {
			why += "; are latitude and longitude swapped?"
		}
	case math.Abs(x) > 180:
		why = "longitude must be within [-180, 180]"
	}
	if why != "" {
		return nil, nil, &RowError{Row: row.Number, Err: fmt.Errorf("impossible coordinates lat %s, lon %s (columns %q and %q): %s",
			clip(latV), clip(lonV), m.header(latF), m.header(lonF), why)}
	}
	return &y, &x, nil
}

// customValues collects the non-empty custom cells; nil when there are none.
func (m *mapping) customValues(row Row) map[string]string {
	var out map[string]string
	for _, c := range m.custom {
		if c.index >= len(row.Cells) {
			continue
		}
		if v := strings.TrimSpace(row.Cells[c.index]); v != "" {
			if out == nil {
				out = make(map[string]string, len(m.custom))
			}
			out[c.name] = v
		}
	}
	return out
}

func (m *mapping) has(field string) bool {
	i := m.spec.index(field)
	return i >= 0 && m.fieldCol[i] >= 0
}

func (m *mapping) columns() []Column { return append([]Column(nil), m.cols...) }

func (m *mapping) fields() []Column {
	var out []Column
	for _, i := range m.fieldCol {
		if i >= 0 {
			out = append(out, m.cols[i])
		}
	}
	return out
}
