package importer

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/derrors"
)

func TestNewInteractionMapping(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		want      []string
	}{
		{
			name:   "Meridian export",
			header: []string{"account_id", "at", "channel", "type", "outcome", "user", "variant", "stage", "value", "lat", "lon", "notes"},
			want: []string{`"account_id" → account_id`, `"at" → at`, `"channel" → channel`, `"type" → type`, `"outcome" → outcome`,
				`"user" → user`, `"variant" → variant`, `"stage" → stage`, `"value" → value`, `"lat" → lat`, `"lon" → lon`, `"notes" → notes`},
		},
		{
			name:   "other names, properties",
			header: []string{"Account ID", "Timestamp", "Channel", "Activity Type", "Result", "Rep Email", "Amount", "Comments", "Campaign", "property.utm_source"},
			want: []string{`"Account ID" → account_id`, `"Timestamp" → at`, `"Channel" → channel`, `"Activity Type" → type`, `"Result" → outcome`,
				`"Rep Email" → user`, `"Amount" → value`, `"Comments" → notes`, `"Campaign" → property.Campaign`, `"property.utm_source" → property.utm_source`},
		},
		{
			name:   "at wins over a date column",
			header: []string{"external_id", "at", "date", "channel", "type"},
			want:   []string{`"external_id" → account_id`, `"at" → at`, `"date" → property.date`, `"channel" → channel`, `"type" → type`},
		},
		{
			name:      "overrides",
			header:    []string{"Kunde", "Zeit", "Kanal", "Art", "Kampagne (Q1)"},
			overrides: map[string]string{"Kunde": "account_id", "Zeit": "at", "Kanal": "channel", "Art": "type", "Kampagne (Q1)": "custom.Campaign"},
			want: []string{`"Kunde" → account_id (--map)`, `"Zeit" → at (--map)`, `"Kanal" → channel (--map)`, `"Art" → type (--map)`,
				`"Kampagne (Q1)" → property.Campaign (--map)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewInteractionMapping(tt.header, tt.overrides)
			if err != nil {
				t.Fatalf("NewInteractionMapping() = %v", err)
			}
			if diff := cmp.Diff(tt.want, describe(m.Columns())); diff != "" {
				t.Errorf("Columns() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewInteractionMappingErrors(t *testing.T) {
	tests := []struct {
		name      string
		header    []string
		overrides map[string]string
		want      string
	}{
		{
			name:   "no type",
			header: []string{"account_id", "at", "channel"},
			want:   `no column gives type, which an interaction import needs; the columns are "account_id", "at", "channel"; use --map "Header=type" to say which column holds it`,
		},
		{
			name:   "no account",
			header: []string{"at", "channel", "type"},
			want:   `no column gives account_id, which an interaction import needs; the columns are "at", "channel", "type"; use --map "Header=account_id" to say which column holds it`,
		},
		{
			name:   "two account columns",
			header: []string{"account_id", "Account External ID", "at", "channel", "type"},
			want:   `columns "account_id" and "Account External ID" both map to account_id; choose one with --map "Account External ID=ignore" (or map it to another field)`,
		},
		{
			name:      "unknown field",
			header:    []string{"account_id", "at", "channel", "type", "x"},
			overrides: map[string]string{"x": "name"},
			want:      `--map "x=name": "name" is not a field; use one of account_id, at, channel, type, outcome, user, variant, stage, value, lat, lon, notes, property.<Name> or ignore`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewInteractionMapping(tt.header, tt.overrides)
			if err == nil || err.Error() != tt.want || !derrors.Is(err, derrors.Invalid) {
				t.Fatalf("NewInteractionMapping(%q, %v) = %v, want Invalid %q", tt.header, tt.overrides, err, tt.want)
			}
		})
	}
}

func TestInteractionParse(t *testing.T) {
	header := []string{"account_id", "at", "channel", "type", "outcome", "user", "variant", "stage", "value", "lat", "lon", "notes", "utm_source"}
	m, err := NewInteractionMapping(header, nil)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 14, 30, 0, 0, time.UTC)
	tests := []struct {
		name    string
		cells   []string
		want    InteractionRow
		wantErr string
	}{
		{
			name:  "everything",
			cells: []string{"001A", "2024-03-01T15:30:00+01:00", " Visit ", "demo", "follow_up", "ann@example.com", "B", "consideration", "€1.200,50", "48.85", "2.35", "met the owner", "newsletter"},
			want: InteractionRow{Row: 9, AccountExternalID: "001A", At: at, Channel: "visit", Type: "demo", Outcome: "follow_up", User: "ann@example.com",
				Variant: "B", Stage: "consideration", Value: ptr(1200.5), Lat: ptr(48.85), Lon: ptr(2.35), Notes: "met the owner",
				Properties: map[string]string{"utm_source": "newsletter"}},
		},
		{
			name:  "the minimum, Unix seconds",
			cells: []string{"001A", "1709303400", "EMAIL", "open"},
			want:  InteractionRow{Row: 9, AccountExternalID: "001A", At: at, Channel: "email", Type: "open"},
		},
		{
			name:  "zone-less time is UTC",
			cells: []string{"001A", "2024-03-01 14:30:00", "web", "visit", "", "", "", "", "", "0", "0"},
			want:  InteractionRow{Row: 9, AccountExternalID: "001A", At: at, Channel: "web", Type: "visit"},
		},
		{
			name:    "no account",
			cells:   []string{"", "2024-03-01", "web", "visit"},
			wantErr: `row 9: account_id is required (column "account_id" is empty)`,
		},
		{
			name:    "no time",
			cells:   []string{"1", "", "web", "visit"},
			wantErr: `row 9: at is required (column "at" is empty)`,
		},
		{
			name:    "no type",
			cells:   []string{"1", "2024-03-01", "web", ""},
			wantErr: `row 9: type is required (column "type" is empty)`,
		},
		{
			name:    "bad time",
			cells:   []string{"1", "03/01/2024", "web", "visit"},
			wantErr: `row 9, column "at": "03/01/2024" is not a time; use RFC 3339 (2024-03-01T14:30:00Z), 2024-03-01 14:30:00, 2024-03-01 or Unix seconds`,
		},
		{
			name:    "milliseconds",
			cells:   []string{"1", "1709303400000", "web", "visit"},
			wantErr: `row 9, column "at": "1709303400000" looks like Unix milliseconds; use Unix seconds, RFC 3339 (2024-03-01T14:30:00Z) or 2024-03-01 14:30:00`,
		},
		{
			name:    "bad value",
			cells:   []string{"1", "2024-03-01", "web", "visit", "", "", "", "", "ten"},
			wantErr: `row 9, column "value": "ten" is not a number`,
		},
		{
			name:    "impossible place",
			cells:   []string{"1", "2024-03-01", "visit", "visit", "", "", "", "", "", "91", "0"},
			wantErr: `row 9: impossible coordinates lat 91, lon 0 (columns "lat" and "lon"): latitude must be within [-90, 90]; are latitude and longitude swapped?`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.Parse(Row{Number: 9, Cells: tt.cells})
			if tt.wantErr != "" {
				var re *RowError
				if err == nil || err.Error() != tt.wantErr || !errors.As(err, &re) {
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
