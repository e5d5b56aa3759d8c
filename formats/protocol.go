package formats

import "encoding/json"

// ProtocolVersion is the version of the executor protocol (DESIGN §4).
const ProtocolVersion = 1

// Executor protocol message types.
const (
	MsgHello        = "hello"
	MsgStep         = "step"
	MsgEffects      = "effects"
	MsgSteps        = "steps"
	MsgEffectsBatch = "effects_batch"
	MsgBye          = "bye"
)

// Event kinds delivered to a node.
const (
	EventInit    = "init"
	EventMessage = "message"
	EventTimer   = "timer"
	EventRestart = "restart"
)

// Hello opens the protocol in both directions: sched sends Seed and Nodes,
// the executor answers with its Build and the Kinds it can build.
type Hello struct {
	Type    string     `json:"type"`
	Version int        `json:"version"`
	Seed    uint64     `json:"seed,omitempty"`
	Nodes   []NodeSpec `json:"nodes,omitempty"`
	Build   string     `json:"build,omitempty"`
	Kinds   []string   `json:"kinds,omitempty"`
	Error   string     `json:"error,omitempty"` // executor: why it cannot serve these nodes
}

// Event is what happens to a node in one step.
type Event struct {
	Kind  string          `json:"kind"`
	ID    string          `json:"id,omitempty"`
	From  string          `json:"from,omitempty"`
	Body  json.RawMessage `json:"body,omitempty"`
	Timer string          `json:"timer,omitempty"`
}

// StepRequest asks the executor to run one event on one node. At is the
// global simulated time; Now is the node's own clock (At with any skew
// applied), which is what Env.Now returns. Now is an addition to the
// protocol sketched in DESIGN §4: keeping clock skew in the scheduler means
// executors never need to know about faults.
type StepRequest struct {
	Type  string `json:"type"`
	Step  int64  `json:"step"`
	At    int64  `json:"at"`
	Now   int64  `json:"now"`
	Node  string `json:"node"`
	Event Event  `json:"event"`
}

// Send is a message a node asked to send; sched gives it an id.
type Send struct {
	To   string          `json:"to"`
	Body json.RawMessage `json:"body"`
}

// EffectsReply is the executor's answer to a StepRequest.
type EffectsReply struct {
	Type   string          `json:"type"`
	Step   int64           `json:"step"`
	Sends  []Send          `json:"sends,omitempty"`
	Timers []TimerSet      `json:"timers,omitempty"`
	Cancel []string        `json:"cancel,omitempty"`
	State  json.RawMessage `json:"state,omitempty"`
	Logs   []string        `json:"logs,omitempty"`
	Panic  string          `json:"panic,omitempty"`
	Stack  string          `json:"stack,omitempty"`
}

// Maelstrom error codes (https://github.com/jepsen-io/maelstrom, protocol.md).
// A definite error means the operation certainly did not happen.
var definiteErrors = map[int]bool{
	1: true, 10: true, 11: true, 12: true, 14: true, 20: true, 21: true, 22: true, 30: true,
}

// ErrorDefinite reports whether a Maelstrom error code means the operation
// definitely did not take place (0 "timeout" and 13 "crash" are indefinite,
// as are unknown codes).
func ErrorDefinite(code int) bool { return definiteErrors[code] }
