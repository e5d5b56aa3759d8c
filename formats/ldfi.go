package formats

// FailureSpec is ldfi's failure specification ⟨EOT, EFF, Crashes⟩ as its
// records carry it: times in simulated ns (absent: no bound).
type FailureSpec struct {
	EOT       *int64 `json:"eot,omitempty"`
	EFF       *int64 `json:"eff,omitempty"`
	Crashes   int    `json:"crashes"`
	MaxFaults int    `json:"max_faults,omitempty"`
}

// Suggestion is the record ldfi writes per fault set to try next
// ({"type":"faults"}, which sched --faults reads): the faults, how many
// there are, and where the search stands.
type Suggestion struct {
	Type   string  `json:"type"` // TypeFaults
	Faults []Fault `json:"faults"`
	Size   int     `json:"size"`
	Search
}

// Certified is the record ldfi writes when no fault set of the
// specification is left to try ({"type":"certified"}).
type Certified struct {
	Type string `json:"type"` // TypeCertified
	Search
}

// Search is where an ldfi search stands: the test and seed its runs are
// of, how many runs it has read (and how many were good), the
// specification, the admissible faults that touch some run's lineage
// (Candidates), the size of the specification's fault space (the paper's
// Combinations: Space, absent beyond float64's range, and SpaceLog10) and
// how many of those sets are known not to fail (RuledOut: every set
// smaller than the next suggestion; for a certified search, all).
type Search struct {
	Test       string      `json:"test,omitempty"`
	Seed       uint64      `json:"seed"`
	Runs       int         `json:"runs"`
	Good       int         `json:"good"`
	Spec       FailureSpec `json:"spec"`
	Candidates int         `json:"candidates"`
	Space      *float64    `json:"space,omitempty"`
	SpaceLog10 *float64    `json:"space_log10,omitempty"`
	RuledOut   *float64    `json:"ruled_out,omitempty"`
}
