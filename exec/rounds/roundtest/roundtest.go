// Package roundtest runs systems written in rounds (package exec/rounds)
// in process, for their tests: rounds of 1 ms up to an end of time, faults
// placed by round, and the run's final states as check's end-state checks
// read them.
package roundtest

import (
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/check/endstate"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/sched/sim"
)

// Run runs test on kinds in process, in rounds of 1 ms up to round eot,
// with faults, and returns the trace and the final states of its run (as
// sched --latency fixed:1ms --max-time EOTms writes the trace).
func Run(tb testing.TB, kinds exec.Kinds, test formats.Test, eot int, faults []formats.Fault) (string, *endstate.Final) {
	tb.Helper()
	o := sim.DefaultOptions()
	o.Latency = sim.MustDist("fixed:1ms")
	o.MaxTime = time.Duration(eot) * time.Millisecond
	o.Faults = faults
	var trace strings.Builder
	if _, err := sim.Run(&sim.Test{Test: test}, exec.NewExecutor(kinds, "t"), o, &trace); err != nil {
		tb.Fatal(err)
	}
	r := endstate.NewReader()
	if err := r.Read(strings.NewReader(trace.String()), "trace"); err != nil {
		tb.Fatal(err)
	}
	return trace.String(), r.Finals()[0]
}

// Omission loses the message from → to sent in round.
func Omission(from, to string, round int) formats.Fault {
	return formats.Fault{Kind: formats.FaultOmission, From: from, To: to, At: int64(round) * 1e6}
}

// Crash crashes node in round.
func Crash(node string, round int) formats.Fault {
	return formats.Fault{Kind: formats.FaultCrash, Node: node, At: int64(round) * 1e6}
}
