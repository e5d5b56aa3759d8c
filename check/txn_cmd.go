package main

// The transactional models, list-append and rw-register, checked by
// check/elle against the level --consistency names.

import (
	"io"
	"strings"

	"github.com/detsys/detsys/check/elle"
	"github.com/detsys/detsys/internal/cli"
)

type txnOptions struct {
	Consistency string `long:"consistency" value-name:"LEVEL" default:"strict-serializable" description:"list-append, rw-register: read-committed, snapshot-isolation, serializable or strict-serializable"`
}

var txnOpts txnOptions

const txnModels = `
Transactional models (Maelstrom's txn bodies; values unique per key):
  list-append  {"type":"txn","txn":[["append",1,3],["r",1,null]]}, replies
               {"type":"txn_ok","txn":[["append",1,3],["r",1,[1,2,3]]]}.
  rw-register  {"type":"txn","txn":[["w",1,3],["r",2,null]]}, replies
               {"type":"txn_ok","txn":[["w",1,3],["r",2,5]]}.
  They are checked Elle's way: a dependency graph (ww, wr, rw, and
  real-time order for strict-serializable) whose cycles are anomalies:
  G0, G1c, G-single, G2, plus G1a (aborted read), G1b (intermediate
  read) and internal inconsistency. --consistency says which count:
  read-committed: G0, G1a, G1b, G1c; snapshot-isolation: also internal
  and G-single; serializable: also G2; strict-serializable (the default):
  also those cycles through real-time order (G0-realtime, …). The
  witness is each cycle, with each edge's kind and why it is there.
`

func init() {
	checkers["list-append"] = checkTxn("list-append", elle.ListAppend)
	checkers["rw-register"] = checkTxn("rw-register", elle.RWRegister)
	// The flag joins check's options, and the models its help.
	command.Opts = &struct {
		Linear *options
		Txn    *txnOptions
	}{&opts, &txnOpts}
	command.Long = strings.Replace(command.Long, "\nExamples:", txnModels+"\nExamples:", 1)
}

func checkTxn(model string, kind elle.Kind) func(o *cli.IO, files []string) error {
	return func(o *cli.IO, files []string) error {
		if !elle.ValidLevel(txnOpts.Consistency) {
			return cli.Usagef("--consistency %q: unknown level (levels: %s)", txnOpts.Consistency, strings.Join(elle.Levels, ", "))
		}
		r := elle.NewReader(kind)
		if err := cli.EachInput(o, files, func(in io.Reader, file string) error { return r.Read(in, file) }); err != nil {
			return err
		}
		vs := newVerdicts(o)
		for _, h := range r.Histories() {
			res, err := elle.Check(kind, h, txnOpts.Consistency)
			if err != nil {
				return err
			}
			summary, notes := "", res.Notes
			if res.Unknown || !res.Valid {
				summary = res.Summary()
			}
			if res.Unknown {
				notes = nil // the summary says what ran out
			}
			if err := vs.add(res.Verdict(model), summary, notes); err != nil {
				return err
			}
		}
		return vs.close()
	}
}
