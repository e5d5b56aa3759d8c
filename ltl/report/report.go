// Package report writes ltl's verdicts: as verdict records (NDJSON) for
// tools, or as text for people.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/eval"
)

// Witness is the reason carried by a verdict record.
type Witness struct {
	// Step and At: where the verdict was settled (the property broke, or
	// an eventuality was satisfied, possibly at the last step), with the
	// event of that step.
	Step  *int64 `json:"step,omitempty"`
	At    *int64 `json:"at,omitempty"`
	Event string `json:"event,omitempty"`
	// Atoms: the state formulas looked at in that step and their values.
	Atoms []eval.AtomValue `json:"atoms,omitempty"`
	// The last step examined (for an eventuality unmet at the end, the
	// last step of the run) and how many steps were.
	LastStep int64 `json:"last_step"`
	LastAt   int64 `json:"last_at"`
	Steps    int64 `json:"steps"`
	// Pending: the deadlines that passed at the step where the formula
	// broke, or the obligations still open when the run ended.
	Pending     []eval.Obligation `json:"pending,omitempty"`
	Explanation string            `json:"explanation"`
}

// Record is the verdict record of a verdict.
func Record(v eval.Verdict) formats.Verdict {
	w := Witness{
		LastStep: v.LastStep, LastAt: v.LastAt, Steps: v.Steps,
		Atoms: v.Atoms, Pending: v.Pending, Explanation: v.Explanation,
	}
	if v.Decided || v.Event != "" {
		step, at := v.Step, v.At
		w.Step, w.At, w.Event = &step, &at, v.Event
	}
	raw, err := formats.Marshal(w)
	if err != nil {
		panic(err) // plain data: cannot fail
	}
	rec := formats.Verdict{Type: formats.TypeVerdict, Run: v.Run, Checker: "ltl", Formula: v.Formula.Src, Valid: v.Valid, Witness: raw}
	if v.Valid == false {
		if v.Decided {
			rec.Anomaly = "violated"
		} else {
			rec.Anomaly = "unmet at the end"
		}
	}
	return rec
}

// Summary is a one-line account of a failing verdict, for stderr.
func Summary(v eval.Verdict) string {
	return fmt.Sprintf("%s: %s: %s", v.Run, v.Formula.Src, v.Explanation)
}

// WriteText writes verdicts for people: per run, each formula with its
// verdict and reason.
func WriteText(w io.Writer, vs []eval.Verdict) error {
	var b strings.Builder
	run := ""
	for i, v := range vs {
		if i == 0 || v.Run != run {
			if i > 0 {
				b.WriteByte('\n')
			}
			run = v.Run
			fmt.Fprintf(&b, "run %s\n", run)
		}
		word := "HOLDS"
		switch v.Valid {
		case false:
			word = "FAILS"
		case formats.Unknown:
			word = "UNKNOWN"
		}
		fmt.Fprintf(&b, "  %-7s %s\n", word, v.Formula.Src)
		fmt.Fprintf(&b, "          %s\n", v.Explanation)
		for _, a := range v.Atoms {
			where := ""
			if a.Where != "" {
				where = "  where " + a.Where
			}
			fmt.Fprintf(&b, "            %-5v  %s%s\n", a.Value, a.Atom, where)
			for _, why := range a.Because {
				fmt.Fprintf(&b, "                   %s\n", why)
			}
			for _, p := range a.Values {
				fmt.Fprintf(&b, "                   %s = %s\n", p.Path, p.Value)
			}
		}
		for _, o := range v.Pending {
			fmt.Fprintf(&b, "            unmet   %s", o.Formula)
			if o.Since != nil {
				fmt.Fprintf(&b, "  (opened at step %d, %s; deadline %s)", *o.Since, time.Duration(*o.SinceAt), time.Duration(*o.Deadline))
			}
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
