package app_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/storetest"
)

// TestImportXLSX imports a HubSpot company export saved as a workbook, with
// numbers stored as numbers and a ZIP stored as a number (leading zero lost).
func TestImportXLSX(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, storetest.OpenSQLite)
	f := excelize.NewFile()
	rows := [][]any{
		{"Record ID", "Company name", "City", "State/Region", "Postal Code", "Country/Region", "Lifecycle Stage", "Company owner", "Annual Revenue"},
		{1001, "Harbor Coffee", "Boston", "MA", 2134, "United States", "Marketing Qualified Lead", "rep1@example.com", 250000},
		{1002, "Lakeside Dental", "Chicago", "IL", "60601", "United States", "customer", "Rep Two", "1,500,000"},
		{1003, "", "Nowhere", "", "", "", "lead", "", ""},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "companies.xlsx")
	sum, err := svc.ImportAccounts(ctx, auth.System, bytes.NewReader(buf.Bytes()), path, app.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Imported != 2 || sum.Rejected != 1 || sum.Geocoded != 2 {
		t.Fatalf("summary = %+v, want 2 imported (both geocoded), 1 rejected", sum)
	}
	a, err := svc.Store.GetAccountByExternalID(ctx, "1001")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Harbor Coffee" || a.Stage != "contacted" || a.OwnerID == 0 || a.Location == nil || a.Precision != account.PrecisionPostal {
		t.Errorf("account 1001 = %q stage %q owner %d location %v %s; want Harbor Coffee, contacted (MQL), an owner, placed by ZIP 02134",
			a.Name, a.Stage, a.OwnerID, a.Location, a.Precision)
	}
	b, _ := svc.Store.GetAccountByExternalID(ctx, "1002")
	if b.EstimatedValue != 1_500_000 || b.Stage != "customer" || b.OwnerID == 0 {
		t.Errorf("account 1002 = value %v stage %q owner %d; want 1500000, customer, Rep Two", b.EstimatedValue, b.Stage, b.OwnerID)
	}
}
