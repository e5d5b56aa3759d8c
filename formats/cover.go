package formats

import "encoding/json"

// TypeCover is the type of the records cover writes: one per section,
// named by its "section" field.
const TypeCover = "cover"

// Cover sections, in the order cover writes them.
const (
	SectionRuns     = "runs"
	SectionMessages = "messages"
	SectionFaults   = "faults"
	SectionStates   = "states"
	SectionOps      = "ops"
	SectionCode     = "code"
)

// CoverRuns counts what was read.
type CoverRuns struct {
	Type    string `json:"type"`
	Section string `json:"section"`
	Runs    int    `json:"runs"`
	Tests   int    `json:"tests"` // distinct test ids
	Seeds   int    `json:"seeds"` // distinct seeds
	Steps   int64  `json:"steps"` // step records
}

// MessageKind is a kind of message: sender, receiver and body type.
// Clients (c0, c1, …) are one sender and receiver, "c*".
type MessageKind struct {
	From     string `json:"from"`
	To       string `json:"to"`
	BodyType string `json:"body_type"`
}

// MessageCount is how often messages of one kind were sent, delivered and
// dropped, over all runs.
type MessageCount struct {
	MessageKind
	Sent      int64 `json:"sent"`
	Delivered int64 `json:"delivered"`
	Dropped   int64 `json:"dropped"`
}

// CoverMessages: every message kind seen, and the kinds that were never
// delivered or never dropped (where the tests have not looked).
type CoverMessages struct {
	Type           string         `json:"type"`
	Section        string         `json:"section"`
	Messages       []MessageCount `json:"messages"`
	NeverDelivered []MessageKind  `json:"never_delivered"`
	NeverDropped   []MessageKind  `json:"never_dropped"`
}

// FaultKindCount is one fault kind of the runs' fault sets (the run
// records' "faults"): in how many runs, how many faults in all.
type FaultKindCount struct {
	Kind   string `json:"kind"`
	Runs   int    `json:"runs"`
	Faults int    `json:"faults"`
}

// FaultEventCount is a fault as it happened in the traces: "drop:REASON",
// "crash", "restart" or "panic" records; in how many runs, how many records.
type FaultEventCount struct {
	Event string `json:"event"`
	Runs  int    `json:"runs"`
	Count int64  `json:"count"`
}

// FaultSetCount is one distinct fault set (its faults sorted) and the
// number of runs that had it.
type FaultSetCount struct {
	Faults json.RawMessage `json:"faults"`
	Runs   int             `json:"runs"`
}

// NodeFaults is, for one node, the number of runs in which it crashed (a
// crash record), restarted, panicked, or was on one side of a partition.
type NodeFaults struct {
	Node        string `json:"node"`
	Crashed     int    `json:"crashed"`
	Restarted   int    `json:"restarted"`
	Panicked    int    `json:"panicked"`
	Partitioned int    `json:"partitioned"`
}

// FaultSpace is how much of an LDFI failure specification's fault space
// has been covered, as the last ldfi record in the input ({"type":"faults"}
// or {"type":"certified"}, with its search fields) says: the space's size
// (ldfi's estimate, the paper's Combinations), the fault sets known not to
// fail (RuledOut: every set smaller than ldfi's next suggestion; all of
// them when certified) and their share of the space.
type FaultSpace struct {
	Test       string          `json:"test,omitempty"`
	Spec       json.RawMessage `json:"spec"`
	Space      *float64        `json:"space,omitempty"`
	SpaceLog10 *float64        `json:"space_log10,omitempty"`
	RuledOut   *float64        `json:"ruled_out,omitempty"`
	Covered    *float64        `json:"covered,omitempty"` // RuledOut / Space
	Certified  bool            `json:"certified"`
	Runs       int             `json:"runs"` // the runs ldfi had read
}

// CoverFaults: the faults injected and what they did.
type CoverFaults struct {
	Type         string            `json:"type"`
	Section      string            `json:"section"`
	Kinds        []FaultKindCount  `json:"kinds"`
	Events       []FaultEventCount `json:"events"`
	DistinctSets int               `json:"distinct_sets"`
	Sets         []FaultSetCount   `json:"sets"`
	Nodes        []NodeFaults      `json:"nodes"`
	Space        *FaultSpace       `json:"space,omitempty"`
}

// NodeStates is the number of distinct states a node reached (by content
// hash) over all runs, how many state records it had, and its own growth
// curve: Curve[i] is its distinct states after run i (the runs of
// CoverStates.Curve, in the same order).
type NodeStates struct {
	Node     string `json:"node"`
	Distinct int    `json:"distinct"`
	Records  int64  `json:"records"`
	Curve    []int  `json:"curve"`
}

// GrowthPoint is one run of the state-growth curve: the distinct states
// (all nodes) it found first, and the total after it.
type GrowthPoint struct {
	Run      string `json:"run"`
	New      int    `json:"new"`
	Distinct int    `json:"distinct"`
}

// CoverStates: distinct states per node, and how the total grew run after
// run, in input order. FlatRuns is the number of runs at the end that found
// nothing new: a long flat tail says more seeds of the same kind will not
// help.
type CoverStates struct {
	Type     string        `json:"type"`
	Section  string        `json:"section"`
	Nodes    []NodeStates  `json:"nodes"`
	Distinct int           `json:"distinct"`
	Curve    []GrowthPoint `json:"curve"`
	FlatRuns int           `json:"flat_runs"`
}

// OpCount is, for one client operation type, how many were invoked and
// how they ended.
type OpCount struct {
	Op     string `json:"op"`
	Invoke int64  `json:"invoke"`
	Ok     int64  `json:"ok"`
	Fail   int64  `json:"fail"`
	Info   int64  `json:"info"`
}

// CoverOps: client operation outcomes per operation type.
type CoverOps struct {
	Type    string    `json:"type"`
	Section string    `json:"section"`
	Ops     []OpCount `json:"ops"`
}

// PackageCoverage is one package's statement coverage, in percent.
type PackageCoverage struct {
	Package string  `json:"package"`
	Percent float64 `json:"percent"`
}

// FuncCoverage is one function's statement coverage, in percent.
type FuncCoverage struct {
	File     string  `json:"file"`
	Line     int     `json:"line"`
	Function string  `json:"function"`
	Percent  float64 `json:"percent"`
}

// CoverCode: Go code coverage of the executor, merged over all runs by
// the Go toolchain (go tool covdata).
type CoverCode struct {
	Type      string            `json:"type"`
	Section   string            `json:"section"`
	Dirs      []string          `json:"dirs"`
	Total     float64           `json:"total"`
	Packages  []PackageCoverage `json:"packages"`
	Functions []FuncCoverage    `json:"functions"`
}
