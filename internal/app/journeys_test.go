package app_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/account"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
	"github.com/meridian-crm/meridian/internal/journey/render/rendertest"
	"github.com/meridian-crm/meridian/internal/rules"
	"github.com/meridian-crm/meridian/internal/sqlstore"
	"github.com/meridian-crm/meridian/internal/storetest"
	"github.com/meridian-crm/meridian/internal/visit"
)

type journeyFixture struct {
	svc            *app.Service
	manager, rep   *auth.Actor
	managerU, repU *auth.User
	carJSON        []byte
}

func journeySetup(t *testing.T, open func(testing.TB) *sqlstore.DB) *journeyFixture {
	t.Helper()
	ctx := context.Background()
	svc := newService(t, open)
	f := &journeyFixture{svc: svc}
	f.managerU = &auth.User{Email: "lea@example.com", Name: "Lea", Role: auth.RoleManager}
	if err := svc.CreateUser(ctx, auth.System, f.managerU, ""); err != nil {
		t.Fatal(err)
	}
	rep, err := svc.Store.GetUserByEmail(ctx, "rep1@example.com")
	if err != nil {
		t.Fatal(err)
	}
	f.repU = rep
	f.manager = &auth.Actor{User: f.managerU}
	f.rep = &auth.Actor{User: rep, Scope: &account.Scope{OwnerID: rep.ID}}
	src, err := os.ReadFile("../journey/testdata/car_purchase.json")
	if err != nil {
		t.Fatal(err)
	}
	f.carJSON = src
	return f
}

// The acceptance case: the car-purchase journey imports, exports to the
// same JSON, and renders to SVG, PDF and PNG; one edit makes two versions.
func TestJourneyImportExportRender(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			f := journeySetup(t, eng.Open)
			doc := string(f.carJSON)
			j, err := f.svc.ImportJourney(ctx, f.manager, strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := f.svc.ExportJourney(ctx, f.manager, j.ID, "json", &out); err != nil {
				t.Fatal(err)
			}
			parsed, _, _, err := journey.Parse(strings.NewReader(doc))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(parsed.MarshalCanonical()), out.String()); diff != "" {
				t.Errorf("export differs from the imported document (-imported +exported):\n%s", diff)
			}
			// Export → import → export gives the same bytes.
			j2, err := f.svc.ImportJourney(ctx, f.manager, bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			var out2 bytes.Buffer
			if err := f.svc.ExportJourney(ctx, f.manager, j2.ID, "json", &out2); err != nil {
				t.Fatal(err)
			}
			if out.String() != out2.String() {
				t.Errorf("export → import → export differs:\n%s", cmp.Diff(out.String(), out2.String()))
			}

			stages := []string{"Discovery", "Comparing", "Considering", "Purchase", "Post-Purchase"}
			var svg bytes.Buffer
			if err := f.svc.ExportJourney(ctx, f.rep, j.ID, "svg", &svg); err != nil {
				t.Fatal(err)
			}
			dec := xml.NewDecoder(bytes.NewReader(svg.Bytes()))
			for {
				if _, err := dec.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Fatalf("SVG not well-formed: %v", err)
					}
					break
				}
			}
			for _, s := range append(stages, "books a test drive", "Online configurator", "type=test_drive", "Growing family") {
				if !strings.Contains(svg.String(), s) {
					t.Errorf("SVG lacks %q", s)
				}
			}
			var pngBuf bytes.Buffer
			if err := f.svc.ExportJourney(ctx, f.manager, j.ID, "png", &pngBuf); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&pngBuf)
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() < 1200 {
				t.Errorf("PNG width %d, want ≥ 1200", img.Bounds().Dx())
			}
			var pdf bytes.Buffer
			if err := f.svc.ExportJourney(ctx, f.manager, j.ID, "pdf", &pdf); err != nil {
				t.Fatal(err)
			}
			text := rendertest.PDFText(t, pdf.Bytes())
			for _, s := range stages {
				if !strings.Contains(text, s) {
					t.Errorf("pdftotext output lacks %q", s)
				}
			}
			err = f.svc.ExportJourney(ctx, f.manager, j.ID, "gif", &pdf)
			if !derrors.Is(err, derrors.Invalid) || !strings.Contains(err.Error(), "format") {
				t.Errorf("export gif = %v, want Invalid naming format", err)
			}

			// One edit makes two versions; the first stays as it was.
			got, err := f.svc.GetJourney(ctx, f.manager, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			edited := got.Document.Clone()
			edited.Stages[1].Thoughts = append(edited.Stages[1].Thoughts, "Electric or petrol?")
			if _, err := f.svc.UpdateJourney(ctx, f.manager, j.ID, edited, got.Version); err != nil {
				t.Fatal(err)
			}
			vs, err := f.svc.ListJourneyVersions(ctx, f.rep, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(vs) != 2 || vs[0].Version != 2 || vs[0].AuthorEmail != "lea@example.com" {
				t.Fatalf("versions after one edit = %d (newest %+v), want 2 by lea", len(vs), vs[0])
			}
			changes, err := f.svc.DiffJourneyVersions(ctx, f.rep, j.ID, 1, 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(changes) != 1 || changes[0].String() != `Comparing: thoughts: added "Electric or petrol?"` {
				t.Errorf("diff 1→2 = %v", changes)
			}
			// A save from the stale version 1 is refused.
			_, err = f.svc.UpdateJourney(ctx, f.manager, j.ID, edited, 1)
			if !derrors.Is(err, derrors.Conflict) {
				t.Errorf("stale save = %v, want Conflict", err)
			}
		})
	}
}

func TestJourneyRoles(t *testing.T) {
	ctx := context.Background()
	f := journeySetup(t, storetest.Engines[0].Open)
	tpl, _ := f.svc.JourneyFromTemplate(f.rep, "field_sale")
	if _, err := f.svc.CreateJourney(ctx, f.rep, tpl); !derrors.Is(err, derrors.Forbidden) {
		t.Errorf("rep CreateJourney = %v, want Forbidden", err)
	}
	if err := f.svc.SavePersona(ctx, f.rep, &journey.Persona{Name: "X"}); !derrors.Is(err, derrors.Forbidden) {
		t.Errorf("rep SavePersona = %v, want Forbidden", err)
	}
	tpl.Owner = "nobody@example.com"
	if _, err := f.svc.CreateJourney(ctx, f.manager, tpl); err == nil || !strings.Contains(err.Error(), `owner: no user has email "nobody@example.com"`) {
		t.Errorf("unknown owner = %v", err)
	}
	tpl.Owner = "rep1@example.com"
	j, err := f.svc.CreateJourney(ctx, f.manager, tpl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetJourney(ctx, f.rep, j.ID); err != nil {
		t.Errorf("rep GetJourney = %v, want to read it", err)
	}
	if _, err := f.svc.UpdateJourney(ctx, f.rep, j.ID, tpl, 0); !derrors.Is(err, derrors.Forbidden) {
		t.Errorf("rep UpdateJourney = %v, want Forbidden", err)
	}
	// The owner (a rep) may mark it reviewed.
	if _, err := f.svc.MarkJourneyReviewed(ctx, f.rep, j.ID); err != nil {
		t.Errorf("owner MarkJourneyReviewed = %v", err)
	}
}

// With 100 accounts reaching the five stages 100/60/30/12/9 times, three
// days apart, the metrics say exactly that; a rep sees their own accounts.
func TestJourneyMetricsFunnel(t *testing.T) {
	for _, eng := range storetest.Engines {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			f := journeySetup(t, eng.Open)
			j, err := f.svc.ImportJourney(ctx, f.manager, bytes.NewReader(f.carJSON))
			if err != nil {
				t.Fatal(err)
			}
			types := []string{"web_visit", "configurator", "test_drive", "purchase", "service_visit"}
			reach := []int{100, 60, 30, 12, 9}
			start := time.Date(2025, 4, 1, 8, 0, 0, 0, time.UTC)
			var ids []int64
			for i := 0; i < 100; i++ {
				a := &account.Account{Name: "Family " + string(rune('A'+i%26)) + string(rune('0'+i/26))}
				if i%10 == 0 {
					a.OwnerID = f.repU.ID // rep1 owns 10 accounts, 0, 10, … 90
				}
				if err := f.svc.CreateAccount(ctx, auth.System, a); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
			var ins []*visit.Interaction
			for k, typ := range types {
				for i := 0; i < reach[k]; i++ {
					at := start.Add(time.Duration(i)*time.Hour + time.Duration(k)*72*time.Hour)
					ins = append(ins, &visit.Interaction{AccountID: ids[i], At: at, Channel: "web", Type: typ, Source: "import", Properties: map[string]string{}})
				}
			}
			err = f.svc.Store.ImportInteractions(ctx, func(im visit.Importer) error { return im.Insert(ctx, ins) })
			if err != nil {
				t.Fatal(err)
			}
			m, err := f.svc.JourneyMetrics(ctx, f.manager, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			var accounts []int
			var conv, med []float64
			for k, s := range m.Stages {
				accounts = append(accounts, s.Accounts)
				if k > 0 {
					conv = append(conv, *s.Conversion)
					med = append(med, *s.MedianSecondsFromPrevious)
				}
			}
			if diff := cmp.Diff([]int{100, 60, 30, 12, 9}, accounts); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]float64{0.6, 0.5, 0.4, 0.75}, conv); diff != "" {
				t.Errorf("conversions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]float64{259200, 259200, 259200, 259200}, med); diff != "" {
				t.Errorf("median seconds (-want +got):\n%s", diff)
			}
			// rep1 owns accounts 0, 10, … 90: 10 in Discovery, 6 in
			// Comparing (0…50), 3 (0, 10, 20), 2 (0, 10), 1 (0).
			m, err = f.svc.JourneyMetrics(ctx, f.rep, j.ID)
			if err != nil {
				t.Fatal(err)
			}
			accounts = accounts[:0]
			for _, s := range m.Stages {
				accounts = append(accounts, s.Accounts)
			}
			if diff := cmp.Diff([]int{10, 6, 3, 2, 1}, accounts); diff != "" {
				t.Errorf("rep's accounts (-want +got):\n%s", diff)
			}
		})
	}
}

// A due review puts one reminder in the owner's inbox.
func TestJourneyReviewReminder(t *testing.T) {
	ctx := context.Background()
	f := journeySetup(t, storetest.Engines[0].Open)
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	f.svc.Now = func() time.Time { return now }
	d, _ := f.svc.JourneyFromTemplate(f.manager, "car_purchase")
	d.ReviewEveryDays = 30
	j, err := f.svc.CreateJourney(ctx, f.manager, d)
	if err != nil {
		t.Fatal(err)
	}
	due, err := f.svc.ListJourneys(ctx, f.manager, true)
	if err != nil || len(due) != 0 {
		t.Fatalf("due at once = %d, %v", len(due), err)
	}
	// The store stamps versions with its own clock; mark the review now.
	if _, err := f.svc.MarkJourneyReviewed(ctx, f.manager, j.ID); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 31)
	for i := 0; i < 2; i++ { // listing twice sends one reminder
		due, err = f.svc.ListJourneys(ctx, f.rep, true)
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(due) != 1 || due[0].ID != j.ID {
		t.Fatalf("review_due list = %d journeys, want the one", len(due))
	}
	inbox, err := f.svc.Store.ListNotifications(ctx, f.managerU.ID, rules.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(inbox.Items) != 1 || !strings.Contains(inbox.Items[0].Message, "Family car purchase") || inbox.Items[0].RuleName != "Journey review" {
		t.Fatalf("owner's inbox = %d items %+v", len(inbox.Items), inbox.Items)
	}
	if n, err := f.svc.NotifyDueReviews(ctx); err != nil || n != 0 {
		t.Errorf("NotifyDueReviews again = %d, %v; want 0", n, err)
	}
}
