package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/check/verdict"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
	"github.com/detsys/detsys/sched/sim"
)

// linearizable runs test t in process with options o and checks the
// client history with check's register model.
func linearizable(tb testing.TB, t *sim.Test, o sim.Options) (bool, string) {
	tb.Helper()
	var trace strings.Builder
	if _, err := sim.Run(t, exec.NewExecutor(nodes.Kinds, "t"), o, &trace); err != nil {
		tb.Fatal(err)
	}
	m := linear.Models["register"]
	hs, err := history.Read(strings.NewReader(trace.String()), "trace", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput})
	if err != nil || len(hs) != 1 {
		tb.Fatalf("reading the history: %v (%d runs)", err, len(hs))
	}
	r := verdict.Check("register", m, hs[0], linear.Options{})
	return r.Valid(), r.Summary
}

// firstFailingSeed sweeps seeds [0, n) and returns the first whose run is
// not linearizable, or -1.
func firstFailingSeed(tb testing.TB, t *sim.Test, n int, opts func(*sim.Options)) (int, string) {
	for seed := 0; seed < n; seed++ {
		o := sim.DefaultOptions()
		o.Seed = uint64(seed)
		if opts != nil {
			opts(&o)
		}
		if ok, why := linearizable(tb, t, o); !ok {
			return seed, why
		}
	}
	return -1, ""
}

func TestSweepFindsFrontend1WithoutFaults(t *testing.T) {
	seed, why := firstFailingSeed(t, registerTest(t, "frontend1", 3, 20), 50, nil)
	if seed < 0 {
		t.Fatal("no seed in 0..49 found frontend1's stale read")
	}
	t.Logf("frontend1: seed %d: %s", seed, why)
}

func TestSweepFindsFrontend2WithOmissions(t *testing.T) {
	seed, why := firstFailingSeed(t, registerTest(t, "frontend2", 3, 20), 500, func(o *sim.Options) { o.Drop = 0.3 })
	if seed < 0 {
		t.Fatal("no seed in 0..499 found frontend2's double count")
	}
	t.Logf("frontend2: seed %d: %s", seed, why)
	// Without faults frontend2 looks correct: omissions are what find it.
	if s, _ := firstFailingSeed(t, registerTest(t, "frontend2", 3, 20), 50, nil); s >= 0 {
		t.Logf("note: frontend2 also fails without faults at seed %d", s)
	}
}

func TestSweepFrontend3And4Hold(t *testing.T) {
	seeds := 500
	if testing.Short() {
		seeds = 50
	}
	for _, fe := range []string{"frontend3", "frontend4"} {
		t.Run(fe, func(t *testing.T) {
			test := registerTest(t, fe, 4, 24)
			faults := func(o *sim.Options) {
				o.Drop = 0.25
				o.Crash = 1 + int(o.Seed%2)
				o.RestartAfter = time.Duration(o.Seed%3) * time.Second // 0: never
			}
			if seed, why := firstFailingSeed(t, test, seeds, faults); seed >= 0 {
				t.Fatalf("%s not linearizable at seed %d: %s", fe, seed, why)
			}
			// Any number of clients: one, and many with many ops.
			for _, shape := range []struct{ clients, ops, seeds int }{{1, 10, 50}, {10, 80, seeds / 5}} {
				test := registerTest(t, fe, shape.clients, shape.ops)
				if seed, why := firstFailingSeed(t, test, shape.seeds, faults); seed >= 0 {
					t.Fatalf("%s with %d clients not linearizable at seed %d: %s", fe, shape.clients, seed, why)
				}
			}
		})
	}
}
