package trace

import (
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// TestPositions walks a run through init, deliver, crash, restart and
// checks state, prev and crashed at each position.
func TestPositions(t *testing.T) {
	lines := []string{
		`{"type":"init","run":"r","step":0,"at":0,"node":"a","state":{"v":0}}`,
		`{"type":"deliver","run":"r","step":1,"at":2,"to":"a","state":{"v":1}}`,
		`{"type":"invoke","run":"r","step":2,"at":3,"client":0}`,
		`{"type":"crash","run":"r","step":3,"at":4,"node":"a"}`,
		`{"type":"restart","run":"r","step":4,"at":5,"node":"a","state":{"v":9}}`,
	}
	want := []struct{ state, prev, crashed string }{
		{`{"v":0}`, ``, `[]`},
		{`{"v":1}`, `{"v":0}`, `[]`},
		{`{"v":1}`, `{"v":1}`, `[]`},
		{`{"v":1}`, `{"v":1}`, `["a"]`},
		{`{"v":9}`, `{"v":1}`, `[]`},
	}
	r := NewRun("r")
	r.SetNodes([]string{"b", "a"})
	var f Fields
	for i, l := range lines {
		line := formats.Line{Data: []byte(l), File: "t", No: i + 1}
		if err := Scan(line, &f); err != nil {
			t.Fatal(err)
		}
		if !IsPosition(f.Type) {
			t.Fatalf("%s is not a position", f.Type)
		}
		if err := r.Advance(line, &f); err != nil {
			t.Fatal(err)
		}
		a := r.NodeIndex("a")
		got := []string{string(r.Pos.State(a)), string(r.Pos.Prev(a)), string(r.Pos.Crashed())}
		w := want[i]
		if got[0] != w.state || got[1] != w.prev || got[2] != w.crashed {
			t.Errorf("step %d: state %s prev %s crashed %s, want %s %s %s", i, got[0], got[1], got[2], w.state, w.prev, w.crashed)
		}
		if r.Pos.Step != int64(i) || string(r.Pos.Event) != l {
			t.Errorf("step %d: position %d, event %s", i, r.Pos.Step, r.Pos.Event)
		}
	}
	if got := string(r.Pos.NodesJSON()); got != `["b","a"]` {
		t.Errorf("nodes %s", got)
	}
	if IsPosition(formats.TypeEnd) || IsPosition(formats.TypeVerdict) {
		t.Error("end and verdict records are not steps")
	}
}

func TestScanErrors(t *testing.T) {
	var f Fields
	for _, c := range []struct{ line, want string }{
		{`{"type":"init","step":1.5,"at":0}`, `t:1: field "step": expected an integer, got 1.5`},
		{`{"type":"init","step":1,"at":"0"}`, `t:1: field "at": expected an integer, got "0"`},
	} {
		err := Scan(formats.Line{Data: []byte(c.line), File: "t", No: 1}, &f)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.line, err, c.want)
		}
	}
}
