package importer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// parseNumberCell reads a number as CRMs and spreadsheets write it. It accepts
// surrounding and embedded spaces (including no-break spaces), the currency
// symbols $ € £ ¥ ₹, a leading sign or parentheses for a negative amount
// ("(1,000)"), thousands separators (comma, dot or apostrophe, in groups of
// three) and a decimal point or decimal comma: "1.234,56", "1,234.56" and
// "1234,5" all read as expected. A single comma followed by exactly three
// digits is a thousands separator ("1,234" is 1234), except after a lone 0
// or more than three digits ("0,500" is 0.5, "1234,567" is 1234.567); a
// comma with nothing before it is decimal (",5" is 0.5). Exponents ("1.5E+06") are accepted. With money set, a
// k, M (or MM) or B (or bn) suffix multiplies by a thousand, a million or a
// billion ("1.5M"). The result is always finite.
func parseNumberCell(s string, money bool) (float64, error) {
	v, err := parseNumber(s, money)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", clip(s))
	}
	return v, nil
}

var errNotNumber = errors.New("not a number")

func parseNumber(s string, money bool) (float64, error) {
	// Keep ASCII, dropping spaces and currency symbols.
	var buf [64]byte
	b := buf[:0]
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && r != ' ' && r != '\t' && r != '$':
			b = append(b, byte(r))
		case unicode.IsSpace(r), r == '$', r == '€', r == '£', r == '¥', r == '₹':
		case r == '\u2212': // minus sign
			b = append(b, '-')
		case r == '\u2019': // right single quotation mark, a Swiss separator
			b = append(b, '\'')
		default:
			return 0, errNotNumber
		}
	}
	neg := false
	if len(b) >= 2 && b[0] == '(' && b[len(b)-1] == ')' {
		neg, b = true, b[1:len(b)-1]
	}
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg, b = neg != (b[0] == '-'), b[1:]
	} else if n := len(b); n > 0 && b[n-1] == '-' { // 1234- as some ledgers write it
		neg, b = !neg, b[:n-1]
	}
	mult := 1.0
	if money {
		b, mult = trimMultiplier(b)
	}
	if len(b) == 0 || mult != 1 && bytes.ContainsAny(b, "eE") {
		return 0, errNotNumber
	}
	num, ok := normalizeDigits(b)
	if !ok {
		return 0, errNotNumber
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, errNotNumber
	}
	v *= mult
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, errNotNumber
	}
	if neg {
		v = -v
	}
	return v, nil
}

// trimMultiplier removes a k, M, MM, B or bn suffix.
func trimMultiplier(b []byte) ([]byte, float64) {
	lower := func(i int) byte { return b[i] | 0x20 }
	n := len(b)
	switch {
	case n >= 3 && lower(n-2) == 'm' && lower(n-1) == 'm' && isDigit(b[n-3]):
		return b[:n-2], 1e6
	case n >= 3 && lower(n-2) == 'b' && lower(n-1) == 'n' && isDigit(b[n-3]):
		return b[:n-2], 1e9
	case n >= 2 && isDigit(b[n-2]):
		switch lower(n - 1) {
		case 'k':
			return b[:n-1], 1e3
		case 'm':
			return b[:n-1], 1e6
		case 'b':
			return b[:n-1], 1e9
		}
	}
	return b, 1
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// normalizeDigits turns digits with separators into what strconv.ParseFloat
// reads, deciding which separator is the decimal one.
func normalizeDigits(b []byte) (string, bool) {
	dots, commas, quotes, exp := 0, 0, 0, -1
	for i, c := range b {
		switch {
		case isDigit(c):
		case c == '.':
			dots++
		case c == ',':
			commas++
		case c == '\'':
			quotes++
		case (c == 'e' || c == 'E') && exp < 0 && i > 0:
			exp = i
		case (c == '+' || c == '-') && exp >= 0 && i == exp+1:
		default:
			return "", false
		}
	}
	if exp >= 0 {
		// 1.5E+06: a decimal mantissa and an integer exponent.
		mant, e := b[:exp], b[exp+1:]
		if commas > 0 || quotes > 0 || dots > 1 || bytes.IndexByte(e, '.') >= 0 {
			return "", false
		}
		if len(e) > 0 && (e[0] == '+' || e[0] == '-') {
			e = e[1:]
		}
		if len(e) == 0 || bytes.IndexFunc(mant, func(r rune) bool { return '0' <= r && r <= '9' }) < 0 {
			return "", false
		}
		return string(b), true
	}
	var thousands, decimal byte
	switch {
	case dots > 0 && commas > 0:
		if bytes.LastIndexByte(b, '.') > bytes.LastIndexByte(b, ',') {
			thousands, decimal = ',', '.'
		} else {
			thousands, decimal = '.', ','
		}
		if quotes > 0 {
			return "", false
		}
	case commas > 1:
		thousands = ','
	case commas == 1:
		i := bytes.IndexByte(b, ',')
		intPart, frac := b[:i], b[i+1:]
		if len(frac) == 3 && len(intPart) >= 1 && len(intPart) <= 3 && string(intPart) != "0" {
			thousands = ','
		} else {
			decimal = ','
		}
	case dots > 1:
		thousands = '.'
	case dots == 1:
		decimal = '.'
	}
	if quotes > 0 {
		if thousands != 0 && thousands != '\'' {
			return "", false
		}
		thousands = '\''
	}
	// Split off the decimal part: at most one decimal separator, after the
	// integer part.
	intPart, frac := b, []byte(nil)
	if decimal != 0 {
		i := bytes.IndexByte(b, decimal)
		if bytes.Count(b, []byte{decimal}) != 1 {
			return "", false
		}
		intPart, frac = b[:i], b[i+1:]
		for _, c := range frac {
			if !isDigit(c) {
				return "", false
			}
		}
	}
	// The integer part: digits, or digit groups of three after the first.
	// b is a copy the caller owns, so the digits are compacted in place.
	out := b[:0]
	group, grouped := 0, thousands != 0 && bytes.IndexByte(intPart, thousands) >= 0
	for _, c := range intPart {
		switch {
		case isDigit(c):
			out = append(out, c)
			group++
			if grouped && len(out) == group && group > 3 {
				return "", false // the first group has one to three digits
			}
		case grouped && c == thousands && group > 0 && (len(out) == group || group == 3):
			group = 0
		default:
			return "", false
		}
	}
	if grouped && group != 3 {
		return "", false
	}
	if len(out) == 0 && len(frac) == 0 {
		return "", false
	}
	if len(frac) > 0 {
		out = append(append(out, '.'), frac...)
	}
	return string(out), true
}

// parseCoordinate reads a latitude or longitude in decimal degrees: a
// decimal point or a single decimal comma, an optional degree sign. The
// value must be finite; the range is checked with its partner.
func parseCoordinate(s string) (float64, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimSuffix(t, "°")
	t = strings.TrimSpace(t)
	if strings.Count(t, ",") == 1 && !strings.Contains(t, ".") {
		t = strings.Replace(t, ",", ".", 1)
	}
	ok := t != ""
	for i := 0; i < len(t) && ok; i++ {
		c := t[i]
		ok = isDigit(c) || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'
	}
	if ok {
		if v, err := strconv.ParseFloat(t, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
			return v, nil
		}
	}
	return 0, fmt.Errorf("%q is not a number", clip(s))
}

// parseBool reads a yes/no cell. True: true, yes, y, 1, x. False: empty,
// false, no, n, 0. Case is ignored. Anything else is an error: a flag such
// as do_not_contact must not be guessed.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "x":
		return true, nil
	case "", "false", "no", "n", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no (use true, yes, y, 1 or x; false, no, n, 0 or empty)", clip(s))
}

// splitTags splits a tags cell on ";", "," or "|", trimming each tag and
// dropping empty ones. It returns nil when there are none.
func splitTags(s string) []string {
	var tags []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ',' || r == '|' }) {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// timeLayouts are the zone-less layouts parseTime reads as UTC.
var timeLayouts = []string{
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04",
	"2006-01-02T15:04",
	"2006-01-02",
}

// parseTime reads a time as RFC 3339 ("2024-03-01T14:30:00Z", with any
// offset and fraction), "2006-01-02 15:04:05", "2006-01-02 15:04",
// "2006-01-02" or Unix seconds. Times without a zone are UTC. The result is
// in UTC. Eight digits are read as a date (20240301) when they are one,
// rather than as a moment of 1970.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s != "" && strings.Trim(s, "0123456789") == "" {
		if len(s) == 8 {
			if t, err := time.Parse("20060102", s); err == nil {
				return t, nil
			}
		}
		if len(s) <= 11 {
			sec, err := strconv.ParseInt(s, 10, 64)
			if err == nil {
				return time.Unix(sec, 0).UTC(), nil
			}
		}
		if len(s) == 13 {
			return time.Time{}, fmt.Errorf("%q looks like Unix milliseconds; use Unix seconds, RFC 3339 (2024-03-01T14:30:00Z) or 2024-03-01 14:30:00", s)
		}
	} else {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
		if t, err := time.Parse("2006-01-02 15:04:05.999999999Z07:00", s); err == nil {
			return t.UTC(), nil
		}
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return t, nil
			}
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time; use RFC 3339 (2024-03-01T14:30:00Z), 2024-03-01 14:30:00, 2024-03-01 or Unix seconds", clip(s))
}
