package main

// The end-state models of the LDFI protocols, checked by check/endstate.

import (
	"io"
	"strings"

	"github.com/detsys/detsys/check/endstate"
	"github.com/detsys/detsys/internal/cli"
)

const endStateModels = `
End-state models (the LDFI paper's protocols, exec/examples/delivery and
exec/examples/commit; judged on the nodes' final states and on which nodes
are down at the end of the trace, as Molly judges them at the end of time):
  delivery     if a node up at the end, other than the broadcaster, logged
               a payload (state.NODE.log), every node up at the end logged
               it (Molly's deliv_assert.ded). Anomaly: undelivered.
  commit       over every node's state.NODE.decision (down or not), role,
               vote and prepared: agreement, no two nodes decided
               differently (anomaly: disagreement); validity, commit only
               if every agent voted yes (invalid); termination as Molly's
               2pc_assert.ded states it, if an agent prepared then at least
               two nodes decided (no-termination).
`

func init() {
	checkers["delivery"] = checkEndState("delivery", endstate.Delivery)
	checkers["commit"] = checkEndState("commit", endstate.Commit)
	command.Long = strings.Replace(command.Long, "\nExamples:", endStateModels+"\nExamples:", 1)
}

func checkEndState(model string, check func(*endstate.Final) (endstate.Result, error)) func(o *cli.IO, files []string) error {
	return func(o *cli.IO, files []string) error {
		r := endstate.NewReader()
		if err := cli.EachInput(o, files, func(in io.Reader, file string) error { return r.Read(in, file) }); err != nil {
			return err
		}
		vs := newVerdicts(o)
		for _, f := range r.Finals() {
			res, err := check(f)
			if err != nil {
				return err
			}
			if err := vs.add(res.Verdict(model), res.Summary(), nil); err != nil {
				return err
			}
		}
		return vs.close()
	}
}
