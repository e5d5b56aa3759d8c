package endstate

import (
	"strings"
	"testing"
)

// trace builds a run from one state per node (name → state JSON) and
// extra records (crash, restart) after them.
func final(t *testing.T, records ...string) *Final {
	t.Helper()
	in := `{"type":"run","run":"r","nodes":[{"name":"a","kind":"k"},{"name":"b","kind":"k"},{"name":"c","kind":"k"}]}` + "\n" + strings.Join(records, "\n")
	r := NewReader()
	if err := r.Read(strings.NewReader(in), "t.ndjson"); err != nil {
		t.Fatal(err)
	}
	return r.Finals()[0]
}

func state(node, st string) string {
	return `{"type":"timer","run":"r","node":"` + node + `","timer":"act","state":` + st + `}`
}

func deliver(to, st string) string {
	return `{"type":"deliver","run":"r","from":"x","to":"` + to + `","state":` + st + `}`
}

func TestDelivery(t *testing.T) {
	const (
		bcast = `{"broadcaster":true,"log":["hello"]}`
		has   = `{"log":["hello"]}`
		lacks = `{"log":[]}`
	)
	for _, tc := range []struct {
		name    string
		records []string
		valid   bool
		why     string
	}{
		{"all logged", []string{state("a", bcast), deliver("b", has), deliver("c", has)}, true, ""},
		{"none but the broadcaster: vacuous", []string{state("a", bcast), state("b", lacks), state("c", lacks)}, true, ""},
		{"b missing", []string{state("a", bcast), state("b", lacks), deliver("c", has)}, false, `c logged "hello" but b, up at the end, did not`},
		{"b missing but crashed", []string{state("a", bcast), state("b", lacks), deliver("c", has), `{"type":"crash","run":"r","node":"b"}`}, true, ""},
		{"c, the only other logger, crashed: vacuous", []string{state("a", bcast), state("b", lacks), deliver("c", has), `{"type":"crash","run":"r","node":"c"}`}, true, ""},
		{"crashed then restarted counts again", []string{state("a", bcast), deliver("c", has), `{"type":"crash","run":"r","node":"b"}`, `{"type":"restart","run":"r","node":"b","state":{"log":[]}}`}, false, "but b, up"},
		{"the broadcaster crashed and lacks nothing", []string{state("a", bcast), state("b", lacks), deliver("c", has), `{"type":"panic","run":"r","node":"a"}`}, false, "but b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Delivery(final(t, tc.records...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != tc.valid || !strings.Contains(res.Explanation, tc.why) {
				t.Errorf("valid %v (%s), want %v (%s)", res.Valid, res.Explanation, tc.valid, tc.why)
			}
		})
	}
}

func TestDeliveryMalformed(t *testing.T) {
	for _, tc := range []struct {
		records []string
		err     string
	}{
		{[]string{state("a", `{"value":3}`)}, `t.ndjson:2: field "state.log": expected the node's log, a list of payloads, got nothing (is this a delivery run?)`},
		{[]string{state("a", `{"log":[1]}`)}, `t.ndjson:2: field "state.log[0]": expected a payload, a string, got 1`},
		{[]string{state("a", `{"log":[]}`), state("b", `{"log":[]}`)}, `run r: node c has no state in the trace (no init record)`},
	} {
		_, err := Delivery(final(t, tc.records...))
		if err == nil || err.Error() != tc.err {
			t.Errorf("error %v, want %s", err, tc.err)
		}
	}
	r := NewReader()
	err := r.Read(strings.NewReader(`{"type":"init","run":"r","node":"a","state":[]}`), "x")
	if err == nil || !strings.Contains(err.Error(), `x:1: field "state": expected the node's state, a JSON object, got []`) {
		t.Errorf("got %v", err)
	}
}

func TestCommit(t *testing.T) {
	coord := func(d string) string { return `{"role":"coordinator","decision":"` + d + `"}` }
	agent := func(vote, d string) string {
		return `{"role":"agent","vote":"` + vote + `","prepared":` + map[bool]string{true: "true", false: "false"}[vote == "yes"] + `,"decision":"` + d + `"}`
	}
	for _, tc := range []struct {
		name      string
		records   []string
		anomalies string
		why       string
	}{
		{"all commit", []string{state("a", coord("commit")), state("b", agent("yes", "commit")), state("c", agent("yes", "commit"))}, "", ""},
		{"nobody prepared, nobody decided", []string{state("a", coord("")), state("b", agent("", "")), state("c", agent("", ""))}, "", ""},
		{"blocked", []string{state("a", coord("")), state("b", agent("yes", "")), state("c", agent("yes", "")), `{"type":"crash","run":"r","node":"a"}`},
			"no-termination", "agents prepared but no node decided; down at the end: a"},
		{"one decided", []string{state("a", coord("abort")), state("b", agent("yes", "")), state("c", agent("yes", ""))},
			"no-termination", "agents prepared but only a decided"},
		{"disagreement", []string{state("a", coord("abort")), state("b", agent("yes", "commit")), state("c", agent("yes", "commit"))},
			"disagreement", "b and c decided commit but a decided abort"},
		{"commit without every yes", []string{state("a", coord("commit")), state("b", agent("yes", "commit")), state("c", agent("no", ""))},
			"invalid", "a and b decided commit but c did not vote yes"},
		{"a crashed node's decision counts", []string{state("a", coord("abort")), state("b", agent("yes", "commit")), state("c", agent("yes", "commit")), `{"type":"crash","run":"r","node":"a"}`},
			"disagreement", "decided abort; down at the end: a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Commit(final(t, tc.records...))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(res.Anomalies, ",") != tc.anomalies || res.Valid != (tc.anomalies == "") || !strings.Contains(res.Explanation, tc.why) {
				t.Errorf("valid %v %v (%s), want %q (%s)", res.Valid, res.Anomalies, res.Explanation, tc.anomalies, tc.why)
			}
		})
	}
	_, err := Commit(final(t, state("a", `{"role":"boss"}`)))
	if err == nil || err.Error() != `t.ndjson:2: field "state.role": expected one of ["coordinator" "agent"], got "boss" (is this a commit run?)` {
		t.Errorf("got %v", err)
	}
	_, err = Commit(final(t, state("a", `{"log":[]}`)))
	if err == nil || !strings.Contains(err.Error(), `field "state.role": expected one of ["coordinator" "agent"], got nothing`) {
		t.Errorf("got %v", err)
	}
}

// A node that panicked in its init step has no state: it is down, and
// skipped.
func TestNodeDownWithoutState(t *testing.T) {
	f := final(t, state("a", `{"broadcaster":true,"log":["hello"]}`), state("b", `{"log":["hello"]}`), `{"type":"panic","run":"r","node":"c"}`)
	if res, err := Delivery(f); err != nil || !res.Valid {
		t.Errorf("delivery: %v %v", res, err)
	}
	f = final(t, state("a", `{"role":"coordinator","decision":"commit"}`), state("b", `{"role":"agent","vote":"yes","prepared":true,"decision":"commit"}`), `{"type":"panic","run":"r","node":"c"}`)
	if res, err := Commit(f); err != nil || !res.Valid {
		t.Errorf("commit: %v %v", res, err)
	}
}
