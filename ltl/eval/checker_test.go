package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
)

const crashTrace = `{"type":"run","run":"r1","nodes":[{"name":"a","kind":"k"},{"name":"b","kind":"k"}]}
{"type":"init","run":"r1","step":0,"at":0,"node":"a","state":{"log":[]}}
{"type":"init","run":"r1","step":1,"at":0,"node":"b","state":{"log":[]}}
{"type":"deliver","run":"r1","step":2,"at":5,"id":"m1","from":"c0","to":"a","body":{"type":"bcast","value":7},"state":{"log":[7]}}
{"type":"crash","run":"r1","step":3,"at":6,"node":"b"}
{"type":"drop","run":"r1","step":4,"at":7,"id":"m2","from":"a","to":"b","reason":"crash"}
{"type":"restart","run":"r1","step":5,"at":9,"node":"b","state":{"log":[]}}
{"type":"timer","run":"r1","step":6,"at":12,"node":"a","timer":"resend","state":{"log":[7]}}
{"type":"deliver","run":"r1","step":7,"at":13,"id":"m3","from":"a","to":"b","body":{"type":"gossip","value":7},"state":{"log":[7]}}
{"type":"end","run":"r1","step":8,"at":13,"reason":"quiescent","steps":8,"time":13}
`

func checkAll(t *testing.T, input string, srcs ...string) ([]Verdict, error) {
	t.Helper()
	var fs []Formula
	for _, s := range srcs {
		fs = append(fs, Formula{Src: s, Origin: "formula", Expr: formula.MustParse(s)})
	}
	c := NewChecker(fs)
	err := c.Read(strings.NewReader(input), "trace.ndjson")
	return c.Verdicts(), err
}

// TestTraceState pins what a formula sees of the trace: state after the
// step, prev before it, crashed, event, and that end is not a step.
func TestTraceState(t *testing.T) {
	cases := []struct {
		f     string
		valid bool
	}{
		{`<> ("b" in crashed && step == 3)`, true},
		{`[] ("b" in crashed <-> (step == 3 || step == 4))`, true},
		{`[] (crashed == [] || crashed == ["b"])`, true},
		{`[] (event.type == "restart" -> prev.b.log == [] && state.b.log == [])`, true},
		{`[] (event.type == "deliver" && event.to == "a" -> len(prev.a.log) == 0 && state.a.log.0 == 7)`, true},
		{`[] (step == 3 -> state.b.log == [])`, true}, // a crashed node keeps its last state
		{`[] (event.type != "end")`, true},
		{`<> (step == 7 && X true)`, false}, // step 7 is the last: end is not a step
		{`forall n: <> (7 in state[n].log)`, true},
		{`forall n: [] (!(n in crashed) -> len(state[n].log) <= 1)`, true},
		{`exists x in nodes: x == "b" && len(nodes) == 2`, true},
		{`[] (event.type == "timer" -> event.timer == "resend" && event.node == "a")`, true},
		{`<> (event.body.type == "gossip" && event.from == "a")`, true},
		{`forall n: <>[<=10ns] (7 in state[n].log)`, false}, // b logs 7 at 13ns
		{`[] (state.a.log.# == len(state.a.log))`, true},
		{`[] (state.a.missing.deep == null && state["a"]["log"] == state.a.log)`, true},
	}
	for _, c := range cases {
		t.Run(c.f, func(t *testing.T) {
			vs, err := checkAll(t, crashTrace, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if vs[0].Valid != c.valid {
				t.Fatalf("valid %v, want %v: %s", vs[0].Valid, c.valid, vs[0].Explanation)
			}
		})
	}
}

// TestRuns: runs are grouped by "run", in order of first appearance, even
// interleaved; a run record with no steps is "unknown".
func TestRuns(t *testing.T) {
	in := `{"type":"run","run":"r2","nodes":[{"name":"n","kind":"k"}]}
{"type":"run","run":"r1","nodes":[{"name":"n","kind":"k"}]}
{"type":"init","run":"r1","step":0,"at":0,"node":"n","state":{"x":1}}
{"type":"run","run":"r3","nodes":[]}
{"type":"init","run":"r2","step":0,"at":0,"node":"n","state":{"x":2}}
{"type":"timer","run":"r1","step":1,"at":3,"node":"n","timer":"t","state":{"x":1}}
`
	vs, err := checkAll(t, in, "[] (state.n.x == 1)", "<> (step == 1)")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		got = append(got, v.Run+" "+v.Formula.Src+" "+formatValid(v.Valid))
	}
	want := []string{
		"r2 [] (state.n.x == 1) false", "r2 <> (step == 1) false",
		"r1 [] (state.n.x == 1) true", "r1 <> (step == 1) true",
		"r3 [] (state.n.x == 1) unknown", "r3 <> (step == 1) unknown",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func formatValid(v any) string {
	switch v {
	case true:
		return "true"
	case false:
		return "false"
	}
	return v.(string)
}

// TestReasons: a failing verdict names the step, the event, the atoms
// and their values; an unmet eventuality its obligations.
func TestReasons(t *testing.T) {
	vs, err := checkAll(t, crashTrace,
		`[] (len(state.a.log) == len(state.b.log))`,
		`<> (len(state.b.log) == 2)`,
		`[] (event.type == "deliver" -> <>[<=3ns] event.type == "crash")`)
	if err != nil {
		t.Fatal(err)
	}
	v := vs[0]
	if !v.Decided || v.Step != 2 || v.At != 5 || v.Event != "deliver m1 c0→a bcast" {
		t.Fatalf("first: %+v", v.Result)
	}
	if len(v.Atoms) != 1 || v.Atoms[0].Value || len(v.Atoms[0].Values) != 2 ||
		string(v.Atoms[0].Values[0].Value) != "1" || string(v.Atoms[0].Values[1].Value) != "0" {
		t.Fatalf("atoms: %+v", v.Atoms)
	}
	if !strings.Contains(v.Explanation, "len(state.a.log) == len(state.b.log) is false") {
		t.Fatal(v.Explanation)
	}
	v = vs[1]
	if v.Valid != false || v.Decided || v.LastStep != 7 || len(v.Pending) != 1 || v.Pending[0].Formula != "<> (len(state.b.log) == 2)" {
		t.Fatalf("second: %+v", v.Result)
	}
	v = vs[2] // the deliver at step 7 (13ns) has until 16ns: unmet at the end
	if v.Valid != false || v.Decided || len(v.Pending) != 1 || *v.Pending[0].Since != 7 || *v.Pending[0].Deadline != 16 {
		t.Fatalf("third: %+v", v.Result)
	}
	// A quantifier's reason names the value that settled it.
	vs, _ = checkAll(t, crashTrace, `[] ((exists n: n in crashed) -> forall n: len(state[n].log) > 0)`)
	if v := vs[0]; !v.Decided || v.Step != 3 || len(v.Atoms) != 1 ||
		strings.Join(v.Atoms[0].Because, "; ") != `exists n: holds for n = "b"; forall n: fails for n = "b"` {
		t.Fatalf("because: %+v", v.Result)
	}
	// The deliver at step 2 (5ns) is answered by the crash at 6ns; a
	// deadline that passes in the middle of a run is named in the reason.
	vs, _ = checkAll(t, crashTrace, `[] (event.type == "deliver" -> <>[<=3ns] event.type == "restart")`)
	if v := vs[0]; !v.Decided || v.Step != 5 || len(v.Pending) != 1 || !strings.Contains(v.Explanation, "opened at step 2 (at 5ns), was not met by 8ns") {
		t.Fatalf("expired: %+v", v.Result)
	}
}

func TestInputErrors(t *testing.T) {
	cases := []struct{ in, formula, want string }{
		{`{"type":"init","run":"r","step":"x","at":0,"node":"n"}`, "true", `trace.ndjson:1: field "step": expected an integer, got "x"`},
		{`{"type":"init","run":"r","step":0,"node":"n"}`, "true", `trace.ndjson:1: field "at": missing`},
		{"{\"type\":\"init\",\"run\":\"r\",\"step\":0,\"at\":5,\"node\":\"n\"}\n{\"type\":\"timer\",\"run\":\"r\",\"step\":1,\"at\":4,\"node\":\"n\"}", "[] true", `trace.ndjson:2: field "at": time went backwards`},
		{`{"type":"deliver","run":"r","step":0,"at":0}`, "true", `trace.ndjson:1: field "to": missing`},
		{`not json`, "true", `trace.ndjson:1: not a JSON object`},
		{`{"type":"init","run":"r","step":0,"at":0,"node":"n"}`, "forall n: true", `ranges over the run's nodes, but run "r" has no run record`},
		{`{"type":"run","run":"r","nodes":[{"name":"a","kind":"k"}]}` + "\n" + `{"type":"init","run":"r","step":0,"at":0,"node":"a"}`, "[] state.b.x == 1", `run "r" has no node "b" (nodes: a)`},
	}
	for _, c := range cases {
		_, err := checkAll(t, c.in, c.formula)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want …%s…", c.in, err, c.want)
			continue
		}
		var ec interface{ ExitCode() int }
		if !errors.As(err, &ec) || ec.ExitCode() != formats.ExitBadInput {
			t.Errorf("%s: %v does not exit 3", c.in, err)
		}
	}
}

// TestLongLines: a record of several MiB (a big node state) is one step
// like any other.
func TestLongLines(t *testing.T) {
	big := strings.Repeat(`"x",`, 1<<20) + `"end"`
	in := `{"type":"run","run":"r","nodes":[{"name":"a","kind":"k"}]}` + "\n" +
		`{"type":"init","run":"r","step":0,"at":0,"node":"a","state":{"log":[` + big + `]}}` + "\n" +
		`{"type":"timer","run":"r","step":1,"at":1,"node":"a","timer":"t","state":{"log":[]}}` + "\n"
	vs, err := checkAll(t, in, `<> (len(state.a.log) == 1048577) && <> (state.a.log == [] && len(prev.a.log) > 1000000)`)
	if err != nil {
		t.Fatal(err)
	}
	if vs[0].Valid != true {
		t.Fatalf("%v: %s", vs[0].Valid, vs[0].Explanation)
	}
}
