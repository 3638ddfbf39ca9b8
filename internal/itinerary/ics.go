package itinerary

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/plan"
)

// ICSOptions set what an iCalendar export cannot read from the plan.
type ICSOptions struct {
	// Domain ends every event's UID (RFC 5545 §3.8.4.7 recommends a domain
	// name so UIDs are unique worldwide). Default "meridian.invalid".
	Domain string
	// Stamp is the DTSTAMP of every event; zero means the plan's UpdatedAt.
	Stamp time.Time
}

// ICS writes p as an iCalendar file (RFC 5545) with one event per visit,
// from the planned service start to the departure, in UTC. An event's UID
// depends on the plan, the rep and the account only, so a calendar that
// imports the file again after a re-optimisation moves the events instead of
// duplicating them.
func ICS(w io.Writer, p *plan.Plan, o ICSOptions) error {
	if o.Domain == "" {
		o.Domain = "meridian.invalid"
	}
	stamp := o.Stamp
	if stamp.IsZero() {
		stamp = p.UpdatedAt
	}
	var b bytes.Buffer
	line := func(name, value string) { writeFolded(&b, name+":"+value) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//Meridian//Route planning//EN")
	line("CALSCALE", "GREGORIAN")
	line("METHOD", "PUBLISH")
	line("X-WR-CALNAME", escapeText(planTitle(p)))
	for _, r := range p.Routes {
		for i, s := range r.Stops {
			if s.Depart.IsZero() {
				continue
			}
			start := s.Start
			if start.IsZero() {
				start = s.Arrival
			}
			line("BEGIN", "VEVENT")
			line("UID", fmt.Sprintf("plan-%d-rep-%d-account-%d@%s", p.ID, r.RepID, s.AccountID, o.Domain))
			line("DTSTAMP", icsTime(stamp))
			line("DTSTART", icsTime(start))
			line("DTEND", icsTime(s.Depart))
			line("SUMMARY", escapeText(fmt.Sprintf("Visit %d: %s", i+1, s.Name)))
			if s.Address != "" {
				line("LOCATION", escapeText(s.Address))
			}
			// GEO is latitude first (RFC 5545 §3.8.1.6), a structured value,
			// so its ";" is not escaped.
			line("GEO", coord(s.Location.Lat)+";"+coord(s.Location.Lon))
			line("DESCRIPTION", escapeText(stopDescription(p, r, i)))
			line("TRANSP", "OPAQUE")
			line("END", "VEVENT")
		}
	}
	line("END", "VCALENDAR")
	_, err := w.Write(b.Bytes())
	return err
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// escapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon,
// comma, and newlines become \\, \;, \, and \n. A bare CR is dropped.
func escapeText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				continue
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if c < 0x20 && c != '\t' {
				continue // control characters are not allowed in TEXT
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// writeFolded writes one content line ending in CRLF, folded so no line is
// longer than 75 octets (RFC 5545 §3.1): a fold is CRLF followed by a space,
// and never splits a UTF-8 sequence.
func writeFolded(b *bytes.Buffer, s string) {
	const limit = 75
	n := 0 // octets on the current physical line
	for len(s) > 0 {
		_, size := utf8.DecodeRuneInString(s)
		if n+size > limit {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteString(s[:size])
		n += size
		s = s[size:]
	}
	b.WriteString("\r\n")
}
