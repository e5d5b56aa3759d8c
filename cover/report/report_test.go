package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

func read(t testing.TB, name, data string) *Report {
	t.Helper()
	r := New()
	if err := r.Read(strings.NewReader(data), name); err != nil {
		t.Fatal(err)
	}
	return r
}

func jsonOf(t testing.TB, r *Report) string {
	t.Helper()
	var b bytes.Buffer
	w := formats.NewWriter(&b)
	for _, s := range r.Sections() {
		if err := w.Write(s); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.String()
}

func testdata(t testing.TB) string {
	b, err := os.ReadFile("testdata/runs.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// runs.ndjson has three runs of one test: r-1 with a crash and a
// partition (two copies dropped by the partition, a reply lost), r-2 with
// the same two faults in the other order and nothing new, r-3 without
// faults, a panic and a failed write.
func TestSections(t *testing.T) {
	r := read(t, "runs.ndjson", testdata(t))

	if got := r.Runs(); got.Runs != 3 || got.Tests != 1 || got.Seeds != 3 || got.Steps != 29 {
		t.Errorf("runs: %+v", got)
	}

	m := r.Messages()
	want := map[formats.MessageKind][3]int64{
		{From: "a", To: "b", BodyType: "copy"}:      {1, 0, 1},
		{From: "a", To: "c*", BodyType: "read_ok"}:  {2, 1, 1}, // one dropped: its type comes from the send
		{From: "a", To: "c*", BodyType: "write_ok"}: {1, 1, 0}, // delivered: the ok record
		{From: "c*", To: "a", BodyType: "write"}:    {2, 2, 0},
	}
	for _, c := range m.Messages {
		if w, ok := want[c.MessageKind]; ok {
			if got := [3]int64{c.Sent, c.Delivered, c.Dropped}; got != w {
				t.Errorf("%v: sent, delivered, dropped %v, want %v", c.MessageKind, got, w)
			}
			delete(want, c.MessageKind)
		}
	}
	if len(want) > 0 {
		t.Errorf("message kinds missing: %v", want)
	}
	if got := kindList(m.NeverDelivered); got != "a→b copy, a→c copy" {
		t.Errorf("never delivered: %s", got)
	}

	f := r.Faults()
	if f.DistinctSets != 2 || f.Sets[0].Runs != 2 || string(f.Sets[1].Faults) != "[]" {
		t.Errorf("fault sets: %d %+v (the two orders of one set count as one)", f.DistinctSets, f.Sets)
	}
	if len(f.Kinds) != 2 || f.Kinds[0] != (formats.FaultKindCount{Kind: "crash", Runs: 2, Faults: 2}) {
		t.Errorf("kinds: %+v", f.Kinds)
	}
	ev := map[string]int64{}
	for _, e := range f.Events {
		ev[e.Event] = e.Count
	}
	if ev["drop:partition"] != 2 || ev["drop:omission"] != 1 || ev["crash"] != 1 || ev["panic"] != 1 {
		t.Errorf("events: %+v", f.Events)
	}
	if len(f.Nodes) != 3 || f.Nodes[1] != (formats.NodeFaults{Node: "b", Crashed: 1, Partitioned: 2}) ||
		f.Nodes[2] != (formats.NodeFaults{Node: "c", Panicked: 1, Partitioned: 2}) {
		t.Errorf("nodes: %+v", f.Nodes)
	}

	s := r.States()
	wantNodes := []formats.NodeStates{
		{Node: "a", Distinct: 3, Records: 7, Curve: []int{2, 2, 3}},
		{Node: "b", Distinct: 1, Records: 3, Curve: []int{1, 1, 1}},
		{Node: "c", Distinct: 1, Records: 3, Curve: []int{1, 1, 1}},
	}
	if s.Distinct != 5 || !reflect.DeepEqual(s.Nodes, wantNodes) {
		t.Errorf("states: %+v", s)
	}
	curve := []formats.GrowthPoint{{Run: "r-1", New: 4, Distinct: 4}, {Run: "r-2", New: 0, Distinct: 4}, {Run: "r-3", New: 1, Distinct: 5}}
	for i, p := range curve {
		if s.Curve[i] != p {
			t.Errorf("curve[%d] = %+v, want %+v", i, s.Curve[i], p)
		}
	}

	o := r.Ops()
	if len(o.Ops) != 2 || o.Ops[0] != (formats.OpCount{Op: "read", Invoke: 2, Ok: 1, Info: 1}) ||
		o.Ops[1] != (formats.OpCount{Op: "write", Invoke: 2, Ok: 1, Fail: 1}) {
		t.Errorf("ops: %+v", o.Ops)
	}
}

// Runs that find nothing new flatten the curve; the same trace given
// twice counts as two runs, the second adding nothing.
func TestFlatCurve(t *testing.T) {
	data := testdata(t)
	s := read(t, "x", data+data).States()
	if len(s.Curve) != 6 || s.Curve[5].Distinct != 5 || s.FlatRuns != 3 {
		t.Errorf("curve %+v, flat %d: want 6 runs ending at 5 states, the last 3 flat", s.Curve, s.FlatRuns)
	}
}

// Same input, same records, byte for byte (map iteration must not leak).
func TestDeterministic(t *testing.T) {
	data := testdata(t)
	first := jsonOf(t, read(t, "x", data))
	var table bytes.Buffer
	if err := WriteTables(&table, read(t, "x", data), nil); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if got := jsonOf(t, read(t, "x", data)); got != first {
			t.Fatalf("second reading differs:\n%s\n%s", first, got)
		}
		var again bytes.Buffer
		WriteTables(&again, read(t, "x", data), nil)
		if again.String() != table.String() {
			t.Fatalf("tables differ")
		}
	}
}

// ldfi's records (in a store log, or given as an input) say how much of
// the fault space is ruled out; the last one counts, and hand-written
// fault sets for sched --faults are not ldfi's.
func TestLDFISpace(t *testing.T) {
	const ldfi = `{"type":"faults","faults":[],"size":0,"test":"t-1","seed":0,"runs":1,"good":1,"spec":{"eot":4000000,"eff":2000000,"crashes":1},"candidates":9,"space":40704,"space_log10":4.6,"ruled_out":1}
{"type":"faults","faults":[{"kind":"omission","from":"a","to":"b","at":0}],"size":1,"test":"t-1","seed":0,"runs":3,"good":3,"spec":{"eot":4000000,"eff":2000000,"crashes":1},"candidates":9,"space":40704,"space_log10":4.6,"ruled_out":51}
{"type":"faults","faults":[{"kind":"crash","node":"a","at":0}]}
`
	sp := read(t, "x", testdata(t)+ldfi).Faults().Space
	if sp == nil || *sp.RuledOut != 51 || *sp.Space != 40704 || *sp.Covered != 51.0/40704 || sp.Certified || sp.Runs != 3 {
		t.Fatalf("space %+v", sp)
	}
	var b bytes.Buffer
	WriteTables(&b, read(t, "x", testdata(t)+ldfi), nil)
	if want := `LDFI fault space {"eot":4000000,"eff":2000000,"crashes":1} of t-1: 51 of 40704 fault sets ruled out (0.13%) (ldfi, after 3 runs)`; !strings.Contains(b.String(), want) {
		t.Errorf("table lacks %q:\n%s", want, b.String())
	}
	cert := `{"type":"certified","test":"t-1","seed":0,"runs":9,"good":9,"spec":{"eot":4000000,"eff":2000000,"crashes":1},"candidates":9,"space":40704,"space_log10":4.6,"ruled_out":40704}`
	sp = read(t, "x", ldfi+cert).Faults().Space
	if !sp.Certified || *sp.Covered != 1 {
		t.Errorf("certified: %+v", sp)
	}
	if sp := read(t, "x", testdata(t)).Faults().Space; sp != nil {
		t.Errorf("no ldfi records, space %+v", sp)
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct{ data, want string }{
		{`{"type":"deliver","step":1}`, `x:1: field "run": a deliver record needs the run it belongs to`},
		{`{"type":"run","run":"r-1","faults":{}}`, `x:1: field "faults"`},
		{`{"type":"run","run":"r-1","faults":[{"kind":"crash","node":3}]}`, `x:1: field "node"`},
		{`{"type":"invoke","run":"r-1","client":"c0"}`, `x:1: field "client"`},
		{`{"type":"deliver","run":"r-1","sends":{}}`, `x:1: field "sends"`},
		{"{\"type\":\"end\",\"run\":\"r\"}\n{\"type\":", `x:2: invalid JSON`},
	} {
		err := New().Read(strings.NewReader(tc.data), "x")
		var ie *formats.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an InputError with %q", tc.data, err, tc.want)
		}
	}
}

func TestParseCovdata(t *testing.T) {
	pkgs, err := ParsePercent([]byte("\tgithub.com/x/b\t\tcoverage: 58.8% of statements\n\tgithub.com/x/a\t\tcoverage: 100.0% of statements\n"))
	if err != nil || len(pkgs) != 2 || pkgs[0] != (formats.PackageCoverage{Package: "github.com/x/a", Percent: 100}) {
		t.Errorf("ParsePercent: %+v, %v", pkgs, err)
	}
	funcs, total, err := ParseFunc([]byte("github.com/x/a/env.go:25:\t\t*env.Self\t\t0.0%\ngithub.com/x/a/env.go:56:\t\tencodeBody\t\t66.7%\ntotal\t\t(statements)\t\t42.6%\n"))
	if err != nil || total != 42.6 || len(funcs) != 2 || funcs[1] != (formats.FuncCoverage{File: "github.com/x/a/env.go", Line: 56, Function: "encodeBody", Percent: 66.7}) {
		t.Errorf("ParseFunc: %+v, %v, %v", funcs, total, err)
	}
	if _, _, err := ParseFunc([]byte("")); err == nil {
		t.Errorf("ParseFunc of nothing: want an error (no total)")
	}
	if _, err := ParsePercent([]byte("garbage\n")); err == nil {
		t.Errorf("ParsePercent of garbage: want an error")
	}
}

// FuzzAdd: any input gives a report or an InputError naming the file and
// line, never a panic, and its sections encode as JSON.
func FuzzAdd(f *testing.F) {
	f.Add(testdata(f))
	f.Add(`{"type":"drop","run":"r","id":"m9"}` + "\n" + `{"type":"run","run":"r","faults":[{"kind":"partition","groups":[["a"]]}]}`)
	f.Add(`{"type":"deliver","run":"r","sends":[1,{"to":{}}],"state":[]}`)
	f.Fuzz(func(t *testing.T, data string) {
		r := New()
		err := r.Read(strings.NewReader(data), "x")
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		for _, s := range r.Sections() {
			if _, err := json.Marshal(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := WriteTables(new(bytes.Buffer), r, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseCovdata: the covdata parsers never panic.
func FuzzParseCovdata(f *testing.F) {
	f.Add("\tgithub.com/x\t\tcoverage: 58.8% of statements\n")
	f.Add("a.go:1:\tf\t1.0%\ntotal\t(statements)\t1.0%\n")
	f.Fuzz(func(t *testing.T, out string) {
		ParsePercent([]byte(out))
		ParseFunc([]byte(out))
	})
}
