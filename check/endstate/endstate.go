// Package endstate checks properties of the states the nodes of a run end
// in: the invariants of the LDFI paper's protocols (Molly's
// deliv_assert.ded and 2pc_assert.ded), which are evaluated once, at the
// end of time, on the nodes' final states and on which nodes are down.
//
//	gen delivery --protocol simple-deliv | sched --latency fixed:1ms --max-time 4ms \
//		--exec sut-delivery | check delivery
//
// A node's final state is the state of the last init, deliver, timer or
// restart record that names it; a node is down at the end if its last
// crash or panic was not followed by a restart.
package endstate

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Final is how one run ended.
type Final struct {
	Run   string
	Nodes []string // in the run record's order, then in order of appearance
	State map[string]gjson.Result
	Down  map[string]bool
	where map[string]formats.Line // the record each final state came from
}

// Reader collects the final states of the runs in its inputs, read as if
// concatenated.
type Reader struct {
	runs  map[string]*Final
	order []string
}

// NewReader returns an empty Reader.
func NewReader() *Reader { return &Reader{runs: map[string]*Final{}} }

// Read reads one NDJSON input; name is used in messages.
func (r *Reader) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, r.record)
}

// Finals returns the runs read so far, in order of first appearance.
func (r *Reader) Finals() []*Final {
	out := make([]*Final, len(r.order))
	for i, run := range r.order {
		out[i] = r.runs[run]
	}
	return out
}

func (r *Reader) final(run string) *Final {
	f, ok := r.runs[run]
	if !ok {
		f = &Final{Run: run, State: map[string]gjson.Result{}, Down: map[string]bool{}, where: map[string]formats.Line{}}
		r.runs[run] = f
		r.order = append(r.order, run)
	}
	return f
}

func (f *Final) node(name string) {
	if !slices.Contains(f.Nodes, name) {
		f.Nodes = append(f.Nodes, name)
	}
}

func (r *Reader) record(line formats.Line) error {
	typ := line.Type()
	switch typ {
	case formats.TypeRun, formats.TypeInit, formats.TypeDeliver, formats.TypeTimer, formats.TypeRestart,
		formats.TypeCrash, formats.TypePanic:
	default:
		return nil
	}
	rec := gjson.ParseBytes(line.Data)
	run := rec.Get("run")
	if run.Type != gjson.String {
		return line.Errorf("run", "expected the run's id, got %.40s", formats.OrMissing(run))
	}
	f := r.final(run.Str)
	if typ == formats.TypeRun {
		var err *formats.InputError
		rec.Get("nodes").ForEach(func(i, n gjson.Result) bool {
			name := n.Get("name")
			if name.Type != gjson.String {
				err = line.Errorf(fmt.Sprintf("nodes[%d].name", i.Int()), "expected a node's name, got %.40s", formats.OrMissing(name))
				return false
			}
			f.node(name.Str)
			return true
		})
		if err != nil {
			return err
		}
		return nil
	}
	field := "node"
	if typ == formats.TypeDeliver {
		field = "to"
	}
	node := rec.Get(field)
	if node.Type != gjson.String {
		return line.Errorf(field, "expected a node's name, got %.40s", formats.OrMissing(node))
	}
	f.node(node.Str)
	switch typ {
	case formats.TypeCrash, formats.TypePanic:
		f.Down[node.Str] = true
		return nil
	case formats.TypeRestart:
		f.Down[node.Str] = false
	}
	st := rec.Get("state")
	if !st.IsObject() {
		return line.Errorf("state", "expected the node's state, a JSON object, got %.40s", formats.OrMissing(st))
	}
	f.State[node.Str] = st
	line.Data = nil // only its file and number are kept, for messages
	f.where[node.Str] = line
	return nil
}

// Up lists the nodes up at the end, in order.
func (f *Final) Up() []string {
	var up []string
	for _, n := range f.Nodes {
		if !f.Down[n] {
			up = append(up, n)
		}
	}
	return up
}

// DownList lists the nodes down at the end, in order.
func (f *Final) DownList() []string {
	var down []string
	for _, n := range f.Nodes {
		if f.Down[n] {
			down = append(down, n)
		}
	}
	return down
}

// stateOf is node's final state. ok is false for a node that has none
// because it went down before its init step completed (it panicked in
// it): the properties skip it. An up node without a state is an error.
func (f *Final) stateOf(node string) (st gjson.Result, ok bool, err error) {
	st, ok = f.State[node]
	if !ok && !f.Down[node] {
		return st, false, &formats.InputError{Msg: fmt.Sprintf("run %s: node %s has no state in the trace (no init record)", f.Run, node)}
	}
	return st, ok, nil
}

// fieldError is a malformed field of a node's final state, reported at the
// record it came from.
func (f *Final) fieldError(node, field, format string, args ...any) error {
	if l, ok := f.where[node]; ok {
		return l.Errorf("state."+field, format, args...)
	}
	return &formats.InputError{Field: "state." + field, Msg: fmt.Sprintf("run %s: node %s: ", f.Run, node) + fmt.Sprintf(format, args...)}
}

// Result is the verdict on one run.
type Result struct {
	Run         string
	Valid       bool
	Anomalies   []string // the properties that do not hold
	Witness     any      // what a person needs to see why
	Explanation string   // one line
}

// Verdict is the verdict record of the result.
func (r Result) Verdict(model string) formats.Verdict {
	v := formats.Verdict{Type: formats.TypeVerdict, Run: r.Run, Checker: "check", Model: model, Valid: r.Valid}
	if r.Valid {
		return v
	}
	v.Anomaly = strings.Join(r.Anomalies, ",")
	b, _ := json.Marshal(r.Witness)
	v.Witness = b
	return v
}

// Summary is one line for people about a result that does not hold.
func (r Result) Summary() string {
	if r.Valid {
		return ""
	}
	return r.Run + ": " + r.Explanation
}

// quoteList is "a, b and c" for messages.
func quoteList(names []string) string {
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
