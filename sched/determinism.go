package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/detsys/detsys/diverge/compare"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/sched/sim"
)

// checkDeterminism runs the test n times, each with a fresh executor, and
// compares every trace with the first one (diverge/compare). The first
// trace goes to stdout as usual. If any run differs, the earliest
// divergence among them is reported on stderr, as diverge --format text
// lays it out, both traces are kept for diverge and debug, and the result
// is exit 1.
func checkDeterminism(o *cli.IO, opt *options, t *sim.Test, so sim.Options) error {
	n := opt.CheckDeterminism
	if n < 1 {
		return cli.Usagef("--check-determinism %d: give the number of runs, at least 1", n)
	}
	if opt.Exec == "" {
		return cli.Usagef("--check-determinism starts the executor afresh for each run: give --exec, not --pipe")
	}
	dir, err := os.MkdirTemp("", "detsys-determinism-")
	if err != nil {
		return cli.Errorf(formats.ExitInternal, "%v", err)
	}
	keep := map[string]bool{}
	defer func() {
		for i := 1; i <= n; i++ {
			if p := tracePath(dir, i); !keep[p] {
				os.Remove(p)
			}
		}
		if len(keep) == 0 {
			os.Remove(dir)
		}
	}()

	start := time.Now()
	var first sim.Result
	for i := 1; i <= n; i++ {
		f, err := os.Create(tracePath(dir, i))
		if err != nil {
			return cli.Errorf(formats.ExitInternal, "%v", err)
		}
		var w io.Writer = f
		if i == 1 {
			w = io.MultiWriter(f, o.Stdout)
		}
		res, _, err := execute(o, opt, t, so, w, false)
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cli.Errorf(formats.ExitInternal, "%v", cerr)
		}
		if err != nil {
			return fmt.Errorf("run %d of %d: %w", i, n, err)
		}
		if i == 1 {
			first = res
		}
		if o.IsTerminal() && !opt.Quiet {
			fmt.Fprintf(o.Stderr, "\r\033[Ksched: run %d of %d", i, n)
		}
	}
	if o.IsTerminal() && !opt.Quiet {
		fmt.Fprint(o.Stderr, "\r\033[K")
	}

	// The earliest divergence from run 1 over all runs: the step where the
	// non-determinism first shows.
	var worst *formats.Divergence
	worstRun := 0
	for i := 2; i <= n; i++ {
		d, err := compareFiles(tracePath(dir, 1), tracePath(dir, i))
		if err != nil {
			return err
		}
		if d != nil && (worst == nil || d.Record < worst.Record) {
			worst, worstRun = d, i
		}
	}
	if worst == nil {
		if !opt.Quiet {
			o.Warnf("%s: %d runs, identical: %d steps each, %v wall in all", first.Run, n, first.Steps, time.Since(start).Round(time.Millisecond))
		}
		return nil
	}
	keep[tracePath(dir, 1)], keep[tracePath(dir, worstRun)] = true, true
	o.Warnf("not deterministic: run %d of %d differs from run 1 (both traces kept in %s)", worstRun, n, dir)
	if err := compare.WriteText(o.Stderr, worst, nil); err != nil {
		return err
	}
	return cli.Exit(formats.ExitViolation)
}

func tracePath(dir string, i int) string {
	return filepath.Join(dir, fmt.Sprintf("run-%d.ndjson", i))
}

func compareFiles(a, b string) (*formats.Divergence, error) {
	fa, err := os.Open(a)
	if err != nil {
		return nil, cli.Errorf(formats.ExitInternal, "%v", err)
	}
	defer fa.Close()
	fb, err := os.Open(b)
	if err != nil {
		return nil, cli.Errorf(formats.ExitInternal, "%v", err)
	}
	defer fb.Close()
	d, _, err := compare.Compare(compare.Input{R: fa, Name: a}, compare.Input{R: fb, Name: b}, compare.Options{Context: 3})
	return d, err
}
