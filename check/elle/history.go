package elle

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

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
	return formats.EachLine(in, name, r.record)
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

// head is what the reader needs of a history record, parsed with gjson:
// encoding/json into formats.Step made reading, not checking, the cost of
// a large history.
type head struct {
	run       string
	step      int64
	client    int
	hasClient bool
	op, reply gjson.Result
}

func parseHead(line formats.Line) (head, error) {
	var h head
	var err error
	gjson.ParseBytes(line.Data).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "run":
			if v.Type != gjson.String {
				err = line.Errorf("run", "expected a string, got %.40s", v.Raw)
			}
			h.run = v.Str
		case "step":
			h.step, err = integer(line, "step", v)
		case "client":
			var c int64
			c, err = integer(line, "client", v)
			h.client, h.hasClient = int(c), true
		case "op":
			h.op = v
		case "reply":
			h.reply = v
		}
		return err == nil
	})
	return h, err
}

func integer(line formats.Line, field string, v gjson.Result) (int64, error) {
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if v.Type != gjson.Number || err != nil {
		return 0, line.Errorf(field, "expected an integer, got %.40s", v.Raw)
	}
	return n, nil
}

func present(v gjson.Result) bool { return v.Exists() && v.Type != gjson.Null }

func (r *Reader) record(line formats.Line) error {
	typ := line.Type()
	switch typ {
	case formats.TypeRun, formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
	default:
		return nil
	}
	s, err := parseHead(line)
	if err != nil {
		return err
	}
	if typ == formats.TypeRun {
		// A run with no operations still gets a (trivially valid) history.
		r.groupFor(s.run)
		return nil
	}
	if !s.hasClient {
		return line.Errorf("client", "missing: every %s record names its client", typ)
	}
	c := s.client
	g := r.groupFor(s.run)
	if typ == formats.TypeInvoke {
		if i, busy := g.inFlight[c]; busy {
			return line.Errorf("client", "client %d invoked a transaction while its previous one (line %d) is still in flight: a client has one operation at a time; complete it with ok, fail or info first",
				c, g.h.Txns[i].Line)
		}
		if !present(s.op) {
			return line.Errorf("op", `missing: an invoke carries the request body, like {"type":"txn","txn":[["r",1,null]]}`)
		}
		mops, err := r.parseBody(s.op, false)
		if err != nil {
			return inputError(line, "op", err)
		}
		g.inFlight[c] = len(g.h.Txns)
		g.h.Txns = append(g.h.Txns, Txn{
			Client: c, Mops: mops, Op: json.RawMessage(s.op.Raw),
			Call: g.next, Return: Infinity, InvokeStep: s.step, File: line.File, Line: line.No,
		})
		g.next++
		return nil
	}
	i, busy := g.inFlight[c]
	if !busy {
		where := ""
		if s.run != "" {
			where = fmt.Sprintf(" of run %q", s.run)
		}
		return line.Errorf("client", "%s for client %d%s, which has no operation in flight (no invoke before it)", typ, c, where)
	}
	delete(g.inFlight, c)
	t := &g.h.Txns[i]
	t.Status = typ
	step := s.step
	t.CompleteStep = &step
	if present(s.reply) {
		t.Reply = json.RawMessage(s.reply.Raw)
	}
	if typ != formats.TypeInfo {
		t.Return = g.next
	}
	if typ == formats.TypeOk {
		if t.Reply == nil {
			return line.Errorf("reply", `missing: an ok transaction carries the reply, like {"type":"txn_ok","txn":[["r",1,[2]]]}`)
		}
		mops, err := r.parseBody(s.reply, true)
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
func (r *Reader) parseBody(body gjson.Result, reply bool) ([]Mop, error) {
	if !body.IsObject() {
		return nil, &formats.FieldError{Msg: fmt.Sprintf("expected an object like {\"type\":\"txn\",\"txn\":[…]}, got %.40s", body.Raw)}
	}
	want, what := "txn", "requests"
	if reply {
		want, what = "txn_ok", "replies"
	}
	if typ := body.Get("type"); typ.Str != want || typ.Type != gjson.String {
		return nil, &formats.FieldError{Field: "type", Msg: fmt.Sprintf("%s: the %s workload's %s are typed %q", orMissing(typ), r.kind, what, want)}
	}
	txn := body.Get("txn")
	if !txn.IsArray() {
		return nil, &formats.FieldError{Field: "txn", Msg: fmt.Sprintf("expected a list of micro-operations like [\"r\",1,null], got %.40s", orMissing(txn))}
	}
	var mops []Mop
	var err *formats.FieldError
	txn.ForEach(func(_, m gjson.Result) bool {
		mops = append(mops, Mop{})
		if err = r.parseMop(m, reply, &mops[len(mops)-1]); err != nil {
			err.Field = fmt.Sprintf("txn[%d]%s", len(mops)-1, err.Field)
		}
		return err == nil
	})
	if err != nil {
		return nil, err
	}
	return mops, nil
}

func orMissing(v gjson.Result) string {
	if !v.Exists() {
		return "missing"
	}
	return v.Raw
}

func (r *Reader) parseMop(raw gjson.Result, reply bool, m *Mop) *formats.FieldError {
	var parts [3]gjson.Result
	n := 0
	if raw.IsArray() {
		raw.ForEach(func(_, v gjson.Result) bool {
			if n < 3 {
				parts[n] = v
			}
			n++
			return true
		})
	}
	if n != 3 {
		return &formats.FieldError{Msg: fmt.Sprintf("expected [F, KEY, VALUE], got %.40s", raw.Raw)}
	}
	if parts[0].Type != gjson.String {
		return &formats.FieldError{Field: "[0]", Msg: fmt.Sprintf("expected a string, got %.40s", parts[0].Raw)}
	}
	m.F = parts[0].Str
	write := "append"
	if r.kind == RWRegister {
		write = "w"
	}
	if m.F != "r" && m.F != write {
		return &formats.FieldError{Field: "[0]", Msg: fmt.Sprintf("unknown micro-operation %q for %s (micro-operations: r, %s)", m.F, r.kind, write)}
	}
	key, ok := parseKey(parts[1])
	if !ok {
		return &formats.FieldError{Field: "[1]", Msg: fmt.Sprintf("a key is an integer or a string, got %.40s", parts[1].Raw)}
	}
	m.Key = key
	v := parts[2]
	if m.F != "r" {
		n, ok := parseInt(v)
		if !ok {
			return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected an integer, got %.40s", v.Raw)}
		}
		m.Value = n
		return nil
	}
	if v.Type == gjson.Null {
		m.Nil = true
		return nil
	}
	if !reply {
		return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("a read in a request is null, got %.40s", v.Raw)}
	}
	if r.kind == RWRegister {
		n, ok := parseInt(v)
		if !ok {
			return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected an integer or null, got %.40s", v.Raw)}
		}
		m.Value = n
		return nil
	}
	if !v.IsArray() {
		return &formats.FieldError{Field: "[2]", Msg: fmt.Sprintf("expected a list of integers or null, got %.40s", v.Raw)}
	}
	if l, ok := intList(v.Raw); ok {
		m.List = l
		return nil
	}
	m.List = []int64{}
	var err *formats.FieldError
	v.ForEach(func(_, e gjson.Result) bool {
		n, ok := parseInt(e)
		if !ok {
			err = &formats.FieldError{Field: fmt.Sprintf("[2][%d]", len(m.List)), Msg: fmt.Sprintf("expected an integer, got %.40s", e.Raw)}
			return false
		}
		m.List = append(m.List, n)
		return true
	})
	return err
}

func parseInt(v gjson.Result) (int64, bool) {
	if v.Type != gjson.Number {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	return n, err == nil
}

// parseKey accepts an integer or a string; the key is its JSON text, so
// that 1 and "1" are different keys, as they are to a JSON database.
func parseKey(v gjson.Result) (string, bool) {
	if _, ok := parseInt(v); ok {
		return v.Raw, true
	}
	if v.Type == gjson.String {
		return strconv.Quote(v.Str), true
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

// intList parses a JSON list of plain integers, the common case, without
// gjson's general machinery (it was a third of the time to read a large
// history). Anything else (spaces, exponents, other values) is left to
// the general path, which also says what is wrong.
func intList(raw string) ([]int64, bool) {
	if len(raw) < 2 || raw[0] != '[' || raw[len(raw)-1] != ']' {
		return nil, false
	}
	body := raw[1 : len(raw)-1]
	if body == "" {
		return []int64{}, true
	}
	out := make([]int64, 0, strings.Count(body, ",")+1)
	for len(body) > 0 {
		end := strings.IndexByte(body, ',')
		if end < 0 {
			end = len(body)
		}
		n, err := strconv.ParseInt(body[:end], 10, 64)
		if err != nil || body[0] == '+' || len(body[:end]) > 1 && (body[0] == '0' || body[0] == '-' && body[1] == '0') {
			return nil, false
		}
		out = append(out, n)
		if end == len(body) {
			break
		}
		body = body[end+1:]
		if body == "" {
			return nil, false // a trailing comma
		}
	}
	return out, true
}
