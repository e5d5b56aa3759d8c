package view

import (
	"bytes"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

func TestVerdicts(t *testing.T) {
	for _, tc := range []struct {
		vs   []formats.VerdictSummary
		want string
	}{
		{nil, "-"},
		{[]formats.VerdictSummary{{Checker: "check", Model: "register", Valid: false}, {Checker: "ltl", Valid: "unknown"}}, "check/register=false ltl=unknown"},
	} {
		if got := Verdicts(tc.vs); got != tc.want {
			t.Errorf("Verdicts(%v) = %q, want %q", tc.vs, got, tc.want)
		}
	}
}

// The message trace keeps the message's fields, in a fixed order, and
// leaves out the node's state and effects.
func TestMessage(t *testing.T) {
	in := `{"type":"deliver","run":"r-1","step":4,"at":20,"id":"m2","from":"a","to":"b","sent_at":10,"sent_step":2,"body":{"x":1},"state":{"big":true},"sends":[{"id":"m3","to":"a","body":{}}]}`
	want := `{"type":"deliver","run":"r-1","step":4,"at":20,"id":"m2","from":"a","to":"b","sent_at":10,"sent_step":2,"body":{"x":1}}`
	if got := string(Message([]byte(in))); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	drop := `{"type":"drop","run":"r-1","step":5,"at":30,"id":"m3","from":"a","to":"b","reason":"omission"}`
	if got := string(Message([]byte(drop))); got != drop {
		t.Fatalf("drop: %s", got)
	}
}

// Tables are the same, byte for byte, every time.
func TestTablesDeterministic(t *testing.T) {
	steps, tm := int64(10), int64(2_000_000)
	runs := []formats.RunSummary{{Run: "r-1", Test: "t-1", Seed: 7, Faults: 2, Steps: &steps, Time: &tm, End: "quiescent",
		Verdicts: []formats.VerdictSummary{{Checker: "check", Model: "register", Valid: true}}}, {Run: "r-2"}}
	var a, b bytes.Buffer
	if err := Runs(&a, runs); err != nil {
		t.Fatal(err)
	}
	Runs(&b, runs)
	if a.String() != b.String() {
		t.Fatal("two renderings differ")
	}
	for _, want := range []string{"r-1", "t-1", "2ms", "quiescent", "check/register=true", "│ r-2 "} {
		if !strings.Contains(a.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, a.String())
		}
	}
}
