package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/derrors"
)

// maxJSONBytes bounds a JSON request body.
const maxJSONBytes = 8 << 20

// decode reads a JSON body into v, refusing unknown fields and naming what
// is wrong.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxJSONBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF):
			return derrors.Invalidf("request body: expected a JSON object")
		case errors.As(err, &syn):
			return derrors.Invalidf("request body: malformed JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return derrors.Invalidf("request body: field %q must be %s, got %s", typ.Field, typ.Type, typ.Value)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return derrors.Invalidf("request body: unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return derrors.Invalidf("request body: %v", err)
	}
	if dec.More() {
		return derrors.Invalidf("request body: expected one JSON object")
	}
	return nil
}

// pathID reads a numeric path parameter.
// byID is the handler of a request that acts on the {id} in its path and
// answers 204 No Content: delete this, mark that read.
func (s *Server) byID(act func(context.Context, *auth.Actor, int64) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := act(r.Context(), actorFrom(r.Context()), id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, derrors.Invalidf("%s: %q is not an id", name, v)
	}
	return id, nil
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, derrors.Invalidf("%s: %q is not a non-negative integer", name, v)
	}
	return n, nil
}

// queryList reads a parameter given repeated or comma-separated.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// timeJSON formats a time as RFC 3339 in UTC, or null when zero.
func timeJSON(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

// parseTimeParam reads RFC 3339 or Unix seconds.
func parseTimeParam(name, v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, derrors.Invalidf("%s: %q is not an RFC 3339 time or Unix seconds", name, v)
}

// listJSON is the shape of every list.
type listJSON[T any] struct {
	Items      []T    `json:"items"`
	Total      int    `json:"total"`
	NextCursor string `json:"next_cursor"`
}

func list[T any](items []T, total int, next string) listJSON[T] {
	if items == nil {
		items = []T{}
	}
	return listJSON[T]{Items: items, Total: total, NextCursor: next}
}

func fmtID(id int64) string { return fmt.Sprint(id) }

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBytes+1))
	if err != nil {
		return nil, derrors.Invalidf("request body: %v", err)
	}
	if len(b) > maxJSONBytes {
		return nil, derrors.Invalidf("request body: larger than %d bytes", maxJSONBytes)
	}
	return b, nil
}

// decodeBytes is decode over bytes already read.
func decodeBytes(b []byte, v any) error {
	r, _ := http.NewRequest(http.MethodPost, "/", strings.NewReader(string(b)))
	return decode(r, v)
}

func writeJSONType(w http.ResponseWriter, code int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// parseDateParam reads YYYY-MM-DD (the start of that day, or its end when
// endOfDay), RFC 3339 or Unix seconds.
func parseDateParam(name, v string, endOfDay bool) (time.Time, error) {
	if d, err := time.Parse("2006-01-02", v); err == nil {
		if endOfDay {
			return d.Add(24*time.Hour - time.Millisecond), nil
		}
		return d, nil
	}
	t, err := parseTimeParam(name, v)
	if err != nil {
		return time.Time{}, derrors.Invalidf("%s: %q is not a date (YYYY-MM-DD), an RFC 3339 time or Unix seconds", name, v)
	}
	return t, nil
}
