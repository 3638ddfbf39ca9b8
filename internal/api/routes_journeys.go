package api

// journeyRoutes lists the routes of personas and journey maps (issue 6).
// Everyone signed in reads; managers and admins write (the service checks).
func (s *Server) journeyRoutes() []route {
	pV := param{Name: "v", In: "path", Type: "integer", Required: true, Description: "version number"}
	return []route{
		{Method: "GET", Pattern: "/api/v1/personas", Summary: "List personas", Tag: "journeys", Returns: "PersonaList", Handler: s.handleListPersonas},
		{Method: "POST", Pattern: "/api/v1/personas", Summary: "Create a persona (managers)", Tag: "journeys", Body: "Persona", Returns: "Persona", Handler: s.handleSavePersona},
		{Method: "GET", Pattern: "/api/v1/personas/{id}", Summary: "Get a persona", Tag: "journeys", Params: []param{pID}, Returns: "Persona", Handler: s.handleGetPersona},
		{Method: "PUT", Pattern: "/api/v1/personas/{id}", Summary: "Replace a persona (managers)", Tag: "journeys", Params: []param{pID}, Body: "Persona", Returns: "Persona", Handler: s.handleSavePersona},
		{Method: "DELETE", Pattern: "/api/v1/personas/{id}", Summary: "Delete a persona no journey uses (managers)", Tag: "journeys", Params: []param{pID}, Handler: s.byID(s.svc.DeletePersona)},

		{Method: "GET", Pattern: "/api/v1/journey-templates", Summary: "Journey templates (b2b_sale, field_sale, car_purchase)", Tag: "journeys", Returns: "JourneyTemplateList", Handler: s.handleJourneyTemplates},
		{Method: "GET", Pattern: "/api/v1/journey-templates/{name}", Summary: "A template's journey document", Tag: "journeys",
			Params: []param{{Name: "name", In: "path", Type: "string", Required: true, Description: "template name"}}, Returns: "JourneyDocument", Handler: s.handleJourneyTemplate},
		{Method: "GET", Pattern: "/api/v1/journeys", Summary: "List journey maps", Tag: "journeys",
			Params: []param{{Name: "review_due", In: "query", Type: "integer", Description: "1: only journeys whose review is due (listing also reminds their owners)"}}, Returns: "JourneyList", Handler: s.handleListJourneys},
		{Method: "POST", Pattern: "/api/v1/journeys", Summary: "Create a journey map from a document, or from ?template=NAME (managers)", Tag: "journeys",
			Params: []param{{Name: "template", In: "query", Type: "string", Description: "start from this template instead of a body"}}, Body: "JourneyDocument", Returns: "JourneyDocument", Handler: s.handleCreateJourney},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}", Summary: "A journey's latest document, with id and version", Tag: "journeys", Params: []param{pID}, Returns: "JourneyDocument", Handler: s.handleGetJourney},
		{Method: "PUT", Pattern: "/api/v1/journeys/{id}", Summary: "Save the document as a new immutable version (managers)", Tag: "journeys", Params: []param{pID}, Body: "JourneyDocument", Returns: "JourneyDocument", Handler: s.handleUpdateJourney},
		{Method: "POST", Pattern: "/api/v1/journeys/{id}/review", Summary: "Mark the journey reviewed (managers and its owner)", Tag: "journeys", Params: []param{pID}, Returns: "JourneySummary", Handler: s.handleReviewJourney},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}/versions", Summary: "A journey's versions, newest first", Tag: "journeys", Params: []param{pID}, Returns: "JourneyVersionList", Handler: s.handleJourneyVersions},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}/versions/{v}", Summary: "One version with its document", Tag: "journeys", Params: []param{pID, pV}, Returns: "JourneyVersion", Handler: s.handleJourneyVersion},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}/diff", Summary: "What changed between two versions", Tag: "journeys",
			Params: []param{pID, {Name: "from", In: "query", Type: "integer", Required: true, Description: "older version"}, {Name: "to", In: "query", Type: "integer", Required: true, Description: "newer version"}}, Returns: "JourneyDiff", Handler: s.handleJourneyDiff},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}/metrics", Summary: "Live figures per stage from the entry rules over the caller's accounts' interactions", Tag: "journeys", Params: []param{pID}, Returns: "JourneyMetrics", Handler: s.handleJourneyMetrics},
		{Method: "GET", Pattern: "/api/v1/journeys/{id}/{file}", Summary: "Export: export.svg, export.png (≥ 1,600 px wide), export.pdf or export.json", Tag: "journeys",
			Params: []param{pID, {Name: "file", In: "path", Type: "string", Required: true, Description: "export.svg, export.png, export.pdf or export.json"}}, Returns: "JourneyExport", Handler: s.handleJourneyFile},
	}
}
