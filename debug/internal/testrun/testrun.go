// Package testrun makes real traces for debug's tests and benchmarks: the
// register example run in process by sched's simulator, exactly the trace
// `gen register | sched --exec sut-register` writes for the same test,
// seed and faults.
package testrun

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/sched/sim"
)

// Register runs the register example with frontend kind fe, clients and
// ops, and the seeded faults drop (probability) and crash (nodes, each
// restarted a second later).
func Register(tb testing.TB, fe string, clients, ops int, seed uint64, drop float64, crash int, maxSteps int64) []byte {
	tb.Helper()
	t, o, err := workload.RegisterTest(fe, clients, ops)
	if err != nil {
		tb.Fatal(err)
	}
	opt := sim.DefaultOptions()
	opt.Seed, opt.Drop, opt.Crash, opt.RestartAfter = seed, drop, crash, time.Second
	if maxSteps > 0 {
		opt.MaxSteps = maxSteps
	}
	var b bytes.Buffer
	if _, err := sim.Run(&sim.Test{Test: t, Ops: o}, exec.NewExecutor(nodes.Kinds, "test"), opt, &b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// Million is a trace of 1,000,000 steps (about 650 MB) in dir, made once
// and kept there: the register example, frontend3, 10 clients.
func Million(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "debug-1m.ndjson")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	t, o, err := workload.RegisterTest("frontend3", 10, 170000)
	if err != nil {
		tb.Fatal(err)
	}
	opt := sim.DefaultOptions()
	opt.Seed, opt.MaxSteps = 1, 1_000_000
	f, err := os.Create(path + ".tmp")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if _, err := sim.Run(&sim.Test{Test: t, Ops: o}, exec.NewExecutor(nodes.Kinds, "bench"), opt, f); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		tb.Fatal(err)
	}
	return path
}
