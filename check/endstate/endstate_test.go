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
