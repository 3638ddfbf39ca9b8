package importer

import (
	"fmt"
)

// The account fields, in the order of accountFields.
const (
	aExternalID = iota
	aName
	aStreet
	aCity
	aRegion
	aPostalCode
	aCountry
	aLat
	aLon
	aStage
	aOwner
	aEstimatedValue
	aSourceChannel
	aTags
	aDoNotContact
	aPersona
)

var accountFields = []string{"external_id", "name", "street", "city", "region", "postal_code", "country", "lat", "lon",
	"stage", "owner", "estimated_value", "source_channel", "tags", "do_not_contact", "persona"}

// accountSpec lists the headers recognised for each account field (besides
// the field's own name): Salesforce account exports, HubSpot company
// exports and common names. Shipping addresses and Salesforce's Type are
// fallbacks, used only when no other column gives the field, so that a
// Salesforce export with both addresses takes the billing one and a HubSpot
// export with both Type and Lifecycle Stage takes the lifecycle stage.
var accountSpec = newSpec("account", accountFields, []string{"name"},
	map[string][]string{
		"external_id":     {"Account ID", "Record ID", "ID"},
		"name":            {"Account Name", "Company name", "Company", "Account"},
		"street":          {"Billing Street", "Street Address", "Address"},
		"city":            {"Billing City"},
		"region":          {"Billing State/Province", "Billing State", "State/Region", "State/Province", "State", "Province"},
		"postal_code":     {"Billing Zip/Postal Code", "Billing Postal Code", "Zip/Postal Code", "Zip", "Zip Code", "Postcode"},
		"country":         {"Billing Country", "Country/Region"},
		"lat":             {"Billing Latitude", "Latitude"},
		"lon":             {"Billing Longitude", "Longitude", "Lng", "Long"},
		"stage":           {"Lifecycle Stage", "Status"},
		"owner":           {"Account Owner", "Company owner", "Owner Email"},
		"estimated_value": {"Annual Revenue", "Value", "Revenue"},
		"source_channel":  {"Account Source"},
	},
	map[string][]string{
		"street":      {"Shipping Street"},
		"city":        {"Shipping City"},
		"region":      {"Shipping State/Province", "Shipping State"},
		"postal_code": {"Shipping Zip/Postal Code", "Shipping Postal Code"},
		"country":     {"Shipping Country"},
		"lat":         {"Shipping Latitude"},
		"lon":         {"Shipping Longitude"},
		"stage":       {"Type"},
	},
	[]string{"custom."}, true)

// AccountFieldNames returns the account fields a column can map to, in
// Meridian's export order.
func AccountFieldNames() []string { return append([]string(nil), accountFields...) }

// AccountMapping maps the columns of an account file to account fields.
// It is immutable and safe for concurrent use.
type AccountMapping struct {
	m *mapping
}

// AccountRow is one account as the file gives it, checked but not yet
// matched against the pipeline, users or existing accounts. Strings are
// trimmed; empty means "not given".
type AccountRow struct {
	Row int // the row's number, for messages

	ExternalID, Name                          string
	Street, City, Region, PostalCode, Country string
	Stage, Owner, SourceChannel, Persona      string

	// Lat and Lon are both set or both nil; 0,0 in the file reads as nil.
	Lat, Lon       *float64
	EstimatedValue *float64 // nil when the cell is empty
	Tags           []string // split on ";", "," or "|"; nil when empty
	DoNotContact   bool
	Custom         map[string]string // non-empty custom cells; nil when none
}

// NewAccountMapping decides what each column of header feeds (see the
// package documentation for the headers recognised). overrides come from
// the CLI's --map "Header=field" flags: keys are headers (matched exactly,
// or else ignoring case), values are a field name, "custom.<Name>" or
// "ignore". Columns that match nothing become custom fields named by their
// header.
//
// It is an Invalid error when an override names a header the file lacks or
// a field that does not exist, when two columns map to the same field, when
// latitude comes without longitude, and when no column gives the name.
func NewAccountMapping(header []string, overrides map[string]string) (*AccountMapping, error) {
	m, err := newMapping(accountSpec, header, overrides)
	if err != nil {
		return nil, err
	}
	return &AccountMapping{m: m}, nil
}

// Columns describes every column of the file, in order: the field, custom
// field or "ignore" it maps to.
func (m *AccountMapping) Columns() []Column { return m.m.columns() }

// Fields describes the columns that give account fields (not custom
// fields), in field order, so the CLI can print "name ← Account Name".
func (m *AccountMapping) Fields() []Column { return m.m.fields() }

// Has reports whether a column gives field (an account field name such as
// "street").
func (m *AccountMapping) Has(field string) bool { return m.m.has(field) }

// HasCustom reports whether any column gives a custom field.
func (m *AccountMapping) HasCustom() bool { return len(m.m.custom) > 0 }

// Parse reads one row. The name is required; numbers, coordinates and the
// do-not-contact flag must read. The error is a *RowError naming the row and,
// for a bad cell, the column and its value.
func (m *AccountMapping) Parse(row Row) (AccountRow, error) {
	mm := m.m
	ar := AccountRow{
		Row:           row.Number,
		ExternalID:    mm.cell(row, aExternalID),
		Name:          mm.cell(row, aName),
		Street:        mm.cell(row, aStreet),
		City:          mm.cell(row, aCity),
		Region:        mm.cell(row, aRegion),
		PostalCode:    mm.cell(row, aPostalCode),
		Country:       mm.cell(row, aCountry),
		Stage:         mm.cell(row, aStage),
		Owner:         mm.cell(row, aOwner),
		SourceChannel: mm.cell(row, aSourceChannel),
		Persona:       mm.cell(row, aPersona),
	}
	if ar.Name == "" {
		return AccountRow{}, &RowError{Row: row.Number, Err: fmt.Errorf("name is required (column %q is empty)", mm.header(aName))}
	}
	var err error
	if ar.Lat, ar.Lon, err = mm.coordinates(row, aLat, aLon); err != nil {
		return AccountRow{}, err
	}
	if ar.EstimatedValue, err = mm.number(row, aEstimatedValue, true); err != nil {
		return AccountRow{}, err
	}
	ar.Tags = splitTags(mm.cell(row, aTags))
	if v := mm.cell(row, aDoNotContact); v != "" {
		if ar.DoNotContact, err = parseBool(v); err != nil {
			return AccountRow{}, &RowError{Row: row.Number, Column: mm.header(aDoNotContact), Err: err}
		}
	}
	ar.Custom = mm.customValues(row)
	return ar, nil
}
