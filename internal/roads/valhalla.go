package roads

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"

	"github.com/meridian-crm/meridian/internal/geo"
)

// valhalla asks a Valhalla server's matrix service
// (POST /sources_to_targets with a JSON body).
type valhalla struct{ c Config }

type valhallaLoc struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

type valhallaRequest struct {
	Sources []valhallaLoc `json:"sources"`
	Targets []valhallaLoc `json:"targets"`
	Costing string        `json:"costing"`
	Units   string        `json:"units"`
}

// valhallaCell is one entry of the verbose answer; distance in the units
// asked for (kilometres), time in seconds, null when there is no route.
type valhallaCell struct {
	Distance  *float64 `json:"distance"`
	Time      *float64 `json:"time"`
	FromIndex int      `json:"from_index"`
	ToIndex   int      `json:"to_index"`
}

type valhallaAnswer struct {
	// SourcesToTargets is an array of rows of cells (verbose, the default),
	// or an object of distances and durations arrays (verbose=false).
	SourcesToTargets json.RawMessage `json:"sources_to_targets"`
	Units            string          `json:"units"`
	Error            string          `json:"error"`
	ErrorCode        int             `json:"error_code"`
	Status           string          `json:"status"`
}

func (v *valhalla) table(ctx context.Context, from, to []geo.Point) ([][]float64, [][]float64, error) {
	req := valhallaRequest{Costing: v.c.Profile, Units: "kilometers"}
	for _, p := range from {
		req.Sources = append(req.Sources, valhallaLoc{Lat: p.Lat, Lon: p.Lon})
	}
	for _, p := range to {
		req.Targets = append(req.Targets, valhallaLoc{Lat: p.Lat, Lon: p.Lon})
	}
	body, _ := json.Marshal(req)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, v.c.BaseURL+"/sources_to_targets", bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("valhalla: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	var a valhallaAnswer
	status, raw, err := v.c.exchange(hr, "valhalla", "a Valhalla", &a)
	if err != nil {
		return nil, nil, err
	}
	if status != http.StatusOK || a.Error != "" {
		msg := a.Error
		if msg == "" {
			msg = snippet(raw)
		}
		if a.ErrorCode != 0 {
			msg = fmt.Sprintf("%s (error_code %d)", msg, a.ErrorCode)
		}
		return nil, nil, fmt.Errorf("valhalla at %s: %s (HTTP %d)", v.c.BaseURL, msg, status)
	}
	scale := 1000.0 // kilometres to metres
	if a.Units == "miles" {
		scale = 1609.344
	}
	dist := make([][]float64, len(from))
	dur := make([][]float64, len(from))
	for i := range from {
		dist[i] = make([]float64, len(to))
		dur[i] = make([]float64, len(to))
		for j := range to {
			dist[i][j], dur[i][j] = math.NaN(), math.NaN()
		}
	}
	var rows [][]valhallaCell
	if err := json.Unmarshal(a.SourcesToTargets, &rows); err == nil {
		for _, row := range rows {
			for _, c := range row {
				if c.FromIndex < 0 || c.FromIndex >= len(from) || c.ToIndex < 0 || c.ToIndex >= len(to) {
					return nil, nil, fmt.Errorf("valhalla at %s: a cell refers to source %d, target %d outside the %d × %d asked for", v.c.BaseURL, c.FromIndex, c.ToIndex, len(from), len(to))
				}
				if c.Distance != nil && c.Time != nil {
					dist[c.FromIndex][c.ToIndex] = *c.Distance * scale
					dur[c.FromIndex][c.ToIndex] = *c.Time
				}
			}
		}
		return dist, dur, nil
	}
	var cols struct {
		Distances [][]*float64 `json:"distances"`
		Durations [][]*float64 `json:"durations"`
	}
	if err := json.Unmarshal(a.SourcesToTargets, &cols); err != nil || cols.Durations == nil {
		return nil, nil, fmt.Errorf("valhalla at %s: the answer has no sources_to_targets matrix: %s", v.c.BaseURL, snippet(raw))
	}
	d, t := unnull(cols.Distances), unnull(cols.Durations)
	for i := range d {
		for j := range d[i] {
			d[i][j] *= scale
		}
	}
	return d, t, nil
}
