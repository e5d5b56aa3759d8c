package main

// The set-like models, set, counter and broadcast, checked by check/sets.

import (
	"io"
	"strings"

	"github.com/detsys/detsys/check/sets"
	"github.com/detsys/detsys/internal/cli"
)

const setModels = `
Set-like models (Maelstrom's workloads):
  set          a grow-only set: {"type":"add","element":3}, {"type":"read"} →
               {"type":"read_ok","value":[1,3]}. Every add acknowledged
               before a read began is in it (else lost); nothing is read
               that no add tried (else unexpected).
  counter      g-counter or pn-counter: {"type":"add","delta":2}, a read's
               "value" lies between the acknowledged adds completed before
               it began and every add invoked before it completed.
  broadcast    {"type":"broadcast","message":3}, {"type":"read"} →
               {"type":"read_ok","messages":[1,3]} ("topology" is skipped):
               the last read of each node still up at the end holds every
               message acknowledged before it began.
`

func init() {
	checkers["set"] = checkSets("set", sets.Set, sets.CheckSet)
	checkers["counter"] = checkSets("counter", sets.Counter, sets.CheckCounter)
	checkers["broadcast"] = checkSets("broadcast", sets.Broadcast, sets.CheckBroadcast)
	command.Long = strings.Replace(command.Long, "\nExamples:", setModels+"\nExamples:", 1)
}

func checkSets(model string, wl sets.Workload, check func(sets.History) sets.Result) func(o *cli.IO, files []string) error {
	return func(o *cli.IO, files []string) error {
		r := sets.NewReader(wl)
		if err := cli.EachInput(o, files, func(in io.Reader, file string) error { return r.Read(in, file) }); err != nil {
			return err
		}
		vs := newVerdicts(o)
		for _, h := range r.Histories() {
			res := check(h)
			summary := ""
			if !res.Valid {
				summary = res.Summary()
			}
			if err := vs.add(res.Verdict(model), summary, res.Notes); err != nil {
				return err
			}
		}
		return vs.close()
	}
}
