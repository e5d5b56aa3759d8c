package nodes_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/endstate"
	"github.com/detsys/detsys/exec/examples/delivery/nodes"
	"github.com/detsys/detsys/exec/rounds/roundtest"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/gen/workload"
)

// run runs protocol on nodes a, b, c in process, in rounds of 1 ms up to
// eot, with faults, and returns the trace and the delivery verdict.
func run(t *testing.T, protocol string, eot int, faults []formats.Fault) (string, endstate.Result) {
	t.Helper()
	test, err := workload.ProtocolTest("delivery", protocol, 3)
	if err != nil {
		t.Fatal(err)
	}
	trace, f := roundtest.Run(t, nodes.Kinds, test, eot, faults)
	res, err := endstate.Delivery(f)
	if err != nil {
		t.Fatal(err)
	}
	return trace, res
}

// The counterexamples of the LDFI paper (SIGMOD'15, Figure 12 and §6.1;
// the fault sets are Molly's), each at its failure specification, break
// exactly the protocols the paper says they break; the correct protocols
// (Figure 13) survive all of them.
func TestPaperCounterexamples(t *testing.T) {
	faults := map[string][]formats.Fault{
		"none":                         nil,
		"simple: lose a→b@1":           {roundtest.Omission("a", "b", 1)},
		"retry: lose a→b@1, crash a@2": {roundtest.Omission("a", "b", 1), roundtest.Crash("a", 2)},
		"classic: lose a→b@1, c→a@2, c→b@2": {roundtest.Omission("a", "b", 1), roundtest.Omission("c", "a", 2), roundtest.Omission("c", "b", 2)},
		"lose a→b and a→c@1 (vacuous)":      {roundtest.Omission("a", "b", 1), roundtest.Omission("a", "c", 1)},
	}
	for _, tc := range []struct {
		protocol string
		eot      int
		breaks   []string // the fault sets that make the property fail
	}{
		{"simple-deliv", 4, []string{"simple: lose a→b@1", "retry: lose a→b@1, crash a@2", "classic: lose a→b@1, c→a@2, c→b@2"}},
		{"retry-deliv", 4, []string{"retry: lose a→b@1, crash a@2"}},
		{"redun-deliv", 11, nil},
		{"ack-deliv", 8, nil},
		{"classic-deliv", 5, []string{"classic: lose a→b@1, c→a@2, c→b@2"}},
	} {
		for name, fs := range faults {
			t.Run(tc.protocol+"/"+name, func(t *testing.T) {
				_, res := run(t, tc.protocol, tc.eot, fs)
				want := !contains(tc.breaks, name)
				if res.Valid != want {
					t.Errorf("valid %v, want %v (%s)", res.Valid, want, res.Explanation)
				}
			})
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The round model (package exec/rounds): a message sent in round r is
// delivered in round r+1, every send happens at exactly r ms, and the run
// stops after round EOT.
func TestRoundsAreMilliseconds(t *testing.T) {
	trace, _ := run(t, "redun-deliv", 3, nil)
	for _, line := range strings.Split(strings.TrimSpace(trace), "\n") {
		var at, sentAt int64
		if strings.Contains(line, `"type":"deliver"`) {
			fmt.Sscanf(field(line, `"at":`), "%d", &at)
			fmt.Sscanf(field(line, `"sent_at":`), "%d", &sentAt)
			if at%1e6 != 0 || at-sentAt != 1e6 {
				t.Errorf("delivered at %d, sent at %d: %s", at, sentAt, line)
			}
			if at > 3e6 {
				t.Errorf("delivered after EOT: %s", line)
			}
		}
	}
}

func field(line, key string) string {
	i := strings.Index(line, key)
	if i < 0 {
		return ""
	}
	return line[i+len(key):]
}

// classic-deliv logs the round after the payload arrives: with EOT 2, b
// and c received it in round 2 but have not logged it yet, and the
// broadcaster logged it in round 2 (log@next of its round-1 bcast).
func TestClassicLogsTheRoundAfter(t *testing.T) {
	trace, res := run(t, "classic-deliv", 2, nil)
	if !res.Valid {
		t.Fatalf("vacuous run fails: %s", res.Explanation)
	}
	r := endstate.NewReader()
	r.Read(strings.NewReader(trace), "trace")
	f := r.Finals()[0]
	for n, want := range map[string]string{"a": `["hello"]`, "b": `[]`, "c": `[]`} {
		if got := f.State[n].Get("log").Raw; got != want {
			t.Errorf("%s ends with log %s, want %s", n, got, want)
		}
	}
}

// Same test, same faults: the same bytes.
func TestDeterministic(t *testing.T) {
	fs := []formats.Fault{roundtest.Omission("a", "b", 1), roundtest.Crash("c", 3)}
	for _, p := range []string{"simple-deliv", "retry-deliv", "redun-deliv", "ack-deliv", "classic-deliv"} {
		a, _ := run(t, p, 6, fs)
		b, _ := run(t, p, 6, fs)
		if a != b {
			t.Errorf("%s: two runs differ", p)
		}
	}
}
