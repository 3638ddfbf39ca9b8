package geocode

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names are compared by their key: letters and digits only, lower case,
// accents removed, the abbreviations St, Ste, Mt and Ft spelled out and a
// leading "the" dropped. So "São Paulo", "SAO PAULO" and "Sao-Paulo" are all
// "saopaulo"; "St. Louis" and "Saint Louis" are both "saintlouis"; "Coeur
// d'Alene" and "Coeur d Alene" are both "coeurdalene"; "The Bronx" is "bronx".

// key returns the matching key of a place name.
func key(s string) string { return normalize(s, true) }

// fold returns s in lower case without accents or punctuation, its words
// separated by single spaces: a key that keeps word boundaries, for street
// addresses where "1 23 Main" and "12 3 Main" differ.
func fold(s string) string { return normalize(s, false) }

func normalize(s string, asKey bool) string {
	var buf [64]byte
	out := appendNormalized(buf[:0], s, asKey)
	if string(out) == s {
		return s
	}
	return string(out)
}

// expansions spell out the abbreviations that start or sit inside place names.
var expansions = map[string]string{"st": "saint", "ste": "sainte", "mt": "mount", "ft": "fort"}

// appendNormalized appends key(s) or fold(s) to dst.
func appendNormalized(dst []byte, s string, asKey bool) []byte {
	base := len(dst)
	out := dst
	wordStart := base // where the current word starts in out
	words := 0        // words seen
	droppedThe := false
	endWord := func() {
		if len(out) == wordStart {
			return
		}
		if asKey {
			w := out[wordStart:]
			if words == 0 && string(w) == "the" {
				out, droppedThe, words = out[:wordStart], true, 1
				return
			}
			if e, ok := expansions[string(w)]; ok {
				out = append(out[:wordStart], e...)
			}
		} else {
			out = append(out, ' ')
		}
		words++
		wordStart = len(out)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				out = append(out, c)
			case 'A' <= c && c <= 'Z':
				out = append(out, c+('a'-'A'))
			case c == '\'' || c == '`':
				// O'Fallon is OFallon: an apostrophe joins.
			default:
				endWord()
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		switch {
		case isApostrophe(r), unicode.Is(unicode.Mn, r):
			// joins, like ', or is a combining accent to drop
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if f, ok := foldMap[r]; ok {
				out = append(out, f...)
			} else {
				out = utf8.AppendRune(out, unicode.ToLower(r))
			}
		default:
			endWord()
		}
	}
	endWord()
	switch {
	case asKey && len(out) == base && droppedThe:
		out = append(out, "the"...) // the name is just "The"
	case !asKey && len(out) > base:
		out = out[:len(out)-1] // the trailing space
	}
	return out
}

func isApostrophe(r rune) bool {
	switch r {
	case '\u2018', '\u2019', '\u02bb', '\u02bc', '\u00b4':
		return true
	}
	return false
}

// foldMap takes the precomposed Latin letters to their unaccented lower-case
// ASCII spelling (their Unicode canonical decomposition less the marks), and
// the few letters that have no decomposition to their usual transliteration.
var foldMap = func() map[rune]string {
	groups := []struct{ to, from string }{
		{"a", "ÀÁÂÃÄÅàáâãäåĀāĂăĄąǍǎǞǟǠǡǺǻȀȁȂȃȦȧḀḁẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặ"},
		{"b", "ḂḃḄḅḆḇ"},
		{"c", "ÇçĆćĈĉĊċČčḈḉ"},
		{"d", "ĎďḊḋḌḍḎḏḐḑḒḓĐđÐð"},
		{"e", "ÈÉÊËèéêëĒēĔĕĖėĘęĚěȄȅȆȇȨȩḔḕḖḗḘḙḚḛḜḝẸẹẺẻẼẽẾếỀềỂểỄễỆệƏə"},
		{"f", "Ḟḟƒ"},
		{"g", "ĜĝĞğĠġĢģǦǧǴǵḠḡ"},
		{"h", "ĤĥȞȟḢḣḤḥḦḧḨḩḪḫẖĦħ"},
		{"i", "ÌÍÎÏìíîïĨĩĪīĬĭĮįİıǏǐȈȉȊȋḬḭḮḯỈỉỊị"},
		{"j", "Ĵĵǰ"},
		{"k", "ĶķǨǩḰḱḲḳḴḵĸ"},
		{"l", "ĹĺĻļĽľḶḷḸḹḺḻḼḽŁłĿŀ"},
		{"m", "ḾḿṀṁṂṃ"},
		{"n", "ÑñŃńŅņŇňǸǹṄṅṆṇṈṉṊṋŊŋ"},
		{"o", "ÒÓÔÕÖòóôõöŌōŎŏŐőƠơǑǒǪǫǬǭȌȍȎȏȪȫȬȭȮȯȰȱṌṍṎṏṐṑṒṓỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợØø"},
		{"p", "ṔṕṖṗ"},
		{"r", "ŔŕŖŗŘřȐȑȒȓṘṙṚṛṜṝṞṟ"},
		{"s", "ŚśŜŝŞşŠšȘșṠṡṢṣṤṥṦṧṨṩ"},
		{"t", "ŢţŤťȚțṪṫṬṭṮṯṰṱẗŦŧ"},
		{"u", "ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲųƯưǓǔǕǖǗǘǙǚǛǜȔȕȖȗṲṳṴṵṶṷṸṹṺṻỤụỦủỨứỪừỬửỮữỰự"},
		{"v", "ṼṽṾṿ"},
		{"w", "ŴŵẀẁẂẃẄẅẆẇẈẉẘ"},
		{"x", "ẊẋẌẍ"},
		{"y", "ÝýÿŶŷŸȲȳẎẏẙỲỳỴỵỶỷỸỹ"},
		{"z", "ŹźŻżŽžẐẑẒẓẔẕ"},
		{"ae", "ÆæǼǽ"},
		{"oe", "Œœ"},
		{"ss", "ß"},
		{"th", "Þþ"},
	}
	m := make(map[rune]string, 600)
	for _, g := range groups {
		for _, r := range g.from {
			m[r] = g.to
		}
	}
	return m
}()

// parseZIP reads a US ZIP code as exports give it and returns its 5-digit
// number: "10001", "10001-1234", "10001 1234" and "100011234" (ZIP+4), and
// "2134" or "501" for ZIPs whose leading zeros a spreadsheet dropped.
func parseZIP(s string) (int, bool) {
	s = strings.TrimSpace(s)
	main, plus4 := s, ""
	if i := strings.IndexAny(s, "- "); i >= 0 {
		main, plus4 = s[:i], strings.TrimSpace(s[i+1:])
		if len(plus4) != 4 || !allDigits(plus4) {
			return 0, false
		}
	} else if len(s) == 9 {
		main = s[:5]
	}
	if len(main) < 3 || len(main) > 5 || !allDigits(main) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(main); i++ {
		n = n*10 + int(main[i]-'0')
	}
	return n, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// zipString formats a ZIP number with its leading zeros.
func zipString(n int) string {
	b := [5]byte{}
	for i := 4; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[:])
}
