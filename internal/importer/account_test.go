package importer

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// describe lists a mapping's columns as `"Header" → field` lines.
func describe(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.String()
	}
	return out
}

func TestNewAccountMapping(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		want      []string
	}{
		{
			name: "Salesforce account export",
			header: []string{"Account ID", "Account Name", "Type", "Billing Street", "Billing City", "Billing State/Province",
				"Billing Zip/Postal Code", "Billing Country", "Shipping Street", "Shipping City", "Billing Latitude", "Billing Longitude",
				"Account Owner", "Annual Revenue", "Account Source", "Industry", "Phone #"},
			want: []string{`"Account ID" → external_id`, `"Account Name" → name`, `"Type" → stage`, `"Billing Street" → street`,
				`"Billing City" → city`, `"Billing State/Province" → region`, `"Billing Zip/Postal Code" → postal_code`,
				`"Billing Country" → country`, `"Shipping Street" → custom.Shipping Street`, `"Shipping City" → custom.Shipping City`,
				`"Billing Latitude" → lat`, `"Billing Longitude" → lon`, `"Account Owner" → owner`, `"Annual Revenue" → estimated_value`,
				`"Account Source" → source_channel`, `"Industry" → custom.Industry`, `"Phone #" → custom.Phone`},
		},
		{
			name:   "Salesforce short names and shipping only",
			header: []string{"Account Name", "Billing State", "Billing Postal Code", "Shipping Street", "Shipping Country"},
			want: []string{`"Account Name" → name`, `"Billing State" → region`, `"Billing Postal Code" → postal_code`,
				`"Shipping Street" → street`, `"Shipping Country" → country`},
		},
		{
			name:   "Salesforce API names",
			header: []string{"Id", "Name", "BillingStreet", "BillingPostalCode", "BillingLatitude", "BillingLongitude", "AnnualRevenue", "OwnerId"},
			want: []string{`"Id" → external_id`, `"Name" → name`, `"BillingStreet" → street`, `"BillingPostalCode" → postal_code`,
				`"BillingLatitude" → lat`, `"BillingLongitude" → lon`, `"AnnualRevenue" → estimated_value`, `"OwnerId" → custom.OwnerId`},
		},
		{
			name: "HubSpot company export",
			header: []string{"Record ID", "Company name", "Street Address", "Street Address 2", "City", "State/Region", "Postal Code",
				"Country/Region", "Lifecycle Stage", "Type", "Company owner", "Annual Revenue", "Latitude", "Longitude", "Create Date"},
			want: []string{`"Record ID" → external_id`, `"Company name" → name`, `"Street Address" → street`,
				`"Street Address 2" → custom.Street Address 2`, `"City" → city`, `"State/Region" → region`, `"Postal Code" → postal_code`,
				`"Country/Region" → country`, `"Lifecycle Stage" → stage`, `"Type" → custom.Type`, `"Company owner" → owner`,
				`"Annual Revenue" → estimated_value`, `"Latitude" → lat`, `"Longitude" → lon`, `"Create Date" → custom.Create Date`},
		},
		{
			name: "Meridian export, with the derived columns ignored",
			header: []string{"external_id", "name", "stage", "owner", "street", "city", "region", "postal_code", "country", "lat", "lon",
				"precision", "estimated_value", "source_channel", "tags", "do_not_contact", "territory", "persona", "custom.Region__c", "custom.Fleet size"},
			overrides: map[string]string{"precision": "ignore", "territory": "ignore"},
			want: []string{`"external_id" → external_id`, `"name" → name`, `"stage" → stage`, `"owner" → owner`, `"street" → street`,
				`"city" → city`, `"region" → region`, `"postal_code" → postal_code`, `"country" → country`, `"lat" → lat`, `"lon" → lon`,
				`"precision" → ignore (--map)`, `"estimated_value" → estimated_value`, `"source_channel" → source_channel`, `"tags" → tags`,
				`"do_not_contact" → do_not_contact`, `"territory" → ignore (--map)`, `"persona" → persona`,
				`"custom.Region__c" → custom.Region__c`, `"custom.Fleet size" → custom.Fleet size`},
		},
		{
			name:   "generic names",
			header: []string{"ID", "Company", "Address", "State", "ZIP code", "Postcode (old)", "LAT", "lng", "Status", "Owner Email", "Revenue"},
			want: []string{`"ID" → external_id`, `"Company" → name`, `"Address" → street`, `"State" → region`, `"ZIP code" → postal_code`,
				`"Postcode (old)" → custom.Postcode old`, `"LAT" → lat`, `"lng" → lon`, `"Status" → stage`, `"Owner Email" → owner`,
				`"Revenue" → estimated_value`},
		},
		{
			name:   "other spellings of the same header",
			header: []string{" account_name ", "BILLING ZIP/POSTAL CODE", "long", "latitude", "zip_code (2)", "Do Not Contact"},
			want: []string{`"account_name" → name`, `"BILLING ZIP/POSTAL CODE" → postal_code`, `"long" → lon`, `"latitude" → lat`,
				`"zip_code (2)" → custom.zip_code 2`, `"Do Not Contact" → do_not_contact`},
		},
		{
			name:      "overrides: field, custom, ignore, case-insensitive header",
			header:    []string{"Firma", "Ort", "Notizen", "Telefon", "Breite", "Länge"},
			overrides: map[string]string{"firma": "NAME", "Ort": "city", "Notizen": "custom.Notes", "telefon": "ignore", "Breite": "lat", "Länge": " lon "},
			want: []string{`"Firma" → name (--map)`, `"Ort" → city (--map)`, `"Notizen" → custom.Notes (--map)`, `"Telefon" → ignore (--map)`,
				`"Breite" → lat (--map)`, `"Länge" → lon (--map)`},
		},
		{
			name:      "an override settles two candidates for a field",
			header:    []string{"Account Name", "Company"},
			overrides: map[string]string{"Company": "name"},
			want:      []string{`"Account Name" → custom.Account Name`, `"Company" → name (--map)`},
		},
		{
			name:      "the same override twice, differing in case",
			header:    []string{"Name", "Territory"},
			overrides: map[string]string{"Territory": "ignore", "territory": "IGNORE"},
			want:      []string{`"Name" → name`, `"Territory" → ignore (--map)`},
		},
		{
			name:   "custom names stay unique; clean headers keep theirs",
			header: []string{"Name", "Phone #", "Phone", "custom.Phone 2", "名前"},
			want:   []string{`"Name" → name`, `"Phone #" → custom.Phone 3`, `"Phone" → custom.Phone`, `"custom.Phone 2" → custom.Phone 2`, `"名前" → custom.Column 5`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewAccountMapping(tt.header, tt.overrides)
			if err != nil {
				t.Fatalf("NewAccountMapping() = %v", err)
			}
			if diff := cmp.Diff(tt.want, describe(m.Columns())); diff != "" {
				t.Errorf("Columns() mismatch (-want +got):\n%s", diff)
			}
			for _, c := range m.Columns() {
				if name, ok := strings.CutPrefix(c.Field, "custom."); ok && !customKey.MatchString(name) {
					t.Errorf("column %q maps to custom field %q, which account.Validate refuses", c.Header, name)
				}
			}
		})
	}
}

func TestAccountMappingFields(t *testing.T) {
	m, err := NewAccountMapping([]string{"Industry", "Billing City", "Account Name", "Account ID"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Column{
		{Index: 3, Header: "Account ID", Field: "external_id"},
		{Index: 2, Header: "Account Name", Field: "name"},
		{Index: 1, Header: "Billing City", Field: "city"},
	}
	if diff := cmp.Diff(want, m.Fields()); diff != "" {
		t.Errorf("Fields() mismatch (-want +got):\n%s", diff)
	}
	for field, want := range map[string]bool{"name": true, "city": true, "external_id": true, "street": false, "lat": false, "nope": false} {
		if got := m.Has(field); got != want {
			t.Errorf("Has(%q) = %v, want %v", field, got, want)
		}
	}
	if !m.HasCustom() {
		t.Errorf("HasCustom() = false, want true (Industry)")
	}
}

func TestNewAccountMappingErrors(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		want      string
	}{
		{
			name:      "override names a missing header",
			header:    []string{"Name", "City"},
			overrides: map[string]string{"Nope": "name"},
			want:      `--map "Nope=name": the file has no column "Nope"; the columns are "Name", "City"`,
		},
		{
			name:      "override names an unknown field",
			header:    []string{"Firma"},
			overrides: map[string]string{"Firma": "nmae"},
			want:      `--map "Firma=nmae": "nmae" is not a field; use one of external_id, name, street, city, region, postal_code, country, lat, lon, stage, owner, estimated_value, source_channel, tags, do_not_contact, persona, custom.<Name> or ignore`,
		},
		{
			name:      "override names an invalid custom field",
			header:    []string{"Name", "Tel"},
			overrides: map[string]string{"Tel": "custom.Phone #"},
			want:      `--map "Tel=custom.Phone #": custom field name "Phone #" may only use letters, digits, spaces and _ . - /, start with a letter, digit or _, and be at most 64 characters`,
		},
		{
			name:      "override names no custom field",
			header:    []string{"Name", "Tel"},
			overrides: map[string]string{"Tel": "custom."},
			want:      `--map "Tel=custom.": "custom." names no custom field after the dot`,
		},
		{
			name:   "two columns for one field",
			header: []string{"Account Name", "City", "Company"},
			want:   `columns "Account Name" and "Company" both map to name; choose one with --map "Company=ignore" (or map it to another field)`,
		},
		{
			name:      "two overrides for one field",
			header:    []string{"A", "B"},
			overrides: map[string]string{"A": "name", "B": "name"},
			want:      `--map gives name to both column "A" and column "B"; map only one of them to it`,
		},
		{
			name:      "two overrides for one column",
			header:    []string{"Name", "City"},
			overrides: map[string]string{"City": "city", "city": "region"},
			want:      `--map "City=city" and --map "city=region" both set column "City"; give it once`,
		},
		{
			name:      "two columns for one custom field",
			header:    []string{"Name", "custom.Foo", "Bar"},
			overrides: map[string]string{"Bar": "custom.foo"},
			want:      `columns "custom.Foo" and "Bar" both map to custom.foo; rename one with --map "Bar=custom.Other name"`,
		},
		{
			name:   "no name",
			header: []string{"City", "Zip", "Revenue"},
			want:   `no column gives name, which an account import needs; the columns are "City", "Zip", "Revenue"; use --map "Header=name" to say which column holds it`,
		},
		{
			name:   "latitude without longitude",
			header: []string{"Name", "Latitude"},
			want:   `column "Latitude" gives lat but no column gives lon; map one with --map "Header=lon", or drop it with --map "Latitude=ignore"`,
		},
		{
			name:      "longitude without latitude",
			header:    []string{"Name", "Latitude", "Longitude"},
			overrides: map[string]string{"Latitude": "ignore"},
			want:      `column "Longitude" gives lon but no column gives lat; map one with --map "Header=lat", or drop it with --map "Longitude=ignore"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewAccountMapping(tt.header, tt.overrides)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("NewAccountMapping(%q, %v) = %v, want %q", tt.header, tt.overrides, err, tt.want)
			}
			if !derrors.Is(err, derrors.Invalid) {
				t.Errorf("KindOf(err) = %v, want invalid", derrors.KindOf(err))
			}
		})
	}
}

func ptr(f float64) *float64 { return &f }

func TestAccountParse(t *testing.T) {
	header := []string{"Account ID", "Account Name", "Billing City", "Billing Latitude", "Billing Longitude", "Annual Revenue",
		"Tags", "Do Not Contact", "Type", "Industry", "Persona"}
	m, err := NewAccountMapping(header, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cells   []string
		want    AccountRow
		wantErr string
	}{
		{
			name:  "everything",
			cells: []string{" 001A ", " Acme ", "Paris", "48.8566", "2.3522", "$1,234.50", "vip; key|new,", "Y", "Customer - Direct", "Retail", "Owner-operator"},
			want: AccountRow{Row: 7, ExternalID: "001A", Name: "Acme", City: "Paris", Lat: ptr(48.8566), Lon: ptr(2.3522),
				EstimatedValue: ptr(1234.5), Tags: []string{"vip", "key", "new"}, DoNotContact: true, Stage: "Customer - Direct",
				Persona: "Owner-operator", Custom: map[string]string{"Industry": "Retail"}},
		},
		{
			name:  "only a name; empty custom values omitted",
			cells: []string{"", "Beta", "", "", "", "", "", "", "", " ", ""},
			want:  AccountRow{Row: 7, Name: "Beta"},
		},
		{
			name:  "short row",
			cells: []string{"1", "Short"},
			want:  AccountRow{Row: 7, ExternalID: "1", Name: "Short"},
		},
		{
			name:  "0,0 is no position",
			cells: []string{"", "Null Island", "", "0", "0.0", "", "", "", "", "", ""},
			want:  AccountRow{Row: 7, Name: "Null Island"},
		},
		{
			name:  "decimal commas, negative and suffixed money",
			cells: []string{"", "Comma", "", "48,8566", "-2,3522", "(1.5M)", "", "no", "", "", ""},
			want:  AccountRow{Row: 7, Name: "Comma", Lat: ptr(48.8566), Lon: ptr(-2.3522), EstimatedValue: ptr(-1.5e6)},
		},
		{
			name:  "the edges of the world",
			cells: []string{"", "Pole", "", "-90", "180", "0", "", "", "", "", ""},
			want:  AccountRow{Row: 7, Name: "Pole", Lat: ptr(-90), Lon: ptr(180), EstimatedValue: ptr(0)},
		},
		{
			name:    "no name",
			cells:   []string{"001", "  ", "Paris"},
			wantErr: `row 7: name is required (column "Account Name" is empty)`,
		},
		{
			name:    "latitude not a number",
			cells:   []string{"", "X", "", "abc", "2"},
			wantErr: `row 7, column "Billing Latitude": "abc" is not a number`,
		},
		{
			name:    "longitude not finite",
			cells:   []string{"", "X", "", "1", "NaN"},
			wantErr: `row 7, column "Billing Longitude": "NaN" is not a number`,
		},
		{
			name:    "latitude without longitude",
			cells:   []string{"", "X", "", "48.85", ""},
			wantErr: `row 7: column "Billing Latitude" has "48.85" but column "Billing Longitude" is empty: give both coordinates or neither`,
		},
		{
			name:    "longitude without latitude",
			cells:   []string{"", "X", "", "", "2.35"},
			wantErr: `row 7: column "Billing Longitude" has "2.35" but column "Billing Latitude" is empty: give both coordinates or neither`,
		},
		{
			name:    "latitude out of range, probably swapped",
			cells:   []string{"", "X", "", "95", "10"},
			wantErr: `row 7: impossible coordinates lat 95, lon 10 (columns "Billing Latitude" and "Billing Longitude"): latitude must be within [-90, 90]; are latitude and longitude swapped?`,
		},
		{
			name:    "latitude out of range",
			cells:   []string{"", "X", "", "-95", "120"},
			wantErr: `row 7: impossible coordinates lat -95, lon 120 (columns "Billing Latitude" and "Billing Longitude"): latitude must be within [-90, 90]`,
		},
		{
			name:    "longitude out of range",
			cells:   []string{"", "X", "", "45", "180.5"},
			wantErr: `row 7: impossible coordinates lat 45, lon 180.5 (columns "Billing Latitude" and "Billing Longitude"): longitude must be within [-180, 180]`,
		},
		{
			name:    "money not a number",
			cells:   []string{"", "X", "", "", "", "lots"},
			wantErr: `row 7, column "Annual Revenue": "lots" is not a number`,
		},
		{
			name:    "do not contact unreadable",
			cells:   []string{"", "X", "", "", "", "", "", "maybe"},
			wantErr: `row 7, column "Do Not Contact": "maybe" is not yes or no (use true, yes, y, 1 or x; false, no, n, 0 or empty)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Parse(Row{Number: 7, Cells: tt.cells})
			if tt.wantErr != "" {
				var re *RowError
				if err == nil || err.Error() != tt.wantErr || !errors.As(err, &re) || re.Row != 7 {
					t.Fatalf("Parse(%q) = %v, want *RowError %q", tt.cells, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q) = %v, want no error", tt.cells, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.cells, diff)
			}
		})
	}
}

// TestAccountFiles reads whole files through OpenTable and the mapping.
func TestAccountFiles(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		overrides map[string]string
		want      []AccountRow
		wantErrs  []string
	}{
		{
			name: "Salesforce CSV with CRLF and a quoted newline",
			in: "Account ID,Account Name,Billing Street,Billing City,Billing Latitude,Billing Longitude,Annual Revenue,Type\r\n" +
				"001A,\"Acme, Inc.\",\"1 Main St\r\nSuite 5\",Springfield,39.78,-89.65,\"$2,500,000\",Customer - Direct\r\n" +
				"001B,Beta,,Shelbyville,abc,1,,Prospect\r\n" +
				"001C,Gamma,,,,,1.5M,\r\n",
			want: []AccountRow{
				{Row: 2, ExternalID: "001A", Name: "Acme, Inc.", Street: "1 Main St\nSuite 5", City: "Springfield", Lat: ptr(39.78), Lon: ptr(-89.65), EstimatedValue: ptr(2.5e6), Stage: "Customer - Direct"},
				{Row: 4, ExternalID: "001C", Name: "Gamma", EstimatedValue: ptr(1.5e6)},
			},
			wantErrs: []string{`row 3, column "Billing Latitude": "abc" is not a number`},
		},
		{
			name: "HubSpot export from a European Excel: BOM, semicolons, decimal commas",
			in: "\xEF\xBB\xBFRecord ID;Company name;City;Postal Code;Latitude;Longitude;Annual Revenue;Lifecycle Stage\r\n" +
				"42;Müller GmbH;Köln;50667;50,9375;6,9603;1.234.567,89;Customer\r\n",
			want: []AccountRow{
				{Row: 2, ExternalID: "42", Name: "Müller GmbH", City: "Köln", PostalCode: "50667", Lat: ptr(50.9375), Lon: ptr(6.9603), EstimatedValue: ptr(1234567.89), Stage: "Customer"},
			},
		},
		{
			name:      "tab-separated with overrides",
			in:        "Kunde\tPLZ\tBemerkung\tIntern\n K1 \t10115\tnice\tx\n",
			overrides: map[string]string{"Kunde": "name", "PLZ": "postal_code", "Intern": "ignore"},
			want:      []AccountRow{{Row: 2, Name: "K1", PostalCode: "10115", Custom: map[string]string{"Bemerkung": "nice"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := OpenTable(strings.NewReader(tt.in), "in.csv")
			if err != nil {
				t.Fatalf("OpenTable() = %v", err)
			}
			m, err := NewAccountMapping(tab.Header(), tt.overrides)
			if err != nil {
				t.Fatalf("NewAccountMapping(%q) = %v", tab.Header(), err)
			}
			var got []AccountRow
			var errs []string
			for {
				row, err := tab.Next()
				if err != nil {
					if err == io.EOF {
						break
					}
					t.Fatalf("Next() = %v", err)
				}
				ar, err := m.Parse(row)
				if err != nil {
					errs = append(errs, err.Error())
					continue
				}
				got = append(got, ar)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrs, errs); diff != "" {
				t.Errorf("errors mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
