package api

// fieldRoutes lists the routes of field activity: check-ins, pings, auto visits, nearby, rep metrics (issue 5).
// (POST /api/v1/interactions and GET /api/v1/accounts/{id}/interactions are
// in coreRoutes; their handlers verify check-ins and set follow-ups.)
func (s *Server) fieldRoutes() []route {
	pDate := param{Name: "date", In: "query", Type: "string", Required: true, Description: "the day, YYYY-MM-DD, in the working hours' time zone"}
	pFrom := param{Name: "from", In: "query", Type: "string", Description: "start of the period, RFC 3339 or YYYY-MM-DD (default 30 days before to)"}
	pTo := param{Name: "to", In: "query", Type: "string", Description: "end of the period, exclusive (default now)"}
	return []route{
		{Method: "GET", Pattern: "/api/v1/settings/outcomes", Summary: "The visit outcomes a check-in may have", Tag: "field", Returns: "OutcomeList", Handler: s.handleGetOutcomes},
		{Method: "PUT", Pattern: "/api/v1/settings/outcomes", Summary: "Replace the visit outcomes (managers)", Tag: "field", Body: "OutcomeList", Returns: "OutcomeList", Handler: s.handlePutOutcomes},
		{Method: "GET", Pattern: "/api/v1/settings/field", Summary: "Check-in verification radius, dwell rule, ping retention and working hours", Tag: "field", Returns: "FieldSettings", Handler: s.handleGetFieldSettings},
		{Method: "PUT", Pattern: "/api/v1/settings/field", Summary: "Change the field settings (managers)", Tag: "field", Body: "FieldSettings", Returns: "FieldSettings", Handler: s.handlePutFieldSettings},
		{Method: "GET", Pattern: "/api/v1/me/tracking", Summary: "Whether GPS tracking is on for the caller (off until turned on)", Tag: "field", Returns: "Tracking", Handler: s.handleGetTracking},
		{Method: "PUT", Pattern: "/api/v1/me/tracking", Summary: "Turn the caller's GPS tracking on or off", Tag: "field", Body: "Tracking", Returns: "Tracking", Handler: s.handlePutTracking},
		{Method: "POST", Pattern: "/api/v1/pings", Summary: "Store a batch of the caller's GPS pings (409 with tracking off; pings outside working hours are dropped and counted) and record automatic visits", Tag: "field", Body: "PingBatch", Returns: "PingResult", Handler: s.handlePostPings},
		{Method: "GET", Pattern: "/api/v1/users/{id}/trail", Summary: "A user's pings on a day (managers: anyone; reps: themselves)", Tag: "field", Params: []param{pID, pDate}, Returns: "Trail", Handler: s.handleTrail},
		{Method: "GET", Pattern: "/api/v1/accounts/{id}/nearby", Summary: "Accounts near an account, nearest first, with distance_m", Tag: "field",
			Params: []param{pID, {Name: "radius_m", In: "query", Type: "number", Description: "search radius in metres (default 1000, at most 50000)"},
				{Name: "stage", In: "query", Type: "string", Description: "stage keys, comma-separated or repeated"}, {Name: "limit", In: "query", Type: "integer", Description: "at most this many (default 20, at most 1000)"}},
			Returns: "NearbyList", Handler: s.handleNearby},
		{Method: "GET", Pattern: "/api/v1/reps/metrics", Summary: "Visits, verified visits, outcomes, leads created, won, win rate and estimated revenue per rep (managers: every rep; reps: themselves)", Tag: "field", Params: []param{pFrom, pTo}, Returns: "RepMetricsList", Handler: s.handleRepMetrics},
	}
}
