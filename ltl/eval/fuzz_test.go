package eval

import (
	"errors"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
)

// FuzzEval: any formula that parses either compiles or is refused with a
// *CompileError, and evaluates on a small trace without panicking.
func FuzzEval(f *testing.F) {
	for _, s := range []string{
		`[] (len(state.a.log) == len(state.b.log))`,
		`forall n: <>[<=10ns] (7 in state[n].log)`,
		`exists i in 0..len(state.a.log): state.a.log[i] == 7`,
		`forall x in state.a.log: x > 0 U "b" in crashed`,
		`[] (prev.a.log.# + 1 >= state.a.log.# && event.body["type"] != null)`,
		`X X WX (step % 2 == 1 <-> at / 2 > 1ns) R (nodes.0 == "a")`,
		`forall n in nodes: [] (state[n].log.#.x == [])`,
		`exists i in [1, "a", null]: <> (i in state.a.log)`,
		`[][<1ns] -state.a.log.0 * 2 < - - 3`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := formula.Parse(src)
		if err != nil {
			return
		}
		c := NewChecker([]Formula{{Src: src, Origin: "formula", Expr: e}})
		err = c.Read(strings.NewReader(crashTrace), "trace.ndjson")
		var ce *CheckError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("%s: %v", src, err)
		}
		for _, v := range c.Verdicts() {
			if v.Valid != true && v.Valid != false && v.Valid != formats.Unknown {
				t.Fatalf("%s: valid %v", src, v.Valid)
			}
		}
	})
}

// FuzzTrace: any input is read without panicking; what is refused is a
// *formats.InputError, which names file and line.
func FuzzTrace(f *testing.F) {
	f.Add(crashTrace)
	f.Add(`{"type":"init","run":"r","step":0,"at":0,"node":"a","state":{"log":[1]}}` + "\n" + `{"type":"crash","run":"r","step":1,"at":0,"node":"a"}`)
	f.Add(`{"type":"deliver","step":1e3,"at":-1,"to":"","state":[]}`)
	f.Add("{\"type\":\"run\",\"run\":\"r\",\"nodes\":7}\n{}\n\n{\"type\":\"timer\"")
	srcs := []string{`[] (len(state.a.log) >= 0)`, `forall n: <> (n in crashed || state[n] != null)`}
	f.Fuzz(func(t *testing.T, input string) {
		var fs []Formula
		for _, s := range srcs {
			fs = append(fs, Formula{Src: s, Origin: "formula", Expr: formula.MustParse(s)})
		}
		c := NewChecker(fs)
		err := c.Read(strings.NewReader(input), "t")
		var ie *formats.InputError
		var ce *CheckError
		if err != nil && !errors.As(err, &ie) && !errors.As(err, &ce) {
			t.Fatalf("error %T: %v", err, err)
		}
		c.Verdicts()
	})
}
