// Command check decides whether the client histories in detsys traces are
// linearizable with respect to a model of the object under test, and
// writes one verdict record per run.
//
//	gen register | sched --seed 7 --exec sut-register | check register
//
// The histories are the invoke/ok/fail/info records of each run (other
// records are skipped), in the order they appear. A failing run's verdict
// carries a witness: the smallest prefix of its history that cannot be
// linearized, the operation that could not be placed, and the states the
// model could have been in just before it. The work is done by the
// packages check/history (reading), check/linear (the search) and
// check/verdict (verdicts and witnesses).
package main

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/check/verdict"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

type options struct {
	Budget    int           `long:"budget" value-name:"STEPS" description:"give up on a run after STEPS search steps: its verdict is valid \"unknown\" (0: no limit)"`
	MaxStates int           `long:"max-states" value-name:"N" description:"the same bound as --budget, by the name Jepsen users know: at most N search states per run"`
	Timeout   time.Duration `long:"timeout" value-name:"D" description:"give up on a run after D of wall time (linearizability models): valid \"unknown\", exit 4 (0: no limit)"`
	Format    string        `long:"format" choice:"ndjson" choice:"table" default:"ndjson" description:"ndjson: one verdict record per run, for tools; table: the verdicts and witnesses laid out for people"`
}

var opts options

var command = cli.Command{
	Name:  "check",
	Usage: "[OPTIONS] MODEL [FILE...]",
	Long: `
Check each run's client history (or, for the end-state models, its nodes'
final states) against MODEL, and write one verdict record per run to stdout. Reads the FILEs, or stdin if
there are none or FILE is "-"; several runs may be concatenated.

Models:
  register      one integer register, initially null. {"type":"write","value":3}
                sets it; {"type":"read"} returns it in the reply's "value".
  cas-register  register with compare-and-set: {"type":"cas","from":1,"to":2}.
                A cas refused with error 22 (precondition-failed) saw a value
                other than "from", one refused with error 20 (key-does-not-exist)
                saw null: such fail records count as observations.
  kv, lin-kv    Maelstrom's lin-kv: a map of cas-registers, every op with a
                "key" ({"type":"read","key":"x"}); a read refused with error 20
                read null. Checked key by key; a witness names the key.

An ok operation took effect between its invoke and its ok; a fail operation
did not take effect; an info operation (unknown outcome) may have taken
effect at any time after its invoke, or never. An operation with no
completion when the input ends counts as info.

A failing verdict carries a witness: the smallest prefix of the history that
cannot be linearized, the operation that could not be placed, the states the
model could have been in just before it, and the prefix's operations. A
one-line summary of each failing run also goes to stderr.

Examples:
  gen register | sched --seed 7 --exec sut-register | check register
  check register run.ndjson
  cat a.ndjson b.ndjson | check register -
  check register run.ndjson | jq -r .witness.explanation
  check --format table kv run.ndjson

Exit codes:
  0  every run holds
  1  some run does not hold (not linearizable, an anomaly, a property broken)
  2  usage: bad flags, or an unknown model
  3  malformed input (file:line in the message)
  4  no run failed, but the search budget ran out on some run
  5  internal or I/O error`,
	Opts: &opts,
	Run:  run,
}

func main() { cli.Main(command) }

// checkers are the models that are not linearizability models (the
// transactional and set-like checkers): each file that adds one registers
// it here from an init function, with its own run function.
var checkers = map[string]func(o *cli.IO, files []string) error{}

// modelNames lists every model, sorted.
func modelNames() []string {
	names := linear.ModelNames()
	for n := range checkers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func run(o *cli.IO, args []string) error {
	if len(args) == 0 {
		return cli.Usagef("missing MODEL (models: %s)", strings.Join(modelNames(), ", "))
	}
	name := args[0]
	if c, ok := checkers[name]; ok {
		return c(o, args[1:])
	}
	m, ok := linear.Models[name]
	if !ok {
		return cli.Usagef("unknown model %q (models: %s)", name, strings.Join(modelNames(), ", "))
	}
	r := history.NewReader(history.Decoder{Input: m.ParseInput, Output: m.ParseOutput, Failure: m.ParseFailure})
	err := cli.EachInput(o, args[1:], func(in io.Reader, file string) error { return r.Read(in, file) })
	if err != nil {
		return err
	}

	w := formats.NewWriter(o.Stdout)
	code := formats.ExitOK
	for _, h := range r.Histories() {
		lo := linear.Options{Budget: opts.Budget}
		if opts.MaxStates > 0 && (lo.Budget == 0 || opts.MaxStates < lo.Budget) {
			lo.Budget = opts.MaxStates
		}
		if opts.Timeout > 0 {
			lo.Deadline = time.Now().Add(opts.Timeout)
		}
		res := verdict.Check(name, m, h, lo)
		if opts.Format == "table" {
			if err := verdict.WriteTable(o.Stdout, res, res.Witness); err != nil {
				return err
			}
		} else if err := w.Write(res.Verdict); err != nil {
			return err
		}
		if res.Summary != "" && opts.Format != "table" {
			o.Warnf("%s", res.Summary)
		}
		switch {
		case res.Verdict.Valid == false:
			code = formats.ExitViolation
		case !res.Valid() && code == formats.ExitOK:
			code = formats.ExitInconclusive
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if code != formats.ExitOK {
		return cli.Exit(code)
	}
	return nil
}
