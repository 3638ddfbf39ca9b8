package analytics

import (
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// The interaction fields Events keeps dictionary-encoded, in Field order.
const (
	FieldChannel = iota
	FieldType
	FieldOutcome
	FieldVariant
	FieldStage
	FieldSource
	numFields
)

// FieldNames names the encoded fields as filters write them.
var FieldNames = [numFields]string{"channel", "type", "outcome", "variant", "stage", "source"}

func fieldIndex(name string) int {
	for i, n := range FieldNames {
		if n == name {
			return i
		}
	}
	return -1
}

// Dict encodes strings as small integers; code 0 is always "".
type Dict struct {
	Values []string
	index  map[string]uint32
}

// NewDict returns a dictionary holding "".
func NewDict() *Dict { return &Dict{Values: []string{""}, index: map[string]uint32{"": 0}} }

// Code returns the code of s, adding it when new.
func (d *Dict) Code(s string) uint32 {
	if c, ok := d.index[s]; ok {
		return c
	}
	c := uint32(len(d.Values))
	d.Values = append(d.Values, s)
	d.index[s] = c
	return c
}

// Combo is the codes of one combination of the encoded fields.
type Combo [numFields]uint32

// PropColumn is one custom property of every event, dictionary-encoded.
type PropColumn struct {
	Dict  *Dict
	Codes []uint32 // by event; 0 when the event lacks the property
}

// Events is the column-wise copy of the interactions the analyses read:
// events sorted by account, then time, then insertion; one run per account.
type Events struct {
	Accounts []int64  // account id of each run, ascending
	Start    []int32  // events of run r are Start[r]..Start[r+1]
	At       []int64  // Unix milliseconds
	Combo    []uint32 // index into Combos
	Value    []float32
	Combos   []Combo
	Dicts    [numFields]*Dict
	// Props holds the custom properties loaded so far, by name.
	Props map[string]*PropColumn
	// Order maps each event to the position of its row in the order the
	// builder received them (nil when they came sorted), so properties read
	// later in the same order can be placed.
	Order []int32
}

// Len is the number of events.
func (e *Events) Len() int { return len(e.At) }

// Field returns the text of field f of event i.
func (e *Events) Field(f, i int) string { return e.Dicts[f].Values[e.Combos[e.Combo[i]][f]] }

// SetProperty stores the values of a custom property, given in the order
// the builder received the rows.
func (e *Events) SetProperty(name string, inputOrder []string) error {
	if len(inputOrder) != len(e.At) {
		return derrors.Conflictf("property %s: %d values for %d interactions (the data changed meanwhile; try again)", name, len(inputOrder), len(e.At))
	}
	col := &PropColumn{Dict: NewDict(), Codes: make([]uint32, len(e.At))}
	for i := range col.Codes {
		src := i
		if e.Order != nil {
			src = int(e.Order[i])
		}
		col.Codes[i] = col.Dict.Code(inputOrder[src])
	}
	e.Props[name] = col
	return nil
}

// Bytes estimates the memory the columns take.
func (e *Events) Bytes() int64 {
	n := int64(len(e.Accounts))*8 + int64(len(e.Start))*4 + int64(len(e.At))*8 + int64(len(e.Combo))*4 + int64(len(e.Value))*4 + int64(len(e.Order))*4 + int64(len(e.Combos))*4*numFields
	for _, p := range e.Props {
		n += int64(len(p.Codes)) * 4
	}
	return n
}

// Builder fills Events from rows given in (account, time, insertion) order.
type Builder struct {
	ev     *Events
	combos map[Combo]uint32
	last   int64
	lastAt int64
	sorted bool
	rows   int
}

// NewBuilder returns an empty builder; sizeHint is the expected number of
// events (0 if unknown).
func NewBuilder(sizeHint int) *Builder {
	ev := &Events{Props: map[string]*PropColumn{}}
	for i := range ev.Dicts {
		ev.Dicts[i] = NewDict()
	}
	if sizeHint > 0 {
		ev.At = make([]int64, 0, sizeHint)
		ev.Combo = make([]uint32, 0, sizeHint)
		ev.Value = make([]float32, 0, sizeHint)
	}
	return &Builder{ev: ev, combos: map[Combo]uint32{}, sorted: true, last: -1 << 62}
}

// Row is one interaction as Builder takes it.
type Row struct {
	AccountID int64
	AtMS      int64
	Fields    [numFields]string // channel, type, outcome, variant, stage, source
	Value     float64
}

// Add appends a row. Rows out of order are allowed but make Events sort
// once at the end.
func (b *Builder) Add(r *Row) {
	var c Combo
	for f := range c {
		c[f] = b.ev.Dicts[f].Code(r.Fields[f])
	}
	b.AddCodes(r.AccountID, r.AtMS, c, r.Value)
}

// AddCodes appends a row whose fields are already codes of Dicts.
func (b *Builder) AddCodes(account, atMS int64, c Combo, value float64) {
	ci, ok := b.combos[c]
	if !ok {
		ci = uint32(len(b.ev.Combos))
		b.ev.Combos = append(b.ev.Combos, c)
		b.combos[c] = ci
	}
	ev := b.ev
	if account != b.last {
		if account < b.last {
			b.sorted = false
		}
		ev.Accounts = append(ev.Accounts, account)
		ev.Start = append(ev.Start, int32(len(ev.At)))
		b.last = account
	} else if atMS < b.lastAt {
		b.sorted = false
	}
	b.lastAt = atMS
	ev.At = append(ev.At, atMS)
	ev.Combo = append(ev.Combo, ci)
	ev.Value = append(ev.Value, float32(value))
}

// CodeBytes returns the code of b in field f's dictionary without
// allocating for values already known.
func (b *Builder) CodeBytes(f int, v []byte) uint32 {
	d := b.ev.Dicts[f]
	if c, ok := d.index[string(v)]; ok {
		return c
	}
	return d.Code(string(v))
}

// Dicts exposes the dictionaries, for callers that encode fields themselves.
func (b *Builder) Dicts() *[numFields]*Dict { return &b.ev.Dicts }

// Build returns the events, sorted.
func (b *Builder) Build() *Events {
	ev := b.ev
	if !b.sorted {
		ev = sortEvents(ev)
	}
	ev.Start = append(ev.Start, int32(len(ev.At)))
	return ev
}

// sortEvents reorders events given out of order (stable, so equal times
// keep their insertion order) and regroups the runs.
func sortEvents(ev *Events) *Events {
	n := len(ev.At)
	acct := make([]int64, n)
	for r := range ev.Accounts {
		end := n
		if r+1 < len(ev.Start) {
			end = int(ev.Start[r+1])
		}
		for i := ev.Start[r]; int(i) < end; i++ {
			acct[i] = ev.Accounts[r]
		}
	}
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	sort.SliceStable(idx, func(a, b int) bool {
		i, j := idx[a], idx[b]
		if acct[i] != acct[j] {
			return acct[i] < acct[j]
		}
		return ev.At[i] < ev.At[j]
	})
	out := &Events{Combos: ev.Combos, Dicts: ev.Dicts, Props: ev.Props, At: make([]int64, n), Combo: make([]uint32, n), Value: make([]float32, n), Order: idx}
	last := int64(-1 << 62)
	for k, i := range idx {
		out.At[k], out.Combo[k], out.Value[k] = ev.At[i], ev.Combo[i], ev.Value[i]
		if acct[i] != last {
			out.Accounts = append(out.Accounts, acct[i])
			out.Start = append(out.Start, int32(k))
			last = acct[i]
		}
	}
	return out
}

// matcher is a filter compiled against Events: per combo whether the
// fixed fields match, plus the property conditions checked per event.
type matcher struct {
	combo []bool
	props []propCond
}

type propCond struct {
	col  *PropColumn
	ok   []bool // by property code
	name string
}

// compile turns filters into matchers. Properties the filters name must
// already be loaded into e.Props (see PropertyNames).
func (e *Events) compile(f visit.Filter) (matcher, error) {
	m := matcher{combo: make([]bool, len(e.Combos))}
	type fixed struct {
		field int
		ok    []bool
	}
	var fx []fixed
	for _, c := range f.Conds {
		if name, ok := strings.CutPrefix(c.Field, "prop."); ok {
			col := e.Props[name]
			if col == nil {
				return m, derrors.Invalidf("filter %q: property %q is not loaded", f.String(), name)
			}
			m.props = append(m.props, propCond{col: col, ok: codeSet(col.Dict, c), name: name})
			continue
		}
		fi := fieldIndex(c.Field)
		if fi < 0 {
			return m, derrors.Invalidf("filter %q: unknown field %q", f.String(), c.Field)
		}
		fx = append(fx, fixed{fi, codeSet(e.Dicts[fi], c)})
	}
	for ci, combo := range e.Combos {
		ok := true
		for _, x := range fx {
			if !x.ok[combo[x.field]] {
				ok = false
				break
			}
		}
		m.combo[ci] = ok
	}
	return m, nil
}

// codeSet says for each code of d whether condition c holds for it, with
// visit.Filter's rules (case-insensitive, Not negates).
func codeSet(d *Dict, c visit.Cond) []bool {
	ok := make([]bool, len(d.Values))
	for code, v := range d.Values {
		hit := false
		for _, want := range c.Values {
			if strings.EqualFold(v, want) {
				hit = true
				break
			}
		}
		ok[code] = hit != c.Not
	}
	return ok
}

func (m *matcher) match(e *Events, i int) bool {
	if !m.combo[e.Combo[i]] {
		return false
	}
	for _, p := range m.props {
		if !p.ok[p.col.Codes[i]] {
			return false
		}
	}
	return true
}

// masks compiles up to 32 filters into one function giving, per event, a
// bit mask of the filters it matches: a table lookup per event, plus the
// property checks of the filters that have any.
type masks struct {
	combo    []uint32
	propBits uint32
	ms       []matcher
}

func (e *Events) compileMasks(fs []visit.Filter) (*masks, error) {
	if len(fs) > 32 {
		return nil, derrors.Invalidf("at most 32 steps and exclusions together, not %d", len(fs))
	}
	mk := &masks{combo: make([]uint32, len(e.Combos))}
	for b, f := range fs {
		m, err := e.compile(f)
		if err != nil {
			return nil, err
		}
		for ci, ok := range m.combo {
			if ok {
				mk.combo[ci] |= 1 << b
			}
		}
		if len(m.props) > 0 {
			mk.propBits |= 1 << b
		}
		mk.ms = append(mk.ms, m)
	}
	return mk, nil
}

func (mk *masks) of(e *Events, i int) uint32 {
	m := mk.combo[e.Combo[i]]
	if m&mk.propBits == 0 {
		return m
	}
	for b := mk.propBits & m; b != 0; b &= b - 1 {
		s := trailingZeros(b)
		for _, p := range mk.ms[s].props {
			if !p.ok[p.col.Codes[i]] {
				m &^= 1 << s
				break
			}
		}
	}
	return m
}

func trailingZeros(x uint32) int {
	n := 0
	for x&1 == 0 {
		x >>= 1
		n++
	}
	return n
}

// PropertyNames lists the custom properties the filters name, so the
// caller can load them before the analysis.
func PropertyNames(fs ...visit.Filter) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range fs {
		for _, c := range f.Conds {
			if name, ok := strings.CutPrefix(c.Field, "prop."); ok && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	return out
}

// weekStart returns the Monday 00:00 UTC of the week holding ms.
func weekStart(ms int64) time.Time {
	t := time.UnixMilli(ms).UTC()
	d := (int(t.Weekday()) + 6) % 7
	y, mo, day := t.Date()
	return time.Date(y, mo, day-d, 0, 0, 0, 0, time.UTC)
}
