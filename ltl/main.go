// Command ltl checks temporal properties of detsys runs: white-box
// formulas over the global state (every node's state after each step)
// and the events that led to it, on finite traces (LTLf), and writes one
// verdict record per run and formula.
//
//	gen register | sched --seed 9 --exec sut-register | ltl '[] (state.register1.value == state.register2.value)'
//
// The language is in package ltl/formula, the one-pass evaluator (formula
// progression) in ltl/eval, the positions built from trace records in
// ltl/trace, and the verdicts and their text form in ltl/report.
package main

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/ltl/eval"
	"github.com/detsys/detsys/ltl/formula"
	"github.com/detsys/detsys/ltl/report"
)

type options struct {
	Files  []string `short:"f" long:"file" value-name:"FILE" description:"read the formulas from FILE, one a line ('#' starts a comment); may be repeated; then every argument is a trace"`
	Format string   `long:"format" choice:"ndjson" choice:"text" default:"ndjson" description:"ndjson: one verdict record per run and formula, for tools; text: the verdicts and reasons laid out for people"`
}

var opts options

var command = cli.Command{
	Name:  "ltl",
	Usage: "[OPTIONS] FORMULA [TRACE...]  |  ltl [OPTIONS] -f FILE [TRACE...]",
	Long: `
Check temporal formulas on detsys runs and write one verdict record per run
and formula to stdout. Reads the TRACEs, or stdin if there are none or TRACE
is "-"; several runs may be concatenated (records are grouped by "run").

A formula is evaluated on the steps of a run (every step record but "end"):
  state.NODE.field   NODE's state after the step (gjson path: .0 index,
                     .# length, .#.f every element's f; state[n] computed)
  prev.NODE.field    NODE's state before the step
  event.type, event.from, event.to, event.node, event.body.type, event.timer,
  event.client, event.op ...   the step's record itself
  at, step           simulated time (ns; write 10s, 500ms) and step number
  crashed, nodes     arrays: the nodes down after the step; all nodes
Missing paths are null. Values: JSON literals, + - * / %, len(x).
Comparisons: == != < <= > >= in. Connectives: ! && || -> <->.
Quantifiers (take all to their right):
  forall n: F   exists n: F   forall i in 0..3: F   exists x in VALUE: F
Temporal, on finite traces (LTLf):
  [] F     always                   <> F    eventually
  X F      next: a next step exists and F holds there (false at the last step)
  WX F     weak next (true at the last step; "!X true" marks the last step)
  F U G    until                    F W G   weak until (or F to the end)
  F R G    release
  <>[<=10s] F, [][<=10s] F   over the steps within 10s of simulated time
                             ([<10s]: strictly within)
The prefix operators bind tighter than && and ||: write [] (p -> <> q).
A crashed node keeps its last state until it restarts; "crashed" says it
is down. See README.md for the details.

A failing verdict's witness names the step where the formula broke, the
event there and the atoms (state formulas) it looked at, with the values of
their paths; for an eventuality unmet at the end, the obligations still open
and the last step examined. A passing verdict says at which step it was
settled (where an eventuality held), or that it held over all steps.

Examples:
  ltl '[] (state.register1.value == state.register2.value)' run.ndjson
  ltl '[] (event.type == "invoke" -> <>[<=1s] event.type == "ok")' run.ndjson
  ltl 'forall n: [] (len(state[n].log) <= 100)' run.ndjson
  ltl --format text -f props.ltl run.ndjson
  gen register | sched --seed 9 --exec sut-register | ltl -f props.ltl

Exit codes:
  0  every formula holds on every run
  1  some formula fails on some run
  2  usage: bad flags, no formula
  3  malformed input (file:line) or a formula that does not parse or does
     not fit the run (line:column, with a caret under the place)
  4  nothing failed, but some run had no steps (valid "unknown")
  5  internal or I/O error`,
	Opts: &opts,
	Run:  run,
}

func main() { cli.Main(command) }

func run(o *cli.IO, args []string) error {
	var fs []eval.Formula
	if len(opts.Files) > 0 {
		for _, name := range opts.Files {
			more, err := readFormulas(name)
			if err != nil {
				return err
			}
			fs = append(fs, more...)
		}
		if len(fs) == 0 {
			return cli.Errorf(formats.ExitBadInput, "%s: no formula in the file(s)", strings.Join(opts.Files, ", "))
		}
	} else {
		if len(args) == 0 {
			return cli.Usagef("missing FORMULA (or -f FILE)")
		}
		f, err := parse(args[0], "formula")
		if err != nil {
			return err
		}
		fs, args = []eval.Formula{f}, args[1:]
	}

	c := eval.NewChecker(fs)
	if err := cli.EachInput(o, args, c.Read); err != nil {
		return err
	}
	vs := c.Verdicts()
	code := formats.ExitOK
	for _, v := range vs {
		switch {
		case v.Valid == false:
			code = formats.ExitViolation
			if opts.Format != "text" {
				o.Warnf("%s", report.Summary(v))
			}
		case v.Valid == formats.Unknown && code == formats.ExitOK:
			code = formats.ExitInconclusive
		}
	}
	if opts.Format == "text" {
		if err := report.WriteText(o.Stdout, vs); err != nil {
			return err
		}
	} else {
		w := formats.NewWriter(o.Stdout)
		for _, v := range vs {
			if err := w.Write(report.Record(v)); err != nil {
				return err
			}
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if code != formats.ExitOK {
		return cli.Exit(code)
	}
	return nil
}

// parse parses one formula; origin names it in messages: "formula", or
// FILE:LINE for a line of a file, where the formula's own line (always 1)
// is left out of the position.
func parse(src, origin string) (eval.Formula, error) {
	e, err := formula.Parse(src)
	if err != nil {
		var fe *formula.Error
		if errors.As(err, &fe) {
			return eval.Formula{}, cli.Errorf(formats.ExitBadInput, "%s: %s\n%s", eval.Position(origin, fe), fe.Msg, fe.Caret())
		}
		return eval.Formula{}, err
	}
	return eval.Formula{Src: formula.StripComments(src), Origin: origin, Expr: e}, nil
}

// readFormulas reads a file of formulas, one a line; blank lines and
// lines that are only a comment are skipped.
func readFormulas(name string) ([]eval.Formula, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, cli.Errorf(formats.ExitBadInput, "%v", err)
	}
	var fs []eval.Formula
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f, err := parse(line, name+":"+strconv.Itoa(i+1))
		if err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return fs, nil
}
