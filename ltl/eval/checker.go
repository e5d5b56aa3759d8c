package eval

import (
	"fmt"
	"io"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
	"github.com/detsys/detsys/ltl/trace"
)

// Formula is a parsed formula and where it came from.
type Formula struct {
	Src    string // as written
	Origin string // for messages: "formula", or FILE:LINE
	Expr   formula.Expr
}

// Checker reads traces and evaluates every formula on every run, in one
// pass over the records. Runs are kept in order of first appearance.
type Checker struct {
	formulas []Formula
	runs     map[string]*runState
	order    []*runState
	last     *runState
	f        trace.Fields
}

type runState struct {
	run      *trace.Run
	monitors []*Monitor // nil until the run's first step
	open     int        // monitors not yet done
}

// Verdict is the result of one formula on one run.
type Verdict struct {
	Run     string
	Formula Formula
	Result
}

// NewChecker checks the formulas.
func NewChecker(fs []Formula) *Checker {
	return &Checker{formulas: fs, runs: map[string]*runState{}}
}

// Read reads one NDJSON input (name is for messages). Malformed records
// are *formats.InputError; a formula that cannot be evaluated on a run
// is a *formula.Error naming the formula's origin in its message.
func (c *Checker) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, c.Record)
}

// Record takes one record.
func (c *Checker) Record(line formats.Line) error {
	if err := trace.Scan(line, &c.f); err != nil {
		return err
	}
	f := &c.f
	if f.Type == formats.TypeRun {
		rs := c.runFor(f.Run)
		if !rs.run.Started() {
			var names []string
			for _, n := range gjson.GetBytes(line.Data, "nodes.#.name").Array() {
				names = append(names, n.Str)
			}
			rs.run.SetNodes(names)
		}
		return nil
	}
	if !trace.IsPosition(f.Type) {
		return nil
	}
	rs := c.runFor(f.Run)
	if rs.monitors == nil {
		if err := c.compile(rs, line); err != nil {
			return err
		}
	}
	if rs.open == 0 {
		return nil // every verdict of the run is settled
	}
	if err := rs.run.Advance(line, f); err != nil {
		return err
	}
	p := &rs.run.Pos
	for _, m := range rs.monitors {
		if !m.done {
			m.Step(p)
			if m.done {
				rs.open--
			}
		}
	}
	return nil
}

func (c *Checker) runFor(id string) *runState {
	if c.last != nil && c.last.run.ID == id {
		return c.last
	}
	rs, ok := c.runs[id]
	if !ok {
		id = strings.Clone(id)
		rs = &runState{run: trace.NewRun(id)}
		c.runs[id] = rs
		c.order = append(c.order, rs)
	}
	c.last = rs
	return rs
}

func (c *Checker) compile(rs *runState, line formats.Line) error {
	ms := make([]*Monitor, len(c.formulas))
	for i, f := range c.formulas {
		m, err := Compile(f.Expr, rs.run)
		if err != nil {
			ce := err.(*CompileError)
			fe := formula.ErrorAt(f.Src, ce.At, ce.Msg)
			return &CheckError{Origin: f.Origin, Err: fe, Where: fmt.Sprintf("%s:%d", line.File, line.No)}
		}
		ms[i] = m
	}
	rs.monitors, rs.open = ms, len(ms)
	return nil
}

// CheckError is a formula that cannot be evaluated on a run of the input.
type CheckError struct {
	Origin string // the formula's origin
	Where  string // the input record where the run began
	Err    *formula.Error
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("%s: %s (on the run starting at %s)\n%s", Position(e.Origin, e.Err), e.Err.Msg, e.Where, e.Err.Caret())
}

// Position is where in a formula an error is, for messages, given the
// formula's origin: formula:LINE:COL for one given as an argument, or
// FILE:LINE:COL for a line of a file of formulas (origin FILE:LINE; the
// formula's own line, always 1, is left out).
func Position(origin string, e *formula.Error) string {
	if origin != "formula" {
		return fmt.Sprintf("%s:%d", origin, e.Col)
	}
	return fmt.Sprintf("%s:%d:%d", origin, e.Line, e.Col)
}

// ExitCode: a formula that does not fit the input is bad input.
func (e *CheckError) ExitCode() int { return formats.ExitBadInput }

// Verdicts returns one verdict per run and formula: runs in order of
// first appearance, formulas in the order given.
func (c *Checker) Verdicts() []Verdict {
	var out []Verdict
	for _, rs := range c.order {
		for i, f := range c.formulas {
			v := Verdict{Run: rs.run.ID, Formula: f}
			if rs.monitors == nil {
				v.Result = Result{Valid: formats.Unknown, Explanation: "the run has no steps"}
			} else {
				v.Result = rs.monitors[i].Finish(&rs.run.Pos)
			}
			out = append(out, v)
		}
	}
	return out
}
