package formats

// Records written by store: summaries of the runs and tests in a log, and
// the result of store verify. They are views, never stored in a log.
const (
	TypeRunSummary  = "run_summary"
	TypeTestSummary = "test_summary"
	TypeVerify      = "verify"
)

// RunSummary is one run of a log, as store runs lists it. Steps, Time and
// End are absent while the log holds no "end" record for the run.
type RunSummary struct {
	Type     string           `json:"type"`
	Run      string           `json:"run"`
	Test     string           `json:"test"`
	Seed     uint64           `json:"seed"`
	Faults   int              `json:"faults"`
	Steps    *int64           `json:"steps,omitempty"`
	Time     *int64           `json:"time,omitempty"`
	End      string           `json:"end,omitempty"`
	Verdicts []VerdictSummary `json:"verdicts"`
}

// VerdictSummary is one checker's verdict on a run, without its witness.
type VerdictSummary struct {
	Checker string `json:"checker"`
	Model   string `json:"model,omitempty"`
	Valid   any    `json:"valid"`
}

// TestSummary is one test of a log, as store tests lists it: its runs,
// and how many of them some checker found invalid.
type TestSummary struct {
	Type     string `json:"type"`
	Test     string `json:"test"`
	Workload string `json:"workload"`
	Nodes    int    `json:"nodes"`
	Clients  int    `json:"clients"`
	Ops      int    `json:"ops"`
	Runs     int    `json:"runs"`
	Invalid  int    `json:"invalid"`
}

// VerifyReport is what store verify found in a log.
type VerifyReport struct {
	Type     string        `json:"type"`
	File     string        `json:"file"`
	Size     int64         `json:"size"`
	Lines    int           `json:"lines"`
	Records  int           `json:"records"`
	Runs     int           `json:"runs"`
	Tests    int           `json:"tests"`
	Torn     *TornTail     `json:"torn,omitempty"`
	Repaired bool          `json:"repaired,omitempty"`
	Corrupt  []CorruptLine `json:"corrupt,omitempty"`
}

// TornTail is a last line without its newline: an appender was killed in
// the middle of its write.
type TornTail struct {
	Offset int64 `json:"offset"`
	Line   int   `json:"line"`
	Bytes  int64 `json:"bytes"`
}

// CorruptLine is a complete line that is not a JSON object.
type CorruptLine struct {
	Line   int    `json:"line"`
	Offset int64  `json:"offset"`
	Error  string `json:"error"`
}
