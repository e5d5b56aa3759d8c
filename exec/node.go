// Package exec is the library a system under test imports: the Node API,
// the executor that runs nodes one event at a time (in process, or behind
// the named pipes of the executor protocol with Serve), and the state
// dumper that records each node's state in the trace.
//
// A node is a deterministic state machine. It reacts to one Event at a time
// and does all its output through the Env: no goroutines, no wall clock, no
// sleeping, no I/O, no unseeded randomness, and map iteration that affects
// output must be sorted. Everything else (network, time, faults) belongs to
// the scheduler, which is what makes every run replayable from its seed.
//
// An executor binary is a main package that lists its node kinds:
//
//	func main() {
//		exec.Main(exec.Kinds{
//			"register":  func() exec.Node { return &Register{} },
//			"frontend1": func() exec.Node { return &Frontend1{} },
//		})
//	}
//
// and runs behind sched: sched --exec sut-register < test.ndjson.
package exec

import (
	"encoding/json"
	"math/rand/v2"
	"time"

	"github.com/detsys/detsys/formats"
)

// Node is a system-under-test component: a state machine that reacts to
// one event at a time and returns nothing; all output goes through env.
//
// The state recorded in the trace after each step is the node's JSON,
// unexported fields included, unless the node implements json.Marshaler.
type Node interface {
	Receive(env Env, ev Event)
}

// Kinds maps a node kind (as named in a test's nodes) to a constructor.
// A restart builds the node anew from its constructor: volatile state is
// lost, Disk is kept.
type Kinds map[string]func() Node

// Event kinds.
const (
	Init    = formats.EventInit
	Message = formats.EventMessage
	Timer   = formats.EventTimer
	Restart = formats.EventRestart
)

// Event is what happened to the node: it started (Init), restarted after a
// crash (Restart), a message arrived (Message: ID, From, Body) or a timer
// fired (Timer: TimerName).
//
// Init and Restart carry Nodes, every node of the run (name and kind, in
// the test's order), as Maelstrom's init message carries node_ids: a
// protocol whose group is "every node of the test" (the LDFI examples)
// learns it there instead of from a naming convention.
type Event struct {
	Kind      string
	ID        string             // Message: the scheduler's message id
	From      string             // Message: the sender (a node or a client c0, c1, …)
	Body      json.RawMessage    // Message: the body, a JSON object
	TimerName string             // Timer
	Nodes     []formats.NodeSpec // Init, Restart: every node of the run; do not modify
}

// Type is the body's "type" field (Maelstrom convention).
func (e Event) Type() string { return formats.TypeOf(e.Body) }

// Decode unmarshals the message body into v.
func (e Event) Decode(v any) error { return json.Unmarshal(e.Body, v) }

// Env is the node's view of the world for the duration of one step.
type Env interface {
	Self() string
	Now() time.Duration // the node's simulated clock (skew applied)
	Send(to string, body any)
	Reply(req Event, body any) // sets in_reply_to from the request's msg_id
	SetTimer(name string, after time.Duration)
	CancelTimer(name string)
	Rand() *rand.Rand // seeded per node and run
	Disk() Disk       // durable key-value state that survives restart
	Logf(format string, args ...any)
}

// Disk is durable key-value state: it survives a restart, unlike the node's
// fields. Values are stored as JSON.
type Disk interface {
	Put(key string, v any)
	Get(key string, v any) bool // false if the key is absent
	Delete(key string)
	Keys() []string // sorted
}
