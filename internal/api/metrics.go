package api

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics counts requests for Prometheus, in its text exposition format.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]uint64 // method, route, code
	buckets  map[string][]uint64  // route → counts per bucket (cumulative at write)
	sums     map[string]float64
	counts   map[string]uint64
	start    time.Time
}

var bucketBounds = []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]uint64{}, buckets: map[string][]uint64{}, sums: map[string]float64{}, counts: map[string]uint64{}, start: time.Now()}
}

func (m *metrics) observe(method, route string, code int, d time.Duration) {
	sec := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, fmt.Sprint(code)}]++
	b := m.buckets[route]
	if b == nil {
		b = make([]uint64, len(bucketBounds))
		m.buckets[route] = b
	}
	for i, ub := range bucketBounds {
		if sec <= ub {
			b[i]++
			break
		}
	}
	m.sums[route] += sec
	m.counts[route]++
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP meridian_http_requests_total HTTP requests by method, route and status code.")
	fmt.Fprintln(w, "# TYPE meridian_http_requests_total counter")
	keys := make([][3]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return strings.Join(keys[i][:], " ") < strings.Join(keys[j][:], " ") })
	for _, k := range keys {
		fmt.Fprintf(w, "meridian_http_requests_total{method=\"%s\",route=\"%s\",code=\"%s\"} %d\n", escapeLabel(k[0]), escapeLabel(k[1]), k[2], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP meridian_http_request_duration_seconds HTTP request latency by route.")
	fmt.Fprintln(w, "# TYPE meridian_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.buckets))
	for r := range m.buckets {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		var cum uint64
		for i, ub := range bucketBounds {
			cum += m.buckets[r][i]
			fmt.Fprintf(w, "meridian_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %d\n", escapeLabel(r), ub, cum)
		}
		fmt.Fprintf(w, "meridian_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %d\n", escapeLabel(r), m.counts[r])
		fmt.Fprintf(w, "meridian_http_request_duration_seconds_sum{route=\"%s\"} %g\n", escapeLabel(r), m.sums[r])
		fmt.Fprintf(w, "meridian_http_request_duration_seconds_count{route=\"%s\"} %d\n", escapeLabel(r), m.counts[r])
	}
	fmt.Fprintln(w, "# HELP meridian_uptime_seconds Seconds since the server started.")
	fmt.Fprintln(w, "# TYPE meridian_uptime_seconds gauge")
	fmt.Fprintf(w, "meridian_uptime_seconds %g\n", time.Since(m.start).Seconds())
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.metrics.write(w)
	return nil
}
