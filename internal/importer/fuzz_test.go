package importer

import (
	"bytes"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// FuzzReadCSV reads arbitrary bytes as a table, then maps and parses every
// row as accounts and as interactions. It checks that nothing panics, that
// row numbers only go up, and that what is accepted is well formed. The
// seed corpus is in testdata/fuzz/FuzzReadCSV.
func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("name,lat,lon\nAcme,48.85,2.35\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := OpenTable(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			if !derrors.Is(err, derrors.Invalid) {
				t.Fatalf("OpenTable() = %v, want an Invalid error for in-memory input", err)
			}
			return
		}
		defer tab.Close()
		header := tab.Header()
		seen := map[string]bool{}
		for _, h := range header {
			if h == "" || h != strings.TrimSpace(h) || !utf8.ValidString(h) || seen[strings.ToLower(h)] {
				t.Fatalf("Header() = %q: names must be non-empty, trimmed, valid UTF-8 and unique", header)
			}
			seen[strings.ToLower(h)] = true
		}

		accounts, err := NewAccountMapping(header, nil)
		if err != nil {
			// Make the first column the name, to get to Parse anyway.
			accounts, _ = NewAccountMapping(header, map[string]string{header[0]: "name"})
		}
		var interactions *InteractionMapping
		if len(header) >= 4 {
			interactions, _ = NewInteractionMapping(header, map[string]string{
				header[0]: "account_id", header[1]: "at", header[2]: "channel", header[3]: "type"})
		}

		last := 1
		for n := 0; ; n++ {
			if n > len(data)+1 {
				t.Fatalf("Next() returned %d rows from %d bytes: it does not end", n, len(data))
			}
			row, err := tab.Next()
			if err == io.EOF {
				break
			}
			var re *RowError
			if err != nil && !errors.As(err, &re) {
				if !derrors.Is(err, derrors.Invalid) {
					t.Fatalf("Next() = %v, want a *RowError, io.EOF or an Invalid error", err)
				}
				break
			}
			if row.Number <= last {
				t.Fatalf("Next() gave row %d after row %d", row.Number, last)
			}
			last = row.Number
			if err != nil {
				if re.Row != row.Number {
					t.Fatalf("RowError.Row = %d, want %d", re.Row, row.Number)
				}
				continue
			}
			if len(row.Cells) != len(header) {
				t.Fatalf("row %d has %d cells, want %d", row.Number, len(row.Cells), len(header))
			}
			for _, c := range row.Cells {
				if !utf8.ValidString(c) || strings.IndexByte(c, 0) >= 0 {
					t.Fatalf("row %d cell %q is not valid UTF-8 without NUL", row.Number, c)
				}
			}
			if accounts != nil {
				checkAccount(t, accounts, row)
			}
			if interactions != nil {
				checkInteraction(t, interactions, row)
			}
		}
	})
}

func checkAccount(t *testing.T, m *AccountMapping, row Row) {
	ar, err := m.Parse(row)
	if err != nil {
		var re *RowError
		if !errors.As(err, &re) || re.Row != row.Number {
			t.Fatalf("Parse(row %d) = %v, want a *RowError for that row", row.Number, err)
		}
		return
	}
	if ar.Row != row.Number || ar.Name == "" {
		t.Fatalf("Parse(row %d) = row %d name %q", row.Number, ar.Row, ar.Name)
	}
	checkCoords(t, row, ar.Lat, ar.Lon)
	if v := ar.EstimatedValue; v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		t.Fatalf("Parse(row %d).EstimatedValue = %v", row.Number, *v)
	}
	for k, v := range ar.Custom {
		if !customKey.MatchString(k) || v == "" {
			t.Fatalf("Parse(row %d).Custom[%q] = %q: bad name or empty value", row.Number, k, v)
		}
	}
	for _, tag := range ar.Tags {
		if tag == "" || strings.ContainsAny(tag, ";,|") {
			t.Fatalf("Parse(row %d).Tags = %q", row.Number, ar.Tags)
		}
	}
}

func checkInteraction(t *testing.T, m *InteractionMapping, row Row) {
	ir, err := m.Parse(row)
	if err != nil {
		var re *RowError
		if !errors.As(err, &re) || re.Row != row.Number {
			t.Fatalf("Parse(row %d) = %v, want a *RowError for that row", row.Number, err)
		}
		return
	}
	if ir.AccountExternalID == "" || ir.Type == "" || ir.Channel != strings.ToLower(ir.Channel) || ir.At.Location() != time.UTC {
		t.Fatalf("Parse(row %d) = %+v", row.Number, ir)
	}
	checkCoords(t, row, ir.Lat, ir.Lon)
}

func checkCoords(t *testing.T, row Row, lat, lon *float64) {
	if (lat == nil) != (lon == nil) {
		t.Fatalf("row %d: lat %v and lon %v must be both set or both nil", row.Number, lat, lon)
	}
	if lat != nil && (math.IsNaN(*lat) || math.IsNaN(*lon) || math.Abs(*lat) > 90 || math.Abs(*lon) > 180 || *lat == 0 && *lon == 0) {
		t.Fatalf("row %d: impossible coordinates %v, %v accepted", row.Number, *lat, *lon)
	}
}

// FuzzReadTerritories reads arbitrary bytes as GeoJSON territories. It
// checks that nothing panics, that every accepted shape is valid, and that
// what is accepted writes out and reads back. The seed corpus is in
// testdata/fuzz/FuzzReadTerritories.
func FuzzReadTerritories(f *testing.F) {
	f.Add([]byte(`{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]},"properties":{"name":"T"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feats, err := ReadTerritories(bytes.NewReader(data))
		if err != nil {
			if !derrors.Is(err, derrors.Invalid) {
				t.Fatalf("ReadTerritories() = %v, want an Invalid error for in-memory input", err)
			}
			return
		}
		names := map[string]bool{}
		for i, ft := range feats {
			if err := ft.Shape.Validate(); err != nil {
				t.Fatalf("feature %d (%q) accepted with an invalid shape: %v", ft.Index, ft.Name, err)
			}
			if ft.Name == "" || names[strings.ToLower(ft.Name)] {
				t.Fatalf("feature %d: name %q is empty or repeated", ft.Index, ft.Name)
			}
			names[strings.ToLower(ft.Name)] = true
			if i > 0 && ft.Index <= feats[i-1].Index {
				t.Fatalf("feature indexes %d then %d", feats[i-1].Index, ft.Index)
			}
			if ft.Color != "" && !hexColor.MatchString(ft.Color) {
				t.Fatalf("feature %d: colour %q accepted", ft.Index, ft.Color)
			}
			for _, r := range ft.Reps {
				if !looksLikeEmail(r) {
					t.Fatalf("feature %d: rep %q accepted", ft.Index, r)
				}
			}
		}
		var b bytes.Buffer
		if err := EncodeFeatureCollection(&b, territoryFeatures(feats)); err != nil {
			t.Fatalf("EncodeFeatureCollection(accepted features) = %v", err)
		}
		again, err := ReadTerritories(&b)
		if err != nil {
			t.Fatalf("ReadTerritories(EncodeFeatureCollection(accepted)) = %v\n%s", err, b.String())
		}
		if len(again) != len(feats) {
			t.Fatalf("round trip gave %d features, want %d", len(again), len(feats))
		}
	})
}
