package endstate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Commit anomalies.
const (
	Disagreement  = "disagreement" // two nodes decided differently
	Invalid       = "invalid"      // a commit although some agent did not vote yes
	NoTermination = "no-termination"
)

// CommitWitness explains a commit run that fails: every node's role,
// vote and decision at the end, and which nodes are down.
type CommitWitness struct {
	Nodes []CommitNode `json:"nodes"`
}

// CommitNode is one node as the witness shows it.
type CommitNode struct {
	Node     string `json:"node"`
	Role     string `json:"role"`
	Vote     string `json:"vote,omitempty"`
	Prepared bool   `json:"prepared,omitempty"`
	Decision string `json:"decision,omitempty"`
	Down     bool   `json:"down,omitempty"`
}

// Commit checks the commit family's properties on the final states. A
// node's state has "role" ("coordinator" or "agent"), "decision" ("",
// "commit" or "abort") and, for agents, "vote" ("", "yes" or "no") and
// "prepared" (voted yes). Decisions count whether or not the node is down
// at the end (it decided before it crashed), as in Molly's 2pc_assert.ded:
//
//   - agreement: no two nodes decided differently;
//   - validity: a node decided commit only if every agent voted yes;
//   - termination (Molly's): if an agent prepared, at least two nodes
//     decided. This is the property the blocking protocols (2pc,
//     2pc-ctp) break.
func Commit(f *Final) (Result, error) {
	var w CommitWitness
	decided := map[string][]string{} // decision → nodes
	prepared, committed := false, false
	var notYes []string
	for _, n := range f.Nodes {
		st, ok, err := f.stateOf(n)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			continue
		}
		c := CommitNode{Node: n, Down: f.Down[n]}
		for _, fl := range []struct {
			name  string
			dst   *string
			allow []string
		}{
			{"role", &c.Role, []string{"coordinator", "agent"}},
			{"decision", &c.Decision, []string{"", "commit", "abort"}},
			{"vote", &c.Vote, []string{"", "yes", "no"}},
		} {
			v := st.Get(fl.name)
			if v.Exists() && v.Type != gjson.String || !slices.Contains(fl.allow, v.Str) || fl.name == "role" && !v.Exists() {
				return Result{}, f.fieldError(n, fl.name, "expected one of %q, got %.40s (is this a commit run?)", fl.allow, formats.OrMissing(v))
			}
			*fl.dst = v.Str
		}
		c.Prepared = st.Get("prepared").Bool()
		w.Nodes = append(w.Nodes, c)
		if c.Decision != "" {
			decided[c.Decision] = append(decided[c.Decision], n)
		}
		committed = committed || c.Decision == "commit"
		if c.Role == "agent" {
			prepared = prepared || c.Prepared
			if c.Vote != "yes" {
				notYes = append(notYes, n)
			}
		}
	}
	var anomalies, why []string
	if len(decided) > 1 {
		anomalies = append(anomalies, Disagreement)
		why = append(why, fmt.Sprintf("%s decided commit but %s decided abort", quoteList(decided["commit"]), quoteList(decided["abort"])))
	}
	if committed && len(notYes) > 0 {
		anomalies = append(anomalies, Invalid)
		why = append(why, fmt.Sprintf("%s decided commit but %s did not vote yes", quoteList(decided["commit"]), quoteList(notYes)))
	}
	if n := len(decided["commit"]) + len(decided["abort"]); prepared && n < 2 {
		anomalies = append(anomalies, NoTermination)
		who := "no node decided"
		if n == 1 {
			who = "only " + quoteList(append(decided["commit"], decided["abort"]...)) + " decided"
		}
		why = append(why, "agents prepared but "+who)
	}
	if len(anomalies) == 0 {
		return Result{Run: f.Run, Valid: true}, nil
	}
	if down := f.DownList(); len(down) > 0 {
		why = append(why, "down at the end: "+quoteList(down))
	}
	return Result{Run: f.Run, Anomalies: anomalies, Witness: w, Explanation: strings.Join(why, "; ")}, nil
}
