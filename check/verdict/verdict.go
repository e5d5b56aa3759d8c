// Package verdict turns client histories into verdict records: it runs the
// linearizability checker on each run's history and, when a run fails,
// builds a witness a person can follow: the smallest failing prefix, the
// operation that could not be placed, and the states the model could have
// been in just before it.
package verdict

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/formats"
)

// Checker is the value of the verdict's "checker" field.
const Checker = "check"

// Anomalies.
const (
	NotLinearizable = "not linearizable"
	BudgetRanOut    = "search budget ran out"
)

// Witness explains a failing run (the verdict's "witness" field).
type Witness struct {
	// Key is the key whose operations fail, for a model split by key (kv):
	// the rest of the witness is about that key's operations alone.
	Key json.RawMessage `json:"key,omitempty"`
	// PrefixEndStep is the step of the completion that ends the smallest
	// prefix of the run's history that is not linearizable.
	PrefixEndStep int64 `json:"prefix_end_step"`
	// Failed is the operation completing there, which could not be placed.
	Failed Op `json:"failed"`
	// States are the states the model could have been in just before
	// Failed; its output fits none of them.
	States []linear.State `json:"states"`
	// Ops are the operations of the prefix, in invocation order.
	Ops []Op `json:"ops"`
	// Explanation says the same in one sentence.
	Explanation string `json:"explanation"`
}

// Op is an operation as a witness shows it.
type Op struct {
	Client int `json:"client"`
	// Status is ok or info as in the history, or pending for an operation
	// that completed only after the prefix ends: within the prefix its
	// outcome is unknown.
	Status       string          `json:"status"`
	Op           json.RawMessage `json:"op"`
	Reply        json.RawMessage `json:"reply,omitempty"`
	Error        string          `json:"error,omitempty"`
	InvokeStep   int64           `json:"invoke_step"`
	CompleteStep *int64          `json:"complete_step,omitempty"`
}

// Result is the verdict for one run, and for a run that is not valid a
// one-line summary for people ("" otherwise).
type Result struct {
	Verdict formats.Verdict
	Summary string
	// Witness is the verdict's witness, decoded (nil when there is none).
	Witness *Witness
}

// Valid reports whether the verdict holds (Valid is exactly true).
func (r Result) Valid() bool { return r.Verdict.Valid == true }

// Check checks one run's history against the model called name.
func Check(name string, m linear.Model, h history.History, opt linear.Options) Result {
	ops := make([]linear.Operation, len(h.Ops))
	for i, o := range h.Ops {
		ops[i] = linear.Operation{Client: o.Client, Input: o.Input, Output: o.Output, Call: o.Call, Return: o.Return}
	}
	v := formats.Verdict{Type: formats.TypeVerdict, Run: h.Run, Checker: Checker, Model: name, Valid: true}
	switch linear.Check(m, ops, opt) {
	case linear.Ok:
		return Result{Verdict: v}
	case linear.Unknown:
		v.Valid = formats.Unknown
		v.Anomaly = BudgetRanOut
		why := fmt.Sprintf("the search budget (%d steps) ran out", opt.Budget)
		if opt.Budget == 0 {
			why = "the time limit (--timeout) ran out"
		}
		return Result{Verdict: v, Summary: fmt.Sprintf("%s: unknown: %s", runName(h.Run), why)}
	}
	v.Valid = false
	v.Anomaly = NotLinearizable
	ex := linear.Explain(m, ops, opt)
	if ex == nil {
		// The budget ran out while looking for the smallest prefix.
		return Result{Verdict: v, Summary: fmt.Sprintf("%s: %s", runName(h.Run), NotLinearizable)}
	}
	w := witness(name, m, h, ops, ex)
	raw, err := json.Marshal(w)
	if err != nil {
		panic(err) // witnesses are plain data
	}
	v.Witness = raw
	return Result{Verdict: v, Summary: fmt.Sprintf("%s: %s: %s", runName(h.Run), NotLinearizable, w.Explanation), Witness: &w}
}

func runName(run string) string {
	if run == "" {
		return `run ""`
	}
	return run
}

func witness(name string, m linear.Model, h history.History, ops []linear.Operation, ex *linear.Explanation) Witness {
	failed := h.Ops[ex.Op]
	end := failed.Complete.Step
	w := Witness{PrefixEndStep: end, Failed: op(failed, ex.End), States: ex.States}
	object := "the " + name
	if ex.Key != "" {
		w.Key = json.RawMessage(ex.Key)
		object = fmt.Sprintf("key %s of the %s", ex.Key, name)
	}
	if w.States == nil {
		w.States = []linear.State{}
	}
	for _, i := range ex.Ops {
		w.Ops = append(w.Ops, op(h.Ops[i], ex.End))
	}
	states := make([]string, len(ex.States))
	for i, s := range ex.States {
		states[i] = describeState(m, s)
	}
	what := describeOp(m, ops[ex.Op])
	w.Explanation = fmt.Sprintf("%s by c%d (invoked at step %d, %s at step %d) fits no state %s could have been in just before it",
		what, failed.Client, failed.Invoke.Step, failed.Status, end, object)
	if len(states) > 0 {
		w.Explanation += ": " + strings.Join(states, " or ")
	}
	w.Explanation += fmt.Sprintf(" (smallest failing prefix: %d operations up to step %d)", len(ex.Ops), end)
	return w
}

func op(o history.Op, end int) Op {
	w := Op{Client: o.Client, Status: o.Status, Op: o.Op, Reply: o.Reply, Error: o.Error, InvokeStep: o.Invoke.Step}
	if o.Complete != nil {
		step := o.Complete.Step
		w.CompleteStep = &step
	}
	if o.Return != history.Infinity && o.Return > end {
		w.Status = "pending"
	}
	return w
}

func describeOp(m linear.Model, o linear.Operation) string {
	if m.DescribeOp == nil {
		return fmt.Sprintf("%v → %v", o.Input, o.Output)
	}
	return m.DescribeOp(o.Input, o.Output)
}

func describeState(m linear.Model, s linear.State) string {
	if m.DescribeState == nil {
		return fmt.Sprint(s)
	}
	return m.DescribeState(s)
}
