package nodes_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
	"github.com/detsys/detsys/formats"
)

// A step of a scenario: an event at a node and the effects it must have,
// each written as
//
//	register1 ← {"type":"read","msg_id":1}   a send
//	timer tick 1s                           a timer armed
//	cancel tick                             a timer cancelled
//
// Logs are not compared.
type step struct {
	at    time.Duration
	node  string
	event string // "timer NAME", "restart", or "FROM BODY" for a message
	want  []string
}

// run starts frontend (of the given kind), register1 and register2 in an
// in-process executor and plays the steps, checking each one's effects.
// It returns the last step's state.
func run(t *testing.T, frontend string, steps []step) json.RawMessage {
	t.Helper()
	x := exec.NewExecutor(nodes.Kinds, "test")
	hello, err := x.Hello(formats.Hello{Type: formats.MsgHello, Version: formats.ProtocolVersion, Seed: 1, Nodes: []formats.NodeSpec{
		{Name: "frontend", Kind: frontend}, {Name: "register1", Kind: "register"}, {Name: "register2", Kind: "register"}}})
	if err != nil || hello.Error != "" {
		t.Fatalf("hello: %v %s", err, hello.Error)
	}
	var n int64
	do := func(at time.Duration, node string, ev formats.Event) *formats.EffectsReply {
		n++
		r, err := x.Step(&formats.StepRequest{Type: formats.MsgStep, Step: n, At: int64(at), Now: int64(at), Node: node, Event: ev})
		if err != nil {
			t.Fatalf("step %d: %v", n, err)
		}
		if r.Panic != "" {
			t.Fatalf("step %d: %s panicked: %s\n%s", n, node, r.Panic, r.Stack)
		}
		return r
	}
	for _, node := range []string{"frontend", "register1", "register2"} {
		do(0, node, formats.Event{Kind: formats.EventInit})
	}
	var state json.RawMessage
	for i, s := range steps {
		var ev formats.Event
		switch name, isTimer := strings.CutPrefix(s.event, "timer "); {
		case isTimer:
			ev = formats.Event{Kind: formats.EventTimer, Timer: name}
		case s.event == "restart":
			ev = formats.Event{Kind: formats.EventRestart}
		default:
			from, body, _ := strings.Cut(s.event, " ")
			ev = formats.Event{Kind: formats.EventMessage, ID: fmt.Sprintf("m%d", i), From: from, Body: json.RawMessage(body)}
		}
		r := do(s.at, s.node, ev)
		if got := describe(r); !slices.Equal(got, s.want) {
			t.Errorf("step %d (%s at %v: %s):\n got %s\nwant %s\nlogs %q\nstate %s", i, s.node, s.at, s.event,
				strings.Join(got, "\n     "), strings.Join(s.want, "\n     "), r.Logs, r.State)
		}
		state = append(json.RawMessage(nil), r.State...)
	}
	return state
}

func describe(r *formats.EffectsReply) []string {
	var out []string
	for _, s := range r.Sends {
		out = append(out, s.To+" ← "+string(s.Body))
	}
	for _, tm := range r.Timers {
		out = append(out, fmt.Sprintf("timer %s %v", tm.Name, time.Duration(tm.After)))
	}
	for _, c := range r.Cancel {
		out = append(out, "cancel "+c)
	}
	return out
}

const (
	ms = time.Millisecond
	s  = time.Second
)

// Messages used throughout: c0 writes 3, c1 reads.
const (
	write3    = `c0 {"type":"write","value":3,"msg_id":1}`
	read      = `c1 {"type":"read","msg_id":1}`
	writeOK1  = `{"type":"write_ok","in_reply_to":1}`
	toReplica = `{"type":"write","value":3,"version":1,"msg_id":1}`
)

func TestFrontends(t *testing.T) {
	for _, tc := range []struct {
		name, frontend string
		steps          []step
	}{
		{"frontend1 forwards without a version and answers with the first reply", "frontend1", []step{
			{1 * ms, "frontend", write3, []string{
				`register1 ← {"type":"write","value":3,"msg_id":1}`,
				`register2 ← {"type":"write","value":3,"msg_id":1}`}},
			{2 * ms, "frontend", "register2 " + writeOK1, []string{`c0 ← {"type":"write_ok","in_reply_to":1}`}},
			{3 * ms, "frontend", "register1 " + writeOK1, nil},
		}},
		{"frontend1 reads whatever the first replica says", "frontend1", []step{
			{1 * ms, "frontend", read, []string{`register1 ← {"type":"read","msg_id":1}`, `register2 ← {"type":"read","msg_id":1}`}},
			{2 * ms, "frontend", `register2 {"type":"read_ok","value":null,"in_reply_to":1}`, []string{`c1 ← {"type":"read_ok","value":null,"in_reply_to":1}`}},
			{3 * ms, "frontend", `register1 {"type":"read_ok","value":4,"version":9,"in_reply_to":1}`, nil},
		}},
		{"frontend3 answers a write after both acks and ignores a duplicate", "frontend3", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{2 * ms, "frontend", "register1 " + writeOK1, nil},
			{3 * ms, "frontend", "register1 " + writeOK1, nil},
			{4 * ms, "frontend", "register2 " + writeOK1, []string{`c0 ← {"type":"write_ok","in_reply_to":1}`, "cancel tick"}},
			{5 * ms, "frontend", "register2 " + writeOK1, nil},
		}},
		// The bug frontend2 exists to show: a replica that answers a retried
		// request twice completes the write alone.
		{"frontend2 counts a duplicate answer twice", "frontend2", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{2 * ms, "frontend", "register1 " + writeOK1, nil},
			{1 * s, "frontend", "timer tick", []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{1*s + 2*ms, "frontend", "register1 " + writeOK1, []string{`c0 ← {"type":"write_ok","in_reply_to":1}`, "cancel tick"}},
		}},
		{"frontend3 resends to the silent replica on the tick", "frontend3", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{2 * ms, "frontend", "register1 " + writeOK1, nil},
			{1 * s, "frontend", "timer tick", []string{"register2 ← " + toReplica, "timer tick 1s"}},
			{1*s + 2*ms, "frontend", "register1 " + writeOK1, nil},
			{1*s + 3*ms, "frontend", "register2 " + writeOK1, []string{`c0 ← {"type":"write_ok","in_reply_to":1}`, "cancel tick"}},
		}},
		{"frontend3 does not resend what it sent less than RetryAfter ago", "frontend3", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{800 * ms, "frontend", read, []string{`register1 ← {"type":"read","msg_id":2}`, `register2 ← {"type":"read","msg_id":2}`}},
			{1 * s, "frontend", "timer tick", []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
		}},
		{"frontend3 reads the higher version", "frontend3", []step{
			{1 * ms, "frontend", read, []string{`register1 ← {"type":"read","msg_id":1}`, `register2 ← {"type":"read","msg_id":1}`, "timer tick 1s"}},
			{2 * ms, "frontend", `register1 {"type":"read_ok","value":5,"version":4,"in_reply_to":1}`, nil},
			{3 * ms, "frontend", `register2 {"type":"read_ok","value":2,"version":3,"in_reply_to":1}`, []string{`c1 ← {"type":"read_ok","value":5,"in_reply_to":1}`, "cancel tick"}},
		}},
		{"frontend3 ignores answers for other operations and duplicate requests", "frontend3", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{2 * ms, "frontend", write3, nil},
			{3 * ms, "frontend", `register1 {"type":"write_ok","in_reply_to":7}`, nil},
			{4 * ms, "frontend", `register2 {"type":"read_ok","value":1,"in_reply_to":1}`, nil},
			{5 * ms, "frontend", "register2 " + writeOK1, nil},
		}},
		{"frontend3 gives up after GiveUpAfter with an indefinite error", "frontend3", []step{
			{0, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{4 * s, "frontend", "timer tick", []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{5 * s, "frontend", "timer tick", []string{`c0 ← {"type":"error","code":0,"text":"the replicas did not answer","in_reply_to":1}`}},
		}},
		{"frontend3 never reuses a sequence number after a restart", "frontend3", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer tick 1s"}},
			{2 * ms, "frontend", "restart", nil},
			{3 * ms, "frontend", `c1 {"type":"write","value":4,"msg_id":1}`, []string{
				`register1 ← {"type":"write","value":4,"version":2,"msg_id":2}`,
				`register2 ← {"type":"write","value":4,"version":2,"msg_id":2}`, "timer tick 1s"}},
			{4 * ms, "frontend", write3, nil}, // c0's msg_id 1 was seen before the crash
		}},
		{"frontend4 retries each operation on its own timer", "frontend4", []step{
			{1 * ms, "frontend", write3, []string{"register1 ← " + toReplica, "register2 ← " + toReplica, "timer retry-1 500ms"}},
			{2 * ms, "frontend", "register2 " + writeOK1, nil},
			{501 * ms, "frontend", "timer retry-1", []string{"register1 ← " + toReplica, "timer retry-1 500ms"}},
			{502 * ms, "frontend", "register2 " + writeOK1, nil},
			{503 * ms, "frontend", "register1 " + writeOK1, []string{`c0 ← {"type":"write_ok","in_reply_to":1}`, "cancel retry-1"}},
			{1001 * ms, "frontend", "timer retry-1", nil},
		}},
		{"frontends refuse what they do not run", "frontend3", []step{
			{1 * ms, "frontend", `c0 {"type":"cas","from":1,"to":2,"msg_id":1}`, []string{`c0 ← {"type":"error","code":10,"text":"the frontend runs read and write, not cas","in_reply_to":1}`}},
			{2 * ms, "frontend", `c0 {"type":"write","msg_id":2}`, []string{`c0 ← {"type":"error","code":12,"text":"write without a value","in_reply_to":2}`}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { run(t, tc.frontend, tc.steps) })
	}
}

func TestRegister(t *testing.T) {
	const from = "frontend "
	for _, tc := range []struct {
		name  string
		steps []step
		state string
	}{
		{"keeps the highest version", []step{
			{1 * ms, "register1", from + `{"type":"write","value":3,"version":5,"msg_id":5}`, []string{`frontend ← {"type":"write_ok","in_reply_to":5}`}},
			{2 * ms, "register1", from + `{"type":"write","value":4,"version":2,"msg_id":2}`, []string{`frontend ← {"type":"write_ok","in_reply_to":2}`}},
			{3 * ms, "register1", from + `{"type":"read","msg_id":6}`, []string{`frontend ← {"type":"read_ok","value":3,"version":5,"in_reply_to":6}`}},
		}, `{"value":3,"version":5}`},
		{"overwrites on a write without a version", []step{
			{1 * ms, "register1", from + `{"type":"write","value":3,"version":5,"msg_id":5}`, []string{`frontend ← {"type":"write_ok","in_reply_to":5}`}},
			{2 * ms, "register1", from + `{"type":"write","value":1,"msg_id":6}`, []string{`frontend ← {"type":"write_ok","in_reply_to":6}`}},
		}, `{"value":1,"version":5}`},
		{"recovers its value after a restart", []step{
			{1 * ms, "register2", from + `{"type":"write","value":3,"version":5,"msg_id":5}`, []string{`frontend ← {"type":"write_ok","in_reply_to":5}`}},
			{2 * ms, "register2", "restart", nil},
			{3 * ms, "register2", from + `{"type":"read","msg_id":6}`, []string{`frontend ← {"type":"read_ok","value":3,"version":5,"in_reply_to":6}`}},
		}, `{"value":3,"version":5}`},
		{"reads null before the first write", []step{
			{1 * ms, "register1", from + `{"type":"read","msg_id":1}`, []string{`frontend ← {"type":"read_ok","value":null,"in_reply_to":1}`}},
		}, `{"value":null,"version":0}`},
		{"refuses what it does not run", []step{
			{1 * ms, "register1", from + `{"type":"cas","msg_id":1}`, []string{`frontend ← {"type":"error","code":10,"text":"a register answers read and write, not cas","in_reply_to":1}`}},
			{2 * ms, "register1", from + `{"type":"write","msg_id":2}`, []string{`frontend ← {"type":"error","code":12,"text":"write without a value","in_reply_to":2}`}},
		}, `{"value":null,"version":0}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(t, "frontend3", tc.steps); string(got) != tc.state {
				t.Errorf("state %s, want %s", got, tc.state)
			}
		})
	}
}
