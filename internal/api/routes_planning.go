package api

// planningRoutes lists the routes of route planning (issue 4).
func (s *Server) planningRoutes() []route {
	pPlan := param{Name: "id", In: "path", Type: "string", Required: true, Description: "the plan's id; add .gpx for a GPX 1.1 file or .ics for an iCalendar file (one event per visit)"}
	return []route{
		{Method: "POST", Pattern: "/api/v1/routes/plan", Summary: "Plan a day for one or more reps (each from and to their home) and store it", Tag: "routes", Body: "PlanRequest", Returns: "Plan", Handler: s.handlePlanRoutes},
		{Method: "GET", Pattern: "/api/v1/routes", Summary: "Route plans the caller may see, newest first (reps: their own)", Tag: "routes", Params: []param{pLimit, pCursor}, Returns: "PlanList", Handler: s.handleListPlans},
		{Method: "GET", Pattern: "/api/v1/routes/{id}", Summary: "A route plan with map links; {id}.gpx is its GPX 1.1 file, {id}.ics its calendar", Tag: "routes", Params: []param{pPlan}, Returns: "Plan", Handler: s.handleGetPlan},
		{Method: "GET", Pattern: "/api/v1/routes/{id}/nearby", Summary: "While you're there: prospects the caller may see near the plan's stops (not already in the plan), nearest first, each with distance_m and its nearest stop", Tag: "routes",
			Params: append([]param{pID}, routeNearbyParams...), Returns: "RouteProspectList", Handler: s.handleRouteNearby},
		{Method: "PUT", Pattern: "/api/v1/routes/{id}", Summary: "Reorder and lock stops; re-optimise the rest with optimize=true", Tag: "routes", Params: []param{pID}, Body: "PlanChange", Returns: "Plan", Handler: s.handleUpdatePlan},
		{Method: "DELETE", Pattern: "/api/v1/routes/{id}", Summary: "Delete a route plan (managers; reps the plans they made)", Tag: "routes", Params: []param{pID}, Handler: s.byID(s.svc.DeletePlan)},
	}
}
