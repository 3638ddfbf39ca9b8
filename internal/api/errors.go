package api

import (
	"encoding/json"
	"net/http"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// status maps error kinds to HTTP statuses.
func status(k derrors.Kind) int {
	switch k {
	case derrors.Invalid:
		return http.StatusBadRequest
	case derrors.NotFound:
		return http.StatusNotFound
	case derrors.Conflict:
		return http.StatusConflict
	case derrors.Forbidden:
		return http.StatusForbidden
	case derrors.Unauthenticated:
		return http.StatusUnauthorized
	case derrors.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with {"error":{"code","message"}}; internal errors are
// logged in full and shown as "internal error".
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	k := derrors.KindOf(err)
	if k == derrors.Internal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r.Context()), "err", err)
	}
	var body errorBody
	body.Error.Code = string(k)
	body.Error.Message = derrors.Message(err)
	if k == derrors.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="meridian"`)
	}
	writeJSON(w, status(k), body)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
