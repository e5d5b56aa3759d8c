package lineage

import (
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
)

// Goal kinds: what a run's lineage is traced back from.
const (
	GoalOK     = "ok"     // every ok record (a client's reply), or one client's
	GoalState  = "state"  // a node's final state, or the final value at a path in it
	GoalRecord = "record" // every record whose fields have the given values
)

// Goal names the steps a run's lineage is traced back from (the paper's
// "post" tuples: what the oracle cares about).
//
//	ok                 every client reply (ok record)
//	ok:c0              client c0's replies
//	state              the final state of every node
//	state:b            the final state of node b
//	state:*.log        the final value of "log" in every node's state (a gjson path)
//	state:b.log        the same, at node b
//	record:type=deliver,to=b,body.type=commit
//	                   every record whose fields (gjson paths) have those values
//
// A node's final state, or the value at a path in it, is produced by the
// last step at that node that changed it: that step is the goal.
type Goal struct {
	Kind   string
	Who    string // ok: a client ("" all); state: a node ("" or "*": all)
	Path   string // state: gjson path in the state ("" the whole state)
	Fields [][2]string
}

// DefaultGoals are the client replies and the final state of every node.
var DefaultGoals = []Goal{{Kind: GoalOK}, {Kind: GoalState}}

// ParseGoal reads a --goal argument.
func ParseGoal(s string) (Goal, error) {
	kind, arg, _ := strings.Cut(s, ":")
	switch kind {
	case GoalOK:
		return Goal{Kind: GoalOK, Who: arg}, nil
	case GoalState:
		who, path, _ := strings.Cut(arg, ".")
		if who == "*" {
			who = ""
		}
		return Goal{Kind: GoalState, Who: who, Path: path}, nil
	case GoalRecord:
		if arg == "" {
			return Goal{}, fmt.Errorf("goal %q: record needs FIELD=VALUE[,FIELD=VALUE…]", s)
		}
		g := Goal{Kind: GoalRecord}
		for _, kv := range strings.Split(arg, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return Goal{}, fmt.Errorf("goal %q: %q is not FIELD=VALUE", s, kv)
			}
			g.Fields = append(g.Fields, [2]string{k, v})
		}
		return g, nil
	}
	return Goal{}, fmt.Errorf("goal %q: unknown kind %q (kinds: ok, state, record)", s, kind)
}

// String is the goal as ParseGoal reads it.
func (g Goal) String() string {
	switch g.Kind {
	case GoalOK:
		if g.Who == "" {
			return GoalOK
		}
		return GoalOK + ":" + g.Who
	case GoalState:
		s := GoalState
		who := g.Who
		if who == "" && g.Path != "" {
			who = "*"
		}
		if who != "" {
			s += ":" + who
		}
		if g.Path != "" {
			s += "." + g.Path
		}
		return s
	}
	var kv []string
	for _, f := range g.Fields {
		kv = append(kv, f[0]+"="+f[1])
	}
	return GoalRecord + ":" + strings.Join(kv, ",")
}

// matchRecord reports whether a record goal selects the record data.
func (g Goal) matchRecord(data []byte) bool {
	for _, f := range g.Fields {
		r := gjson.GetBytes(data, f[0])
		if !r.Exists() || r.String() != f[1] {
			return false
		}
	}
	return true
}
