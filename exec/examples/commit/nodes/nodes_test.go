package nodes_test

import (
	"strings"
	"testing"

	"github.com/detsys/detsys/check/endstate"
	"github.com/detsys/detsys/exec/examples/commit/nodes"
	"github.com/detsys/detsys/exec/rounds/roundtest"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/gen/workload"
)

// run runs the test in process in rounds of 1 ms up to eot, with faults,
// and returns the trace and the final states' verdict.
func run(t *testing.T, test formats.Test, eot int, faults []formats.Fault) (string, *endstate.Final, endstate.Result) {
	t.Helper()
	trace, f := roundtest.Run(t, nodes.Kinds, test, eot, faults)
	res, err := endstate.Commit(f)
	if err != nil {
		t.Fatal(err)
	}
	return trace, f, res
}

func protocolTest(t *testing.T, protocol string) formats.Test {
	t.Helper()
	test, err := workload.ProtocolTest("commit", protocol, 3)
	if err != nil {
		t.Fatal(err)
	}
	return test
}

// The counterexamples of the LDFI paper (SIGMOD'15, Figure 12 and §6.1,
// as Molly's commit examples reproduce them), each at its protocol's
// failure specification, break the protocols the paper says they break
// with the anomaly it names, and no other.
func TestPaperCounterexamples(t *testing.T) {
	faults := map[string][]formats.Fault{
		"none":                        nil,
		"crash C@2":                   {roundtest.Crash("C", 2)},
		"crash a@2":                   {roundtest.Crash("a", 2)},
		"crash C@5":                   {roundtest.Crash("C", 5)},
		"crash d@4, lose C→a, C→b @6": {roundtest.Crash("d", 4), roundtest.Omission("C", "a", 6), roundtest.Omission("C", "b", 6)},
	}
	for _, tc := range []struct {
		protocol string
		eot      int
		breaks   map[string]string // fault set → anomaly
	}{
		// 2pc blocks when C or an agent crashes before the decision.
		{"2pc", 5, map[string]string{"crash C@2": "no-termination", "crash a@2": "no-termination"}},
		// 2pc-ctp: an agent's crash makes C time out and abort, but C's
		// crash still blocks everyone.
		{"2pc-ctp", 8, map[string]string{"crash C@2": "no-termination"}},
		// 3pc decides without C, but can disagree.
		{"3pc", 9, map[string]string{"crash d@4, lose C→a, C→b @6": "disagreement"}},
	} {
		for name, fs := range faults {
			t.Run(tc.protocol+"/"+name, func(t *testing.T) {
				_, _, res := run(t, protocolTest(t, tc.protocol), tc.eot, fs)
				want, breaks := tc.breaks[name]
				if res.Valid == breaks || breaks && strings.Join(res.Anomalies, ",") != want {
					t.Errorf("valid %v %v (%s); want broken %v %s", res.Valid, res.Anomalies, res.Explanation, breaks, want)
				}
			})
		}
	}
}

// Without faults every node commits, within the paper's end of time.
func TestEveryoneCommits(t *testing.T) {
	for p, eot := range map[string]int{"2pc": 5, "2pc-ctp": 8, "3pc": 9} {
		_, f, _ := run(t, protocolTest(t, p), eot, nil)
		for _, n := range f.Nodes {
			if d := f.State[n].Get("decision").Str; d != nodes.Commit {
				t.Errorf("%s: %s decided %q", p, n, d)
			}
		}
	}
}

// An agent that votes no makes everyone abort.
func TestNoVoteAborts(t *testing.T) {
	for _, p := range []string{"2pc", "2pc-ctp", "3pc"} {
		test := formats.Test{Type: formats.TypeTest, Test: "t-no", Workload: "commit", Nodes: []formats.NodeSpec{
			{Name: "C", Kind: p + "-coord"}, {Name: "a", Kind: p + "-agent"}, {Name: "b", Kind: p + "-agent-no"}}}
		_, f, res := run(t, test, 9, nil)
		if !res.Valid {
			t.Errorf("%s: %s", p, res.Explanation)
		}
		for _, n := range f.Nodes {
			if d := f.State[n].Get("decision").Str; d != nodes.Abort {
				t.Errorf("%s: %s decided %q", p, n, d)
			}
		}
	}
}

// 2pc-ctp's cooperative termination. A decision lost on its way from C
// reaches the agent through the other agents, which re-send it every
// round. But with C crashed before deciding, every agent is an undecided
// yes voter: their timers fire (round 5, from the prepare of round 2),
// they ask each other, and nobody can answer.
func TestCooperativeTermination(t *testing.T) {
	_, f, res := run(t, protocolTest(t, "2pc-ctp"), 8, []formats.Fault{roundtest.Omission("C", "a", 4), roundtest.Crash("C", 5)})
	if !res.Valid || f.State["a"].Get("decision").Str != nodes.Commit {
		t.Errorf("valid %v (%s), a decided %s", res.Valid, res.Explanation, f.State["a"].Get("decision").Raw)
	}
	trace, _, res := run(t, protocolTest(t, "2pc-ctp"), 8, []formats.Fault{roundtest.Crash("C", 2)})
	if res.Valid {
		t.Fatal("crashing C in round 2 did not block 2pc-ctp")
	}
	asked := false
	for _, l := range strings.Split(trace, "\n") {
		if strings.Contains(l, `"timer":"act"`) && strings.Contains(l, `"at":5000000`) && strings.Contains(l, `"node":"a"`) {
			asked = strings.Contains(l, `"to":"b","body":{"type":"decision_req"}`)
		}
		if strings.Contains(l, `"body":{"type":"commit"}`) || strings.Contains(l, `"body":{"type":"abort"}`) {
			t.Errorf("someone decided: %s", l)
		}
	}
	if !asked {
		t.Error("a did not ask b for the decision when its timer fired in round 5")
	}
}

// Same test, same faults: the same bytes.
func TestDeterministic(t *testing.T) {
	fs := []formats.Fault{roundtest.Crash("d", 4), roundtest.Omission("C", "a", 6)}
	for _, p := range []string{"2pc", "2pc-ctp", "3pc"} {
		a, _, _ := run(t, protocolTest(t, p), 9, fs)
		b, _, _ := run(t, protocolTest(t, p), 9, fs)
		if a != b {
			t.Errorf("%s: two runs differ", p)
		}
	}
}
