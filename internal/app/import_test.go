package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/geo"
	"github.com/meridian-crm/meridian/internal/geocode"
	"github.com/meridian-crm/meridian/internal/sqlstore"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/territory"
)

// knownZIPs are ZIP codes with their centroids as published by the US Census
// Gazetteer (approximate), independent of the embedded data.
var knownZIPs = []struct {
	zip string
	at  geo.Point
}{
	{"80202", geo.Point{Lon: -104.9986, Lat: 39.7528}}, // Denver
	{"10001", geo.Point{Lon: -73.9967, Lat: 40.7506}},  // New York
	{"94103", geo.Point{Lon: -122.4114, Lat: 37.7725}}, // San Francisco
	{"60601", geo.Point{Lon: -87.6229, Lat: 41.8858}},  // Chicago
	{"02134", geo.Point{Lon: -71.1331, Lat: 42.3587}},  // Allston, MA (leading zero)
}

// messyFile is a Salesforce account export with the faults real ones have.
type messyFile struct {
	data                        []byte
	rows                        int
	imported, updated, rejected int
	zipRows                     map[string]geo.Point // external id → expected centroid
	unknownZIP                  []string
	renamed                     map[string]string
}

// buildMessySalesforce makes n rows (a multiple of 50): per 50 rows, 3 to
// reject (blank name, impossible latitude, unreadable revenue), 1 repeating
// an earlier id, 4 with only a known ZIP, 2 with an unknown ZIP, the rest
// with coordinates. UTF-8 BOM, CRLF, quoted commas and newlines.
func buildMessySalesforce(n int) messyFile {
	f := messyFile{rows: n, zipRows: map[string]geo.Point{}, renamed: map[string]string{}}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	w.Write([]string{"Account ID", "Account Name", "Billing Street", "Billing City", "Billing State/Province", "Billing Zip/Postal Code",
		"Billing Country", "Billing Latitude", "Billing Longitude", "Type", "Account Owner", "Annual Revenue", "Account Source", "Industry"})
	types := []string{"Customer - Direct", "Prospect", "Other", "Channel Partner / Reseller", "Customer - Channel"}
	owners := []string{"Rep One", "rep2@example.com", "Unknown Person", ""}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("001A%06d", i)
		name := fmt.Sprintf("Account %d, Smith & Sons", i)
		street := fmt.Sprintf("%d Main St\nSuite %d", 100+i, i%7)
		city, state, zip, country := "Denver", "CO", "80202", "USA"
		lat := fmt.Sprintf("%.6f", 39.6+float64(i%100)*0.003)
		lon := fmt.Sprintf("%.6f", -105.1+float64(i%97)*0.003)
		revenue := fmt.Sprintf("$%d,%03d.00", 1+i%900, i%1000)
		switch k := i % 50; {
		case k == 7:
			name = "  "
			f.rejected++
		case k == 13:
			lat = "95.5"
			f.rejected++
		case k == 21:
			revenue = "twelve"
			f.rejected++
		case k == 30:
			id = fmt.Sprintf("001A%06d", i-30)
			name = fmt.Sprintf("Account %d renamed", i-30)
			f.renamed[id] = name
			f.updated++
		case i%10 == 3:
			z := knownZIPs[(i/10)%len(knownZIPs)]
			lat, lon, city, state, zip = "", "", "", "", z.zip
			f.zipRows[id] = z.at
			f.imported++
		case i%25 == 4:
			lat, lon, city, state, zip = "", "", "", "", "00000"
			f.unknownZIP = append(f.unknownZIP, id)
			f.imported++
		default:
			f.imported++
		}
		w.Write([]string{id, name, street, city, state, zip, country, lat, lon, types[i%len(types)], owners[i%len(owners)], revenue, "Web", "Retail"})
	}
	w.Flush()
	f.data = buf.Bytes()
	return f
}

func newService(t *testing.T, open func(testing.TB) *sqlstore.DB) *app.Service {
	t.Helper()
	svc := app.New(open(t), geocode.NewOffline(), nil)
	if err := svc.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, u := range []*auth.User{
		{Email: "rep1@example.com", Name: "Rep One", Role: auth.RoleRep},
		{Email: "rep2@example.com", Name: "Rep Two", Role: auth.RoleRep},
	} {
		if err := svc.CreateUser(context.Background(), auth.System, u, ""); err != nil {
			t.Fatal(err)
		}
	}
	return svc
}

func TestImportMessySalesforceExport(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, eng.Open)
			denver := &territory.Territory{Name: "Denver", Shape: geo.MultiPolygon{{{{Lon: -106, Lat: 39}, {Lon: -104, Lat: 39}, {Lon: -104, Lat: 40.5}, {Lon: -106, Lat: 40.5}, {Lon: -106, Lat: 39}}}}}
			if err := svc.SaveTerritory(ctx, auth.System, denver); err != nil {
				t.Fatal(err)
			}
			mf := buildMessySalesforce(2550)
			dir := t.TempDir()
			path := filepath.Join(dir, "accounts.csv")
			if err := os.WriteFile(path, mf.data, 0o600); err != nil {
				t.Fatal(err)
			}
			sum, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(mf.data), path, app.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sum.Imported != mf.imported || sum.Updated != mf.updated || sum.Rejected != mf.rejected || sum.Rows != mf.rows {
				t.Errorf("first import = %d rows, imported %d, updated %d, rejected %d; want %d, %d, %d, %d",
					sum.Rows, sum.Imported, sum.Updated, sum.Rejected, mf.rows, mf.imported, mf.updated, mf.rejected)
			}
			if sum.RejectsFile != filepath.Join(dir, "accounts.rejects.csv") {
				t.Errorf("rejects file = %q", sum.RejectsFile)
			}
			rej, err := os.ReadFile(sum.RejectsFile)
			if err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(bytes.NewReader(rej)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != mf.rejected+1 || recs[0][len(recs[0])-1] != "reject_reason" {
				t.Errorf("rejects file has %d records (header %v), want %d rows plus a header ending in reject_reason", len(recs), recs[0], mf.rejected)
			}
			reasons := strings.ToLower(string(rej))
			for _, want := range []string{"name", "latitude", "twelve"} {
				if !strings.Contains(reasons, want) {
					t.Errorf("reject reasons never mention %q:\n%s", want, rej[:min(len(rej), 2000)])
				}
			}
			list, err := svc.ListAccounts(ctx, auth.System, account.Filter{}, account.Page{Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if list.Total != mf.imported {
				t.Errorf("accounts stored = %d, want %d", list.Total, mf.imported)
			}
			for ext, want := range mf.zipRows {
				a, err := svc.Store.GetAccountByExternalID(ctx, ext)
				if err != nil {
					t.Fatal(err)
				}
				if a.Location == nil {
					t.Errorf("ZIP-only account %s (%s) not placed", ext, a.PostalCode)
					continue
				}
				if d := geo.DistanceMeters(*a.Location, want); d > 5000 || a.Precision != account.PrecisionPostal {
					t.Errorf("ZIP-only account %s (%s) at %v, %.0f m from the centroid, precision %s; want within 5 km, postal", ext, a.PostalCode, *a.Location, d, a.Precision)
				}
			}
			for _, ext := range mf.unknownZIP {
				a, err := svc.Store.GetAccountByExternalID(ctx, ext)
				if err != nil {
					t.Fatal(err)
				}
				if a.Location != nil || a.Precision != account.PrecisionNone {
					t.Errorf("unknown-ZIP account %s placed at %v (%s), want unplaced", ext, a.Location, a.Precision)
				}
			}
			for ext, name := range mf.renamed {
				a, _ := svc.Store.GetAccountByExternalID(ctx, ext)
				if a.Name != name {
					t.Errorf("repeated id %s: name %q, want the later row's %q", ext, a.Name, name)
				}
			}
			first, _ := svc.Store.GetAccountByExternalID(ctx, "001A000001")
			if first.Stage != "lead" || first.OwnerID == 0 || first.TerritoryID != denver.ID || first.Custom["Industry"] != "Retail" {
				t.Errorf("row 1 account = stage %q owner %d territory %d custom %v; want lead (Prospect), an owner, Denver, Industry=Retail",
					first.Stage, first.OwnerID, first.TerritoryID, first.Custom)
			}
			if !strings.Contains(first.Street, "\n") {
				t.Errorf("quoted newline lost from street: %q", first.Street)
			}

			// The same file again adds nothing.
			sum2, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(mf.data), path, app.ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if sum2.Imported != 0 || sum2.Updated != mf.imported+mf.updated || sum2.Rejected != mf.rejected {
				t.Errorf("second import = imported %d, updated %d, rejected %d; want 0, %d, %d", sum2.Imported, sum2.Updated, sum2.Rejected, mf.imported+mf.updated, mf.rejected)
			}
			list, _ = svc.ListAccounts(ctx, auth.System, account.Filter{}, account.Page{Limit: 1})
			if list.Total != mf.imported {
				t.Errorf("accounts after second import = %d, want %d", list.Total, mf.imported)
			}
		})
	}
}

// failingReader returns an error after n bytes, as a dropped upload or a
// dying disk would.
type failingReader struct {
	r io.Reader
	n int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("connection reset half-way")
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

func TestImportFailingHalfWayKeepsNothing(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			svc := newService(t, eng.Open)
			mf := buildMessySalesforce(5000)
			path := filepath.Join(t.TempDir(), "a.csv")
			_, err := svc.ImportAccounts(ctx, auth.System, &failingReader{r: bytes.NewReader(mf.data), n: len(mf.data) / 2}, path, app.ImportOptions{BatchSize: 100})
			if err == nil {
				t.Fatal("import of a file that fails half-way = nil error")
			}
			list, _ := svc.ListAccounts(ctx, auth.System, account.Filter{}, account.Page{Limit: 1})
			if list.Total != 0 {
				t.Errorf("accounts after a failed import = %d, want 0", list.Total)
			}
			if _, err := os.Stat(app.RejectsPathFor(path)); !os.IsNotExist(err) {
				t.Errorf("a failed import left a rejects file: %v", err)
			}
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := svc.ImportAccounts(cctx, auth.System, bytes.NewReader(mf.data), path, app.ImportOptions{}); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled import = %v, want context.Canceled", err)
			}
			sum, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(mf.data), path, app.ImportOptions{BatchSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			list, _ = svc.ListAccounts(ctx, auth.System, account.Filter{}, account.Page{Limit: 1})
			if sum.Imported != mf.imported || list.Total != mf.imported {
				t.Errorf("after the re-run: imported %d, stored %d; want %d", sum.Imported, list.Total, mf.imported)
			}
		})
	}
}
