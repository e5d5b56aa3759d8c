// Sched runs a test against a system under test, deterministically.
//
// It reads a test (a "test" record and its "op" records, as gen writes
// them) and writes the run's trace: a "run" record naming everything the
// run depends on, then one record per step. The scheduler owns the
// network, time, randomness and faults; the nodes run in an executor
// process, one event at a time, over a pair of named pipes. Same test,
// seed, faults, options and executor build: byte-identical trace.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/sched/pipe"
	"github.com/detsys/detsys/sched/sim"
)

type options struct {
	Seed    uint64 `long:"seed" description:"the run's seed: every random choice (latency, think time, drops, random crashes) comes from it" default:"0"`
	Exec    string `long:"exec" value-name:"CMD" description:"start this executor (a binary or a shell command line) on fresh FIFOs"`
	Pipe    string `long:"pipe" value-name:"DIR" description:"attach to an executor already serving DIR/in and DIR/out (started with --pipe DIR)"`
	Latency string `long:"latency" value-name:"DIST" description:"network latency: fixed:1ms, uniform:1ms-50ms or exp:20ms" default:"exp:10ms"`
	Think   string `long:"think" value-name:"DIST" description:"a client's pause between a completion and its next invoke" default:"uniform:0ms-10ms"`

	ClientTimeout    time.Duration `long:"client-timeout" value-name:"D" description:"a client records info and moves on after waiting this long" default:"10s"`
	MaxTime          time.Duration `long:"max-time" value-name:"D" description:"stop when simulated time passes D (0: no limit)" default:"1h"`
	MaxSteps         int64         `long:"max-steps" value-name:"N" description:"stop after N steps (0: no limit)" default:"10000000"`
	CheckDeterminism int           `long:"check-determinism" value-name:"N" description:"run the test N times (fresh executor each time) and exit 1 with diverge's report on stderr if any trace differs from the first; stdout gets the first"`

	Faults       string        `long:"faults" value-name:"FILE" description:"faults to inject: NDJSON, one fault a line, or ldfi's {\"type\":\"faults\"} records"`
	Drop         float64       `long:"drop" value-name:"P" description:"random omissions: each message is lost with probability P" default:"0"`
	Crash        int           `long:"crash" value-name:"N" description:"random crashes: crash N distinct nodes at seeded times" default:"0"`
	FaultWindow  time.Duration `long:"fault-window" value-name:"D" description:"random crashes happen in simulated [0, D]" default:"5s"`
	RestartAfter time.Duration `long:"restart-after" value-name:"D" description:"a randomly crashed node restarts D later (0: never)" default:"0"`

	ExecTimeout    time.Duration `long:"exec-timeout" value-name:"D" description:"wall time to wait for the executor's answer to one step" default:"30s"`
	ConnectTimeout time.Duration `long:"connect-timeout" value-name:"D" description:"wall time to wait for the executor to open its pipes" default:"10s"`
	Quiet          bool          `long:"quiet" short:"q" description:"no statistics line on stderr"`

	Log string `long:"log" value-name:"FILE" description:"cache runs in this store log: a run already there is not run again, its stored trace is written instead; a new run's trace is appended to it"`
}

const long = `
Reads a test on stdin (or from FILE) and writes the run's trace on stdout.

Examples:
  gen register | sched --seed 7 --exec sut-register | check register
  sched --check-determinism 5 --seed 3 --exec sut-nondet test.ndjson > /dev/null
  gen register | sched --exec sut-register --drop 0.1 --crash 1 --restart-after 1s
  sched --exec sut-register --faults faults.ndjson < test.ndjson > run.ndjson
  sut-register --pipe /tmp/p &  gen register | sched --pipe /tmp/p
  gen register | sched --seed 7 --exec sut-register --log detsys.jsonl   # once only

Faults (--faults), one JSON object a line; times are simulated nanoseconds:
  {"kind":"omission","from":"frontend","to":"register2","at":1000000}
  {"kind":"crash","node":"register1","at":2000000}
  {"kind":"restart","node":"register1","at":5000000}
  {"kind":"partition","groups":[["register1"],["frontend","register2"]],"from":0,"until":9000000}

At the end one line of statistics goes to stderr: steps, simulated and
wall time, events/s and the simulated:wall ratio.

Exit codes: 0 ran · 1 --check-determinism: the runs differ · 2 usage · 3 malformed test or faults · 5 executor failed
(died, hung or answered garbage: the trace up to that step is written,
ending with an "end" record with reason "error").`

func main() {
	var o options
	cli.Main(cli.Command{Name: "sched", Usage: "[OPTIONS] [TEST]", Long: long, Opts: &o,
		Run: func(io *cli.IO, args []string) error { return run(io, &o, args) }})
}

func run(o *cli.IO, opt *options, args []string) error {
	if (opt.Exec == "") == (opt.Pipe == "") {
		return cli.Usagef("give one of --exec CMD or --pipe DIR")
	}
	if len(args) > 1 {
		return cli.Usagef("one test at a time (got %d files)", len(args))
	}
	so, err := simOptions(opt)
	if err != nil {
		return err
	}
	var t *sim.Test
	err = cli.EachInput(o, args, func(r io.Reader, name string) error {
		t, err = sim.ReadTest(formats.NewReader(r, name))
		return err
	})
	if err != nil {
		return err
	}
	if opt.Faults != "" {
		if so.Faults, err = readFaults(opt.Faults, t); err != nil {
			return err
		}
	}
	if opt.CheckDeterminism != 0 {
		if opt.Log != "" {
			return cli.Usagef("--log with --check-determinism: a determinism check always runs the test, it never takes it from the log")
		}
		return checkDeterminism(o, opt, t, so)
	}

	out := o.Stdout
	var rl *runLog
	if opt.Log != "" {
		if rl, err = openRunLog(o, opt.Log); err != nil {
			return err
		}
		defer rl.close()
		so.Cached, out = rl.cached, rl.out
	}
	res, wall, err := execute(o, opt, t, so, out, o.IsTerminal() && !opt.Quiet)
	if err != nil {
		var ee *sim.ExecError
		if errors.As(err, &ee) && res.Run != "" {
			return cli.Errorf(formats.ExitInternal, "%s: %w", res.Run, err)
		}
		return err
	}
	if rl != nil {
		if err := rl.finish(o, res); err != nil || res.Cached {
			return err
		}
	}
	if !opt.Quiet {
		o.Warnf("%s", stats(res, wall))
	}
	return nil
}

// execute runs the test once, writing its trace to w: it starts the
// executor afresh (--exec) or attaches to the one serving --pipe, runs the
// test on it and closes it, or aborts it if the run failed. wall is the
// run's wall time from the executor's being connected. With live, the
// step count and simulated time are shown on stderr as the run goes.
// Every run of sched goes through here: the plain run, each of
// --check-determinism's runs, and a --log run.
func execute(o *cli.IO, opt *options, t *sim.Test, so sim.Options, w io.Writer, live bool) (sim.Result, time.Duration, error) {
	var x *pipe.Client
	var err error
	if opt.Exec != "" {
		x, err = pipe.Start(opt.Exec, o.Stderr, opt.ConnectTimeout)
	} else {
		x, err = pipe.Attach(opt.Pipe, opt.ConnectTimeout)
	}
	if err != nil {
		return sim.Result{}, 0, cli.Errorf(formats.ExitInternal, "%v", err)
	}
	x.Timeout = opt.ExecTimeout

	start := time.Now()
	if live {
		so.Progress = progress(o, start)
	}
	res, err := sim.Run(t, x, so, w)
	wall := time.Since(start)
	if live {
		fmt.Fprint(o.Stderr, "\r\033[K") // clear the progress line
	}
	if err != nil {
		x.Abort()
		var ee *sim.ExecError
		if errors.As(err, &ee) {
			return res, wall, cli.Errorf(formats.ExitInternal, "%w", err)
		}
		return res, wall, err
	}
	if err := x.Close(); err != nil {
		o.Warnf("%v", err)
	}
	return res, wall, nil
}

func simOptions(opt *options) (sim.Options, error) {
	so := sim.DefaultOptions()
	var err error
	if so.Latency, err = sim.ParseDist(opt.Latency); err != nil {
		return so, cli.Usagef("--latency %v", err)
	}
	if so.Think, err = sim.ParseDist(opt.Think); err != nil {
		return so, cli.Usagef("--think %v", err)
	}
	if opt.Drop < 0 || opt.Drop > 1 {
		return so, cli.Usagef("--drop %v: a probability, between 0 and 1", opt.Drop)
	}
	if opt.Crash < 0 || opt.MaxSteps < 0 || opt.MaxTime < 0 || opt.ClientTimeout <= 0 {
		return so, cli.Usagef("--crash, --max-steps and --max-time must not be negative, --client-timeout must be positive")
	}
	so.Seed, so.ClientTimeout, so.MaxTime, so.MaxSteps = opt.Seed, opt.ClientTimeout, opt.MaxTime, opt.MaxSteps
	so.Drop, so.Crash, so.FaultWindow, so.RestartAfter = opt.Drop, opt.Crash, opt.FaultWindow, opt.RestartAfter
	return so, nil
}

// readFaults reads the --faults file.
func readFaults(path string, t *sim.Test) ([]formats.Fault, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, cli.Errorf(formats.ExitBadInput, "--faults: %v", err)
	}
	defer f.Close()
	return sim.ReadFaults(formats.NewReader(f, path), t)
}

// progress shows the step count and simulated time on a terminal, a few
// times a second.
func progress(o *cli.IO, start time.Time) func(steps, at int64) {
	last := start
	return func(steps, at int64) {
		if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
			last = now
			fmt.Fprintf(o.Stderr, "\r\033[Ksched: step %d, %v simulated, %v wall", steps,
				time.Duration(at).Round(time.Millisecond), now.Sub(start).Round(time.Second))
		}
	}
}

func stats(res sim.Result, wall time.Duration) string {
	secs := wall.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return fmt.Sprintf("%s: %d steps, %v simulated, %v wall, %.0f events/s, %.0f:1 simulated:wall, max RSS %d MiB, end %s",
		res.Run, res.Steps, time.Duration(res.Time).Round(time.Microsecond), wall.Round(time.Microsecond),
		float64(res.Steps)/secs, time.Duration(res.Time).Seconds()/secs, ru.Maxrss/1024, res.Reason)
}
