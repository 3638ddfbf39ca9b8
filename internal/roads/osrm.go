package roads

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/geo"
)

// osrm asks an OSRM server's table service
// (GET /table/v1/{profile}/{lon,lat;…}?sources=…&destinations=…&annotations=distance,duration).
type osrm struct{ c Config }

type osrmTable struct {
	Code      string       `json:"code"`
	Message   string       `json:"message"`
	Durations [][]*float64 `json:"durations"`
	Distances [][]*float64 `json:"distances"`
}

func (o *osrm) table(ctx context.Context, from, to []geo.Point) ([][]float64, [][]float64, error) {
	var coords strings.Builder
	for i, p := range append(append([]geo.Point{}, from...), to...) {
		if i > 0 {
			coords.WriteByte(';')
		}
		// OSRM reads longitude first.
		coords.WriteString(strconv.FormatFloat(p.Lon, 'f', 6, 64))
		coords.WriteByte(',')
		coords.WriteString(strconv.FormatFloat(p.Lat, 'f', 6, 64))
	}
	u := fmt.Sprintf("%s/table/v1/%s/%s?annotations=distance,duration&sources=%s&destinations=%s",
		o.c.BaseURL, o.c.Profile, coords.String(), indexList(0, len(from)), indexList(len(from), len(to)))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("osrm: %w", err)
	}
	var t osrmTable
	status, body, err := o.c.exchange(req, "osrm", "an OSRM", &t)
	if err != nil {
		return nil, nil, err
	}
	if status != http.StatusOK || t.Code != "Ok" {
		msg := t.Message
		if msg == "" {
			msg = snippet(body)
		}
		return nil, nil, fmt.Errorf("osrm at %s: %s: %s (HTTP %d)", o.c.BaseURL, t.Code, msg, status)
	}
	if t.Distances == nil {
		return nil, nil, fmt.Errorf("osrm at %s: the answer has no distances (a server older than 5.17 does not support annotations=distance)", o.c.BaseURL)
	}
	return unnull(t.Distances), unnull(t.Durations), nil
}

// indexList writes "start;start+1;…" for n indices.
func indexList(start, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(strconv.Itoa(start + i))
	}
	return b.String()
}

// unnull turns JSON nulls (no route) into NaN.
func unnull(rows [][]*float64) [][]float64 {
	out := make([][]float64, len(rows))
	for i, r := range rows {
		out[i] = make([]float64, len(r))
		for j, v := range r {
			if v == nil {
				out[i][j] = math.NaN()
			} else {
				out[i][j] = *v
			}
		}
	}
	return out
}

// snippet returns the start of a body for an error message.
// exchange sends req with the configured user agent and decodes the JSON
// answer (at most 256 MiB) into dst, whatever the HTTP status: routing
// servers explain their errors in JSON. It returns the status and the raw
// answer for the caller's error messages. name and what word the errors:
// "osrm", "an OSRM".
func (c Config) exchange(req *http.Request, name, what string, dst any) (int, []byte, error) {
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s at %s: %w", name, c.BaseURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("%s at %s: reading the answer: %w", name, c.BaseURL, err)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return 0, nil, fmt.Errorf("%s at %s: HTTP %d, not %s answer: %s", name, c.BaseURL, resp.StatusCode, what, snippet(body))
	}
	return resp.StatusCode, body, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	if s == "" {
		s = "(empty answer)"
	}
	return s
}
