// Package history reads client histories out of detsys traces: the
// invoke/ok/fail/info records of each run, paired into operations in the
// real-time order of the stream.
//
// Semantics (Jepsen's): an ok operation took effect between its invocation
// and its completion; a fail operation definitely did not take effect and is
// dropped, unless the model reads its failure as an observation (see
// Decoder.Failure); an info operation has an unknown outcome: it may take effect at
// any time after its invocation, or never, so its return is +infinity. Any
// completion frees the client, which may then invoke again. An operation
// still in flight when the input ends counts as info.
//
// Every other record type (run, deliver, timer, drop, end, verdict, …) is
// skipped, so a whole trace can be read as it comes from sched. Traces of
// several runs may be concatenated; records are grouped by their "run"
// field, and the groups are kept in order of first appearance so that
// output built from them is deterministic.
package history

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/detsys/detsys/formats"
)

// Infinity is the Return of an operation whose outcome is unknown.
const Infinity = math.MaxInt

// Pos is where a record was in the input and in its run.
type Pos struct {
	File string `json:"-"`
	Line int    `json:"-"`
	Step int64  `json:"step"`
	At   int64  `json:"at"`
}

// Op is one operation of a history.
type Op struct {
	Client int
	Status string // formats.TypeOk, formats.TypeInfo, or formats.TypeFail for a kept failure
	Op     json.RawMessage
	Reply  json.RawMessage // absent when no reply came
	Error  string          // why an info op is info

	// Input and Output are Op and Reply as the Decoder decoded them.
	// Output is nil for an info op: its outcome is unknown.
	Input, Output any

	// Call and Return are positions of the invocation and completion in
	// the run's stream of history records: they give the real-time order.
	// Return is Infinity for an info op.
	Call, Return int

	Invoke   Pos
	Complete *Pos // nil when the op never completed
}

// History is the operations of one run, in invocation order.
type History struct {
	Run string
	Ops []Op
}

// Decoder turns op and reply bodies into a model's inputs and outputs, and
// rejects those the model does not understand. Errors should be
// *formats.FieldError naming the field inside the body ("type", "value");
// the reader turns them into *formats.InputError with file and line.
// A nil function accepts anything and decodes to the raw JSON.
type Decoder struct {
	Input  func(op json.RawMessage) (any, error)
	Output func(input any, reply json.RawMessage) (any, error)
	// Failure decodes the reply of a fail record. When it returns ok, the
	// failure is an observation of the object's state (a compare-and-set
	// refused because the value differs) and the operation is kept, with
	// that output, as one that took effect between its invocation and its
	// completion; otherwise, or when Failure is nil, it is dropped.
	Failure func(input any, reply json.RawMessage) (out any, ok bool, err error)
}

// Reader collects histories from one or more inputs, which are read as if
// concatenated.
type Reader struct {
	dec    Decoder
	groups map[string]*group
	order  []string
}

type group struct {
	h        History
	next     int         // next stream position
	inFlight map[int]int // client → index into h.Ops; -1 for an op that failed
	fails    []int       // indices of failed ops, removed at the end
}

// NewReader returns a Reader that decodes operations with dec.
func NewReader(dec Decoder) *Reader {
	return &Reader{dec: dec, groups: map[string]*group{}}
}

// Read reads one NDJSON input; name is used in error messages. It returns
// the first *formats.InputError, or the underlying read error.
func (r *Reader) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, r.record)
}

// Histories returns the histories read so far, in order of first
// appearance of their run. Operations still in flight count as info.
func (r *Reader) Histories() []History {
	out := make([]History, 0, len(r.order))
	for _, run := range r.order {
		g := r.groups[run]
		h := History{Run: run, Ops: make([]Op, 0, len(g.h.Ops))}
		failed := map[int]bool{}
		for _, i := range g.fails {
			failed[i] = true
		}
		for i, op := range g.h.Ops {
			if failed[i] {
				continue
			}
			if op.Status == "" {
				op.Status = formats.TypeInfo
				op.Error = "still in flight when the input ended"
				op.Return = Infinity
			}
			h.Ops = append(h.Ops, op)
		}
		out = append(out, h)
	}
	return out
}

// Read is a shortcut for one input.
func Read(in io.Reader, name string, dec Decoder) ([]History, error) {
	r := NewReader(dec)
	if err := r.Read(in, name); err != nil {
		return nil, err
	}
	return r.Histories(), nil
}

func (r *Reader) groupFor(run string) *group {
	g, ok := r.groups[run]
	if !ok {
		g = &group{h: History{Run: run}, inFlight: map[int]int{}}
		r.groups[run] = g
		r.order = append(r.order, run)
	}
	return g
}

func (r *Reader) record(line formats.Line) error {
	typ := line.Type()
	switch typ {
	case formats.TypeRun:
		// A run with no operations still gets a (trivially valid) history.
		// Only the name is needed: the rest is sched's business.
		var run struct {
			Run string `json:"run"`
		}
		if err := line.Decode(&run); err != nil {
			return err
		}
		r.groupFor(run.Run)
		return nil
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
	default:
		return nil
	}
	var s formats.Step
	if err := line.Decode(&s); err != nil {
		return err
	}
	if s.Client == nil {
		return line.Errorf("client", "missing: every %s record names its client", typ)
	}
	c := *s.Client
	g := r.groupFor(s.Run)
	pos := Pos{File: line.File, Line: line.No, Step: s.Step, At: s.At}
	where := func() string {
		if s.Run == "" {
			return ""
		}
		return fmt.Sprintf(" of run %q", s.Run)
	}

	if typ == formats.TypeInvoke {
		if i, busy := g.inFlight[c]; busy {
			return line.Errorf("client", "client %d invoked an operation while its previous one (%s:%d) is still in flight: a client has one operation at a time; complete it with ok, fail or info first",
				c, g.h.Ops[i].Invoke.File, g.h.Ops[i].Invoke.Line)
		}
		if len(s.Op) == 0 || string(s.Op) == "null" {
			return line.Errorf("op", "missing: an invoke carries the request body, like {\"type\":\"read\"}")
		}
		in, err := decode(line, "op", func() (any, error) {
			if r.dec.Input == nil {
				return s.Op, nil
			}
			return r.dec.Input(s.Op)
		})
		if err != nil {
			return err
		}
		g.inFlight[c] = len(g.h.Ops)
		g.h.Ops = append(g.h.Ops, Op{
			Client: c,
			Op:     append(json.RawMessage(nil), s.Op...),
			Input:  in,
			Call:   g.next,
			Invoke: pos,
		})
		g.next++
		return nil
	}

	i, busy := g.inFlight[c]
	if !busy {
		return line.Errorf("client", "%s for client %d%s, which has no operation in flight (no invoke before it)", typ, c, where())
	}
	delete(g.inFlight, c)
	op := &g.h.Ops[i]
	op.Status = typ
	op.Complete = &pos
	op.Error = s.Error
	if len(s.Reply) > 0 && string(s.Reply) != "null" {
		op.Reply = append(json.RawMessage(nil), s.Reply...)
	}
	switch typ {
	case formats.TypeFail:
		op.Return = g.next
		keep := false
		out, err := decode(line, "reply", func() (any, error) {
			if r.dec.Failure == nil {
				return nil, nil
			}
			out, ok, err := r.dec.Failure(op.Input, op.Reply)
			keep = ok
			return out, err
		})
		if err != nil {
			return err
		}
		if keep {
			op.Output = out
		} else {
			g.fails = append(g.fails, i)
		}
	case formats.TypeInfo:
		op.Return = Infinity
	case formats.TypeOk:
		op.Return = g.next
		out, err := decode(line, "reply", func() (any, error) {
			if r.dec.Output == nil {
				return op.Reply, nil
			}
			return r.dec.Output(op.Input, op.Reply)
		})
		if err != nil {
			return err
		}
		op.Output = out
	}
	g.next++
	return nil
}

// decode runs fn and turns a *formats.FieldError into an InputError on
// line, with the field named inside the body ("op.value").
func decode(line formats.Line, body string, fn func() (any, error)) (any, error) {
	v, err := fn()
	if err == nil {
		return v, nil
	}
	var fe *formats.FieldError
	if errors.As(err, &fe) {
		field := body
		if fe.Field != "" {
			field += "." + fe.Field
		}
		return nil, line.Errorf(field, "%s", fe.Msg)
	}
	return nil, line.Errorf(body, "%v", err)
}
