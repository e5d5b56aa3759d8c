// Package sets checks the histories of Maelstrom's set-like workloads,
// whose correctness is a bound on what reads may return rather than a
// linearization: a grow-only set (every acknowledged add is in every read
// that begins after it completed, and nothing is read that was never
// added), a counter (a read lies between what must and what may have been
// added), and broadcast (every acknowledged broadcast reaches the final
// read of every node still up at the end).
//
//	gen set | sched --seed 3 --exec sut-set | check set
//
// Each check is one pass over the history after sorting, so histories of
// any size check in about the time it takes to read them.
package sets

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Infinity is the Return of an operation whose outcome is unknown.
const Infinity = int(^uint(0) >> 1)

// Op is one operation of a history.
type Op struct {
	Client int
	Status string // ok, fail or info
	Node   string // the node the request went to (the invoke's first send)
	Op     json.RawMessage
	Reply  json.RawMessage
	// Input and Output are what the workload decoded: an element, a
	// delta, a message; a read's values.
	Input  int64
	Read   bool
	Output []int64
	// Call and Return are positions in the run's stream of history
	// records. Return is Infinity unless ok or fail.
	Call, Return int
	InvokeStep   int64
	CompleteStep *int64
	File         string
	Line         int
}

// History is one run's operations, in invocation order, and the nodes
// down when it ended (crashed or panicked, not restarted).
type History struct {
	Run  string
	Ops  []Op
	Down map[string]bool
}

// Workload says how bodies look: the request types and their fields.
type Workload struct {
	Name  string
	Add   string // the request type that adds: "add", "broadcast"
	Field string // its value field: "element", "delta", "message"
	// ReadField is where a read's reply holds its value: "value" or
	// "messages". Scalar says the value is one integer (a counter).
	ReadField string
	Scalar    bool
	// Ignore lists request types that are not part of the history
	// (broadcast's "topology").
	Ignore []string
}

// Workloads: Maelstrom's body shapes.
var (
	Set       = Workload{Name: "set", Add: "add", Field: "element", ReadField: "value"}
	Counter   = Workload{Name: "counter", Add: "add", Field: "delta", ReadField: "value", Scalar: true}
	Broadcast = Workload{Name: "broadcast", Add: "broadcast", Field: "message", ReadField: "messages", Ignore: []string{"topology"}}
)

// Reader collects histories from inputs read as if concatenated.
type Reader struct {
	w      Workload
	groups map[string]*group
	order  []string
}

type group struct {
	h        History
	next     int
	inFlight map[int]int // client → index into h.Ops; -1 for an ignored op
}

// NewReader returns a Reader for the workload.
func NewReader(w Workload) *Reader { return &Reader{w: w, groups: map[string]*group{}} }

// Read reads one NDJSON input; name is used in messages.
func (r *Reader) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, r.record)
}

// Histories returns the histories read so far; operations still in
// flight count as info.
func (r *Reader) Histories() []History {
	out := make([]History, 0, len(r.order))
	for _, run := range r.order {
		h := r.groups[run].h
		for i := range h.Ops {
			if h.Ops[i].Status == "" {
				h.Ops[i].Status = formats.TypeInfo
			}
		}
		out = append(out, h)
	}
	return out
}

func (r *Reader) groupFor(run string) *group {
	g, ok := r.groups[run]
	if !ok {
		g = &group{h: History{Run: run, Down: map[string]bool{}}, inFlight: map[int]int{}}
		r.groups[run] = g
		r.order = append(r.order, run)
	}
	return g
}

func (r *Reader) record(line formats.Line) error {
	typ := line.Type()
	rec := gjson.ParseBytes(line.Data)
	run := rec.Get("run")
	if run.Exists() && run.Type != gjson.String {
		return line.Errorf("run", "expected a string, got %.40s", run.Raw)
	}
	switch typ {
	case formats.TypeRun:
		r.groupFor(run.Str)
		return nil
	case formats.TypeCrash, formats.TypePanic, formats.TypeRestart:
		node := rec.Get("node")
		if node.Type != gjson.String {
			return line.Errorf("node", "expected the node's name, got %.40s", formats.OrMissing(node))
		}
		r.groupFor(run.Str).h.Down[node.Str] = typ != formats.TypeRestart
		return nil
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
	default:
		return nil
	}
	cv := rec.Get("client")
	if !cv.Exists() {
		return line.Errorf("client", "missing: every %s record names its client", typ)
	}
	client, err := integer(cv)
	if err != nil {
		return line.Errorf("client", "%v", err)
	}
	c := int(client)
	step, _ := integer(rec.Get("step"))
	g := r.groupFor(run.Str)
	if typ == formats.TypeInvoke {
		if i, busy := g.inFlight[c]; busy {
			prev := "an ignored operation"
			if i >= 0 {
				prev = fmt.Sprintf("line %d", g.h.Ops[i].Line)
			}
			return line.Errorf("client", "client %d invoked an operation while its previous one (%s) is still in flight: a client has one operation at a time; complete it with ok, fail or info first", c, prev)
		}
		op := rec.Get("op")
		if !op.IsObject() {
			return line.Errorf("op", `missing: an invoke carries the request body, like {"type":"read"}`)
		}
		o := Op{Client: c, Op: json.RawMessage(op.Raw), Call: g.next, Return: Infinity, InvokeStep: step, File: line.File, Line: line.No}
		o.Node = rec.Get("sends.0.to").Str
		if n := rec.Get("node"); n.Type == gjson.String {
			o.Node = n.Str
		}
		ignored, err := r.parseOp(op, &o)
		if err != nil {
			return line.Errorf("op."+err.Field, "%s", err.Msg)
		}
		g.next++
		if ignored {
			g.inFlight[c] = -1
			return nil
		}
		g.inFlight[c] = len(g.h.Ops)
		g.h.Ops = append(g.h.Ops, o)
		return nil
	}
	i, busy := g.inFlight[c]
	if !busy {
		where := ""
		if run.Str != "" {
			where = fmt.Sprintf(" of run %q", run.Str)
		}
		return line.Errorf("client", "%s for client %d%s, which has no operation in flight (no invoke before it)", typ, c, where)
	}
	delete(g.inFlight, c)
	pos := g.next
	g.next++
	if i < 0 {
		return nil
	}
	o := &g.h.Ops[i]
	o.Status = typ
	o.CompleteStep = &step
	if typ != formats.TypeInfo {
		o.Return = pos
	}
	reply := rec.Get("reply")
	if reply.IsObject() {
		o.Reply = json.RawMessage(reply.Raw)
	}
	if o.Node == "" {
		o.Node = rec.Get("from").Str
	}
	if typ == formats.TypeOk && o.Read {
		if !reply.IsObject() {
			return line.Errorf("reply", `missing: an ok read carries the reply, like {"type":"read_ok","%s":…}`, r.w.ReadField)
		}
		out, err := r.parseRead(reply.Get(r.w.ReadField))
		if err != nil {
			return line.Errorf("reply."+r.w.ReadField+err.Field, "%s", err.Msg)
		}
		o.Output = out
	}
	return nil
}

// parseOp decodes a request; ignored reports a request type the check
// does not use.
func (r *Reader) parseOp(op gjson.Result, o *Op) (ignored bool, err *formats.FieldError) {
	typ := op.Get("type")
	switch {
	case typ.Str == "read" && typ.Type == gjson.String:
		o.Read = true
		return false, nil
	case typ.Str == r.w.Add && typ.Type == gjson.String:
		v := op.Get(r.w.Field)
		n, e := integer(v)
		if e != nil {
			return false, &formats.FieldError{Field: r.w.Field, Msg: e.Error()}
		}
		o.Input = n
		return false, nil
	}
	for _, ig := range r.w.Ignore {
		if typ.Str == ig {
			return true, nil
		}
	}
	types := "read, " + r.w.Add
	for _, ig := range r.w.Ignore {
		types += ", " + ig
	}
	return false, &formats.FieldError{Field: "type", Msg: fmt.Sprintf("unknown operation %.40s for model %s (operations: %s)", formats.OrMissing(typ), r.w.Name, types)}
}

func (r *Reader) parseRead(v gjson.Result) ([]int64, *formats.FieldError) {
	if r.w.Scalar {
		n, err := integer(v)
		if err != nil {
			return nil, &formats.FieldError{Msg: err.Error()}
		}
		return []int64{n}, nil
	}
	if !v.IsArray() {
		return nil, &formats.FieldError{Msg: fmt.Sprintf("expected a list of integers, got %.40s", formats.OrMissing(v))}
	}
	out := []int64{}
	var err *formats.FieldError
	v.ForEach(func(_, e gjson.Result) bool {
		n, e2 := integer(e)
		if e2 != nil {
			err = &formats.FieldError{Field: fmt.Sprintf("[%d]", len(out)), Msg: e2.Error()}
			return false
		}
		out = append(out, n)
		return true
	})
	return out, err
}

func integer(v gjson.Result) (int64, error) {
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if v.Type != gjson.Number || err != nil {
		return 0, fmt.Errorf("expected an integer, got %.40s", formats.OrMissing(v))
	}
	return n, nil
}
