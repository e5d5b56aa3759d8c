// Store keeps the detsys log, one append-only JSONL file (./detsys.jsonl,
// --log FILE or $DETSYS_LOG) that any tool can tail -f, grep or jq, and
// answers questions about it: which tests and runs it holds, with their
// verdicts, and the records of one run or test, ready to pipe into check,
// ltl, debug or diverge. The work is done by store/log (appending,
// scanning, the index, verify, merge) and store/view (the views).
package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	flags "github.com/jessevdk/go-flags"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/store/log"
	"github.com/detsys/detsys/store/view"
)

type options struct {
	Log     string `long:"log" short:"l" env:"DETSYS_LOG" default:"detsys.jsonl" value-name:"FILE" description:"the log"`
	NoIndex bool   `long:"no-index" description:"read the log by a streaming scan, without the FILE.idx index"`
}

type AppendCmd struct {
	Sync bool `long:"sync" description:"fsync the log before returning: the records survive a power cut"`
}

type FormatOpt struct {
	Format string `long:"format" choice:"table" choice:"ndjson" default:"table" description:"table for people, ndjson for tools"`
}

type RunsCmd struct {
	FormatOpt
	Test string `long:"test" value-name:"ID" description:"only the runs of this test"`
}

type GetCmd struct {
	Test string  `long:"test" value-name:"ID" description:"instead of one run: the test ID and all its runs (trace and verdicts), in log order"`
	Seed *uint64 `long:"seed" value-name:"N" description:"with --test: only the runs with seed N"`
}

type ViewCmd struct {
	Format string `long:"format" choice:"ndjson" choice:"table" default:"ndjson" description:"ndjson (ready for check, debug, …) or a table for people"`
}

type TailCmd struct {
	Lines  int  `long:"lines" short:"n" default:"10" value-name:"N" description:"how many of the last records to show"`
	Follow bool `long:"follow" short:"f" description:"then show records as they are appended, until interrupted"`
}

type VerifyCmd struct {
	Repair bool `long:"repair" description:"truncate a torn tail (the only thing store ever changes in a log)"`
}

type commands struct {
	Append  AppendCmd
	Tests   FormatOpt
	Runs    RunsCmd
	Get     GetCmd
	History ViewCmd
	Network ViewCmd
	Tail    TailCmd
	Verify  VerifyCmd
}

var (
	opts   options
	cmds   commands
	parser *flags.Parser
)

const long = `
Store keeps the detsys log: one append-only JSONL file (default ./detsys.jsonl,
or --log FILE, or $DETSYS_LOG) that any tool can tail -f, grep or jq.

Commands:
  append [FILE...]     append records from the FILEs or stdin. Each input is
                       checked first: a line that is not a JSON object refuses
                       it (file:line, exit 3) and nothing of it is written.
                       Concurrent appenders never interleave (each input is
                       written whole under a flock on the log); --sync fsyncs
                       before returning.
  tests                the tests in the log: workload, nodes, ops, runs, and
                       how many runs some checker found invalid.
  runs [--test ID]     the runs: test, seed, faults, steps, simulated time,
                       how the run ended and every checker's verdict.
  get RUN|TEST         the records of one run (trace and verdicts) or test
                       (test and ops), in log order.
  get --test ID [--seed N]
                       the test and every run of it (of seed N), trace and
                       verdicts, in log order: what ldfi reads, at the cost
                       of those runs, not of the log.
  history RUN          the run's client history (invoke/ok/fail/info).
  network RUN          the run's message trace (deliver/drop, without states).
  tail [-n N] [-f]     the last N records; -f: then follow the log.
  verify [--repair]    check every line; find a torn tail (left by a killed
                       appender) or a corrupt line and say where. --repair
                       truncates a torn tail, and nothing else.
  merge LOG...         combine logs (from several machines) on stdout, each
                       record once: ids are content hashes.

An index, FILE.idx, is kept next to the log and brought up to date by the
commands that read: it is rebuilt when missing or stale and never trusted
blindly. --no-index reads the log by a streaming scan instead.

Examples:
  gen register | sched --seed 7 --exec sut-register | store append
  store runs
  store runs --test t-5c1e0a9b2d71 --format ndjson | jq -r .run
  store get r-0123456789ab | check register
  store history r-0123456789ab --format table
  store merge a.jsonl b.jsonl > all.jsonl
  gen register | sched --seed 7 --exec sut-register --log detsys.jsonl   # cached

Exit codes: 0 ok · 1 get/history/network: no such run or test; verify: a
torn tail (not repaired) · 2 usage · 3 malformed input (file:line), or a
corrupt line found by verify · 5 I/O error.`

func main() {
	cli.Main(cli.Command{Name: "store", Usage: "[OPTIONS]", Long: long, Opts: &opts, Setup: setup, Run: run})
}

type usage string

func (u usage) Usage() string { return string(u) }

func setup(p *flags.Parser) {
	parser = p
	add := func(name, short string, data any) {
		if _, err := p.AddCommand(name, short, "", data); err != nil {
			panic(err)
		}
	}
	add("append", "append records to the log", &struct {
		usage
		*AppendCmd
	}{"[append-OPTIONS] [FILE...]", &cmds.Append})
	add("tests", "list the tests", &cmds.Tests)
	add("runs", "list the runs", &cmds.Runs)
	add("get", "the records of one run or test, or of a test's runs", &struct {
		usage
		*GetCmd
	}{"[get-OPTIONS] RUN|TEST | --test ID [--seed N]", &cmds.Get})
	add("history", "a run's client history", &struct {
		usage
		*ViewCmd
	}{"[history-OPTIONS] RUN", &cmds.History})
	add("network", "a run's message trace", &struct {
		usage
		*ViewCmd
	}{"[network-OPTIONS] RUN", &cmds.Network})
	add("tail", "the last records, and follow", &cmds.Tail)
	add("verify", "find torn tails and corrupt lines", &cmds.Verify)
	add("merge", "combine logs without duplicates", &struct{ usage }{"LOG..."})
}

func run(o *cli.IO, args []string) error {
	name := parser.Active.Name
	if opts.Log == "" { // $DETSYS_LOG set but empty
		opts.Log = "detsys.jsonl"
	}
	nargs := func(min, max int, what string) error {
		if len(args) < min || (max >= 0 && len(args) > max) {
			return cli.Usagef("store %s %s", name, what)
		}
		return nil
	}
	switch name {
	case "append":
		return appendRun(o, args)
	case "tests", "runs":
		if err := nargs(0, 0, "takes no arguments"); err != nil {
			return err
		}
		return list(o, name)
	case "get", "history", "network":
		if name == "get" && cmds.Get.Test != "" {
			if err := nargs(0, 0, "--test ID takes no other id"); err != nil {
				return err
			}
			return get(o, name, "")
		}
		if name == "get" && cmds.Get.Seed != nil {
			return cli.Usagef("store get: --seed needs --test")
		}
		if err := nargs(1, 1, "needs one run id (or, for get, a test id)"); err != nil {
			return err
		}
		return get(o, name, args[0])
	case "tail":
		if err := nargs(0, 0, "takes no arguments"); err != nil {
			return err
		}
		return tail(o)
	case "verify":
		if err := nargs(0, 0, "takes no arguments (the log is --log)"); err != nil {
			return err
		}
		return verify(o)
	case "merge":
		if err := nargs(1, -1, "needs the logs to merge"); err != nil {
			return err
		}
		st, err := log.Merge(args, o.Stdout)
		if err != nil {
			return err
		}
		o.Warnf("merged %d logs: %d records kept, %d duplicates dropped", len(args), st.Kept, st.Duplicates)
		if st.Torn > 0 {
			o.Warnf("%d logs had a torn tail (skipped: store verify --repair)", st.Torn)
		}
		return nil
	}
	return cli.Usagef("unknown command %q", name)
}

func appendRun(o *cli.IO, args []string) error {
	dir := filepath.Dir(opts.Log)
	var batches []*log.Batch
	defer func() {
		for _, b := range batches {
			b.Close()
		}
	}()
	err := cli.EachInput(o, args, func(r io.Reader, name string) error {
		b, err := log.ReadBatch(r, name, dir)
		if err != nil {
			return err
		}
		batches = append(batches, b)
		return nil
	})
	if err != nil {
		return err
	}
	l := &log.Log{Path: opts.Log, Sync: cmds.Append.Sync, Warn: o.Warnf}
	for _, b := range batches {
		if err := l.Append(b); err != nil {
			return cli.Errorf(formats.ExitInternal, "%v", err)
		}
	}
	return nil
}

// openIndex opens the index, or builds one in memory with --no-index.
func openIndex() (*log.Index, error) {
	if _, err := os.Stat(opts.Log); err != nil {
		return nil, missing(err)
	}
	var x *log.Index
	var err error
	if opts.NoIndex {
		x, err = log.ScanIndex(opts.Log)
	} else {
		x, err = log.OpenIndex(opts.Log, false)
	}
	if err != nil {
		return nil, cli.Errorf(formats.ExitInternal, "%v", err)
	}
	return x, nil
}

func missing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return cli.Errorf(formats.ExitBadInput, "%s: no such log (give --log FILE or set $DETSYS_LOG)", opts.Log)
	}
	return cli.Errorf(formats.ExitInternal, "%v", err)
}

func list(o *cli.IO, name string) error {
	x, err := openIndex()
	if err != nil {
		return err
	}
	format := cmds.Tests.Format
	if name == "runs" {
		format = cmds.Runs.Format
	}
	w := formats.NewWriter(o.Stdout)
	if name == "runs" {
		runs := x.Runs(cmds.Runs.Test)
		if format == "table" {
			return view.Runs(o.Stdout, runs)
		}
		for _, r := range runs {
			w.Write(r)
		}
	} else {
		tests := x.Tests()
		if format == "table" {
			return view.Tests(o.Stdout, tests)
		}
		for _, t := range tests {
			w.Write(t)
		}
	}
	return w.Flush()
}

func get(o *cli.IO, name, id string) error {
	if _, err := os.Stat(opts.Log); err != nil {
		return missing(err)
	}
	var n int
	var err error
	switch name {
	case "get":
		if id == "" {
			id = cmds.Get.Test
			n, err = log.GetOfTest(opts.Log, id, cmds.Get.Seed, !opts.NoIndex, log.Once(), o.Stdout)
			break
		}
		n, err = log.Get(opts.Log, id, !opts.NoIndex, log.Once(), o.Stdout)
	case "history", "network":
		n, err = viewRun(o, name, id)
	}
	if err != nil {
		return err
	}
	if n == 0 {
		o.Warnf("%s: no run or test %s (store runs and store tests list them)", opts.Log, id)
		return cli.Exit(formats.ExitViolation)
	}
	return nil
}

func viewRun(o *cli.IO, name, id string) (int, error) {
	keep, format := view.IsHistory, cmds.History.Format
	var table *view.Table
	if name == "network" {
		keep, format = view.IsNetwork, cmds.Network.Format
	}
	if format == "table" {
		table = view.NewHistoryTable(o.Stdout)
		if name == "network" {
			table = view.NewNetworkTable(o.Stdout)
		}
	}
	w := formats.NewWriter(o.Stdout)
	once := log.Once()
	n, err := log.Each(opts.Log, id, !opts.NoIndex, func(typ string, data []byte) error {
		switch {
		case !keep(typ, data) || !once(typ, data):
			return nil
		case table != nil:
			return table.Add(data)
		case name == "network":
			return w.WriteRaw(view.Message(data))
		}
		return w.WriteRaw(data)
	})
	if err != nil {
		return n, err
	}
	if table != nil && n > 0 {
		return n, table.Render()
	}
	return n, w.Flush()
}

func tail(o *cli.IO) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := log.Tail(ctx, opts.Log, cmds.Tail.Lines, cmds.Tail.Follow, 100*time.Millisecond, o.Stdout)
	if err != nil && !errors.Is(err, syscall.EPIPE) {
		if errors.Is(err, os.ErrNotExist) {
			return missing(err)
		}
		return cli.Errorf(formats.ExitInternal, "%v", err)
	}
	return err
}

func verify(o *cli.IO) error {
	rep, corrupt, err := log.Verify(opts.Log, cmds.Verify.Repair)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return missing(err)
		}
		return cli.Errorf(formats.ExitInternal, "%v", err)
	}
	w := formats.NewWriter(o.Stdout)
	w.Write(rep)
	if err := w.Flush(); err != nil {
		return err
	}
	for _, c := range rep.Corrupt {
		o.Warnf("%s (byte %d): corrupt line: store does not touch it; remove or fix it by hand", c.Error, c.Offset)
	}
	if corrupt > len(rep.Corrupt) {
		o.Warnf("… and %d more corrupt lines", corrupt-len(rep.Corrupt))
	}
	if t := rep.Torn; t != nil {
		if rep.Repaired {
			o.Warnf("%s:%d: torn tail of %d bytes at byte %d (left by a killed appender): truncated", opts.Log, t.Line, t.Bytes, t.Offset)
		} else {
			o.Warnf("%s:%d: torn tail of %d bytes at byte %d (left by a killed appender): store verify --repair truncates it", opts.Log, t.Line, t.Bytes, t.Offset)
		}
	}
	switch {
	case corrupt > 0:
		return cli.Exit(formats.ExitBadInput)
	case rep.Torn != nil && !rep.Repaired:
		return cli.Exit(formats.ExitViolation)
	}
	return nil
}
