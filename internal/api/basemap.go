package api

import (
	"net/http"
	"os"
	"path/filepath"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// MapConfig is how the web map draws its basemap.
type MapConfig struct {
	// TilesURL is a raster ({z}/{x}/{y}.png) or vector style/tile URL of an
	// online basemap; empty for the bundled offline one.
	TilesURL string
	// SatelliteURL is an optional raster imagery URL.
	SatelliteURL string
	// PMTilesPath is a local .pmtiles file served at /api/v1/basemap.pmtiles.
	PMTilesPath string
	// Attribution is shown on the map for the online sources.
	Attribution string
}

func (s *Server) handleMapConfig(w http.ResponseWriter, r *http.Request) error {
	c := s.opts.Map
	out := map[string]string{"basemap": "offline", "attribution": "Boundaries: Natural Earth (world-atlas), US Census Bureau (us-atlas)"}
	switch {
	case c.PMTilesPath != "":
		out["basemap"], out["pmtiles_url"] = "pmtiles", "/api/v1/basemap.pmtiles"
	case c.TilesURL != "":
		out["basemap"], out["tiles_url"] = "raster", c.TilesURL
		if filepath.Ext(c.TilesURL) == ".json" {
			out["basemap"] = "vector"
		}
	}
	if c.SatelliteURL != "" {
		out["satellite_url"] = c.SatelliteURL
	}
	if c.Attribution != "" {
		out["attribution"] = c.Attribution
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// handlePMTiles serves the configured .pmtiles file; http.ServeContent
// answers the range requests the pmtiles library makes.
func (s *Server) handlePMTiles(w http.ResponseWriter, r *http.Request) error {
	if s.opts.Map.PMTilesPath == "" {
		return derrors.NotFoundf("no .pmtiles basemap is configured (start serve with --pmtiles FILE)")
	}
	f, err := os.Open(s.opts.Map.PMTilesPath)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.pmtiles")
	w.Header().Set("Cache-Control", "private, max-age=3600")
	http.ServeContent(w, r, "basemap.pmtiles", st.ModTime(), f)
	return nil
}
