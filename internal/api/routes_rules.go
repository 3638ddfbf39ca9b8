package api

// rulesRoutes lists the routes of re-engagement rules, notifications and map overlays (issue 5).
func (s *Server) rulesRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/api/v1/rules", Summary: "Re-engagement rules (managers)", Tag: "rules", Returns: "RuleList", Handler: s.handleListRules},
		{Method: "POST", Pattern: "/api/v1/rules", Summary: "Create a rule: not_visited (days), follow_up_due (days of notice), stage_stalled (stage, days); scope by stage, territory, owner (managers)", Tag: "rules", Body: "RuleInput", Returns: "Rule", Handler: s.handleCreateRule},
		{Method: "POST", Pattern: "/api/v1/rules/run", Summary: "Run every enabled rule now; each account is notified at most once per rule and day (managers)", Tag: "rules", Returns: "RuleRun", Handler: s.handleRunRules},
		{Method: "GET", Pattern: "/api/v1/rules/{id}", Summary: "Get a rule (managers)", Tag: "rules", Params: []param{pID}, Returns: "Rule", Handler: s.handleGetRule},
		{Method: "PUT", Pattern: "/api/v1/rules/{id}", Summary: "Change a rule; fields left out stay (managers)", Tag: "rules", Params: []param{pID}, Body: "RuleInput", Returns: "Rule", Handler: s.handleUpdateRule},
		{Method: "DELETE", Pattern: "/api/v1/rules/{id}", Summary: "Delete a rule; its notifications stay (managers)", Tag: "rules", Params: []param{pID}, Handler: s.byID(s.svc.DeleteRule)},
		{Method: "GET", Pattern: "/api/v1/rules/{id}/deliveries", Summary: "The rule's webhook deliveries, newest first (managers)", Tag: "rules", Params: []param{pID, pLimit}, Returns: "DeliveryList", Handler: s.handleRuleDeliveries},

		{Method: "GET", Pattern: "/api/v1/notifications", Summary: "The caller's inbox, newest first, with the unread count", Tag: "rules", Params: []param{pLimit, pCursor}, Returns: "NotificationList", Handler: s.handleListNotifications},
		{Method: "POST", Pattern: "/api/v1/notifications/{id}/read", Summary: "Mark one of the caller's notifications read", Tag: "rules", Params: []param{pID}, Handler: s.byID(s.svc.MarkNotificationRead)},
		{Method: "POST", Pattern: "/api/v1/notifications/read-all", Summary: "Mark all of the caller's notifications read", Tag: "rules", Returns: "object", Handler: s.handleReadAllNotifications},

		{Method: "GET", Pattern: "/api/v1/overlays", Summary: "Map overlays (name, feature count, bounding box)", Tag: "overlays", Returns: "OverlayList", Handler: s.handleListOverlays},
		{Method: "POST", Pattern: "/api/v1/overlays", Summary: "Import a GeoJSON FeatureCollection of Polygons / MultiPolygons as an overlay; properties are kept (managers)", Tag: "overlays",
			Params: []param{{Name: "name", In: "query", Type: "string", Description: "the overlay's name (else the collection's \"name\")"}}, Body: "OverlayInput", Returns: "Overlay", Handler: s.handleCreateOverlay},
		{Method: "GET", Pattern: "/api/v1/overlays/{id}", Summary: "An overlay as a GeoJSON FeatureCollection", Tag: "overlays", Params: []param{pID}, Returns: "OverlayCollection", Handler: s.handleGetOverlay},
		{Method: "DELETE", Pattern: "/api/v1/overlays/{id}", Summary: "Delete an overlay (managers)", Tag: "overlays", Params: []param{pID}, Handler: s.byID(s.svc.DeleteOverlay)},
	}
}
