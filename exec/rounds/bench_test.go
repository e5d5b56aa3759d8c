package rounds_test

import (
	"io"
	"testing"
	"time"

	commit "github.com/detsys/detsys/exec/examples/commit/nodes"
	delivery "github.com/detsys/detsys/exec/examples/delivery/nodes"
	register "github.com/detsys/detsys/exec/examples/register/nodes"

	"github.com/detsys/detsys/check/endstate"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/sched/sim"
)

// BenchmarkPaperRuns: one run of each LDFI protocol at the paper's EOT,
// in process, then its end-state check, as an LDFI loop does it (without
// the pipes). Reported per protocol: steps per run and events/s, as a
// ratio to the register example's in-process events/s measured in the
// same benchmark (frontend3, 3 clients, 200 ops), since the machines are
// noisy.
func BenchmarkPaperRuns(b *testing.B) {
	reference := refEventsPerSecond(b)
	for _, tc := range []struct {
		workload, protocol string
		eot                int
		kinds              exec.Kinds
		check              func(*endstate.Final) (endstate.Result, error)
	}{
		{"delivery", "simple-deliv", 4, delivery.Kinds, endstate.Delivery},
		{"delivery", "retry-deliv", 4, delivery.Kinds, endstate.Delivery},
		{"delivery", "classic-deliv", 5, delivery.Kinds, endstate.Delivery},
		{"delivery", "redun-deliv", 11, delivery.Kinds, endstate.Delivery},
		{"delivery", "ack-deliv", 8, delivery.Kinds, endstate.Delivery},
		{"commit", "2pc", 5, commit.Kinds, endstate.Commit},
		{"commit", "2pc-ctp", 8, commit.Kinds, endstate.Commit},
		{"commit", "3pc", 9, commit.Kinds, endstate.Commit},
	} {
		b.Run(tc.protocol, func(b *testing.B) {
			test, err := workload.ProtocolTest(tc.workload, tc.protocol, 0)
			if err != nil {
				b.Fatal(err)
			}
			o := sim.DefaultOptions()
			o.Latency = sim.MustDist("fixed:1ms")
			o.MaxTime = time.Duration(tc.eot) * time.Millisecond
			var steps int64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				pr, pw := io.Pipe()
				r := endstate.NewReader()
				done := make(chan error, 1)
				go func() { done <- r.Read(pr, "trace") }()
				res, err := sim.Run(&sim.Test{Test: test}, exec.NewExecutor(tc.kinds, "bench"), o, pw)
				pw.Close()
				if err != nil || <-done != nil {
					b.Fatal(err)
				}
				if v, err := tc.check(r.Finals()[0]); err != nil || !v.Valid {
					b.Fatalf("fault-free run fails: %v %s", err, v.Explanation)
				}
				steps = res.Steps
			}
			rate := float64(steps) * float64(b.N) / time.Since(start).Seconds()
			b.ReportMetric(float64(steps), "steps/run")
			b.ReportMetric(rate/reference, "x-register-events/s")
		})
	}
}

func refEventsPerSecond(b *testing.B) float64 {
	t, ops, err := workload.RegisterTest("frontend3", 3, 200)
	if err != nil {
		b.Fatal(err)
	}
	best := 0.0
	for range 5 {
		start := time.Now()
		res, err := sim.Run(&sim.Test{Test: t, Ops: ops}, exec.NewExecutor(register.Kinds, "bench"), sim.DefaultOptions(), io.Discard)
		if err != nil {
			b.Fatal(err)
		}
		best = max(best, float64(res.Steps)/time.Since(start).Seconds())
	}
	return best
}
