// Debug is a time-travelling debugger over one run of a detsys trace: a
// full-screen terminal view of the steps, a sequence diagram of the
// messages between the nodes, each node's state with what a step changed,
// the messages and the logs, moved through with a few keys.
//
//	gen register | sched --seed 9 --exec sut-register > run.ndjson
//	debug run.ndjson
//	store get RUN | debug --at 45
//
// The trace is indexed in one pass (package debug/trace), so a
// million-step run opens in about a second; the screen is package
// debug/tui. Keys come from the terminal (/dev/tty), so the trace may
// arrive on stdin.
package main

import (
	"io"
	"os"

	"golang.org/x/term"

	"github.com/detsys/detsys/debug/html"
	"github.com/detsys/detsys/debug/trace"
	"github.com/detsys/detsys/debug/tui"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

type options struct {
	At   int64  `long:"at" value-name:"STEP" default:"-1" description:"start at step STEP (the first step after it if there is none), e.g. where diverge says two runs part"`
	HTML string `long:"html" value-name:"FILE" description:"write the run as one self-contained web page to FILE (- for stdout) instead of opening it in the terminal"`
}

const long = `
Opens TRACE (a run trace as sched writes it; stdin if there is none or it
is "-") in a full-screen view of the terminal:

  steps      time, step, event, from → to; lost messages (✗) and crashes (✖)
  diagram    a lane per client and node, an arrow per message on the row
             where it arrived, ✗ where it was lost, ⊙ timers, ✖ crashes
  state      the chosen node's state after the step: ~ changed, + added,
             - removed by the step
  message    what the step consumed: the message, the operation, the timer
  sent       what the step sent, and where each message went
  logs       the node's log lines up to the step

Keys: j/k or arrows step · g/G first/last · TAB/shift-TAB pane · 1-9 node
· f from a delivery to its send (a timer to where it was set) and back ·
/TEXT search the records, n/N again ·
:STEP go to a step · ? help · q quit.

--html FILE writes the same run as one self-contained page (no network, no
files beside it): the sequence diagram, the same keys, node states with
their diffs, the client history as a timeline, a failing verdict's witness
highlighted. A CI artifact to open when a run went wrong. When cover's
states record follows the trace (cover --format json over a sweep), the
page also draws its state-growth curve.

A trace with more than one run shows the first. Verdict records on the run
(cat run.ndjson verdicts.ndjson | debug) are shown in the title line.

Examples:
  gen register | sched --seed 9 --exec sut-register > run.ndjson
  debug run.ndjson
  debug --at 45 run.ndjson
  store get RUN | debug
  cat run.ndjson <(check register run.ndjson) | debug
  cat run.ndjson <(check register run.ndjson) | debug --html run.html
  { cat run.ndjson; cover --format json runs.ndjson; } | debug --html run.html

Exit codes:
  0  quit with q
  2  usage: bad flags, more than one TRACE, no trace on a terminal
  3  malformed trace (file:line and field in the message)
  5  I/O error, or no terminal to show the run on`

func main() {
	var o options
	cli.Main(cli.Command{Name: "debug", Usage: "[OPTIONS] [TRACE]", Long: long, Opts: &o,
		Run: func(io *cli.IO, args []string) error { return run(io, &o, args) }})
}

func run(o *cli.IO, opt *options, args []string) error {
	if len(args) > 1 {
		return cli.Usagef("one trace at a time (got %d files)", len(args))
	}
	if opt.HTML != "" {
		return cli.EachInput(o, args, func(in io.Reader, name string) error { return writeHTML(o, opt, in, name) })
	}
	tr, err := load(o, args)
	if err != nil {
		return err
	}
	defer tr.Close()
	if len(tr.Steps) == 0 {
		return cli.Errorf(formats.ExitBadInput, "%s: the run has no steps", tr.File)
	}
	if err := tui.Run(tr, tui.Options{At: opt.At}); err != nil {
		return cli.Errorf(formats.ExitInternal, "no terminal to show the run on: %v", err)
	}
	return nil
}

// writeHTML writes the page for the trace read from in to opt.HTML,
// through a temporary file beside it, so that bad input leaves no page and
// an old page is replaced only by a whole new one.
func writeHTML(o *cli.IO, opt *options, in io.Reader, name string) error {
	return o.WriteFile(opt.HTML, func(w io.Writer) error {
		return html.Write(w, in, html.Options{Name: name, At: opt.At})
	})
}

// load indexes the trace named in args, or the one on stdin.
func load(o *cli.IO, args []string) (*trace.Trace, error) {
	if len(args) == 0 || args[0] == "-" {
		if f, ok := o.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			return nil, cli.Usagef("no trace: name a file, or pipe one in (debug run.ndjson, store get RUN | debug)")
		}
		return trace.Read(o.Stdin, "-")
	}
	tr, err := trace.Open(args[0])
	if err != nil {
		if _, ok := err.(*formats.InputError); !ok && os.IsNotExist(err) {
			return nil, cli.Errorf(formats.ExitBadInput, "%v", err)
		}
	}
	return tr, err
}
