package formats

import "encoding/json"

// Records written by diverge (and by sched --check-determinism, on stderr).
const (
	TypeDivergence = "divergence" // the first record where two traces differ
	TypeIdentical  = "identical"  // two traces are the same, record for record
)

// Divergence reasons.
const (
	DivergeDiffer = "differ"  // both traces have a record there, and they differ
	DivergeAEnded = "a_ended" // trace A ended first: it is a prefix of B
	DivergeBEnded = "b_ended" // trace B ended first: it is a prefix of A
)

// TraceAt is one side of a divergence: where in which file, and the record
// there (absent when that trace had already ended: Line is then its last
// line).
type TraceAt struct {
	File   string          `json:"file"`
	Line   int             `json:"line"`
	Record json.RawMessage `json:"record,omitempty"`
	Ended  bool            `json:"ended,omitempty"`
}

// Divergence is the first record where two traces differ (ignoring the
// fields that name the run): both records, the JSON paths of the fields
// that differ, and the records before it for context (from trace A; they
// are the same in B up to ignored fields).
type Divergence struct {
	Type    string            `json:"type"`
	Reason  string            `json:"reason"`
	Record  int64             `json:"record"`         // 1-based index of the record (blank lines not counted)
	Step    *int64            `json:"step,omitempty"` // the record's step, when it has one
	Fields  []string          `json:"fields,omitempty"`
	Ignored []string          `json:"ignored,omitempty"` // fields that differed before it but do not count
	A       TraceAt           `json:"a"`
	B       TraceAt           `json:"b"`
	Context []json.RawMessage `json:"context"`
	Debug   []string          `json:"debug,omitempty"` // command lines that open either run at that step
}

// Identical says two traces are the same, record for record.
type Identical struct {
	Type    string   `json:"type"`
	Records int64    `json:"records"`
	Ignored []string `json:"ignored,omitempty"` // fields that differed but do not count
}
