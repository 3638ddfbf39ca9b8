package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/journey"
)

func carJourney(t *testing.T) *journey.Document {
	t.Helper()
	tpl, err := journey.TemplateByName("car_purchase")
	if err != nil {
		t.Fatal(err)
	}
	return tpl.Document()
}

func testJourneys(t *testing.T, s Store) {
	author := &auth.User{Email: "mia@example.com", Name: "Mia", Role: auth.RoleManager}
	if err := s.CreateUser(ctx, author); err != nil {
		t.Fatal(err)
	}

	// Create: version 1, the persona created by name.
	doc := carJourney(t)
	doc.Owner = "mia@example.com"
	j := &journey.Journey{}
	if err := s.SaveJourney(ctx, j, doc, 0, author.ID); err != nil {
		t.Fatal(err)
	}
	if j.ID == 0 || j.Version != 1 || j.PersonaID == 0 || j.ReviewedAt.IsZero() {
		t.Fatalf("SaveJourney(new) = %+v", j)
	}
	got, err := s.GetJourney(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(doc.MarshalCanonical()), string(got.Document.MarshalCanonical())); diff != "" {
		t.Errorf("GetJourney document differs (-saved +read):\n%s", diff)
	}
	if got.Name != "Family car purchase" || got.Owner != "mia@example.com" || got.PersonaName != "Growing family" || got.ReviewEveryDays != 90 || got.Version != 1 {
		t.Errorf("GetJourney = %+v", got)
	}

	// Save again: version 2; the old version stays as it was.
	time1 := got.UpdatedAt
	doc2 := doc.Clone()
	doc2.Stages[1].Thoughts = append(doc2.Stages[1].Thoughts, "Electric or petrol?")
	doc2.Persona.Quote = "Safe, roomy, affordable."
	if err := s.SaveJourney(ctx, j, doc2, 1, author.ID); err != nil {
		t.Fatal(err)
	}
	if j.Version != 2 {
		t.Errorf("second save: version %d, want 2", j.Version)
	}
	// Saving from a stale version is a conflict; nothing changes.
	wantKind(t, "SaveJourney(stale base)", s.SaveJourney(ctx, &journey.Journey{ID: j.ID}, doc, 1, author.ID), derrors.Conflict)
	wantKind(t, "SaveJourney(unknown)", s.SaveJourney(ctx, &journey.Journey{ID: 999999}, doc, 0, 0), derrors.NotFound)

	vs, err := s.ListJourneyVersions(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].Version != 2 || vs[1].Version != 1 || vs[0].AuthorEmail != "mia@example.com" || vs[0].AuthorID != author.ID || vs[1].CreatedAt.After(vs[0].CreatedAt) {
		t.Fatalf("ListJourneyVersions = %+v %+v", vs[0], vs[len(vs)-1])
	}
	v1, err := s.GetJourneyVersion(ctx, j.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(doc.MarshalCanonical()), string(v1.Document.MarshalCanonical())); diff != "" {
		t.Errorf("version 1 changed after the second save:\n%s", diff)
	}
	v2, _ := s.GetJourneyVersion(ctx, j.ID, 2)
	if n := len(v2.Document.Stages[1].Thoughts); n != 2 {
		t.Errorf("version 2 Comparing thoughts = %d, want 2", n)
	}
	wantKind(t, "GetJourneyVersion(3)", journeyErr(s.GetJourneyVersion(ctx, j.ID, 3)), derrors.NotFound)
	wantKind(t, "ListJourneyVersions(unknown)", journeyErr(s.ListJourneyVersions(ctx, 999999)), derrors.NotFound)
	wantKind(t, "GetJourney(unknown)", journeyErr(s.GetJourney(ctx, 999999)), derrors.NotFound)
	_ = time1

	// The journey's persona followed the document.
	p, err := s.GetPersona(ctx, j.PersonaID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Quote != "Safe, roomy, affordable." || p.Demographics["age"] != "32–40" {
		t.Errorf("persona after save = %+v", p)
	}

	// A second journey with the same persona shares it.
	j2 := &journey.Journey{}
	b2b, _ := journey.TemplateByName("b2b_sale")
	d3 := b2b.Document()
	d3.Persona = doc2.Persona
	if err := s.SaveJourney(ctx, j2, d3, 0, 0); err != nil {
		t.Fatal(err)
	}
	if j2.PersonaID != j.PersonaID {
		t.Errorf("same persona name: persona ids %d and %d", j.PersonaID, j2.PersonaID)
	}
	list, err := s.ListJourneys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Document != nil {
		t.Fatalf("ListJourneys = %d journeys", len(list))
	}

	// Personas: CRUD, unique names, in use.
	ps, err := s.ListPersonas(ctx)
	if err != nil || len(ps) != 1 {
		t.Fatalf("ListPersonas = %d, %v; want 1", len(ps), err)
	}
	np := &journey.Persona{Name: "Fleet buyer", Goals: []string{"low running costs"}, Rule: "custom.Segment=Fleet"}
	np.Normalize()
	if err := s.SavePersona(ctx, np); err != nil || np.ID == 0 {
		t.Fatalf("SavePersona = %v (id %d)", err, np.ID)
	}
	dup := &journey.Persona{Name: "Fleet buyer"}
	wantKind(t, "SavePersona(duplicate)", s.SavePersona(ctx, dup), derrors.Conflict)
	np.Description = "Buys ten cars at once."
	if err := s.SavePersona(ctx, np); err != nil {
		t.Fatal(err)
	}
	gp, err := s.GetPersona(ctx, np.ID)
	if err != nil || gp.Description != "Buys ten cars at once." || gp.Rule != "custom.Segment=Fleet" {
		t.Errorf("GetPersona = %+v, %v", gp, err)
	}
	wantKind(t, "SavePersona(unknown)", s.SavePersona(ctx, &journey.Persona{ID: 999999, Name: "X"}), derrors.NotFound)
	err = s.DeletePersona(ctx, j.PersonaID)
	wantKind(t, "DeletePersona(in use)", err, derrors.Conflict)
	if err != nil && !strings.Contains(err.Error(), "Family car purchase") {
		t.Errorf("DeletePersona(in use) = %v, want the journeys named", err)
	}
	if err := s.DeletePersona(ctx, np.ID); err != nil {
		t.Fatal(err)
	}
	wantKind(t, "GetPersona(deleted)", journeyErr(s.GetPersona(ctx, np.ID)), derrors.NotFound)
	wantKind(t, "DeletePersona(again)", s.DeletePersona(ctx, np.ID), derrors.NotFound)

	// Reviews: marking, and the reminder claimed once per due time.
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := s.MarkJourneyReviewed(ctx, j.ID, at); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetJourney(ctx, j.ID)
	if !got.ReviewedAt.Equal(at) || !got.ReviewNotifiedAt.IsZero() {
		t.Errorf("after MarkJourneyReviewed: reviewed %v, notified %v", got.ReviewedAt, got.ReviewNotifiedAt)
	}
	wantKind(t, "MarkJourneyReviewed(unknown)", s.MarkJourneyReviewed(ctx, 999999, at), derrors.NotFound)
	due := got.ReviewDueAt()
	for i, want := range []bool{true, false} {
		ok, err := s.ClaimJourneyReviewNotice(ctx, j.ID, due)
		if err != nil || ok != want {
			t.Errorf("ClaimJourneyReviewNotice #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	if ok, _ := s.ClaimJourneyReviewNotice(ctx, j.ID, due.AddDate(0, 0, 90)); !ok {
		t.Error("the next due time's reminder could not be claimed")
	}
	got, _ = s.GetJourney(ctx, j.ID)
	if !got.ReviewNotifiedAt.Equal(due.AddDate(0, 0, 90)) {
		t.Errorf("ReviewNotifiedAt = %v", got.ReviewNotifiedAt)
	}
}

func journeyErr[T any](_ T, err error) error { return err }

// JourneyStore is what the journey contract needs (issue 6); Store embeds
// it, so storetest.go needs no import for it.
type JourneyStore = journey.Store
