package importer

import (
	"fmt"
	"strings"
	"time"
)

// The interaction fields, in the order of interactionFields.
const (
	iAccountID = iota
	iAt
	iChannel
	iType
	iOutcome
	iUser
	iVariant
	iStage
	iValue
	iLat
	iLon
	iNotes
)

var interactionFields = []string{"account_id", "at", "channel", "type", "outcome", "user", "variant", "stage", "value", "lat", "lon", "notes"}

// interactionSpec lists the headers recognised for each interaction field
// besides its own name. Date and time headers are fallbacks for "at", so a
// file with an "at" column may also carry a "date" one.
var interactionSpec = newSpec("interaction", interactionFields, []string{"account_id", "at", "channel", "type"},
	map[string][]string{
		"account_id": {"external_id", "Account External ID"},
		"at":         {"Occurred At"},
		"type":       {"Interaction Type", "Activity Type"},
		"outcome":    {"Result"},
		"user":       {"User Email", "Rep", "Rep Email"},
		"stage":      {"Journey Stage"},
		"value":      {"Amount"},
		"lat":        {"Latitude"},
		"lon":        {"Longitude", "Lng", "Long"},
		"notes":      {"Note", "Comment", "Comments"},
	},
	map[string][]string{
		"at": {"Timestamp", "Date", "Time", "Datetime"},
	},
	[]string{"property.", "custom."}, false)

// InteractionFieldNames returns the interaction fields a column can map to,
// in Meridian's export order.
func InteractionFieldNames() []string { return append([]string(nil), interactionFields...) }

// InteractionMapping maps the columns of an interaction file to fields.
// It is immutable and safe for concurrent use.
type InteractionMapping struct {
	m *mapping
}

// InteractionRow is one touchpoint as the file gives it. Strings are
// trimmed; empty means "not given".
type InteractionRow struct {
	Row               int    // the row's number, for messages
	AccountExternalID string // the account's external id
	At                time.Time
	Channel           string // lower case
	Type, Outcome     string
	User              string // an email or name, as the file has it
	Variant, Stage    string
	Notes             string
	Value             *float64 // nil when the cell is empty
	// Lat and Lon are both set or both nil; 0,0 in the file reads as nil.
	Lat, Lon   *float64
	Properties map[string]string // non-empty other cells; nil when none
}

// NewInteractionMapping decides what each column of header feeds. The file
// needs account_id (the account's external id; "Account ID" and
// "external_id" are accepted too), at, channel and type columns. Overrides
// work as for accounts; a value may name a property as "property.<Name>"
// (or "custom.<Name>"). Other columns become properties named by their
// header.
func NewInteractionMapping(header []string, overrides map[string]string) (*InteractionMapping, error) {
	m, err := newMapping(interactionSpec, header, overrides)
	if err != nil {
		return nil, err
	}
	return &InteractionMapping{m: m}, nil
}

// Columns describes every column of the file, in order.
func (m *InteractionMapping) Columns() []Column { return m.m.columns() }

// Fields describes the columns that give interaction fields, in field order.
func (m *InteractionMapping) Fields() []Column { return m.m.fields() }

// Has reports whether a column gives field.
func (m *InteractionMapping) Has(field string) bool { return m.m.has(field) }

// Parse reads one row: account_id, at, channel and type are required; at
// is RFC 3339, "2006-01-02 15:04:05", "2006-01-02" or Unix seconds (UTC when
// no zone is given). The error is a *RowError.
func (m *InteractionMapping) Parse(row Row) (InteractionRow, error) {
	mm := m.m
	ir := InteractionRow{
		Row:               row.Number,
		AccountExternalID: mm.cell(row, iAccountID),
		Channel:           strings.ToLower(mm.cell(row, iChannel)),
		Type:              mm.cell(row, iType),
		Outcome:           mm.cell(row, iOutcome),
		User:              mm.cell(row, iUser),
		Variant:           mm.cell(row, iVariant),
		Stage:             mm.cell(row, iStage),
		Notes:             mm.cell(row, iNotes),
	}
	for _, f := range []struct {
		v     string
		field int
	}{{ir.AccountExternalID, iAccountID}, {mm.cell(row, iAt), iAt}, {ir.Channel, iChannel}, {ir.Type, iType}} {
		if f.v == "" {
			return InteractionRow{}, &RowError{Row: row.Number, Err: fmt.Errorf("%s is required (column %q is empty)", interactionFields[f.field], mm.header(f.field))}
		}
	}
	var err error
	if ir.At, err = parseTime(mm.cell(row, iAt)); err != nil {
		return InteractionRow{}, &RowError{Row: row.Number, Column: mm.header(iAt), Err: err}
	}
	if ir.Value, err = mm.number(row, iValue, true); err != nil {
		return InteractionRow{}, err
	}
	if ir.Lat, ir.Lon, err = mm.coordinates(row, iLat, iLon); err != nil {
		return InteractionRow{}, err
	}
	ir.Properties = mm.customValues(row)
	return ir, nil
}
