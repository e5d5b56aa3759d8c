package html

import (
	"bytes"
	"slices"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// witness is what the failing verdicts of a run point at.
type witness struct {
	steps []int // rows named by a failing verdict, increasing
	focus int   // the row to open at: where the run first went wrong; -1 none
}

// readVerdict keeps a verdict about this run and, when it fails, marks the
// operations and steps its witness names. Witnesses differ by checker, so
// they are read by their conventions rather than their shapes: an object
// with an "invoke_step" is an operation of the history (under "failed":
// the one that could not be placed), and a number named "step" or
// "…_step" is a step of the run.
func (t *trace) readVerdict(l formats.Line) error {
	rec := gjson.ParseBytes(l.Data)
	if r := rec.Get("run").Str; r != "" && t.runID != "" && r != t.runID {
		return nil // about another run
	}
	t.verdicts = append(t.verdicts, bytes.Clone(l.Data))
	if v := rec.Get("valid"); v.Type != gjson.False {
		return nil
	}
	opAt := map[int64]int{} // invoke row → op
	for i := 0; i < len(t.ops); i += opStride {
		opAt[t.ops[i+opInvoke]] = i / opStride
	}
	rows := map[int]bool{}
	focus := -1 // the first "…_step" that is not an operation's, in file order
	failed := -1
	var walk func(key string, v gjson.Result)
	walk = func(key string, v gjson.Result) {
		switch {
		case v.IsObject():
			if inv := v.Get("invoke_step"); inv.Type == gjson.Number {
				if r := t.exactRow(inv.Int()); r >= 0 {
					if i, ok := opAt[int64(r)]; ok {
						w := &t.ops[i*opStride+opWitness]
						if key == "failed" {
							*w = 2
							failed = i
						} else if *w == 0 {
							*w = 1
						}
					}
				}
			}
			v.ForEach(func(k, c gjson.Result) bool {
				if k.Str == "invoke_step" || k.Str == "complete_step" {
					if r := t.exactRow(c.Int()); c.Type == gjson.Number && r >= 0 {
						rows[r] = true
					}
					return true
				}
				walk(k.Str, c)
				return true
			})
		case v.IsArray():
			v.ForEach(func(_, c gjson.Result) bool {
				walk("", c)
				return true
			})
		case v.Type == gjson.Number && (key == "step" || strings.HasSuffix(key, "_step")):
			if r := t.exactRow(v.Int()); r >= 0 {
				rows[r] = true
				if focus < 0 {
					focus = r
				}
			}
		}
	}
	walk("", rec.Get("witness"))
	if focus < 0 && failed >= 0 {
		if c := t.ops[failed*opStride+opComplete]; c >= 0 {
			focus = int(c)
		}
	}
	for r := range rows {
		t.witness.steps = append(t.witness.steps, r)
	}
	slices.Sort(t.witness.steps)
	t.witness.steps = slices.Compact(t.witness.steps)
	if focus < 0 && len(t.witness.steps) > 0 {
		focus = t.witness.steps[0]
	}
	if t.witness.focus < 0 || (focus >= 0 && focus < t.witness.focus) {
		t.witness.focus = focus
	}
	return nil
}

// rowAtOrAfter is the row of the first step at or after step number s,
// or the last row.
func (t *trace) rowAtOrAfter(s int64) int {
	i := sort.Search(len(t.stepNos), func(i int) bool { return t.stepNos[i] >= s })
	return min(i, len(t.stepNos)-1)
}

// exactRow is the row of step number s, or -1 if the trace has no such step.
func (t *trace) exactRow(s int64) int {
	i := sort.Search(len(t.stepNos), func(i int) bool { return t.stepNos[i] >= s })
	if i < len(t.stepNos) && t.stepNos[i] == s {
		return i
	}
	return -1
}
