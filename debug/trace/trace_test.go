package trace_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/debug/internal/testrun"
	"github.com/detsys/detsys/debug/trace"
	"github.com/detsys/detsys/formats"
)

// faulty is a real run with drops, a crash and a restart, and log lines
// (frontend2 logs the answers it ignores).
func faulty(t testing.TB) []byte {
	return testrun.Register(t, "frontend2", 3, 30, 3, 0.2, 1, 0)
}

func open(t *testing.T, data []byte) *trace.Trace {
	t.Helper()
	path := filepath.Join(t.TempDir(), "run.ndjson")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

// TestIndexAgreesWithDecoding checks every summary field of the index
// against the full decoding of the same record.
func TestIndexAgreesWithDecoding(t *testing.T) {
	data := faulty(t)
	tr := open(t, data)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(tr.Steps) != len(lines)-1 {
		t.Fatalf("%d steps indexed, %d step records", len(tr.Steps), len(lines)-1)
	}
	seen := map[trace.Kind]int{}
	for i, st := range tr.Steps {
		rec, err := tr.Record(i)
		if err != nil {
			t.Fatal(err)
		}
		if string(tr.Raw(i)) != lines[i+1] || int(st.Line) != i+2 {
			t.Fatalf("step %d: raw record or line number wrong", i)
		}
		if rec.Type != st.Kind.String() || rec.Step != st.Num || rec.At != st.At {
			t.Fatalf("step %d: index says %s %d at %d, record %s %d at %d", i, st.Kind, st.Num, st.At, rec.Type, rec.Step, rec.At)
		}
		seen[st.Kind]++
		node := rec.Node
		switch st.Kind {
		case trace.KindDeliver, trace.KindDrop:
			node = rec.To
			if tr.Name(st.From) != rec.From || tr.Name(st.To) != rec.To {
				t.Fatalf("step %d: %s → %s, record %s → %s", i, tr.Name(st.From), tr.Name(st.To), rec.From, rec.To)
			}
			if s := tr.Sender(i); s < 0 || tr.Steps[s].Num != *rec.SentStep {
				t.Fatalf("step %d: sender %d, record sent_step %d", i, s, *rec.SentStep)
			}
		case trace.KindInvoke, trace.KindOk, trace.KindFail, trace.KindInfo:
			node = "c" + itoa(*rec.Client)
		}
		if tr.Name(st.Node) != node {
			t.Fatalf("step %d (%s): node %q, record says %q", i, st.Kind, tr.Name(st.Node), node)
		}
		if st.Logs != (len(rec.Logs) > 0) {
			t.Fatalf("step %d: logs flag %v, record has %d log lines", i, st.Logs, len(rec.Logs))
		}
		// Every message sent is consumed by the step the index says.
		for k, s := range tr.Sends(i) {
			if s.ID != rec.Sends[k].ID || s.To != rec.Sends[k].To {
				t.Fatalf("step %d send %d: %+v, record %+v", i, k, s, rec.Sends[k])
			}
			if s.Recv < 0 {
				continue
			}
			if got := gjson.GetBytes(tr.Raw(s.Recv), "id").Str; got != s.ID {
				t.Fatalf("step %d: message %s consumed by step %d, which names %s", i, s.ID, s.Recv, got)
			}
			if tr.Sender(s.Recv) != i {
				t.Fatalf("step %d: message %s: its consumer %d links back to %d", i, s.ID, s.Recv, tr.Sender(s.Recv))
			}
		}
	}
	for _, k := range []trace.Kind{trace.KindInit, trace.KindInvoke, trace.KindDeliver, trace.KindDrop,
		trace.KindOk, trace.KindCrash, trace.KindRestart, trace.KindEnd} {
		if seen[k] == 0 {
			t.Errorf("the test run has no %s step: pick another seed", k)
		}
	}
	logged := 0
	for _, st := range tr.Steps {
		if st.Logs {
			logged++
		}
	}
	if logged == 0 {
		t.Error("the test run logs nothing: pick another seed")
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestLanesAndState(t *testing.T) {
	tr := open(t, faulty(t))
	var names []string
	for _, l := range tr.Lanes() {
		names = append(names, tr.Name(l))
	}
	if got := strings.Join(names, " "); got != "c0 c1 c2 frontend register1 register2" {
		t.Fatalf("lanes %q", got)
	}
	r1 := tr.Lane("register1")
	if tr.IsClient(r1) || !tr.IsClient(tr.Lane("c1")) || tr.Lane("nope") != trace.NoLane {
		t.Fatal("IsClient or Lane wrong")
	}
	// Walk register1's state through the run: each state step is cur at
	// itself, and prev is the state step before it.
	last := -1
	for i := range tr.Steps {
		cur, prev := tr.StateAt(r1, i)
		if tr.Steps[i].Node == r1 && tr.Steps[i].Kind.HasState() {
			if cur != i || prev != last {
				t.Fatalf("step %d: StateAt = %d, %d; want %d, %d", i, cur, prev, i, last)
			}
			last = i
		} else if cur != last {
			t.Fatalf("step %d: StateAt cur %d, want %d", i, cur, last)
		}
	}
	// Crashed nodes are down until they restart.
	crashes := 0
	for i, st := range tr.Steps {
		switch st.Kind {
		case trace.KindCrash:
			crashes++
			if tr.Alive(st.Node, i) || !tr.Alive(st.Node, i-1) {
				t.Fatalf("step %d: %s crashed but Alive says otherwise", i, tr.Name(st.Node))
			}
		case trace.KindRestart:
			if !tr.Alive(st.Node, i) || tr.Alive(st.Node, i-1) {
				t.Fatalf("step %d: %s restarted but Alive says otherwise", i, tr.Name(st.Node))
			}
		}
	}
	if crashes == 0 || !tr.Alive(tr.Lane("c0"), 0) || tr.Alive(r1, -1) {
		t.Fatal("no crash in the test run, or clients down, or nodes up before init")
	}
	fe := tr.Lane("frontend")
	logs := tr.LogSteps(fe, len(tr.Steps)-1, 1000)
	for k, i := range logs {
		if !tr.Steps[i].Logs || tr.Steps[i].Node != fe || (k > 0 && logs[k-1] >= i) {
			t.Fatalf("LogSteps: %v", logs)
		}
	}
}

func TestFindAndSearch(t *testing.T) {
	tr := open(t, faulty(t))
	for i, st := range tr.Steps {
		if tr.Find(st.Num) != i {
			t.Fatalf("Find(%d) = %d, want %d", st.Num, tr.Find(st.Num), i)
		}
	}
	if tr.Find(1<<40) != len(tr.Steps) {
		t.Fatal("Find past the end")
	}
	// Every drop, forwards and backwards, wrapping.
	var drops []int
	for i, st := range tr.Steps {
		if st.Kind == trace.KindDrop {
			drops = append(drops, i)
		}
	}
	text := []byte(`"type":"drop"`)
	at := 0
	for _, want := range drops {
		got, wrapped := tr.Search(text, at, true)
		if got != want || wrapped {
			t.Fatalf("search from %d: %d (wrapped %v), want %d", at, got, wrapped, want)
		}
		at = got
	}
	if got, wrapped := tr.Search(text, at, true); got != drops[0] || !wrapped {
		t.Fatalf("search wraps to %d, want %d", got, drops[0])
	}
	if got, _ := tr.Search(text, drops[0], false); got != drops[len(drops)-1] {
		t.Fatalf("backward search wraps to %d, want %d", got, drops[len(drops)-1])
	}
	if got, _ := tr.Search([]byte("no such text"), 0, true); got != -1 {
		t.Fatal("found what is not there")
	}
	// The run record is not a step: a match only there is no match.
	if got, _ := tr.Search([]byte(`"fault_window"`), 0, true); got != -1 {
		t.Fatalf("found the run record's text at step %d", got)
	}
}

// TestReadSpoolsStdin: a trace piped in is indexed like the same file.
func TestReadSpoolsStdin(t *testing.T) {
	data := faulty(t)
	a := open(t, data)
	b, err := trace.Read(bytes.NewReader(data), "-")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if len(a.Steps) != len(b.Steps) || b.File != "-" {
		t.Fatal("stdin trace differs")
	}
	for i := range a.Steps {
		if a.Steps[i] != b.Steps[i] {
			t.Fatalf("step %d: %+v vs %+v", i, a.Steps[i], b.Steps[i])
		}
	}
}

// TestVerdictAndMoreRuns: a verdict on the run is kept; a second run is
// noticed and not indexed.
func TestVerdictAndMoreRuns(t *testing.T) {
	run := faulty(t)
	runID := gjson.GetBytes(run, "run").Str
	v := `{"type":"verdict","run":"` + runID + `","checker":"check","model":"register","valid":false,"anomaly":"not linearizable"}` + "\n"
	data := append(append(append([]byte{}, run...), v...), testrun.Register(t, "frontend1", 1, 2, 1, 0, 0, 0)...)
	tr := open(t, data)
	if tr.Verdict == nil || tr.Verdict.Anomaly != "not linearizable" || !tr.More {
		t.Fatalf("verdict %+v, more %v", tr.Verdict, tr.More)
	}
	if want := open(t, run); len(tr.Steps) != len(want.Steps) {
		t.Fatalf("%d steps, want %d", len(tr.Steps), len(want.Steps))
	}
}

// TestBadInput: each kind of malformed trace is an InputError naming the
// file, the line and the field.
func TestBadInput(t *testing.T) {
	run := `{"type":"run","run":"r-1","test":"t-1","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[{"name":"n1","kind":"k"}]}`
	ok := `{"type":"init","run":"r-1","step":0,"at":0,"node":"n1","state":{}}`
	for _, c := range []struct {
		name, input, want string
	}{
		{"empty", "", "t.ndjson: no records: a trace starts with a run record"},
		{"test not trace", `{"type":"test","test":"t"}`, `t.ndjson:1: field "type": the trace starts with a "test" record; a trace starts with a run record (this looks like a test: run it with sched first)`},
		{"not json", run + "\nhello", "t.ndjson:2: not a JSON object"},
		{"bad run", `{"type":"run","seed":"x"}`, `t.ndjson:1: field "seed": expected uint64`},
		{"no step", run + "\n" + `{"type":"init","at":0,"node":"n1"}`, `t.ndjson:2: field "step": missing`},
		{"string step", run + "\n" + `{"type":"init","step":"3","at":0,"node":"n1"}`, `t.ndjson:2: field "step": expected an integer, got a string`},
		{"fraction at", run + "\n" + `{"type":"init","step":3,"at":1.5,"node":"n1"}`, `t.ndjson:2: field "at": expected an integer, got the number 1.5`},
		{"steps go back", run + "\n" + ok + "\n" + ok, `t.ndjson:3: field "step": step 0 after step 0: steps must increase`},
		{"cut short", run + "\n" + `{"type":"init","run":"r-1","step":0,"at":0,"node":"n1","state":{"a":`, `t.ndjson:2: record cut short`},
		{"cut in head", run + "\n" + `{"type":"deliver","run":"r-1","step":0,"at":0,"from":"n`, `t.ndjson:2: field "from": invalid JSON at byte 54: a value cut short`},
		{"other run", run + "\n" + `{"type":"init","run":"r-2","step":0,"at":0,"node":"n1"}`, `t.ndjson:2: field "run": a record of run "r-2" inside run r-1`},
		{"node not string", run + "\n" + `{"type":"init","step":0,"at":0,"node":7}`, `t.ndjson:2: field "node": expected a node name (a string), got the number 7`},
		{"no node", run + "\n" + `{"type":"timer","step":0,"at":0}`, `t.ndjson:2: field "node": missing: a timer record names its node`},
		{"no receiver", run + "\n" + `{"type":"deliver","step":0,"at":0,"from":"n1"}`, `t.ndjson:2: field "to": missing`},
		{"garbage after", run + "\n" + `{"type":"end","step":0,"at":0} x`, `t.ndjson:2: invalid JSON at byte 32: text after the record`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := trace.FromBytes([]byte(c.input), "t.ndjson")
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an InputError", err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Fatalf("got  %s\nwant %s…", err, c.want)
			}
		})
	}
}

// TestRecordErrorNamesLine: a record broken inside its state (past what
// the index reads) is reported with its line when it is decoded.
func TestRecordErrorNamesLine(t *testing.T) {
	run := `{"type":"run","run":"r-1","test":"t-1","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[{"name":"n1","kind":"k"}]}`
	bad := `{"type":"init","run":"r-1","step":0,"at":0,"node":"n1","state":{"a":tru}}`
	tr, err := trace.FromBytes([]byte(run+"\n\n"+bad+"\n"), "t.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Record(0); err == nil || !strings.HasPrefix(err.Error(), "t.ndjson:3: invalid JSON") {
		t.Fatalf("got %v", err)
	}
}

// FuzzOpen: no input makes the index panic; what it accepts it can show
// (every step's raw record is a slice of the input that the index's fields
// describe); and indexing in parts gives the same index or the same error
// as one pass.
func FuzzOpen(f *testing.F) {
	data := testrun.Register(f, "frontend2", 2, 4, 3, 0.2, 1, 0)
	lines := strings.SplitAfter(string(data), "\n")
	f.Add(data)
	f.Add([]byte(strings.Join(lines[:4], "")))
	f.Add([]byte(lines[0] + lines[5][:len(lines[5])/2]))
	f.Add([]byte(lines[0] + `{"type":"deliver","step":1,"at":2,"id":"m1","from":"a","to":"b","sent_step":0,"body":{"type":"x"},"state":{},"logs":["l"]}`))
	f.Add([]byte(lines[0] + `{"type":"ok","step":1,"at":2,"client":0,"id":"x\"y","from":"a"}` + "\n" + `{"type":"verdict","run":"r"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		tr, err := trace.FromBytes(in, "fuzz")
		// Cut into parts of a few records, the index is the same, or
		// fails with the same message.
		restore := trace.SmallParts(64, 5)
		tr2, err2 := trace.FromBytes(in, "fuzz")
		restore()
		if fmt.Sprint(err) != fmt.Sprint(err2) {
			t.Fatalf("one pass: %v; in parts: %v", err, err2)
		}
		if err == nil {
			if len(tr.Steps) != len(tr2.Steps) || tr.More != tr2.More {
				t.Fatalf("one pass: %d steps, in parts %d", len(tr.Steps), len(tr2.Steps))
			}
			for i := range tr.Steps {
				if tr.Steps[i] != tr2.Steps[i] {
					t.Fatalf("step %d: one pass %+v, in parts %+v", i, tr.Steps[i], tr2.Steps[i])
				}
			}
		}
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for i := range tr.Steps {
			raw := tr.Raw(i)
			if len(raw) == 0 || raw[0] != '{' {
				t.Fatalf("step %d: raw %q", i, raw)
			}
			tr.Record(i)
			tr.Sends(i)
			tr.Sender(i)
			for _, l := range tr.Lanes() {
				tr.StateAt(l, i)
			}
		}
		tr.Search([]byte("a"), 0, true)
		tr.Search([]byte("a"), len(tr.Steps)-1, false)
	})
}

// TestPartsMergeLikeOnePass: a trace cut into many parts, indexed at the
// same time and merged, is indexed exactly as in one pass: the same steps,
// lanes, labels and links; errors name the same lines; a second run is
// noticed in any part.
func TestPartsMergeLikeOnePass(t *testing.T) {
	data := faulty(t)
	one, err := trace.FromBytes(data, "run.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{2, 3, 7, 50} {
		restore := trace.SmallParts(len(data)/n/2+1, n)
		many, err := trace.FromBytes(data, "run.ndjson")
		if err != nil {
			restore()
			t.Fatal(err)
		}
		if len(many.Steps) != len(one.Steps) {
			t.Fatalf("%d parts: %d steps, one pass %d", n, len(many.Steps), len(one.Steps))
		}
		for i := range one.Steps {
			if many.Steps[i] != one.Steps[i] || many.Label(i) != one.Label(i) {
				t.Fatalf("%d parts: step %d: %+v, one pass %+v", n, i, many.Steps[i], one.Steps[i])
			}
			for k, s := range many.Sends(i) {
				if o := one.Sends(i)[k]; s.ID != o.ID || s.Recv != o.Recv {
					t.Fatalf("%d parts: step %d: sends differ", n, i)
				}
			}
		}
		for _, l := range one.Lanes() {
			if many.Name(l) != one.Name(l) {
				t.Fatalf("%d parts: lanes differ", n)
			}
		}
		// An error near the end names its line in the file.
		lines := strings.SplitAfter(string(data), "\n")
		bad := strings.Join(lines[:len(lines)-3], "") + "{\"type\":\"init\",\"step\":\"x\"}\n" + strings.Join(lines[len(lines)-2:], "")
		_, err = trace.FromBytes([]byte(bad), "run.ndjson")
		want := "run.ndjson:" + itoa(len(lines)-2) + `: field "step"`
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("%d parts: got %v, want %s…", n, err, want)
		}
		// Steps that go back across a cut between parts.
		back := string(data) + lines[len(lines)/2]
		if _, err = trace.FromBytes([]byte(back), "run.ndjson"); err == nil || !strings.Contains(err.Error(), "steps must increase") {
			t.Fatalf("%d parts: got %v", n, err)
		}
		// A second run after the first: noticed, not indexed, and its bad
		// records are not the first run's errors.
		two := string(data) + lines[0] + "garbage\n"
		tr, err := trace.FromBytes([]byte(two), "run.ndjson")
		if err != nil || !tr.More || len(tr.Steps) != len(one.Steps) {
			t.Fatalf("%d parts: second run: %v", n, err)
		}
		restore()
	}
}

// TestPartsFirstErrorWins pins a merge bug: when a part's first step goes
// back and the part also has an error further on, the error reported is
// the one a single pass meets first.
func TestPartsFirstErrorWins(t *testing.T) {
	run := `{"type":"run","run":"r-1","test":"t-1","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[{"name":"n1","kind":"k"}]}` + "\n"
	rec := func(step int) string {
		return `{"type":"init","run":"r-1","step":` + itoa(step) + `,"at":0,"node":"n1","state":{"pad":"` + strings.Repeat("x", 100) + `"}}` + "\n"
	}
	in := run + rec(5) + rec(6) + rec(7) + rec(1) + "not json\n" + rec(8) + rec(9)
	_, one := trace.FromBytes([]byte(in), "t.ndjson")
	if one == nil || !strings.HasPrefix(one.Error(), "t.ndjson:5: field \"step\"") {
		t.Fatalf("one pass: %v", one)
	}
	for n := 2; n <= 6; n++ {
		for size := 16; size < len(in); size += 16 {
			restore := trace.SmallParts(size, n)
			_, parts := trace.FromBytes([]byte(in), "t.ndjson")
			restore()
			if fmt.Sprint(one) != fmt.Sprint(parts) {
				t.Fatalf("%d parts of %d bytes: %v, one pass: %v", n, size, parts, one)
			}
		}
	}
}

// TestTimerSetter: every timer that fires was set by a step of its node,
// for that time.
func TestTimerSetter(t *testing.T) {
	tr := open(t, testrun.Register(t, "frontend4", 3, 20, 2, 0.3, 0, 0))
	fired := 0
	for i, st := range tr.Steps {
		if st.Kind != trace.KindTimer {
			if tr.TimerSetter(i) != -1 {
				t.Fatalf("step %d is no timer, yet has a setter", i)
			}
			continue
		}
		fired++
		s := tr.TimerSetter(i)
		if s < 0 || s >= i || tr.Steps[s].Node != st.Node {
			t.Fatalf("timer step %d: setter %d", i, s)
		}
		rec, _ := tr.Record(s)
		name := gjson.GetBytes(tr.Raw(i), "timer").Str
		ok := false
		for _, tm := range rec.Timers {
			ok = ok || tm.Name == name && tr.Steps[s].At+tm.After == st.At
		}
		if !ok {
			t.Fatalf("timer step %d: step %d did not set %q for then", i, s, name)
		}
	}
	if fired == 0 {
		t.Fatal("no timer fired in the test run")
	}
}

// TestClientLanes: a lane is a client when formats.IsClientName says so
// (as the page of debug --html has it), clients by number first.
func TestClientLanes(t *testing.T) {
	run := `{"type":"run","run":"r-1","test":"t-1","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[{"name":"n1","kind":"k"}]}`
	var b strings.Builder
	b.WriteString(run + "\n" + `{"type":"init","run":"r-1","step":0,"at":0,"node":"n1","state":{}}` + "\n")
	b.WriteString(`{"type":"invoke","run":"r-1","step":1,"at":1,"client":10,"node":"n1","op":{"type":"read"}}` + "\n")
	b.WriteString(`{"type":"deliver","run":"r-1","step":2,"at":2,"id":"m1","from":"c+1","to":"n1","body":{"type":"x"},"state":{}}` + "\n")
	b.WriteString(`{"type":"invoke","run":"r-1","step":3,"at":3,"client":2,"node":"n1","op":{"type":"read"}}` + "\n")
	tr := open(t, []byte(b.String()))
	var names []string
	for _, l := range tr.Lanes() {
		names = append(names, tr.Name(l))
		if tr.IsClient(l) != formats.IsClientName(tr.Name(l)) {
			t.Errorf("IsClient(%s) = %v", tr.Name(l), tr.IsClient(l))
		}
	}
	if got := strings.Join(names, " "); got != "c2 c10 n1 c+1" {
		t.Fatalf("lanes %q", got)
	}
}
