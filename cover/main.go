// Cover reports what a set of runs exercised: message kinds sent,
// delivered and dropped; faults injected and what they did; distinct states
// per node and how their number grew run after run; client operation
// outcomes; and, for executors built with "go build -cover", Go code
// coverage merged over all runs by the Go toolchain.
//
//	scripts/sweep -n 100 t.ndjson -- --exec sut-register --drop 0.1
//	cover sweep-out/*.ndjson
//
// The work is done by cover/report.
package main

import (
	"io"

	"github.com/detsys/detsys/cover/page"
	"github.com/detsys/detsys/cover/report"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

type options struct {
	Format     string   `long:"format" choice:"table" choice:"json" default:"table" description:"table: one table per section, for people; json: NDJSON, one {\"type\":\"cover\",\"section\":…} record per section"`
	GoCoverDir []string `long:"gocoverdir" value-name:"DIR" description:"also report Go code coverage from this GOCOVERDIR (repeatable), merged by go tool covdata"`
	Go         string   `long:"go" value-name:"CMD" description:"the go command that runs covdata" default:"go"`
	HTML       string   `long:"html" value-name:"FILE" description:"write one self-contained web page to FILE (- for stdout) instead: the state-growth curve drawn, and every section as a table"`
}

var opts options

var command = cli.Command{
	Name:  "cover",
	Usage: "[OPTIONS] [TRACE...]",
	Long: `
Read traces (files, or stdin if there are none or TRACE is "-"; with
--gocoverdir and no TRACE, no traces are read and only the code section is
written) and report what they exercised, section by section:

  runs      runs, distinct tests and seeds, step records
  messages  per (from, to, body type): sent, delivered, dropped; the kinds
            never delivered and never dropped. Clients are one name, c*.
            A reply that reached its client (ok/fail/info with "from")
            counts as delivered.
  faults    fault kinds in the run records' fault sets (runs, faults);
            fault events in the traces (drop:REASON, crash, restart, panic);
            distinct fault sets (a set: order does not matter); per node,
            the runs in which it crashed, restarted, panicked or was
            partitioned; and when the input has ldfi's records (its
            {"type":"faults"} suggestions or {"type":"certified"}), how
            much of its failure specification's fault space is ruled out
  states    distinct states per node (a hash of the state's bytes), and the
            growth curve: distinct states after each run, in input order,
            in all and per node (nodes[].curve).
            A flat tail ("no new state in the last K runs") says that more
            runs of the same kind will not find new states. A run given
            twice (the same run id) counts twice, the second as ID#N.
  ops       client operations per type: invoked, ok, fail, info
  code      with --gocoverdir: statement coverage per package and function

--html FILE writes the report as one self-contained web page instead (no
script, no network): the state-growth curve drawn as SVG, one line per
node and one for all nodes, its flat tail shaded with "more seeds will not
help" when no new state came in the last runs (at least 3, and a quarter of
them), then every section as a table. The same curve shows in debug
--html's page when cover's states record follows the trace there.

Code coverage: build the executor with go build -cover and set GOCOVERDIR
for the runs (sched passes its environment on to the executor):

  go build -cover -o bin/sut-register-cov ./exec/examples/register
  mkdir cov; for s in 1 2 3; do
    GOCOVERDIR=cov sched --seed $s --exec sut-register-cov t.ndjson > run$s.ndjson
  done
  cover --gocoverdir cov run*.ndjson

Every package built with coverage is reported (go build -cover instruments
the main module's packages: the SUT, and detsys's exec and formats); to see
only the SUT's, build with -coverpkg=./exec/examples/register/...

Examples:
  cover run.ndjson
  cat runs/*.ndjson | cover --format json | jq 'select(.section=="states") | .curve'
  cover --gocoverdir cov
  cover --html coverage.html runs/*.ndjson
  { cat run.ndjson; cover --format json runs/*.ndjson; } | debug --html run.html

Exit codes:
  0  reported
  2  usage
  3  malformed input (file:line and field in the message)
  5  I/O error, or go tool covdata failed`,
	Opts: &opts,
	Run:  run,
}

func main() { cli.Main(command) }

func run(o *cli.IO, args []string) error {
	r := report.New()
	traces := len(args) > 0 || len(opts.GoCoverDir) == 0
	if traces {
		if err := cli.EachInput(o, args, r.Read); err != nil {
			return err
		}
	}
	var code *formats.CoverCode
	if len(opts.GoCoverDir) > 0 {
		c, err := report.Code(opts.Go, opts.GoCoverDir)
		if err != nil {
			return cli.Errorf(formats.ExitInternal, "%v", err)
		}
		code = &c
	}
	if !traces {
		r = nil // only the code section
	}
	if opts.HTML != "" {
		return writeHTML(o, opts.HTML, r, code)
	}
	if opts.Format == "table" {
		return report.WriteTables(o.Stdout, r, code)
	}
	w := formats.NewWriter(o.Stdout)
	if r != nil {
		for _, s := range r.Sections() {
			if err := w.Write(s); err != nil {
				return err
			}
		}
	}
	if code != nil {
		if err := w.Write(code); err != nil {
			return err
		}
	}
	return w.Flush()
}

// writeHTML writes the page to file (or stdout for "-"), through a
// temporary file beside it, so that an old page is replaced only by a
// whole new one.
func writeHTML(o *cli.IO, file string, r *report.Report, code *formats.CoverCode) error {
	return o.WriteFile(file, func(w io.Writer) error {
		if err := page.Write(w, r, code, page.Options{}); err != nil {
			return cli.Errorf(formats.ExitInternal, "%v", err)
		}
		return nil
	})
}
