package api

import "net/http"

// route is one endpoint: how it is matched, who may call it, what it does,
// and what the OpenAPI document says of it.
type route struct {
	Method  string
	Pattern string
	Summary string
	Tag     string
	Public  bool // no authentication
	Params  []param
	Body    string // request body schema name, "" for none
	Returns string // response schema name
	Handler func(w http.ResponseWriter, r *http.Request) error
}

type param struct {
	Name, In, Type, Description string
	Required                    bool
}

var (
	pID     = param{Name: "id", In: "path", Type: "integer", Required: true, Description: "Meridian's id"}
	pLimit  = param{Name: "limit", In: "query", Type: "integer", Description: "page size (default 100, at most 1000)"}
	pCursor = param{Name: "cursor", In: "query", Type: "string", Description: "next_cursor of the previous page"}
)

// accountFilterParams are accepted wherever accounts are selected.
var accountFilterParams = []param{
	{Name: "bbox", In: "query", Type: "string", Description: "minLon,minLat,maxLon,maxLat"},
	{Name: "stage", In: "query", Type: "string", Description: "stage keys, comma-separated or repeated"},
	{Name: "owner", In: "query", Type: "string", Description: "owner emails or ids, or \"me\""},
	{Name: "territory", In: "query", Type: "string", Description: "territory names or ids, or \"none\""},
	{Name: "q", In: "query", Type: "string", Description: "text in name, city, postal code or external id"},
	{Name: "tag", In: "query", Type: "string", Description: "tags the account must all have"},
	{Name: "custom.FIELD", In: "query", Type: "string", Description: "a custom field's exact value (custom.Industry=Retail)"},
	{Name: "last_visit_after", In: "query", Type: "string", Description: "last visited on or after this date or time"},
	{Name: "last_visit_before", In: "query", Type: "string", Description: "last visited on or before this date or time"},
	{Name: "last_visit", In: "query", Type: "string", Description: "\"never\": accounts never visited"},
	{Name: "overlay", In: "query", Type: "integer", Description: "an overlay id: only the accounts inside its features"},
	{Name: "selection", In: "query", Type: "string", Description: "a saved selection id (from analytics): only its accounts"},
}

// areaParams are the area figures' query parameters besides the box: the
// period and the account filter (its bbox aside, since the area is the box
// or the posted polygon).
var areaParams = append([]param{
	{Name: "from", In: "query", Type: "string", Description: "start of the period for leads_created (default 30 days ago)"},
	{Name: "to", In: "query", Type: "string", Description: "end of the period (default now)"},
}, accountFilterParams[1:]...)

// routeTable lists every route of the API. Keep it the single list: the mux
// and the OpenAPI document are both built from it.
func (s *Server) routeTable() []route {
	var rs []route
	rs = append(rs, s.coreRoutes()...)
	// Each feature lists its routes in its own file.
	rs = append(rs, s.planningRoutes()...)
	rs = append(rs, s.fieldRoutes()...)
	rs = append(rs, s.rulesRoutes()...)
	rs = append(rs, s.journeyRoutes()...)
	rs = append(rs, s.analyticsRoutes()...)
	rs = append(rs, s.designRoutes()...)
	return rs
}

// coreRoutes are the platform's and the map's routes.
func (s *Server) coreRoutes() []route {
	return []route{
		{Method: "GET", Pattern: "/healthz", Summary: "Liveness and database check", Tag: "ops", Public: true, Returns: "Health", Handler: s.handleHealth},
		{Method: "GET", Pattern: "/metrics", Summary: "Prometheus metrics", Tag: "ops", Public: true, Returns: "text", Handler: s.handleMetrics},
		{Method: "GET", Pattern: "/api/v1/openapi.json", Summary: "This document", Tag: "ops", Public: true, Returns: "object", Handler: s.handleOpenAPI},

		{Method: "POST", Pattern: "/api/v1/session", Summary: "Sign in with email and password; sets the session cookie", Tag: "auth", Public: true, Body: "SignIn", Returns: "Me", Handler: s.handleSignIn},
		{Method: "DELETE", Pattern: "/api/v1/session", Summary: "Sign out", Tag: "auth", Public: true, Handler: s.handleSignOut},
		{Method: "GET", Pattern: "/api/v1/me", Summary: "The signed-in user and the CSRF token for cookie sessions", Tag: "auth", Returns: "Me", Handler: s.handleMe},

		{Method: "GET", Pattern: "/api/v1/accounts", Summary: "List the accounts the caller may see", Tag: "accounts", Params: append([]param{pLimit, pCursor}, accountFilterParams...), Returns: "AccountList", Handler: s.handleListAccounts},
		{Method: "POST", Pattern: "/api/v1/accounts", Summary: "Create an account", Tag: "accounts", Body: "AccountInput", Returns: "Account", Handler: s.handleCreateAccount},
		{Method: "GET", Pattern: "/api/v1/accounts/{id}", Summary: "Get an account", Tag: "accounts", Params: []param{pID}, Returns: "Account", Handler: s.handleGetAccount},
		{Method: "PATCH", Pattern: "/api/v1/accounts/{id}", Summary: "Change some fields of an account", Tag: "accounts", Params: []param{pID}, Body: "AccountInput", Returns: "Account", Handler: s.handleUpdateAccount},
		{Method: "PUT", Pattern: "/api/v1/accounts/{id}", Summary: "Change an account (same as PATCH)", Tag: "accounts", Params: []param{pID}, Body: "AccountInput", Returns: "Account", Handler: s.handleUpdateAccount},
		{Method: "DELETE", Pattern: "/api/v1/accounts/{id}", Summary: "Delete an account and its interactions (managers)", Tag: "accounts", Params: []param{pID}, Handler: s.byID(s.svc.DeleteAccount)},
		{Method: "GET", Pattern: "/api/v1/accounts/{id}/interactions", Summary: "An account's interactions, newest first", Tag: "interactions", Params: []param{pID, pLimit, pCursor}, Returns: "InteractionList", Handler: s.handleListInteractions},
		{Method: "POST", Pattern: "/api/v1/interactions", Summary: "Record an interaction (visit, call, email…)", Tag: "interactions", Body: "InteractionInput", Returns: "Interaction", Handler: s.handleCreateInteraction},

		{Method: "GET", Pattern: "/api/v1/exports/{kind}", Summary: "Export accounts (csv, geojson; the caller's accounts, filtered), territories (geojson) or interactions (csv, managers)", Tag: "exports",
			Params: append([]param{{Name: "kind", In: "path", Type: "string", Required: true, Description: "accounts, territories or interactions"}, {Name: "format", In: "query", Type: "string", Description: "csv or geojson"}}, accountFilterParams...), Returns: "text", Handler: s.handleExport},

		{Method: "GET", Pattern: "/api/v1/tiles/accounts/{z}/{x}/{y}", Summary: "A Mapbox Vector Tile of the caller's accounts (layer accounts; clusters carry point_count): path ends in {y}.mvt", Tag: "map",
			Params: append([]param{{Name: "z", In: "path", Type: "integer", Required: true, Description: "zoom"}, {Name: "x", In: "path", Type: "integer", Required: true, Description: "column"},
				{Name: "y", In: "path", Type: "string", Required: true, Description: "row followed by .mvt"}, {Name: "color", In: "query", Type: "string", Description: "stage, owner, territory, days_since_visit, last_visit_result, estimated_value, custom.NAME, or selection (the group of each account in selection=)"}}, accountFilterParams...),
			Returns: "mvt", Handler: s.handleTile},
		{Method: "GET", Pattern: "/api/v1/metrics/area", Summary: "Figures for the caller's accounts in a box: accounts, by stage, leads created, won, win rate, estimated revenue", Tag: "map",
			Params:  append([]param{{Name: "bbox", In: "query", Type: "string", Required: true, Description: "minLon,minLat,maxLon,maxLat"}}, areaParams...),
			Returns: "AreaMetrics", Handler: s.handleAreaMetrics},
		{Method: "POST", Pattern: "/api/v1/metrics/area", Summary: "The same figures for a polygon drawn on the map", Tag: "map", Params: areaParams, Body: "AreaPolygon", Returns: "AreaMetrics", Handler: s.handleAreaMetrics},

		{Method: "GET", Pattern: "/api/v1/map/config", Summary: "How the map draws its basemap (offline boundaries, an online tile URL, or a local .pmtiles file)", Tag: "map", Returns: "object", Handler: s.handleMapConfig},
		{Method: "GET", Pattern: "/api/v1/basemap.pmtiles", Summary: "The configured .pmtiles basemap, with HTTP range requests", Tag: "map", Returns: "pmtiles", Handler: s.handlePMTiles},

		{Method: "GET", Pattern: "/api/v1/stages", Summary: "The pipeline's stages in order", Tag: "settings", Returns: "StageList", Handler: s.handleGetStages},
		{Method: "PUT", Pattern: "/api/v1/stages", Summary: "Replace the pipeline (admins)", Tag: "settings", Body: "StageList", Returns: "StageList", Handler: s.handlePutStages},
		{Method: "GET", Pattern: "/api/v1/settings/stage-map", Summary: "CRM stage values and the pipeline stage each imports as", Tag: "settings", Returns: "object", Handler: s.handleGetStageMap},
		{Method: "PUT", Pattern: "/api/v1/settings/stage-map", Summary: "Add CRM stage values to the import table (managers)", Tag: "settings", Body: "object", Returns: "object", Handler: s.handlePutStageMap},

		{Method: "GET", Pattern: "/api/v1/territories", Summary: "All territories as a GeoJSON FeatureCollection", Tag: "territories", Returns: "TerritoryCollection", Handler: s.handleListTerritories},
		{Method: "POST", Pattern: "/api/v1/territories", Summary: "Create a territory from a GeoJSON Feature (managers)", Tag: "territories", Body: "TerritoryFeature", Returns: "TerritoryFeature", Handler: s.handleCreateTerritory},
		{Method: "GET", Pattern: "/api/v1/territories/{id}", Summary: "Get a territory", Tag: "territories", Params: []param{pID}, Returns: "TerritoryFeature", Handler: s.handleGetTerritory},
		{Method: "PUT", Pattern: "/api/v1/territories/{id}", Summary: "Change a territory's shape, name, colour, parent or reps (managers)", Tag: "territories", Params: []param{pID}, Body: "TerritoryFeature", Returns: "TerritoryFeature", Handler: s.handleUpdateTerritory},
		{Method: "DELETE", Pattern: "/api/v1/territories/{id}", Summary: "Delete a territory (managers)", Tag: "territories", Params: []param{pID}, Handler: s.byID(s.svc.DeleteTerritory)},

		{Method: "GET", Pattern: "/api/v1/users", Summary: "List users", Tag: "users", Returns: "UserList", Handler: s.handleListUsers},
		{Method: "POST", Pattern: "/api/v1/users", Summary: "Create a user (admins)", Tag: "users", Body: "UserInput", Returns: "User", Handler: s.handleCreateUser},
		{Method: "GET", Pattern: "/api/v1/users/{id}", Summary: "Get a user", Tag: "users", Params: []param{pID}, Returns: "User", Handler: s.handleGetUser},
		{Method: "PATCH", Pattern: "/api/v1/users/{id}", Summary: "Change a user (admins; others their own name and password)", Tag: "users", Params: []param{pID}, Body: "UserInput", Returns: "User", Handler: s.handleUpdateUser},
		{Method: "DELETE", Pattern: "/api/v1/users/{id}", Summary: "Delete a user (admins)", Tag: "users", Params: []param{pID}, Handler: s.byID(s.svc.DeleteUser)},
		{Method: "GET", Pattern: "/api/v1/users/{id}/tokens", Summary: "A user's API tokens (never their secrets)", Tag: "users", Params: []param{pID}, Returns: "TokenList", Handler: s.handleListTokens},
		{Method: "POST", Pattern: "/api/v1/users/{id}/tokens", Summary: "Create an API token; the secret is in this answer only", Tag: "users", Params: []param{pID}, Body: "TokenInput", Returns: "Token", Handler: s.handleCreateToken},
		{Method: "DELETE", Pattern: "/api/v1/users/{id}/tokens/{token}", Summary: "Revoke an API token", Tag: "users", Params: []param{pID, {Name: "token", In: "path", Type: "integer", Required: true, Description: "token id"}}, Handler: s.handleRevokeToken},
		{Method: "GET", Pattern: "/api/v1/audit", Summary: "The audit log, newest first (admins)", Tag: "users", Params: []param{pLimit, {Name: "before", In: "query", Type: "integer", Description: "entries older than this id"}}, Returns: "AuditList", Handler: s.handleAudit},
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Ping(r.Context()); err != nil {
		s.log.Error("health", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	return nil
}
