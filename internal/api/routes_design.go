package api

// designRoutes lists the routes of territory design: check, build, balance (issue 8).
func (s *Server) designRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/api/v1/territories/check", Summary: "Overlapping territories, gaps within their convex hull, accounts in no territory, territories without a rep and reps without a territory (managers)", Tag: "territories", Returns: "TerritoryCheck", Handler: s.handleCheckTerritories},
		{Method: "POST", Pattern: "/api/v1/territories/check", Summary: "The same check, with gaps measured within a boundary given as GeoJSON (managers)", Tag: "territories", Body: "TerritoryCheckInput", Returns: "TerritoryCheck", Handler: s.handleCheckTerritories},
		{Method: "POST", Pattern: "/api/v1/territories/union", Summary: "The union of GeoJSON polygons (states, counties, ZIP areas), optionally saved as a territory (managers)", Tag: "territories", Body: "TerritoryUnionInput", Returns: "TerritoryUnion", Handler: s.handleUnionTerritory},
		{Method: "POST", Pattern: "/api/v1/territories/balance", Summary: "Propose K balanced territories (accounts, value or workload), optionally around the reps' homes and keeping locked territories; {\"apply\":true} saves it (managers)", Tag: "territories", Body: "BalanceRequest", Returns: "BalanceProposal", Handler: s.handleBalanceTerritories},
		{Method: "GET", Pattern: "/api/v1/territories/history", Summary: "Applied balances, newest first, with the territories before and after (managers)", Tag: "territories", Params: []param{pLimit, pCursor}, Returns: "TerritoryHistoryList", Handler: s.handleTerritoryHistory},
	}
}
