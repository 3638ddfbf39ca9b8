package analytics

import (
	"sort"
	"strings"

	"github.com/meridian-crm/meridian/internal/derrors"
	"github.com/meridian-crm/meridian/internal/visit"
)

// PathQuery asks for the most common sequences of touchpoints after (or
// before) an account's first touchpoint matching Anchor.
type PathQuery struct {
	Anchor  visit.Filter
	Before  bool   // the sequences leading up to the anchor
	Depth   int    // touchpoints after (before) the anchor; default 3
	Label   string // the field naming a touchpoint: type (default), channel, stage, outcome, variant
	Top     int    // sequences in the table; default 20
	Allowed func(accountID int64) bool
}

// PathRow is one sequence and how many accounts followed it.
type PathRow struct {
	Steps    []string `json:"steps"`
	Accounts int      `json:"accounts"`
	Share    float64  `json:"share"`
}

// SankeyNode is a touchpoint at one position of the paths.
type SankeyNode struct {
	ID       string `json:"id"` // position:label
	Label    string `json:"label"`
	Position int    `json:"position"` // 0 is the anchor; negative before it
	Accounts int    `json:"accounts"`
}

// SankeyLink is the accounts going from one node to the next.
type SankeyLink struct {
	Source   string `json:"source"`
	Target   string `json:"target"`
	Accounts int    `json:"accounts"`
}

// PathResult is the table and the Sankey diagram of the paths.
type PathResult struct {
	Accounts int          `json:"accounts"` // accounts with the anchor
	Paths    []PathRow    `json:"paths"`
	Nodes    []SankeyNode `json:"nodes"`
	Links    []SankeyLink `json:"links"`
}

// PathEnd marks a path that stops before Depth touchpoints.
const PathEnd = "(end)"

// Paths counts the sequences.
func Paths(ev *Events, q PathQuery) (*PathResult, error) {
	if len(q.Anchor.Conds) == 0 {
		return nil, derrors.Invalidf("anchor: give a filter such as type=demo")
	}
	depth := q.Depth
	if depth <= 0 {
		depth = 3
	}
	if depth > 10 {
		return nil, derrors.Invalidf("depth: at most 10, not %d", depth)
	}
	label := q.Label
	if label == "" {
		label = "type"
	}
	field := fieldIndex(label)
	if field < 0 {
		return nil, derrors.Invalidf("label: %q is not channel, type, outcome, variant, stage or source", label)
	}
	top := q.Top
	if top <= 0 {
		top = 20
	}
	m, err := ev.compile(q.Anchor)
	if err != nil {
		return nil, err
	}
	res := &PathResult{Paths: []PathRow{}, Nodes: []SankeyNode{}, Links: []SankeyLink{}}
	seqs := map[string]int{}
	nodes := map[string]*SankeyNode{}
	links := map[[2]string]int{}
	sign := 1
	if q.Before {
		sign = -1
	}
	node := func(pos int, l string) string {
		id := strings.Join([]string{itoa(pos), l}, ":")
		if nodes[id] == nil {
			nodes[id] = &SankeyNode{ID: id, Label: l, Position: pos}
		}
		nodes[id].Accounts++
		return id
	}
	anchorLabel := ""
	steps := make([]string, 0, depth)
	for r, acct := range ev.Accounts {
		if q.Allowed != nil && !q.Allowed(acct) {
			continue
		}
		s, e := int(ev.Start[r]), int(ev.Start[r+1])
		a := -1
		for i := s; i < e; i++ {
			if m.match(ev, i) {
				a = i
				break
			}
		}
		if a < 0 {
			continue
		}
		res.Accounts++
		anchorLabel = ev.Field(field, a)
		prev := node(0, anchorLabel)
		steps = steps[:0]
		for k := 1; k <= depth; k++ {
			i := a + sign*k
			l := PathEnd
			if i >= s && i < e {
				l = ev.Field(field, i)
			}
			steps = append(steps, l)
			id := node(sign*k, l)
			if sign > 0 {
				links[[2]string{prev, id}]++
			} else {
				links[[2]string{id, prev}]++
			}
			prev = id
			if l == PathEnd {
				break
			}
		}
		if q.Before {
			for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
				steps[i], steps[j] = steps[j], steps[i]
			}
		}
		seqs[strings.Join(steps, "\x00")]++
	}
	for k, c := range seqs {
		res.Paths = append(res.Paths, PathRow{Steps: strings.Split(k, "\x00"), Accounts: c, Share: ratio(c, res.Accounts)})
	}
	sort.Slice(res.Paths, func(i, j int) bool {
		if res.Paths[i].Accounts != res.Paths[j].Accounts {
			return res.Paths[i].Accounts > res.Paths[j].Accounts
		}
		return strings.Join(res.Paths[i].Steps, ",") < strings.Join(res.Paths[j].Steps, ",")
	})
	if len(res.Paths) > top {
		res.Paths = res.Paths[:top]
	}
	for _, n := range nodes {
		res.Nodes = append(res.Nodes, *n)
	}
	sort.Slice(res.Nodes, func(i, j int) bool {
		a, b := res.Nodes[i], res.Nodes[j]
		if a.Position != b.Position {
			return a.Position < b.Position
		}
		if a.Accounts != b.Accounts {
			return a.Accounts > b.Accounts
		}
		return a.Label < b.Label
	})
	for k, c := range links {
		res.Links = append(res.Links, SankeyLink{Source: k[0], Target: k[1], Accounts: c})
	}
	sort.Slice(res.Links, func(i, j int) bool {
		a, b := res.Links[i], res.Links[j]
		if a.Accounts != b.Accounts {
			return a.Accounts > b.Accounts
		}
		return a.Source+a.Target < b.Source+b.Target
	})
	return res, nil
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
