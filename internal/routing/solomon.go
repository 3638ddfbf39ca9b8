package routing

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ReadSolomon reads a Solomon or Gehring–Homberger VRPTW instance (text:
// a name line, "VEHICLE" with NUMBER and CAPACITY, then "CUSTOMER" with one
// row per place: CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE,
// SERVICE TIME; customer 0 is the depot). Distances are unrounded Euclidean,
// travel time equals distance, and every vehicle leaves and returns to the
// depot within its window. Job ids are the customer numbers.
func ReadSolomon(r io.Reader) (*Problem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	line := 0
	section := ""
	nVeh, capa := -1, -1
	type row struct {
		no                 int
		x, y               float64
		demand             int
		ready, due, servic float64
	}
	var rows []row
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		up := strings.ToUpper(text)
		switch {
		case up == "VEHICLE":
			section = "vehicle"
			continue
		case up == "CUSTOMER":
			section = "customer"
			continue
		case strings.HasPrefix(up, "NUMBER") || strings.HasPrefix(up, "CUST"):
			continue // column headers
		}
		f := strings.Fields(text)
		switch section {
		case "":
			continue // the instance name
		case "vehicle":
			if nVeh >= 0 {
				return nil, fmt.Errorf("solomon: line %d: unexpected %q after the vehicle numbers", line, text)
			}
			if len(f) != 2 {
				return nil, fmt.Errorf("solomon: line %d: want NUMBER and CAPACITY, got %q", line, text)
			}
			var err error
			if nVeh, err = strconv.Atoi(f[0]); err != nil || nVeh <= 0 {
				return nil, fmt.Errorf("solomon: line %d: vehicle NUMBER %q is not a positive integer", line, f[0])
			}
			if capa, err = strconv.Atoi(f[1]); err != nil || capa <= 0 {
				return nil, fmt.Errorf("solomon: line %d: CAPACITY %q is not a positive integer", line, f[1])
			}
		case "customer":
			if len(f) != 7 {
				return nil, fmt.Errorf("solomon: line %d: want 7 columns (CUST NO., XCOORD., YCOORD., DEMAND, READY TIME, DUE DATE, SERVICE TIME), got %d", line, len(f))
			}
			names := []string{"CUST NO.", "XCOORD.", "YCOORD.", "DEMAND", "READY TIME", "DUE DATE", "SERVICE TIME"}
			var v [7]float64
			for i, s := range f {
				x, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("solomon: line %d: %s %q is not a number", line, names[i], s)
				}
				v[i] = x
			}
			if v[0] != math.Trunc(v[0]) || v[3] != math.Trunc(v[3]) {
				return nil, fmt.Errorf("solomon: line %d: CUST NO. and DEMAND must be integers", line)
			}
			if v[5] < v[4] {
				return nil, fmt.Errorf("solomon: line %d: DUE DATE %v before READY TIME %v", line, v[5], v[4])
			}
			if v[3] < 0 || v[6] < 0 {
				return nil, fmt.Errorf("solomon: line %d: negative DEMAND or SERVICE TIME", line)
			}
			if int(v[0]) != len(rows) {
				return nil, fmt.Errorf("solomon: line %d: CUST NO. %d, want %d (rows numbered from 0, the depot)", line, int(v[0]), len(rows))
			}
			rows = append(rows, row{int(v[0]), v[1], v[2], int(v[3]), v[4], v[5], v[6]})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("solomon: %w", err)
	}
	if nVeh < 0 {
		return nil, fmt.Errorf("solomon: no VEHICLE section (NUMBER CAPACITY)")
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("solomon: no customers: want a CUSTOMER table with the depot (0) and at least one customer")
	}
	n := len(rows)
	mx := Matrix{N: n, Dist: make([]float64, n*n)}
	for i := range rows {
		for j := range rows {
			mx.Dist[i*n+j] = math.Hypot(rows[i].x-rows[j].x, rows[i].y-rows[j].y)
		}
	}
	p := &Problem{Matrix: mx}
	for _, c := range rows[1:] {
		p.Jobs = append(p.Jobs, Job{ID: int64(c.no), Loc: c.no, Service: c.servic, Demand: c.demand,
			Windows: []Window{{c.ready, c.due}}})
	}
	d := rows[0]
	for v := 0; v < nVeh; v++ {
		p.Vehicles = append(p.Vehicles, Vehicle{ID: int64(v + 1), Start: 0, End: 0, ShiftStart: d.ready, ShiftEnd: d.due, Capacity: capa})
	}
	return p, nil
}
