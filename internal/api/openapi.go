package api

import (
	"net/http"
	"strings"
)

// obj and friends keep the schema literals below short.
type obj = map[string]any

func props(required []string, p obj) obj {
	o := obj{"type": "object", "properties": p}
	if len(required) > 0 {
		o["required"] = required
	}
	return o
}

func ref(name string) obj   { return obj{"$ref": "#/components/schemas/" + name} }
func arr(item obj) obj      { return obj{"type": "array", "items": item} }
func typ(t string) obj      { return obj{"type": t} }
func nullable(t string) obj { return obj{"type": []string{t, "null"}} }
func listOf(item string) obj {
	return props([]string{"items", "total"}, obj{"items": arr(ref(item)), "total": typ("integer"), "next_cursor": typ("string")})
}

var schemas = obj{
	"Error":  props([]string{"error"}, obj{"error": props([]string{"code", "message"}, obj{"code": typ("string"), "message": typ("string")})}),
	"Health": props(nil, obj{"status": typ("string"), "database": typ("string")}),
	"SignIn": props([]string{"email", "password"}, obj{"email": typ("string"), "password": typ("string")}),
	"Me":     props([]string{"user"}, obj{"user": ref("User"), "csrf_token": typ("string")}),
	"Account": props([]string{"id", "external_id", "name", "stage", "lon", "lat", "owner", "territory"}, obj{
		"id": typ("integer"), "external_id": nullable("string"), "name": typ("string"), "stage": typ("string"),
		"lon": nullable("number"), "lat": nullable("number"), "precision": typ("string"), "geo_source": typ("string"),
		"owner": nullable("string"), "owner_id": nullable("integer"), "owner_name": nullable("string"),
		"territory": nullable("string"), "territory_id": nullable("integer"),
		"street": typ("string"), "city": typ("string"), "region": typ("string"), "postal_code": typ("string"), "country": typ("string"),
		"estimated_value": typ("number"), "source_channel": typ("string"), "tags": arr(typ("string")),
		"custom":     obj{"type": "object", "additionalProperties": typ("string")},
		"created_at": nullable("string"), "updated_at": nullable("string"), "last_visit_at": nullable("string"),
		"last_visit_result": typ("string"), "next_follow_up_at": nullable("string"), "do_not_contact": typ("boolean"),
	}),
	"AccountInput": props(nil, obj{
		"external_id": typ("string"), "name": typ("string"), "stage": typ("string"), "lon": nullable("number"), "lat": nullable("number"),
		"owner": typ("string"), "street": typ("string"), "city": typ("string"), "region": typ("string"), "postal_code": typ("string"),
		"country": typ("string"), "estimated_value": typ("number"), "source_channel": typ("string"), "tags": arr(typ("string")),
		"custom": obj{"type": "object", "additionalProperties": typ("string")}, "next_follow_up_at": typ("string"), "do_not_contact": typ("boolean"),
	}),
	"AccountList": listOf("Account"),
	"Interaction": props([]string{"id", "account_id", "at", "channel", "type"}, obj{
		"id": typ("integer"), "account_id": typ("integer"), "at": typ("string"), "channel": typ("string"), "type": typ("string"),
		"outcome": typ("string"), "user_id": nullable("integer"), "user": nullable("string"), "variant": typ("string"), "stage": typ("string"),
		"value": typ("number"), "lon": nullable("number"), "lat": nullable("number"), "notes": typ("string"), "source": typ("string"),
		"properties": obj{"type": "object", "additionalProperties": typ("string")},
	}),
	"InteractionInput": props([]string{"account", "channel"}, obj{
		"account": typ("integer"), "at": typ("string"), "channel": typ("string"), "type": typ("string"), "outcome": typ("string"),
		"user": typ("string"), "variant": typ("string"), "stage": typ("string"), "value": typ("number"), "lon": typ("number"), "lat": typ("number"),
		"notes": typ("string"), "properties": obj{"type": "object", "additionalProperties": typ("string")},
	}),
	"InteractionList": listOf("Interaction"),
	"Stage":           props([]string{"key", "name", "kind", "color"}, obj{"key": typ("string"), "name": typ("string"), "kind": obj{"enum": []string{"lead", "opportunity", "customer", "lost"}}, "color": typ("string")}),
	"StageList":       listOf("Stage"),
	"TerritoryFeature": props([]string{"type", "geometry", "properties"}, obj{
		"type": obj{"const": "Feature"}, "id": typ("integer"),
		"geometry":   props([]string{"type", "coordinates"}, obj{"type": obj{"enum": []string{"Polygon", "MultiPolygon"}}, "coordinates": typ("array")}),
		"properties": props([]string{"name"}, obj{"name": typ("string"), "reps": arr(typ("string")), "color": typ("string"), "parent": nullable("string"), "area_km2": typ("number")}),
	}),
	"TerritoryCollection": props([]string{"type", "features"}, obj{"type": obj{"const": "FeatureCollection"}, "features": arr(ref("TerritoryFeature")), "total": typ("integer")}),
	"User": props([]string{"id", "email", "name", "role"}, obj{"id": typ("integer"), "email": typ("string"), "name": typ("string"),
		"role": obj{"enum": []string{"admin", "manager", "rep"}}, "home_lon": nullable("number"), "home_lat": nullable("number"), "disabled": typ("boolean"), "created_at": nullable("string")}),
	"UserInput":  props(nil, obj{"email": typ("string"), "name": typ("string"), "role": typ("string"), "password": typ("string"), "home_lon": typ("number"), "home_lat": typ("number"), "disabled": typ("boolean")}),
	"UserList":   listOf("User"),
	"Token":      props([]string{"id"}, obj{"id": typ("integer"), "name": typ("string"), "token": typ("string"), "created_at": nullable("string"), "last_used_at": nullable("string"), "revoked_at": nullable("string")}),
	"TokenInput": props(nil, obj{"name": typ("string")}),
	"TokenList":  listOf("Token"),
	"Audit":      props(nil, obj{"id": typ("integer"), "at": typ("string"), "actor_id": nullable("integer"), "action": typ("string"), "target": typ("string"), "detail": typ("string"), "ip": typ("string")}),
	"AuditList":  listOf("Audit"),
	"AreaMetrics": props([]string{"accounts", "by_stage", "leads_created", "won", "win_rate", "estimated_revenue"}, obj{
		"accounts": typ("integer"), "by_stage": obj{"type": "object", "additionalProperties": typ("integer")}, "leads_created": typ("integer"),
		"won": typ("integer"), "lost": typ("integer"), "win_rate": typ("number"), "estimated_revenue": typ("number"), "won_revenue": typ("number"),
		"from": typ("string"), "to": typ("string")}),
	"AreaPolygon": props([]string{"polygon"}, obj{"polygon": props([]string{"type", "coordinates"}, obj{"type": obj{"enum": []string{"Polygon", "MultiPolygon"}}, "coordinates": typ("array")})}),
	"ImportSummary": props([]string{"imported", "updated", "rejected", "rejects_file"}, obj{"imported": typ("integer"), "updated": typ("integer"),
		"rejected": typ("integer"), "rejects_file": typ("string"), "unplaced": typ("integer"), "geocoded": typ("integer")}),
}

// OpenAPI returns the OpenAPI 3.1 document of every route.
func (s *Server) OpenAPI() obj {
	paths := obj{}
	for _, rt := range s.routes {
		op := obj{"summary": rt.Summary, "tags": []string{rt.Tag}, "operationId": operationID(rt)}
		var ps []obj
		for _, p := range rt.Params {
			ps = append(ps, obj{"name": p.Name, "in": p.In, "required": p.Required, "description": p.Description, "schema": typ(p.Type)})
		}
		if len(ps) > 0 {
			op["parameters"] = ps
		}
		if rt.Body != "" {
			op["requestBody"] = obj{"required": true, "content": obj{"application/json": obj{"schema": schemaFor(rt.Body)}}}
		}
		resp := obj{"default": obj{"description": "error", "content": obj{"application/json": obj{"schema": ref("Error")}}}}
		switch {
		case rt.Returns == "text":
			resp["200"] = obj{"description": "ok", "content": obj{"text/plain": obj{"schema": typ("string")}}}
		case rt.Returns == "pmtiles":
			resp["200"] = obj{"description": "ok (206 for a range)", "content": obj{"application/vnd.pmtiles": obj{"schema": obj{"type": "string", "format": "binary"}}}}
		case rt.Returns == "mvt":
			resp["200"] = obj{"description": "ok", "content": obj{"application/vnd.mapbox-vector-tile": obj{"schema": obj{"type": "string", "format": "binary"}}}}
		case rt.Returns != "":
			resp["200"] = obj{"description": "ok", "content": obj{"application/json": obj{"schema": schemaFor(rt.Returns)}}}
		default:
			resp["204"] = obj{"description": "done"}
		}
		op["responses"] = resp
		if rt.Public {
			op["security"] = []obj{}
		}
		item, _ := paths[rt.Pattern].(obj)
		if item == nil {
			item = obj{}
			paths[rt.Pattern] = item
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return obj{
		"openapi": "3.1.0",
		"info": obj{"title": "Meridian API", "version": "1",
			"description": "Field-sales mapping and customer journeys. Authenticate with `Authorization: Bearer TOKEN` (see `meridian token create`) or a session cookie plus `X-CSRF-Token` on changes. Lists are `{items,total,next_cursor}`; errors are `{error:{code,message}}`."},
		"paths": paths,
		"components": obj{
			"schemas": schemas,
			"securitySchemes": obj{
				"bearer":  obj{"type": "http", "scheme": "bearer"},
				"session": obj{"type": "apiKey", "in": "cookie", "name": SessionCookie},
			},
		},
		"security": []obj{{"bearer": []string{}}, {"session": []string{}}},
	}
}

func schemaFor(name string) obj {
	if _, ok := schemas[name]; ok {
		return ref(name)
	}
	return typ(name)
}

func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, part := range strings.Split(rt.Pattern, "/") {
		part = strings.Trim(part, "{}")
		part = strings.NewReplacer(".", "_", "-", "_").Replace(part)
		if part == "" || part == "api" || part == "v1" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, s.OpenAPI())
	return nil
}
