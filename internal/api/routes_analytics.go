package api

// analyticsRoutes lists the routes of journey analytics (issue 7).
func (s *Server) analyticsRoutes() []route {
	return []route{
		{Method: "POST", Pattern: "/api/v1/analytics/funnel", Summary: "A funnel over the interactions with ClickHouse windowFunnel's modes; dropoff_step saves that step's drop-offs as a selection (managers)", Tag: "analytics", Body: "FunnelRequest", Returns: "FunnelReport", Handler: s.handleFunnel},
		{Method: "POST", Pattern: "/api/v1/analytics/paths", Summary: "The most common touchpoint sequences before or after a touchpoint, as a table and a Sankey diagram (managers)", Tag: "analytics", Body: "PathsRequest", Returns: "PathReport", Handler: s.handlePaths},
		{Method: "POST", Pattern: "/api/v1/analytics/attribution", Summary: "Credit for the conversions by channel, touchpoint type and variant (managers)", Tag: "analytics", Body: "AttributionRequest", Returns: "AttributionReport", Handler: s.handleAttribution},
		{Method: "POST", Pattern: "/api/v1/analytics/variants", Summary: "Conversion by campaign variant, probability each is best and a two-proportion test (managers)", Tag: "analytics", Body: "VariantsRequest", Returns: "VariantReport", Handler: s.handleVariants},
		{Method: "POST", Pattern: "/api/v1/analytics/segments", Summary: "Behavioural segments (k-means, k by silhouette), their persona rules and odds ratios of touchpoints for conversion (managers)", Tag: "analytics", Body: "SegmentsRequest", Returns: "SegmentReport", Handler: s.handleSegments},
		{Method: "POST", Pattern: "/api/v1/analytics/selections", Summary: "Save a list of accounts, or labelled groups of them, as a selection the map opens with ?selection=ID (and colours by group with color=selection) (managers)", Tag: "analytics", Body: "SelectionInput", Returns: "Selection", Handler: s.handleSaveSelection},
		{Method: "GET", Pattern: "/api/v1/analytics/selections/{selection}", Summary: "A saved selection of accounts", Tag: "analytics", Params: []param{{Name: "selection", In: "path", Type: "string", Required: true, Description: "selection id"}, {Name: "ids", In: "query", Type: "boolean", Description: "false leaves out ids and group_of"}}, Returns: "Selection", Handler: s.handleGetSelection},
	}
}
