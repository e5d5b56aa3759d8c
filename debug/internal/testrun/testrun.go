// Package testrun makes real traces for debug's tests and benchmarks: the
// register example run in process by sched's simulator, exactly the trace
// `gen register | sched --exec sut-register` writes for the same test,
// seed and faults.
package testrun

import (
	"bufio"
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

// Million is the path of a trace of 1,000,000 steps (about 650 MB): the
// register example, frontend3, 10 clients, seed 1, made once and kept in
// $TMPDIR/detsys-debug-bench for the benchmarks that follow (the same
// trace as gen register --nodes frontend=frontend3,... --clients 10 --ops
// 170000 | sched --seed 1 --max-steps 1000000).
func Million(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(os.TempDir(), "detsys-debug-bench")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, "million.ndjson")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	t, o, err := workload.RegisterTest("frontend3", 10, 170000)
	if err != nil {
		tb.Fatal(err)
	}
	opt := sim.DefaultOptions()
	opt.Seed, opt.MaxSteps = 1, 1_000_000
	f, err := os.CreateTemp(dir, "million-*.tmp")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	if _, err := sim.Run(&sim.Test{Test: t, Ops: o}, exec.NewExecutor(nodes.Kinds, "bench"), opt, w); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		tb.Fatal(err)
	}
	return path
}
