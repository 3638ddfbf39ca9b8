// Package api is Meridian's HTTP JSON API under /api/v1, plus /healthz and
// /metrics. Handlers decode, validate, make one call to the app service and
// encode; routes.go lists every route, and the OpenAPI document is generated
// from that same list, so it cannot miss one.
package api
