// Package trace turns the records of detsys traces into the positions a
// temporal formula is evaluated on: one per step, each with the global
// state after the step (every node's last recorded state), the state
// before it, the nodes that are down, and the step's own record.
//
// Which records are positions: every step record of a run (init, invoke,
// ok, fail, info, deliver, timer, drop, crash, restart, panic) except
// end, which only says why the run stopped. Records of other types
// (verdicts, ...) are skipped. Records are grouped by their "run" field;
// the groups are kept in order of first appearance.
//
// How the state moves: init, deliver (for its "to" node), timer and
// restart records carry the node's state after the step, which replaces
// the previous one. crash and panic mark the node down; it keeps its last
// state (what it had when it stopped) until a restart brings a new one.
// A restart or init brings the node back up.
package trace

import (
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Run is one run being read: its nodes and its current position.
type Run struct {
	ID string
	// HasNodes reports whether the run record named the nodes (otherwise
	// Nodes grows as records name new ones).
	HasNodes bool
	Nodes    []string
	index    map[string]int

	cur, spare [][]byte // each node's state after the step; buffers reused
	down       []bool

	// The current position.
	Pos Position

	crashedJSON []byte
	nodesJSON   []byte
	stale       bool // crashedJSON needs rebuilding
	started     bool // a position has been seen
}

// Position is one step of a run. Its slices are valid until the run
// reads the next record.
type Position struct {
	run     *Run
	Step    int64
	At      int64
	Type    string
	Event   []byte // the step's record
	changed int    // index of the node whose state the step replaced, or -1
	before  []byte // that node's state before the step
}

// NewRun starts a run with no nodes known yet.
func NewRun(id string) *Run {
	r := &Run{ID: id, index: map[string]int{}}
	r.Pos.run = r
	r.Pos.changed = -1
	r.stale = true
	return r
}

// SetNodes sets the nodes named by the run record.
func (r *Run) SetNodes(names []string) {
	r.HasNodes = true
	for _, n := range names {
		r.node(n)
	}
}

// node returns the index of a node, adding it if it is new.
func (r *Run) node(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	name = strings.Clone(name) // it may point into a line that will be reused
	i := len(r.Nodes)
	r.index[name] = i
	r.Nodes = append(r.Nodes, name)
	r.cur = append(r.cur, nil)
	r.spare = append(r.spare, nil)
	r.down = append(r.down, false)
	r.nodesJSON = nil
	r.stale = true
	return i
}

// NodeIndex returns the index of a node, or -1.
func (r *Run) NodeIndex(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	return -1
}

// Started reports whether the run has had a position.
func (r *Run) Started() bool { return r.started }

// State is node i's state after the current step (nil if none yet).
func (p *Position) State(i int) []byte { return p.run.cur[i] }

// Prev is node i's state before the current step.
func (p *Position) Prev(i int) []byte {
	if i == p.changed {
		return p.before
	}
	return p.run.cur[i]
}

// Crashed is the JSON array of the nodes down after the step, in node order.
func (p *Position) Crashed() []byte {
	r := p.run
	if r.stale {
		r.crashedJSON = append(r.crashedJSON[:0], '[')
		first := true
		for i, d := range r.down {
			if d {
				if !first {
					r.crashedJSON = append(r.crashedJSON, ',')
				}
				first = false
				r.crashedJSON = formats.AppendString(r.crashedJSON, r.Nodes[i])
			}
		}
		r.crashedJSON = append(r.crashedJSON, ']')
		r.stale = false
	}
	return r.crashedJSON
}

// NodesJSON is the JSON array of the run's nodes.
func (p *Position) NodesJSON() []byte {
	r := p.run
	if r.nodesJSON == nil {
		r.nodesJSON = append(r.nodesJSON, '[')
		for i, n := range r.Nodes {
			if i > 0 {
				r.nodesJSON = append(r.nodesJSON, ',')
			}
			r.nodesJSON = formats.AppendString(r.nodesJSON, n)
		}
		r.nodesJSON = append(r.nodesJSON, ']')
	}
	return r.nodesJSON
}

// Run is the run the position belongs to.
func (p *Position) Run() *Run { return p.run }

// Fields is what Advance needs from a step record, read in one pass.
type Fields struct {
	Type, Run string
	Step, At  int64
	Node, To  string
	State     string // raw JSON, "" if none; valid while the line is
	HasStep   bool
	HasAt     bool
}

// Scan reads the fields of a record that matter here, in one pass over
// its top-level keys. Step and at must be integers.
func Scan(line formats.Line, f *Fields) error {
	*f = Fields{}
	var bad *formats.InputError
	if len(line.Data) == 0 {
		return nil
	}
	// Parse the line in place: gjson.ParseBytes would copy it.
	gjson.Parse(unsafe.String(&line.Data[0], len(line.Data))).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type":
			f.Type = v.Str
		case "run":
			f.Run = v.Str
		case "step", "at":
			n, ok := integer(v)
			if !ok {
				bad = line.Errorf(k.Str, "expected an integer, got %s", v.Raw)
				return false
			}
			if k.Str == "step" {
				f.Step, f.HasStep = n, true
			} else {
				f.At, f.HasAt = n, true
			}
		case "node":
			f.Node = v.Str
		case "to":
			f.To = v.Str
		case "state":
			f.State = v.Raw
		}
		return true
	})
	if bad != nil {
		return bad
	}
	return nil
}

func integer(v gjson.Result) (int64, bool) {
	if v.Type != gjson.Number {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	return n, err == nil
}

// positionType returns the constant for a position's type, so that the
// position does not hold on to the line.
func positionType(t string) string {
	for _, c := range positionTypes {
		if c == t {
			return c
		}
	}
	return strings.Clone(t)
}

var positionTypes = []string{formats.TypeInit, formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo,
	formats.TypeDeliver, formats.TypeTimer, formats.TypeDrop, formats.TypeCrash,
	formats.TypeRestart, formats.TypePanic}

// IsPosition reports whether a record of this type is a step of a run.
func IsPosition(typ string) bool {
	for _, c := range positionTypes {
		if c == typ {
			return true
		}
	}
	return false
}

// Advance moves the run to the step of this record (a position: see
// IsPosition), whose fields f were read by Scan.
func (r *Run) Advance(line formats.Line, f *Fields) error {
	if !f.HasStep {
		return line.Errorf("step", "missing: every %s record carries its step", f.Type)
	}
	if !f.HasAt {
		return line.Errorf("at", "missing: every %s record carries its simulated time", f.Type)
	}
	if r.started && f.At < r.Pos.At {
		return line.Errorf("at", "time went backwards: %d after %d at step %d (records of a run must be in step order)", f.At, r.Pos.At, r.Pos.Step)
	}
	p := &r.Pos
	p.Step, p.At, p.Type = f.Step, f.At, positionType(f.Type)
	p.Event = append(p.Event[:0], line.Data...)
	p.changed, p.before = -1, nil
	r.started = true

	node := f.Node
	if f.Type == formats.TypeDeliver {
		node = f.To
	}
	if node == "" {
		switch f.Type {
		case formats.TypeInit, formats.TypeDeliver, formats.TypeTimer, formats.TypeCrash, formats.TypeRestart, formats.TypePanic:
			field := "node"
			if f.Type == formats.TypeDeliver {
				field = "to"
			}
			return line.Errorf(field, "missing: a %s record names its node", f.Type)
		}
		return nil
	}
	i := r.node(node)
	switch f.Type {
	case formats.TypeCrash, formats.TypePanic:
		r.setDown(i, true)
		return nil
	case formats.TypeInit, formats.TypeRestart:
		r.setDown(i, false)
	}
	if f.State != "" {
		r.spare[i] = append(r.spare[i][:0], f.State...)
		r.cur[i], r.spare[i] = r.spare[i], r.cur[i]
		p.changed, p.before = i, r.spare[i]
	}
	return nil
}

func (r *Run) setDown(i int, d bool) {
	if r.down[i] != d {
		r.down[i] = d
		r.stale = true
	}
}
