package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/sched/sim"
	"github.com/detsys/detsys/store/log"
)

// runLog is sched --log FILE, the cache of a nightly sweep: a run whose id
// (test, seed, faults, options, executor build) is already in the log with
// its "end" record is not run again, its stored trace is written instead;
// a new run's trace goes to stdout and to a spool file next to the log,
// and is appended to the log as one batch when the run has completed (a
// run the executor failed is not stored).
type runLog struct {
	path  string
	spool *os.File
	out   io.Writer
	warn  func(string, ...any)
}

func openRunLog(o *cli.IO, path string) (*runLog, error) {
	spool, err := os.CreateTemp(filepath.Dir(path), ".sched-spool-*")
	if err != nil {
		return nil, cli.Errorf(formats.ExitInternal, "--log: %v", err)
	}
	return &runLog{path: path, spool: spool, out: io.MultiWriter(o.Stdout, spool), warn: o.Warnf}, nil
}

// cached is sim.Options.Cached: is the run in the log, whole?
func (l *runLog) cached(run string) bool {
	if _, err := os.Stat(l.path); err != nil {
		return false
	}
	x, err := log.OpenIndex(l.path, false)
	if err != nil {
		l.warn("--log %s: %v (running the test)", l.path, err)
		return false
	}
	return x.Has(run)
}

// finish re-emits a cached run's stored trace, or appends the new run's.
func (l *runLog) finish(o *cli.IO, res sim.Result) error {
	if res.Cached {
		n, err := log.Get(l.path, res.Run, true, log.Trace(), o.Stdout)
		if err == nil && n == 0 {
			err = fmt.Errorf("run %s vanished from %s", res.Run, l.path)
		}
		if err != nil {
			return cli.Errorf(formats.ExitInternal, "--log: %v", err)
		}
		o.Warnf("run %s cached in %s", res.Run, l.path)
		return nil
	}
	if _, err := l.spool.Seek(0, io.SeekStart); err != nil {
		return cli.Errorf(formats.ExitInternal, "--log: %v", err)
	}
	b, err := log.ReadBatch(l.spool, l.spool.Name(), filepath.Dir(l.path))
	if err != nil {
		return cli.Errorf(formats.ExitInternal, "--log: %v", err)
	}
	defer b.Close()
	if err := (&log.Log{Path: l.path, Warn: o.Warnf}).Append(b); err != nil {
		return cli.Errorf(formats.ExitInternal, "--log: %v", err)
	}
	return nil
}

func (l *runLog) close() {
	l.spool.Close()
	os.Remove(l.spool.Name())
}
