package sim

import (
	"encoding/json"
	"time"

	"github.com/detsys/detsys/formats"
)

// Options are everything besides the test and the executor that a run
// depends on. All of it is recorded in the run record (seed and faults in
// their own fields, the rest in "opts"), and all of it goes into the run id.
type Options struct {
	Seed          uint64
	Latency       Dist          // network latency of every message
	Think         Dist          // a client's pause between a completion and its next invoke
	ClientTimeout time.Duration // a client gives up (info) after this long
	MaxTime       time.Duration // stop when simulated time passes this (0: no limit)
	MaxSteps      int64         // stop after this many steps (0: no limit)

	Faults []formats.Fault // explicit faults (sched --faults)

	// Seeded random faults, for sweeps. They are drawn from their own
	// generator before the run starts, turned into explicit faults and
	// recorded in the run record, so a run can be replayed with --faults.
	Drop         float64       // probability that a message is lost (omission)
	Crash        int           // number of nodes to crash
	FaultWindow  time.Duration // random crashes happen in [0, FaultWindow]
	RestartAfter time.Duration // a randomly crashed node restarts this long after (0: never)

	// Progress, if set, is called every few thousand steps with the step
	// count and the simulated time. It must not affect the run; sched uses
	// it to show progress when stderr is a terminal.
	Progress func(steps, at int64)

	// Cached, if set, is asked once the run id is known (after the
	// executor's hello, before anything is written) whether the run is
	// already stored; if it says yes, Run writes nothing and returns a
	// Result with Cached set (sched --log re-emits the stored trace).
	Cached func(run string) bool
}

// DefaultOptions are sched's defaults.
func DefaultOptions() Options {
	return Options{
		Latency:       MustDist("exp:10ms"),
		Think:         MustDist("uniform:0ms-10ms"),
		ClientTimeout: 10 * time.Second,
		MaxTime:       time.Hour,
		MaxSteps:      10_000_000,
		FaultWindow:   5 * time.Second,
	}
}

// optsRecord is the "opts" field of the run record.
type optsRecord struct {
	Latency       string  `json:"latency"`
	Think         string  `json:"think"`
	ClientTimeout int64   `json:"client_timeout"`
	MaxTime       int64   `json:"max_time"`
	MaxSteps      int64   `json:"max_steps"`
	Drop          float64 `json:"drop"`
	Crash         int     `json:"crash"`
	FaultWindow   int64   `json:"fault_window"`
	RestartAfter  int64   `json:"restart_after"`
}

func (o Options) record() json.RawMessage {
	b, _ := json.Marshal(optsRecord{
		Latency: o.Latency.String(), Think: o.Think.String(),
		ClientTimeout: int64(o.ClientTimeout), MaxTime: int64(o.MaxTime), MaxSteps: o.MaxSteps,
		Drop: o.Drop, Crash: o.Crash, FaultWindow: int64(o.FaultWindow), RestartAfter: int64(o.RestartAfter),
	})
	return b
}
