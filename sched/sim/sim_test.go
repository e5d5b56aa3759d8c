package sim_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/sched/sim"
)

// echo answers every request with <type>_ok after asking a peer, and
// counts what it saw; "boom" panics; it keeps a heartbeat timer while
// it has something pending.
type echo struct {
	Seen    int
	pending map[string]exec.Event
}

func (e *echo) Receive(env exec.Env, ev exec.Event) {
	switch ev.Kind {
	case exec.Init, exec.Restart:
		e.pending = map[string]exec.Event{}
	case exec.Message:
		e.Seen++
		switch ev.Type() {
		case "boom":
			panic("boom")
		case "ping":
			env.Reply(ev, map[string]any{"type": "pong"})
		case "pong":
		default:
			env.Reply(ev, map[string]any{"type": ev.Type() + "_ok", "seen": e.Seen})
			if env.Self() == "a" {
				env.Send("b", map[string]any{"type": "ping", "msg_id": e.Seen})
				env.SetTimer("hb", 5*time.Millisecond)
			}
		}
	case exec.Timer:
		env.Logf("heartbeat at %v", env.Now())
	}
}

var kinds = exec.Kinds{"echo": func() exec.Node { return &echo{} }}

func testCase(ops ...string) *sim.Test {
	t := &sim.Test{Test: formats.Test{Type: "test", Test: "t-x", Workload: "echo",
		Nodes: []formats.NodeSpec{{Name: "a", Kind: "echo"}, {Name: "b", Kind: "echo"}}, Clients: 2}}
	for i, op := range ops {
		t.Ops = append(t.Ops, formats.Op{Type: "op", Client: i % 2, Node: "a", Body: []byte(op)})
	}
	return t
}

func run(t *testing.T, tc *sim.Test, o sim.Options) (string, sim.Result) {
	t.Helper()
	var out bytes.Buffer
	res, err := sim.Run(tc, exec.NewExecutor(kinds, "test"), o, &out)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), res
}

func count(trace, typ string) int { return strings.Count(trace, `{"type":"`+typ+`"`) }

func TestRunHistory(t *testing.T) {
	o := sim.DefaultOptions()
	o.Seed = 3
	trace, res := run(t, testCase(`{"type":"get"}`, `{"type":"get"}`, `{"type":"put"}`), o)
	if res.Reason != formats.EndQuiescent {
		t.Errorf("end reason %q, want quiescent", res.Reason)
	}
	if count(trace, "invoke") != 3 || count(trace, "ok") != 3 || count(trace, "init") != 2 {
		t.Errorf("want 2 init, 3 invoke, 3 ok:\n%s", trace)
	}
	if count(trace, "timer") == 0 {
		t.Errorf("no timer fired:\n%s", trace)
	}
	lines := strings.Split(strings.TrimSpace(trace), "\n")
	if !strings.HasPrefix(lines[0], `{"type":"run"`) || !strings.HasPrefix(lines[len(lines)-1], `{"type":"end"`) {
		t.Errorf("trace must start with run and end with end:\n%s", trace)
	}
}

func TestSameSeedSameTrace(t *testing.T) {
	tc := testCase(`{"type":"get"}`, `{"type":"get"}`, `{"type":"put"}`, `{"type":"get"}`)
	for _, seed := range []uint64{0, 1, 7, 99} {
		o := sim.DefaultOptions()
		o.Seed, o.Drop = seed, 0.2
		a, _ := run(t, tc, o)
		b, _ := run(t, tc, o)
		if a != b {
			t.Fatalf("seed %d: two runs differ", seed)
		}
	}
	o := sim.DefaultOptions()
	a, _ := run(t, tc, o)
	o.Seed = 1
	b, _ := run(t, tc, o)
	if a == b {
		t.Errorf("seeds 0 and 1 gave the same trace")
	}
}

func TestFaults(t *testing.T) {
	tc := testCase(`{"type":"get"}`, `{"type":"get"}`)
	cases := []struct {
		name   string
		faults []formats.Fault
		want   map[string]int
	}{
		{"crash before any request", []formats.Fault{{Kind: "crash", Node: "a", At: 0}},
			map[string]int{"crash": 1, "ok": 0, "info": 2, "drop": 2}},
		{"crash and restart", []formats.Fault{{Kind: "crash", Node: "a", At: 0}, {Kind: "restart", Node: "a", At: 1}},
			map[string]int{"crash": 1, "restart": 1, "ok": 2}},
		{"partition clients from a", []formats.Fault{{Kind: "partition", Groups: [][]string{{"c0", "c1"}, {"a", "b"}}}},
			map[string]int{"ok": 0, "info": 2, "drop": 2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := sim.DefaultOptions()
			o.Faults = c.faults
			trace, _ := run(t, tc, o)
			for typ, n := range c.want {
				if got := count(trace, typ); got != n {
					t.Errorf("%d %s records, want %d:\n%s", got, typ, n, trace)
				}
			}
		})
	}
}

func TestOmissionSharesPrefix(t *testing.T) {
	// A fault changes the rest of the run only through its causal effects:
	// the trace before the dropped message is identical (DESIGN §6).
	tc := testCase(`{"type":"get"}`, `{"type":"get"}`, `{"type":"get"}`)
	o := sim.DefaultOptions()
	o.Seed = 5
	base, _ := run(t, tc, o)
	// Find the first ping a→b and drop it.
	var sentAt string
	for _, l := range strings.Split(base, "\n") {
		if strings.HasPrefix(l, `{"type":"deliver"`) && strings.Contains(l, `"from":"a","to":"b"`) {
			i := strings.Index(l, `"sent_at":`) + len(`"sent_at":`)
			sentAt = l[i : i+strings.IndexByte(l[i:], ',')]
			break
		}
	}
	if sentAt == "" {
		t.Fatal("no a→b delivery in the base run")
	}
	var at int64
	for _, c := range sentAt {
		at = at*10 + int64(c-'0')
	}
	o.Faults = []formats.Fault{{Kind: "omission", From: "a", To: "b", At: at}}
	faulty, _ := run(t, tc, o)
	bl, fl := strings.Split(base, "\n")[1:], strings.Split(faulty, "\n")[1:]
	strip := func(s string) string { return s[strings.Index(s, `"step"`):] }
	i := 0
	for ; i < len(bl) && i < len(fl) && strip(bl[i]) == strip(fl[i]); i++ {
	}
	if i == 0 || !strings.Contains(fl[i], `"type":"drop"`) {
		t.Errorf("runs should share a prefix up to the drop; first difference at line %d:\n%s\n%s", i, bl[i], fl[i])
	}
}

func TestPanicCountsAsCrash(t *testing.T) {
	tc := testCase(`{"type":"boom"}`, `{"type":"get"}`)
	trace, _ := run(t, tc, sim.DefaultOptions())
	if count(trace, "panic") != 1 || !strings.Contains(trace, `"panic":"boom"`) {
		t.Errorf("want one panic record:\n%s", trace)
	}
	if !strings.Contains(trace, `"type":"info","run"`) || strings.Contains(trace, `"type":"ok","run":"r-a5be317c60f7","step":1`) {
		t.Errorf("the client whose request panicked must time out:\n%s", trace)
	}
	if strings.Contains(trace, "goroutine") || strings.Contains(trace, "+0x") {
		t.Errorf("the stack must not carry run-dependent details:\n%s", trace)
	}
}

func TestMaxSteps(t *testing.T) {
	o := sim.DefaultOptions()
	o.MaxSteps = 5
	trace, res := run(t, testCase(`{"type":"get"}`, `{"type":"get"}`), o)
	if res.Reason != formats.EndMaxSteps || res.Steps != 5+int64(count(trace, "info")) {
		t.Errorf("got %+v", res)
	}
	if count(trace, "info") == 0 {
		t.Errorf("ops in flight at the end must be recorded as info:\n%s", trace)
	}
}
