package lineage

import (
	"os"
	"strings"
	"testing"
)

func read(t *testing.T, goals []Goal, files ...string) []*Run {
	t.Helper()
	r := NewReader(goals)
	for _, f := range files {
		in, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		defer in.Close()
		if err := r.Read(in, f); err != nil {
			t.Fatal(err)
		}
	}
	runs, err := r.Runs()
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// retry.ndjson is the paper's retry-deliv in two rounds: a sends the
// payload to b and c at init and again on its round timer. b's log is
// made by the first delivery (m1); the second (m3, an identical body) is
// its alternative, resting on a's timer.
func TestRetryDelivLineage(t *testing.T) {
	runs := read(t, nil, "testdata/retry.ndjson")
	if len(runs) != 1 {
		t.Fatalf("%d runs", len(runs))
	}
	r := runs[0]
	if !r.Good() || r.Test != "t-1" || len(r.Nodes) != 3 {
		t.Fatalf("run: good %v test %s nodes %d", r.Good(), r.Test, len(r.Nodes))
	}
	var names []string
	for _, g := range r.Goals {
		names = append(names, g.Name)
	}
	// a's state never changed after init: nothing to break there.
	if got := strings.Join(names, "; "); got != "state b; state c" {
		t.Fatalf("goals %q", got)
	}
	b := r.Steps[r.Goals[0].Step]
	if b.Kind != "deliver" || b.Num != 3 || len(b.Trigger) != 2 {
		t.Fatalf("b's goal step: %+v", b)
	}
	first, alt := b.Trigger[0], b.Trigger[1]
	if first.ID != "m1" || first.SentAt != 0 || r.Steps[first.Send].Kind != "init" {
		t.Errorf("first delivery %+v", first)
	}
	if alt.ID != "m3" || alt.SentAt != 1000000 || r.Steps[alt.Send].Kind != "timer" {
		t.Errorf("alternative %+v", alt)
	}
	timer := r.Steps[alt.Send]
	if len(timer.Armers) != 1 || r.Steps[timer.Armers[0]].Kind != "init" {
		t.Errorf("the timer's armer: %+v", timer)
	}
	if b.Prev < 0 || r.Steps[b.Prev].Kind != "init" || r.Steps[b.Prev].Node != "b" {
		t.Errorf("b's previous state: %d", b.Prev)
	}
	if g := r.Goals[0]; g.Node != "b" {
		t.Errorf("state goal without its node: %+v", g)
	}
}

func TestGoals(t *testing.T) {
	for _, c := range []struct {
		goal string
		want string
	}{
		{"state:b", "state b"},
		{"state:*.log", "state b.log; state c.log"},
		{"state:c.log", "state c.log"},
		{"record:type=timer,node=a", "timer step 5"},
		{"ok", ""},
	} {
		g, err := ParseGoal(c.goal)
		if err != nil {
			t.Fatal(err)
		}
		if g.String() != c.goal {
			t.Errorf("ParseGoal(%q).String() = %q", c.goal, g.String())
		}
		var names []string
		for _, gs := range read(t, []Goal{g}, "testdata/retry.ndjson")[0].Goals {
			names = append(names, gs.Name)
		}
		if got := strings.Join(names, "; "); got != c.want {
			t.Errorf("--goal %s: goals %q, want %q", c.goal, got, c.want)
		}
	}
	for _, bad := range []string{"nope", "record:", "record:type"} {
		if _, err := ParseGoal(bad); err == nil {
			t.Errorf("ParseGoal(%q): no error", bad)
		}
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"type":"deliver","run":"r-9","step":1,"at":0,"id":"m1","from":"a","to":"b","sent_at":0}`, `x:1: field "run": deliver record for run "r-9" before its run record`},
		{`{"type":"run","run":"r-1","test":"t","seed":0,"faults":[],"nodes":[]}` + "\n" + `{"type":"deliver","run":"r-1","step":1,"at":0,"id":"m1","from":"a","to":"b"}`, `x:2: field "sent_at": missing`},
		{`{"type":"run","run":"r-1","test":"t","seed":0,"faults":[{"kind":"crash"}],"nodes":[]}`, `x:1: field "node": missing`},
		{`{"type":"verdict","run":"r-1","valid":"maybe"}`, `x:1: field "valid": must be true, false or "unknown"`},
		{`{"type":"run","run":"r-1","test":"t","seed":0,"faults":[],"nodes":[]}` + "\n" + `{"type":"run","run":"r-1","test":"t","seed":0,"faults":[],"nodes":[]}`, `x:2: field "run": run r-1 appears twice`},
		{`not json`, `x:1: not a JSON object`},
	} {
		r := NewReader(nil)
		err := r.Read(strings.NewReader(c.in), "x")
		if err == nil {
			_, err = r.Runs()
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s\n got %v\nwant %s…", c.in, err, c.want)
		}
	}
	// A verdict whose run never comes.
	r := NewReader(nil)
	_ = r.Read(strings.NewReader(`{"type":"verdict","run":"r-1","valid":true}`), "x")
	if _, err := r.Runs(); err == nil || !strings.Contains(err.Error(), "not in the input") {
		t.Errorf("verdict without its run: %v", err)
	}
}

// FuzzRead: any input either reads or is an error; never a panic.
func FuzzRead(f *testing.F) {
	seed, _ := os.ReadFile("testdata/retry.ndjson")
	f.Add(string(seed))
	f.Add(`{"type":"run","run":"r","faults":[],"nodes":[]}` + "\n" + `{"type":"ok","run":"r","step":1,"at":0,"client":0,"id":"m9"}`)
	f.Add(`{"type":"run","run":"r","faults":[]}` + "\n" + `{"type":"timer","run":"r","step":1,"at":0,"node":"a","timer":"t","state":{}}`)
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader([]Goal{{Kind: GoalOK}, {Kind: GoalState, Path: "log"}, {Kind: GoalRecord, Fields: [][2]string{{"type", "deliver"}}}})
		if r.Read(strings.NewReader(in), "fuzz") != nil {
			return
		}
		runs, err := r.Runs()
		if err != nil {
			return
		}
		for _, run := range runs {
			for _, g := range run.Goals {
				if g.Step < 0 || g.Step >= len(run.Steps) {
					t.Fatalf("goal %+v out of range", g)
				}
			}
		}
	})
}

// FuzzParseGoal: a goal that parses prints as something that parses back
// to the same goal.
func FuzzParseGoal(f *testing.F) {
	for _, s := range []string{"ok", "ok:c0", "state", "state:b", "state:*.log", "state:b.log.0", "record:type=deliver,to=b", "record:a=,b=c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGoal(s)
		if err != nil {
			return
		}
		again, err := ParseGoal(g.String())
		if err != nil {
			t.Fatalf("%q → %q: %v", s, g.String(), err)
		}
		if again.String() != g.String() {
			t.Fatalf("%q → %q → %q", s, g.String(), again.String())
		}
	})
}

// classic.ndjson is classic-deliv fault-free at EOT 5: a sends in round 1,
// every receipt is forwarded to everyone that round and logged the next.
// With FieldDeps: c's forward to a in round 2 is an alternative of b's (the
// same body, nothing changed at a in between), so a's forward in round 3
// rests on b's delivery with c's as its alternative, not on both; b's log
// (made in round 3 by the step that also forwards what b got that round)
// rests on a→b of round 1, not on c's forward, which is instead one of its
// alternatives (it armed b's round-3 step together with b's own timer).
func TestClassicDelivLineage(t *testing.T) {
	g, _ := ParseGoal("state:*.log")
	r := NewReader([]Goal{g})
	r.FieldDeps = true
	in, err := os.Open("testdata/classic.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := r.Read(in, "classic.ndjson"); err != nil {
		t.Fatal(err)
	}
	runs, err := r.Runs()
	if err != nil {
		t.Fatal(err)
	}
	run := runs[0]
	const ms = 1000000
	deliv := func(i int) string {
		s := run.Steps[i]
		if s.Kind != "deliver" {
			return s.Kind
		}
		d := s.Trigger[0]
		return d.From + "→" + d.To + "@" + string(rune('0'+d.SentAt/ms))
	}
	list := func(is []int) string {
		var out []string
		for _, i := range is {
			out = append(out, deliv(i))
		}
		return strings.Join(out, " ")
	}
	var aFwd *Step
	for i := range run.Steps {
		s := &run.Steps[i]
		if s.Node == "a" && s.At == 3*ms && s.Kind == "timer" && s.Prev >= 0 {
			aFwd = s
		}
	}
	if aFwd == nil {
		t.Fatal("no forward by a in round 3")
	}
	prev := run.Steps[aFwd.Prev]
	if got := list(append(append([]int{aFwd.Prev}, aFwd.Deps...), aFwd.SendDeps...)); got != "b→a@2 b→a@2" {
		t.Errorf("a's round-3 forward rests on %s, want b→a@2 (as its previous state change and its inbox)", got)
	}
	if len(prev.Trigger) != 2 || prev.Trigger[1].From != "c" {
		t.Errorf("b→a@2's alternatives: %+v, want c→a@2 among them", prev.Trigger)
	}
	for _, gs := range run.Goals {
		if gs.Name != "state b.log" {
			continue
		}
		s := run.Steps[gs.Step]
		if got := list(s.Deps); strings.Contains(got, "c→b") {
			t.Errorf("b's log rests on %s: c's forward is no premise of the log", got)
		}
		if got := list(s.SendDeps); got != "c→b@2" {
			t.Errorf("b's round-3 sends rest on %q, want c→b@2", got)
		}
		var alts []string
		for _, d := range gs.Alts {
			alts = append(alts, d.From+"→"+d.To+"@"+string(rune('0'+d.SentAt/ms)))
		}
		if got := strings.Join(alts, " "); !strings.HasPrefix(got, "c→b@2 ") || strings.Contains(got, "a→b@1") {
			t.Errorf("b's log's alternatives: %s, want c→b@2 first and not a→b@1", got)
		}
		return
	}
	t.Fatal("no goal state b.log")
}
