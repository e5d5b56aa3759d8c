package formats

import "encoding/json"

// Record type constants: the value of the "type" field of each record.
const (
	TypeTest = "test" // a test case (gen → sched)
	TypeOp   = "op"   // one client operation of a test

	TypeRun     = "run"     // first record of a trace: what the run depends on
	TypeInit    = "init"    // a node started
	TypeInvoke  = "invoke"  // a client invoked an operation
	TypeOk      = "ok"      // the operation completed
	TypeFail    = "fail"    // the operation definitely did not happen
	TypeInfo    = "info"    // unknown outcome: timed out, indefinite error, run ended
	TypeDeliver = "deliver" // a message reached its node
	TypeTimer   = "timer"   // a timer fired
	TypeDrop    = "drop"    // a message was lost
	TypeCrash   = "crash"   // a node stopped (fail-stop)
	TypeRestart = "restart" // a node came back with its durable state
	TypePanic   = "panic"   // a node panicked; it counts as crashed
	TypeEnd     = "end"     // the run stopped

	TypeVerdict   = "verdict"   // a checker's result for one run
	TypeFaults    = "faults"    // a fault set to try (ldfi)
	TypeCertified = "certified" // the failure specification is exhausted (ldfi)
)

// NodeSpec names a node and the kind of node the executor should build.
type NodeSpec struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Test is the first record of a test case. Its id is the content hash of
// the test's canonical bytes (see TestID).
type Test struct {
	Type     string     `json:"type"`
	Test     string     `json:"test"`
	Workload string     `json:"workload"`
	Nodes    []NodeSpec `json:"nodes"`
	Clients  int        `json:"clients"`
}

// Op is one operation of a client. Clients are closed-loop: client i
// invokes its ops in file order, one at a time. At, when set, is the
// earliest simulated time (ns) at which the op may be invoked.
type Op struct {
	Type   string          `json:"type"`
	Client int             `json:"client"`
	Node   string          `json:"node"`
	Body   json.RawMessage `json:"body"`
	At     *int64          `json:"at,omitempty"`
}

// Exec describes the executor a run used.
type Exec struct {
	Build string `json:"build"`
}

// Run is the first record of a trace. It names everything the run depends
// on so that it can be replayed: the test, the seed, the faults, the
// scheduler options and the executor build.
type Run struct {
	Type   string          `json:"type"`
	Run    string          `json:"run"`
	Test   string          `json:"test"`
	Seed   uint64          `json:"seed"`
	Faults []Fault         `json:"faults"`
	Opts   json.RawMessage `json:"opts"`
	Exec   Exec            `json:"exec"`
	Nodes  []NodeSpec      `json:"nodes"`
}

// Head is carried by every step record of a trace.
type Head struct {
	Type string `json:"type"`
	Run  string `json:"run"`
	Step int64  `json:"step"`
	At   int64  `json:"at"`
}

// SentMessage is a message a step sent, with the id the scheduler gave it.
type SentMessage struct {
	ID   string          `json:"id"`
	To   string          `json:"to"`
	Body json.RawMessage `json:"body"`
}

// TimerSet is a timer a step armed (or re-armed).
type TimerSet struct {
	Name  string `json:"name"`
	After int64  `json:"after"`
}

// Effects are what a node did in one step, as recorded in the trace. The
// sends are the causal edges that ldfi, debug and cover follow.
type Effects struct {
	Sends  []SentMessage `json:"sends,omitempty"`
	Timers []TimerSet    `json:"timers,omitempty"`
	Cancel []string      `json:"cancel,omitempty"`
	Logs   []string      `json:"logs,omitempty"`
}

// Step is the union of every step record of a trace (init, invoke, ok,
// fail, info, deliver, timer, drop, crash, restart, panic, end). Which
// fields are set depends on Type; absent fields are omitted. Readers that
// need one kind of record decode into Step and switch on Type.
type Step struct {
	Head
	Node string `json:"node,omitempty"` // init, timer, crash, restart, panic

	// Client history (invoke, ok, fail, info).
	Client *int            `json:"client,omitempty"`
	Op     json.RawMessage `json:"op,omitempty"`
	Reply  json.RawMessage `json:"reply,omitempty"`
	Error  string          `json:"error,omitempty"` // info/fail/end: why

	// Messages (deliver, drop; ok/fail/info carry the reply's id and sender).
	ID       string          `json:"id,omitempty"`
	From     string          `json:"from,omitempty"`
	To       string          `json:"to,omitempty"`
	SentAt   *int64          `json:"sent_at,omitempty"`
	SentStep *int64          `json:"sent_step,omitempty"`
	Body     json.RawMessage `json:"body,omitempty"`
	Reason   string          `json:"reason,omitempty"` // drop, end

	Timer string `json:"timer,omitempty"` // timer

	State json.RawMessage `json:"state,omitempty"`
	Effects

	Panic string `json:"panic,omitempty"` // panic
	Stack string `json:"stack,omitempty"`

	Steps *int64 `json:"steps,omitempty"` // end: total steps
	Time  *int64 `json:"time,omitempty"`  // end: total simulated time (ns)
}

// Drop reasons.
const (
	ReasonOmission  = "omission"
	ReasonCrash     = "crash"
	ReasonPartition = "partition"
)

// End reasons.
const (
	EndQuiescent = "quiescent" // no client has work left and nothing is pending
	EndMaxTime   = "max_time"
	EndMaxSteps  = "max_steps"
	EndError     = "error" // the executor failed; the trace stops at the failing step
)

// Verdict is a checker's result for one run. Valid is true, false or the
// string "unknown".
type Verdict struct {
	Type    string          `json:"type"`
	Run     string          `json:"run"`
	Checker string          `json:"checker"`
	Model   string          `json:"model,omitempty"`
	Formula string          `json:"formula,omitempty"` // ltl: the formula as written
	Valid   any             `json:"valid"`
	Anomaly string          `json:"anomaly,omitempty"`
	Witness json.RawMessage `json:"witness,omitempty"`
}

// Unknown is the value of Verdict.Valid when a budget ran out.
const Unknown = "unknown"
