package analytics

import (
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
)

// Mode holds windowFunnel's options; they combine.
type Mode struct {
	// StrictOrder: once the chain has started, an interaction that matches
	// no step ends it, and one that matches a step whose previous step is
	// not reached yet ends it too (A→B→D→C reaches 2 of A,B,C,D).
	StrictOrder bool
	// StrictDeduplication: a step (other than the first) seen again ends the
	// chain (A→B→C→B→D reaches 3 of A,B,C,D).
	StrictDeduplication bool
	// StrictIncrease: each step must come strictly later than the previous.
	StrictIncrease bool
	// StrictOnce: one interaction counts for one step only, even if it
	// matches several.
	StrictOnce bool
	// AllowReentry (with StrictOrder only): a step that comes too early is
	// skipped instead of ending the chain.
	AllowReentry bool
}

// ParseMode reads comma-separated windowFunnel options.
func ParseMode(s string) (Mode, error) {
	var m Mode
	for _, p := range strings.Split(s, ",") {
		switch p = strings.TrimSpace(p); p {
		case "":
		case "strict_order":
			m.StrictOrder = true
		case "strict_deduplication":
			m.StrictDeduplication = true
		case "strict_increase":
			m.StrictIncrease = true
		case "strict_once":
			m.StrictOnce = true
		case "allow_reentry":
			m.AllowReentry = true
		case "strict":
			return m, derrors.Invalidf("mode: \"strict\" is now called strict_deduplication")
		default:
			return m, derrors.Invalidf("mode: %q is not one of strict_order, strict_deduplication, strict_increase, strict_once, allow_reentry", p)
		}
	}
	if m.AllowReentry && !m.StrictOrder {
		return m, derrors.Invalidf("mode: allow_reentry needs strict_order")
	}
	return m, nil
}

// String lists the options set, comma-separated.
func (m Mode) String() string {
	var out []string
	for _, o := range []struct {
		on   bool
		name string
	}{{m.StrictOrder, "strict_order"}, {m.StrictDeduplication, "strict_deduplication"}, {m.StrictIncrease, "strict_increase"}, {m.StrictOnce, "strict_once"}, {m.AllowReentry, "allow_reentry"}} {
		if o.on {
			out = append(out, o.name)
		}
	}
	return strings.Join(out, ",")
}

// maxSteps is windowFunnel's limit on conditions.
const maxSteps = 32

// entry is one (time, step) pair of an account, in windowFunnel's order:
// by time, then step (-1, an interaction matching no step, first), then
// row. Step -1 entries are only made in strict_order mode.
type entry struct {
	at   int64
	step int8
	row  int32
}

// chain is how far an account got and when it reached each step of that
// furthest chain (path[k] is the time of step k+1).
type chain struct {
	level int
	path  [maxSteps]int64
}

// levelOf is windowFunnel's search over one account's entries: it follows
// ClickHouse's algorithm (src/AggregateFunctions/AggregateFunctionWindowFunnel.cpp)
// step for step, and also keeps the times of the chain it found.
func levelOf(es []entry, n int, windowMS int64, m Mode, sc *onceScratch) chain {
	if m.StrictOnce {
		return levelOnce(es, n, windowMS, m, sc)
	}
	var c chain
	var set [maxSteps]bool
	var first, last [maxSteps]int64
	var paths [maxSteps][maxSteps]int64
	maxLevel := func() int {
		for k := n; k > 0; k-- {
			if set[k-1] {
				return k
			}
		}
		return 0
	}
	finish := func(l int) chain {
		c.level = l
		if l > 0 {
			c.path = paths[l-1]
		}
		return c
	}
	started := false
	for _, e := range es {
		idx := int(e.step)
		switch {
		case m.StrictOrder && idx == -1:
			if started {
				return finish(maxLevel())
			}
		case idx == 0:
			set[0], first[0], last[0] = true, e.at, e.at
			paths[0][0] = e.at
			started = true
		case m.StrictDeduplication && set[idx]:
			return finish(maxLevel())
		case m.StrictOrder && started && !set[idx-1]:
			if m.AllowReentry {
				continue
			}
			for k := 0; k < n; k++ {
				if !set[k] {
					return finish(k)
				}
			}
		case set[idx-1]:
			f := first[idx-1]
			ok := e.at <= f+windowMS
			if m.StrictIncrease {
				ok = ok && last[idx-1] < e.at
			}
			if ok {
				set[idx], first[idx], last[idx] = true, f, e.at
				copy(paths[idx][:idx], paths[idx-1][:idx])
				paths[idx][idx] = e.at
				if idx+1 == n {
					return finish(n)
				}
			}
		}
	}
	return finish(maxLevel())
}

// seq is one partial chain of strict_once mode.
type seq struct {
	first, last int64
	rows        [maxSteps]int32
	path        [maxSteps]int64
}

// onceScratch holds strict_once's per-level chains between accounts.
type onceScratch struct {
	levels [maxSteps][]seq
}

// levelOnce is windowFunnel's strict_once search: every partial chain is
// kept, since one interaction may match several steps and must be used
// once per chain.
func levelOnce(es []entry, n int, windowMS int64, m Mode, sc *onceScratch) chain {
	lv := &sc.levels
	for k := 0; k < n; k++ {
		lv[k] = lv[k][:0]
	}
	maxLevel := func() chain {
		for k := n; k > 0; k-- {
			if len(lv[k-1]) > 0 {
				return chain{level: k, path: lv[k-1][len(lv[k-1])-1].path}
			}
		}
		return chain{}
	}
	started := false
	for _, e := range es {
		idx := int(e.step)
		switch {
		case m.StrictOrder && idx == -1:
			if started {
				return maxLevel()
			}
		case idx == 0:
			var s seq
			s.first, s.last = e.at, e.at
			s.rows[0], s.path[0] = e.row, e.at
			lv[0] = append(lv[0], s)
			started = true
		case m.StrictDeduplication && len(lv[idx]) > 0:
			return maxLevel()
		case m.StrictOrder && started && len(lv[idx-1]) == 0:
			if m.AllowReentry {
				continue
			}
			for k := 0; k < n; k++ {
				if len(lv[k]) == 0 {
					c := maxLevel()
					c.level = k
					return c
				}
			}
		case len(lv[idx-1]) > 0:
			prev := lv[idx-1]
			keep := prev[:0]
			for i := 0; i < len(prev); i++ {
				s := prev[i]
				ok := e.at <= s.first+windowMS
				// Chains out of the window are dropped, but one is kept.
				if !ok && len(keep)+len(prev)-i > 1 {
					continue
				}
				keep = append(keep, s)
				for j := 0; j < idx && ok; j++ {
					ok = s.rows[j] != e.row
				}
				if ok && m.StrictIncrease {
					ok = s.last < e.at
				}
				if ok {
					ns := s
					ns.last = e.at
					ns.rows[idx], ns.path[idx] = e.row, e.at
					lv[idx] = append(lv[idx], ns)
					if idx+1 == n {
						lv[idx-1] = keep
						return chain{level: n, path: ns.path}
					}
				}
			}
			lv[idx-1] = keep
		}
	}
	return maxLevel()
}
