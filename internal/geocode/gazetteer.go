package geocode

import (
	"bytes"
	"compress/gzip"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/meridian-crm/meridian/internal/geo"
)

// The embedded gazetteer, built by scripts/gazetteer.sh. Each file is a
// gzip'd UTF-8 text of tab-separated records, one a line; lines starting with
// '#' are comments naming the source, its version and the columns.
var (
	//go:embed data/zips.tsv.gz
	zipsGz []byte // zip, lat, lon; sorted by zip
	//go:embed data/cities-*.tsv.gz
	citiesFS embed.FS // country, admin1, name, lat, lon; by country, largest first
	//go:embed data/admin1.tsv.gz
	admin1Gz []byte // "country.admin1", name
)

// ZIP is a US ZIP code and the centre of the area it covers (the Census
// Bureau's ZIP Code Tabulation Area).
type ZIP struct {
	Code     string // five digits: "02134"
	Location geo.Point
}

// zipTable holds the ZIP centroids in a dense array indexed by the ZIP's
// number, for lookups that cost a few nanoseconds.
type zipTable struct {
	list []ZIP    // by code
	at   []uint16 // [zip number] → index in list + 1; 0: no such ZIP
}

var (
	zipsOnce sync.Once
	zips     *zipTable
)

// loadZIPs decodes the embedded ZIP centroids on first use.
func loadZIPs() *zipTable {
	zipsOnce.Do(func() {
		t := &zipTable{at: make([]uint16, 100000)}
		grow := func(lines int) { t.list = make([]ZIP, 0, lines) }
		_, err := eachRecord(zipsGz, 3, grow, func(_ string, f []string) error {
			n, ok := parseZIP(f[0])
			if !ok || len(f[0]) != 5 {
				return fmt.Errorf("bad ZIP %q", f[0])
			}
			p, err := parsePoint(f[1], f[2])
			if err != nil {
				return err
			}
			t.list = append(t.list, ZIP{Code: f[0], Location: p})
			if len(t.list) > 0xffff {
				return fmt.Errorf("more than %d ZIPs: widen zipTable.at", 0xffff)
			}
			t.at[n] = uint16(len(t.list))
			return nil
		})
		if err != nil {
			panic("geocode: embedded data/zips.tsv.gz: " + err.Error())
		}
		zips = t
	})
	return zips
}

func (t *zipTable) lookup(n int) (geo.Point, bool) {
	if n < 0 || n >= len(t.at) || t.at[n] == 0 {
		return geo.Point{}, false
	}
	return t.list[t.at[n]-1].Location, true
}

// ZIPs returns every US ZIP code of the embedded gazetteer with its centre,
// sorted by code. The slice is the caller's to keep or change.
func ZIPs() []ZIP {
	return append([]ZIP(nil), loadZIPs().list...)
}

// LookupZIP returns the centre of a US ZIP code, read as exports give it
// ("02134", "2134", "02134-1234"), and false when the gazetteer has no such
// ZIP.
func LookupZIP(code string) (geo.Point, bool) {
	n, ok := parseZIP(code)
	if !ok {
		return geo.Point{}, false
	}
	return loadZIPs().lookup(n)
}

// city is one place of the embedded city list.
type city struct {
	country  string // ISO 3166-1 alpha-2
	admin1   string // the state, province or region code: "NY", "08"
	name     string
	location geo.Point
}

// cityTable is the embedded city list with its indexes.
type cityTable struct {
	parts []cityPart // in order: by country, then largest first
	// regions maps "CC|key" of a region's name, or of its code when the
	// code is made of letters ("US|ny", "CH|zh"), to its admin1 code.
	regions map[string]string
}

// cityPart is one file of the city list, decoded in parallel with the
// others. It holds no pointers but its two strings, so that the garbage
// collector need not scan it.
type cityPart struct {
	text  string // the decoded file
	keys  string // the name keys of the records, one after the other
	recs  []cityRec
	first map[uint64]int32 // hash of a name key → index of the first record
}

// cityRec is one record of a cityPart.
type cityRec struct {
	location geo.Point
	line     uint32 // offset of the record's line in text
	key      uint32 // offset of its name key in keys
	next     int32  // index of the next record whose key has the same hash, or -1
	keyLen   uint16
	nameLen  uint16
	admin1   uint8 // length of the admin1 code
}

// city returns record i.
func (p *cityPart) city(i int32) city {
	r := &p.recs[i]
	l := p.text[r.line:]
	a1 := 3 + int(r.admin1)
	return city{country: l[:2], admin1: l[3:a1], name: l[a1+1 : a1+1+int(r.nameLen)], location: r.location}
}

// hashSeed seeds the hashes of name keys; any seed does.
var hashSeed = maphash.MakeSeed()

var (
	citiesOnce sync.Once
	cities     *cityTable
)

// loadCities decodes the embedded cities and regions on first use, the parts
// in parallel.
func loadCities() *cityTable {
	citiesOnce.Do(func() {
		files, err := citiesFS.ReadDir("data")
		if err != nil || len(files) == 0 {
			panic(fmt.Sprintf("geocode: embedded data/cities-*.tsv.gz: %d files, %v", len(files), err))
		}
		t := &cityTable{parts: make([]cityPart, len(files)), regions: make(map[string]string, 8000)}
		errs := make([]error, len(files))
		var wg sync.WaitGroup
		for i, f := range files { // ReadDir sorts by name: cities-01, cities-02, …
			wg.Go(func() {
				gz, err := citiesFS.ReadFile("data/" + f.Name())
				if err == nil {
					err = t.parts[i].load(gz)
				}
				if err != nil {
					errs[i] = fmt.Errorf("embedded data/%s: %w", f.Name(), err)
				}
			})
		}
		_, err = eachRecord(admin1Gz, 2, nil, func(_ string, f []string) error {
			cc, code, ok := strings.Cut(f[0], ".")
			if !ok || len(cc) != 2 || code == "" {
				return fmt.Errorf("bad region code %q", f[0])
			}
			t.addRegion(cc, f[1], code)
			if isLetters(code) {
				t.addRegion(cc, code, code)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("embedded data/admin1.tsv.gz: %w", err))
		}
		for _, a := range regionAliases {
			t.addRegion(a.country, a.name, a.code)
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			panic("geocode: " + err.Error())
		}
		cities = t
	})
	return cities
}

// load decodes one file of cities.
func (p *cityPart) load(gz []byte) error {
	var keys []byte
	grow := func(lines int) {
		p.recs = make([]cityRec, 0, lines)
		keys = make([]byte, 0, 16*lines)
	}
	text, err := eachRecord(gz, 5, grow, func(line string, f []string) error {
		loc, err := parsePoint(f[3], f[4])
		if err != nil {
			return err
		}
		if len(f[0]) != 2 || len(f[1]) > 255 || f[2] == "" || len(f[2]) > 0xffff {
			return fmt.Errorf("bad city %q", line)
		}
		k := len(keys)
		keys = appendNormalized(keys, f[2], true)
		if len(keys)-k > 0xffff || len(keys) > 1<<32-1 {
			return fmt.Errorf("bad city %q", line)
		}
		p.recs = append(p.recs, cityRec{
			location: loc,
			key:      uint32(k),
			keyLen:   uint16(len(keys) - k),
			nameLen:  uint16(len(f[2])),
			admin1:   uint8(len(f[1])),
		})
		return nil
	})
	if err != nil {
		return err
	}
	p.text, p.keys = text, string(keys)
	// Each record's line offset, now that text is final.
	off, i := 0, 0
	for off < len(text) && i < len(p.recs) {
		end := strings.IndexByte(text[off:], '\n')
		if end < 0 {
			end = len(text) - off
		}
		if text[off] != '#' && end > 0 {
			p.recs[i].line = uint32(off)
			i++
		}
		off += end + 1
	}
	p.first = make(map[uint64]int32, len(p.recs))
	// Backwards, so that each name's chain runs in file order.
	for i := len(p.recs) - 1; i >= 0; i-- {
		r := &p.recs[i]
		h := maphash.String(hashSeed, p.keys[r.key:r.key+uint32(r.keyLen)])
		if j, ok := p.first[h]; ok {
			r.next = j
		} else {
			r.next = -1
		}
		p.first[h] = int32(i)
	}
	return nil
}

// named returns the cities whose name has key k, by country, largest first.
func (t *cityTable) named(k string) []city {
	var cs []city
	h := maphash.String(hashSeed, k)
	for i := range t.parts {
		p := &t.parts[i]
		j, ok := p.first[h]
		for ok && j >= 0 {
			r := &p.recs[j]
			if p.keys[r.key:r.key+uint32(r.keyLen)] == k {
				cs = append(cs, p.city(j))
			}
			j = r.next
		}
	}
	return cs
}

// len is the number of cities.
func (t *cityTable) len() int {
	n := 0
	for _, p := range t.parts {
		n += len(p.recs)
	}
	return n
}

func (t *cityTable) addRegion(cc, name, code string) {
	k := cc + "|" + key(name)
	if _, dup := t.regions[k]; !dup {
		t.regions[k] = code
	}
}

// region returns the admin1 code of a region of country cc written as a name
// or a letter code, and false when the region is not recognised.
func (t *cityTable) region(cc, region string) (string, bool) {
	if strings.TrimSpace(region) == "" {
		return "", false
	}
	code, ok := t.regions[cc+"|"+key(region)]
	return code, ok
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// regionAliases are the usual abbreviations and native names of regions
// whose codes in the city list are numbers.
var regionAliases = []struct{ country, name, code string }{
	// Canada's provinces and territories by their postal abbreviations.
	{"CA", "AB", "01"}, {"CA", "BC", "02"}, {"CA", "MB", "03"}, {"CA", "NB", "04"},
	{"CA", "NL", "05"}, {"CA", "NF", "05"}, {"CA", "Newfoundland", "05"}, {"CA", "NS", "07"},
	{"CA", "ON", "08"}, {"CA", "PE", "09"}, {"CA", "PEI", "09"}, {"CA", "QC", "10"},
	{"CA", "PQ", "10"}, {"CA", "SK", "11"}, {"CA", "YT", "12"}, {"CA", "NT", "13"},
	{"CA", "NU", "14"},
	// Australia's states and territories.
	{"AU", "ACT", "01"}, {"AU", "NSW", "02"}, {"AU", "NT", "03"}, {"AU", "QLD", "04"},
	{"AU", "SA", "05"}, {"AU", "TAS", "06"}, {"AU", "VIC", "07"}, {"AU", "WA", "08"},
	// Germany's states by their German names.
	{"DE", "Baden-Württemberg", "01"}, {"DE", "BW", "01"}, {"DE", "Bayern", "02"}, {"DE", "BY", "02"},
	{"DE", "Hessen", "05"}, {"DE", "Niedersachsen", "06"}, {"DE", "Nordrhein-Westfalen", "07"},
	{"DE", "NRW", "07"}, {"DE", "Rheinland-Pfalz", "08"}, {"DE", "Sachsen", "13"},
	{"DE", "Sachsen-Anhalt", "14"}, {"DE", "Thüringen", "15"}, {"DE", "Berlin", "16"},
	// The US capital as people write it.
	{"US", "Washington DC", "DC"}, {"US", "Washington, D.C.", "DC"}, {"US", "District of Columbia", "DC"},
}

// cityAliases are other names of large cities, as "key of the other name" →
// country and key of the name in the city list. They apply when the name
// itself matches no city of the country asked for.
var cityAliases = map[string]struct{ country, key string }{
	"newyork":        {"US", "newyorkcity"},
	"nyc":            {"US", "newyorkcity"},
	"frankfurt":      {"DE", "frankfurtammain"},
	"munchen":        {"DE", "munich"},
	"muenchen":       {"DE", "munich"},
	"nurnberg":       {"DE", "nuremberg"},
	"nuernberg":      {"DE", "nuremberg"},
	"koeln":          {"DE", "koln"},
	"duesseldorf":    {"DE", "dusseldorf"},
	"wien":           {"AT", "vienna"},
	"milano":         {"IT", "milan"},
	"roma":           {"IT", "rome"},
	"firenze":        {"IT", "florence"},
	"venezia":        {"IT", "venice"},
	"napoli":         {"IT", "naples"},
	"torino":         {"IT", "turin"},
	"genova":         {"IT", "genoa"},
	"lisboa":         {"PT", "lisbon"},
	"praha":          {"CZ", "prague"},
	"warszawa":       {"PL", "warsaw"},
	"krakau":         {"PL", "krakow"},
	"kiev":           {"UA", "kyiv"},
	"bruxelles":      {"BE", "brussels"},
	"brussel":        {"BE", "brussels"},
	"antwerpen":      {"BE", "antwerp"},
	"ghent":          {"BE", "gent"},
	"kobenhavn":      {"DK", "copenhagen"},
	"geneve":         {"CH", "geneva"},
	"genf":           {"CH", "geneva"},
	"denhaag":        {"NL", "hague"},
	"sgravenhage":    {"NL", "hague"},
	"goteborg":       {"SE", "gothenburg"},
	"ciudaddemexico": {"MX", "mexicocity"},
	"cdmx":           {"MX", "mexicocity"},
	"bangalore":      {"IN", "bengaluru"},
	"bombay":         {"IN", "mumbai"},
	"saigon":         {"VN", "hochiminhcity"},
	"quebeccity":     {"CA", "quebec"},
}

// eachRecord calls fn with each line and its fields of a gzip'd TSV file,
// whose records must have n fields, after telling grow, when not nil, how
// many lines the file has, and returns the decoded file. The line and fields
// are slices of that one string, so they cost no allocation of their own.
func eachRecord(gz []byte, n int, grow func(lines int), fn func(line string, fields []string) error) (string, error) {
	text, err := gunzip(gz)
	if err != nil {
		return "", err
	}
	if grow != nil {
		grow(strings.Count(text, "\n"))
	}
	fields := make([]string, n)
	rest := text
	for line := 1; rest != ""; line++ {
		var l string
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			l, rest = rest, ""
		}
		if l == "" || l[0] == '#' {
			continue
		}
		r := l
		for i := range n - 1 {
			j := strings.IndexByte(r, '\t')
			if j < 0 {
				return "", fmt.Errorf("line %d: want %d tab-separated fields: %q", line, n, l)
			}
			fields[i], r = r[:j], r[j+1:]
		}
		if strings.IndexByte(r, '\t') >= 0 {
			return "", fmt.Errorf("line %d: want %d tab-separated fields: %q", line, n, l)
		}
		fields[n-1] = r
		if err := fn(l, fields); err != nil {
			return "", fmt.Errorf("line %d: %w", line, err)
		}
	}
	return text, nil
}

// gunzip decompresses gz into a string, allocating it once: a gzip file ends
// with its decompressed size.
func gunzip(gz []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return "", err
	}
	if len(gz) < 4 {
		return "", io.ErrUnexpectedEOF
	}
	size := int(binary.LittleEndian.Uint32(gz[len(gz)-4:]))
	var b strings.Builder
	b.Grow(size + 1) // +1 so that ReadFrom's EOF probe does not grow it
	if _, err := io.Copy(&b, zr); err != nil {
		return "", err
	}
	if err := zr.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// parsePoint reads a latitude and a longitude written with a decimal point.
func parsePoint(lat, lon string) (geo.Point, error) {
	y, ok1 := parseDecimal(lat)
	x, ok2 := parseDecimal(lon)
	p := geo.Point{Lon: x, Lat: y}
	if !ok1 || !ok2 {
		return p, fmt.Errorf("bad coordinates %q, %q", lat, lon)
	}
	return p, p.Validate()
}

// pow10 are the exact powers of ten that parseDecimal divides by.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// parseDecimal reads "-12.34567" several times faster than strconv.ParseFloat
// and to the same float64: the digits as an integer, exact below 2^53, divided
// by an exact power of ten is the correctly rounded quotient. Other forms
// fall back on strconv.
func parseDecimal(s string) (float64, bool) {
	neg := false
	i := 0
	if i < len(s) && s[i] == '-' {
		neg, i = true, 1
	}
	var mant int64
	digits, frac, dot := 0, 0, false
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			mant = mant*10 + int64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			digits = 99 // not the simple form
		}
	}
	if digits == 0 || digits > 15 || frac >= len(pow10) {
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	f := float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	return f, true
}
