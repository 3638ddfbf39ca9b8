package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/derrors"
)

func (s *Server) handleExport(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), actorFrom(r.Context())
	kind := r.PathValue("kind")
	format := r.URL.Query().Get("format")
	if format == "" {
		format = map[string]string{"accounts": "csv", "territories": "geojson", "interactions": "csv"}[kind]
	}
	ctype := map[string]string{"csv": "text/csv; charset=utf-8", "geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml"}[format]
	if ctype == "" {
		return derrors.Invalidf("format: %q is not csv or geojson", format)
	}
	var err error
	switch kind {
	case "accounts":
		var n *names
		if n, err = s.names(ctx, actor); err != nil {
			break
		}
		f, ferr := s.accountFilter(r, actor, n)
		if ferr != nil {
			err = ferr
			break
		}
		if format != "csv" && format != "geojson" {
			err = derrors.Invalidf("format: %q is not csv or geojson", format)
			break
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="accounts.`+format+`"`)
		_, err = s.svc.ExportAccounts(ctx, actor, f, format, w)
	case "territories":
		if format != "geojson" && format != "kml" {
			err = derrors.Invalidf("format: territories export as geojson or kml")
			break
		}
		w.Header().Set("Content-Type", ctype)
		if format == "kml" {
			w.Header().Set("Content-Disposition", `attachment; filename="territories.kml"`)
		}
		_, err = s.svc.ExportTerritories(ctx, actor, format, w)
	case "interactions":
		if err = actor.RequireManager(); err != nil {
			break
		}
		if format != "csv" {
			err = derrors.Invalidf("format: interactions export as csv only")
			break
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Disposition", `attachment; filename="interactions.csv"`)
		_, err = s.svc.ExportInteractions(ctx, actor, format, w)
	default:
		err = derrors.NotFoundf("nothing to export called %q (accounts, territories, interactions)", kind)
	}
	if err != nil {
		// Before anything is written the error is answered as JSON (the
		// caller's wrapper does that); half-way through a stream it can only
		// be logged.
		w.Header().Del("Content-Disposition")
	}
	return err
}
