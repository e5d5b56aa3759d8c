// Diverge compares two traces record by record and reports the first
// record where they differ: both records, the JSON paths of the fields that
// differ, and the records before it. Running the same test with the same
// seed twice and diverging is how non-determinism in a system under test
// is found (sched --check-determinism N does it for you).
//
//	sched --seed 7 --exec sut-x < t.ndjson > a.ndjson
//	sched --seed 7 --exec sut-x < t.ndjson > b.ndjson
//	diverge a.ndjson b.ndjson
//
// The work is done by diverge/compare, which streams both files.
package main

import (
	"io"
	"os"

	"github.com/detsys/detsys/diverge/compare"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

type options struct {
	Context int    `long:"context" short:"C" value-name:"N" description:"records before the divergence to show" default:"3"`
	Strict  bool   `long:"strict" description:"compare every field: the run id and the executor build count too"`
	Format  string `long:"format" choice:"ndjson" choice:"text" default:"ndjson" description:"ndjson: one divergence (or identical) record, for tools; text: laid out for people"`
}

var opts options

var command = cli.Command{
	Name:  "diverge",
	Usage: "[OPTIONS] A B",
	Long: `
Compare the traces A and B (files; one of them may be "-" for stdin) record
by record, and write the first record where they differ:

  {"type":"divergence","reason":"differ","record":7,"step":6,
   "fields":["sends[0].body.shard",...],"a":{"file":"a.ndjson","line":7,"record":{...}},
   "b":{...},"context":[...the 3 records before...],"debug":["debug --at 6 a.ndjson",...]}

or {"type":"identical","records":N} when there is none. When one trace is a
prefix of the other, reason is "a_ended" or "b_ended" and that side has
"ended":true and no record.

Not compared, unless --strict: the "run" field of every record (it names the
run) and the run record's "exec" (the executor build, so that two builds of
a system can be compared). Everything else counts, the run record's test,
seed, faults, options and nodes included. Field paths go into state, body
and sends: "state.pending[1].sent", "sends[0].to", and ["odd key"] for keys
that are not identifiers. Fields that differed but did not count are listed
in "ignored".

Records whose bytes are equal are not parsed, which is what makes diverge
run at the speed of reading the files.

Examples:
  diverge a.ndjson b.ndjson
  diverge --format text --context 5 a.ndjson b.ndjson
  sched --seed 3 --exec sut-x < t.ndjson | diverge golden.ndjson -
  sched --check-determinism 5 --seed 3 --exec sut-x < t.ndjson > /dev/null

Exit codes:
  0  identical
  1  diverged (or one trace is a prefix of the other)
  2  usage
  3  malformed input (file:line in the message)
  5  I/O error`,
	Opts: &opts,
	Run:  run,
}

func main() { cli.Main(command) }

func run(o *cli.IO, args []string) error {
	if len(args) != 2 {
		return cli.Usagef("give two traces, A and B (got %d)", len(args))
	}
	if args[0] == "-" && args[1] == "-" {
		return cli.Usagef("only one of A and B can be stdin")
	}
	if opts.Context < 0 {
		return cli.Usagef("--context %d: must not be negative", opts.Context)
	}
	var in [2]compare.Input
	for i, name := range args {
		in[i] = compare.Input{R: o.Stdin, Name: name}
		if name == "-" {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return cli.Errorf(formats.ExitBadInput, "%v", err)
		}
		defer f.Close()
		in[i].R = f
	}
	d, same, err := compare.Compare(in[0], in[1], compare.Options{Context: opts.Context, Strict: opts.Strict})
	if err != nil {
		return err
	}
	if err := write(o.Stdout, d, same); err != nil {
		return err
	}
	if d != nil {
		return cli.Exit(formats.ExitViolation)
	}
	return nil
}

func write(w io.Writer, d *formats.Divergence, same *formats.Identical) error {
	if opts.Format == "text" {
		return compare.WriteText(w, d, same)
	}
	out := formats.NewWriter(w)
	var err error
	if d != nil {
		err = out.Write(d)
	} else {
		err = out.Write(same)
	}
	if err != nil {
		return err
	}
	return out.Flush()
}
