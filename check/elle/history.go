package elle

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/detsys/detsys/formats"
)

// Infinity is the Return of a transaction whose outcome is unknown.
const Infinity = int(^uint(0) >> 1)

// Mop is one micro-operation of a transaction: ["append",k,v], ["r",k,v]
// or ["w",k,v] in Maelstrom's txn body shape.
type Mop struct {
	F   string // "append", "r" or "w"
	Key string // the key as JSON text (3, "x")
	// Value is the value appended or written, or for a register read the
	// value read (Nil when null).
	Value int64
	// List is a list-append read's value; Nil when the read is null (an
	// invocation, or an info or failed transaction).
	List []int64
	Nil  bool
}

// Txn is one transaction of a history.
type Txn struct {
	Client int
	Status string // formats.TypeOk, TypeFail or TypeInfo
	// Mops are the reply's micro-operations for an ok transaction (reads
	// filled in) and the invocation's otherwise.
	Mops  []Mop
	Op    json.RawMessage // the invocation's body
	Reply json.RawMessage // absent when no reply came
	// Call and Return are positions in the run's stream of history
	// records: the real-time order. Return is Infinity unless ok or fail.
	Call, Return int
	InvokeStep   int64
	CompleteStep *int64
	File         string // the invocation's file and line, for messages
	Line         int
}

// History is the transactions of one run, in invocation order, failed
// ones included (their writes may show up as aborted reads, G1a).
type History struct {
	Run  string
	Txns []Txn
}

// Kind says which micro-operations a workload has and how reads look.
type Kind int

const (
	ListAppend Kind = iota // ["append",k,v] and ["r",k,[v…]]
	RWRegister             // ["w",k,v] and ["r",k,v]
)

func (k Kind) String() string {
	if k == ListAppend {
		return "list-append"
	}
	return "rw-register"
}

// Reader collects transaction histories from one or more inputs, read as
// if concatenated, grouped by run in order of first appearance. It reads
// the same invoke/ok/fail/info records as check/history, and skips every
// other record.
type Reader struct {
	kind   Kind
	groups map[string]*group
	order  []string
}

type group struct {
	h        History
	next     int
	inFlight map[int]int // client → index into h.Txns
}

// NewReader returns a Reader for transactions of the given kind.
func NewReader(k Kind) *Reader { return &Reader{kind: k, groups: map[string]*group{}} }

// Read reads one NDJSON input; name is used in error messages. It returns
// the first *formats.InputError, or the underlying read error.
func (r *Reader) Read(in io.Reader, name string) error {
	nr := formats.NewReader(in, name)
	for {
		line, err := nr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := r.record(line); err != nil {
			return err
		}
	}
}

// Histories returns the histories read so far. Transactions still in
// flight count as info.
func (r *Reader) Histories() []History {
	out := make([]History, 0, len(r.order))
	for _, run := range r.order {
		h := r.groups[run].h
		for i := range h.Txns {
			if h.Txns[i].Status == "" {
				h.Txns[i].Status = formats.TypeInfo
				h.Txns[i].Return = Infinity
			}
		}
		out = append(out, h)
	}
	return out
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
	if typ == formats.TypeInvoke {
		if i, busy := g.inFlight[c]; busy {
			return line.Errorf("client", "client %d invoked a transaction while its previous one (line %d) is still in flight: a client has one operation at a time; complete it with ok, fail or info first",
				c, g.h.Txns[i].Line)
		}
		if len(s.Op) == 0 || string(s.Op) == "null" {
			return line.Errorf("op", `missing: an invoke carries the request body, like {"type":"txn","txn":[["r",1,null]]}`)
		}
		mops, err := r.parseBody(s.Op, false)
		if err != nil {
			return inputError(line, "op", err)
		}
		g.inFlight[c] = len(g.h.Txns)
		g.h.Txns = append(g.h.Txns, Txn{
			Client: c, Mops: mops, Op: append(json.RawMessage(nil), s.Op...),
			Call: g.next, Return: Infinity, InvokeStep: s.Step, File: line.File, Line: line.No,
		})
		g.next++
		return nil
	}
	i, busy := g.inFlight[c]
	if !busy {
		where := ""
		if s.Run != "" {
			where = fmt.Sprintf(" of run %q", s.Run)
		}
		return line.Errorf("client", "%s for client %d%s, which has no operation in flight (no invoke before it)", typ, c, where)
	}
	delete(g.inFlight, c)
	t := &g.h.Txns[i]
	t.Status = typ
	step := s.Step
	t.CompleteStep = &step
	if len(s.Reply) > 0 && string(s.Reply) != "null" {
		t.Reply = append(json.RawMessage(nil), s.Reply...)
	}
	if typ != formats.TypeInfo {
		t.Return = g.next
	}
	if typ == formats.TypeOk {
		if t.Reply == nil {
			return line.Errorf("reply", `missing: an ok transaction carries the reply, like {"type":"txn_ok","txn":[["r",1,[2]]]}`)
		}
		mops, err := r.parseBody(t.Reply, true)
		if err != nil {
			return inputError(line, "reply", err)
		}
		if err := sameTxn(t.Mops, mops); err != nil {
			return inputError(line, "reply", err)
		}
		t.Mops = mops
	}
	g.next++
	return nil
}

func inputError(line formats.Line, body string, err error) error {
	if fe, ok := err.(*formats.FieldError); ok {
		return line.Errorf(body+"."+fe.Field, "%s", fe.Msg)
	}
	return line.Errorf(body, "%v", err)
}

// sameTxn checks that a reply describes the transaction that was invoked:
// the same micro-operations on the same keys, the same values written.
func sameTxn(inv, rep []Mop) error {
	if len(inv) != len(rep) {
		return &formats.FieldError{Field: "txn", Msg: fmt.Sprintf("the reply has %d micro-operations, the invocation %d", len(rep), len(inv))}
	}
	for i := range inv {
		a, b := inv[i], rep[i]
		if a.F != b.F || a.Key != b.Key || a.F != "r" && a.Value != b.Value {
			return &formats.FieldError{Field: fmt.Sprintf("txn[%d]", i), Msg: fmt.Sprintf("%s differs from the invocation's %s", b, a)}
		}
	}
	return nil
}

// parseBody reads {"type":"txn","txn":[…]} (or txn_ok in a reply).
func (r *Reader) parseBody(raw json.RawMessage, reply bool) ([]Mop, error) {
	var body struct {
		Type string            `json:"type"`
		Txn  []json.RawMessage `json:"txn"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, &formats.FieldError{Field: "txn", Msg: "expected a list of micro-operations like [\"r\",1,null]"}
	}
	want := "txn"
	if reply {
		want = "txn_ok"
	}
	if body.Type != want {
		return nil, &formats.FieldError{Field: "type", Msg: fmt.Sprintf("%q: the %s workload's %s are typed %q", body.Type, r.kind, map[bool]string{false: "requests", true: "replies"}[reply], want)}
	}
	if body.Txn == nil {
		return nil, &formats.FieldError{Field: "txn", Msg: "missing: a transaction is a list of micro-operations like [\"r\",1,null]"}
	}
	mops := make([]Mop, len(body.Txn))
	for i, m := range body.Txn {
		if err := r.parseMop(m, reply, &mops[i]); err != nil {
			err.Field = fmt.Sprintf("txn[%d]%s", i, err.Field)
			return nil, err
		}
	}
	return mops, nil
}

func (r *Reader) parseMop(raw json.RawMessage, reply bool, m *Mop) *formats.FieldError {
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) != 3 {
		return &formats.FieldError{Msg: fmt.Sprintf("expected [F, KEY, VALUE], got %.40s", raw)}
	}
	if err := json.Unmarshal(parts[0], &m.F); err != nil {
		return &formats.FieldError{Field: "[0]", Msg: fmt.Sprintf("expected a string, got %.40s", parts[0])}
	}
	write := "append"
	if r.kind == RWRegister {
		write = "w"
	}
	if m.F != "r" && m.F != write {
		return &formats.FieldError{Field: "[0]", Msg: fmt.Sprintf("unknown micro-operation %q for %s (micro-operations: r, %s)", m.F, r.kind, write)}
	}
	key, ok := parseKey(parts[1])
	if !ok {
		return &formats.FieldError{Field: "[1]", Msg: fmt.Sprintf("a key is an integer or a string, got %.40s", parts[1])}
	}
	m.Key = key
	v := parts[2]
	if m.F != "r" {
		n, ok := parseInt(v)
		if !ok {
			return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected an integer, got %.40s", v)}
		}
		m.Value = n
		return nil
	}
	if string(v) == "null" {
		m.Nil = true
		return nil
	}
	if !reply {
		return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("a read in a request is null, got %.40s", v)}
	}
	if r.kind == RWRegister {
		n, ok := parseInt(v)
		if !ok {
			return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected an integer or null, got %.40s", v)}
		}
		m.Value = n
		return nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(v, &list); err != nil {
		return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected a list of integers or null, got %.40s", v)}
	}
	m.List = make([]int64, len(list))
	for j, e := range list {
		n, ok := parseInt(e)
		if !ok {
			return &formats.FieldError{Field: fmt.Sprintf("[2][%d]", j), Msg: fmt.Sprintf("expected an integer, got %.40s", e)}
		}
		m.List[j] = n
	}
	return nil
}

func parseInt(raw json.RawMessage) (int64, bool) {
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// parseKey accepts an integer or a string; the key is its JSON text, so
// that 1 and "1" are different keys, as they are to a JSON database.
func parseKey(raw json.RawMessage) (string, bool) {
	if _, ok := parseInt(raw); ok {
		return string(raw), true
	}
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return strconv.Quote(s), true
	}
	return "", false
}

// String prints a micro-operation as it appears in a body.
func (m Mop) String() string {
	v := strconv.FormatInt(m.Value, 10)
	switch {
	case m.F == "r" && m.Nil:
		v = "null"
	case m.F == "r" && m.List != nil:
		b := []byte{'['}
		for i, e := range m.List {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, e, 10)
		}
		v = string(append(b, ']'))
	}
	return fmt.Sprintf("[%q,%s,%s]", m.F, m.Key, v)
}
