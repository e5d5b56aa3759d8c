package html

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Kinds of step, in the order the page's script knows them (meta.kinds).
var kindNames = [...]string{
	formats.TypeInit, formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo,
	formats.TypeDeliver, formats.TypeTimer, formats.TypeDrop, formats.TypeCrash,
	formats.TypeRestart, formats.TypePanic, formats.TypeEnd, "other",
}

const kindOther = len(kindNames) - 1

var kindIndex = func() map[string]int {
	m := make(map[string]int, len(kindNames))
	for i, k := range kindNames {
		m[k] = i
	}
	return m
}()

// Columns of the step table (meta.steps is a flat array of ints, stride
// stepStride): everything the diagram needs for a row, so that the page
// parses a step's full record (its state, body, effects) only when shown.
const (
	colStep  = iota // the record's step number
	colAt           // simulated time, ns
	colKind         // index into kindNames
	colLane         // lane the step happens on (deliver: to; invoke/ok: the client), -1 none
	colFrom         // lane the arrow comes from (messages), -1 none
	colSent         // row the message was sent (or the timer set) at, -1 none
	colLabel        // index into meta.labels: a short description
	colFlags        // flag* bits
	stepStride
)

const (
	flagState   = 1 << iota // the record carries the node's state
	flagSends               // the step sent messages
	flagLogs                // the node logged
	flagWitness             // a failing verdict names this step
)

// Op statuses (meta.ops).
const (
	opPending = iota // invoked, never completed in the trace
	opOk
	opFail
	opInfo
)

// Columns of the operation table (meta.ops, stride opStride).
const (
	opClient   = iota // client number
	opInvoke          // row of the invoke
	opComplete        // row of the completion, -1 pending
	opStatus          // op* status
	opLabel           // index into meta.labels
	opWitness         // 0 not named by a witness, 1 named, 2 the operation that failed
	opStride
)

// trace is one run read for the page.
type trace struct {
	name  string
	run   json.RawMessage // the run record, or nil
	runID string
	// otherRuns counts the runs after the first, which the page leaves out.
	otherRuns int
	lanes     []string // lane names in first-seen order (see order)
	laneOf    map[string]int

	steps   []int64     // step table, stride stepStride; lanes in first-seen numbering until finish
	stepNos []int64     // step numbers of the rows, increasing
	out     *lineWriter // where the step records go, if anywhere
	labels  []string
	labelOf map[string]int

	ops      []int64        // op table, stride opStride
	open     map[int64]int  // client → index of its open op (op table row / opStride)
	replies  map[string]int // message id sent to a client → row
	timerSet map[string]int // node \x00 timer → row of the last step that set it

	rec record // the record being read

	verdicts []json.RawMessage
	witness  witness

	// growth is cover's states section, when the input has one (the last
	// one): the page draws its state-growth curve.
	growth *formats.CoverStates
}

func newTrace(name string) *trace {
	return &trace{
		name:     name,
		laneOf:   map[string]int{},
		labelOf:  map[string]int{},
		open:     map[int64]int{},
		replies:  map[string]int{},
		timerSet: map[string]int{},
		witness:  witness{focus: -1},
	}
}

// read reads the trace from in, giving each step record to t.out if set.
func (t *trace) read(in io.Reader) error {
	name := t.name
	var verdictLines []formats.Line
	// gjson checks that each line is JSON, at a third of what encoding/json
	// takes; encoding/json then says what is wrong with a line that is not.
	r := formats.NewReader(in, name)
	r.Validate = false
	err := r.Each(func(l formats.Line) error {
		if !gjson.ValidBytes(l.Data) {
			if err := l.Decode(new(any)); err != nil {
				return err
			}
		}
		rec := t.rec.read(l.Data)
		typ := rec.get("type")
		if typ.Type != gjson.String {
			return l.Errorf("type", "missing or not a string (each record has a \"type\")")
		}
		// The page shows the first run of the input, as the terminal
		// debugger does; the records of any other run are counted and
		// passed over.
		if r := rec.get("run"); r.Type == gjson.String && typ.Str != formats.TypeVerdict {
			switch {
			case t.runID == "" && len(t.stepNos) == 0:
				t.runID = strings.Clone(r.Str)
			case r.Str != t.runID:
				if typ.Str == formats.TypeRun {
					t.otherRuns++
				}
				return nil
			}
		}
		switch {
		case typ.Str == formats.TypeRun:
			return t.readRun(l, rec)
		case typ.Str == formats.TypeVerdict:
			if !rec.get("valid").Exists() {
				return l.Errorf("valid", "missing (a verdict is true, false or \"unknown\")")
			}
			v := formats.Line{Data: bytes.Clone(l.Data), File: l.File, No: l.No}
			verdictLines = append(verdictLines, v)
			return nil
		case typ.Str == formats.TypeCover:
			if rec.get("section").Str != formats.SectionStates {
				return nil
			}
			return t.readGrowth(l)
		case rec.get("step").Exists():
			return t.readStep(l, rec, typ.Str)
		}
		return nil // test cases, fault sets: not part of a run's page
	})
	if err != nil {
		return err
	}
	if len(t.stepNos) == 0 {
		return &formats.InputError{File: name, Msg: "no steps: expected a trace (sched's output: a run record, then one record per step)"}
	}
	for _, v := range verdictLines {
		if err := t.readVerdict(v); err != nil {
			return err
		}
	}
	t.finish()
	return nil
}

func (t *trace) readRun(l formats.Line, rec *record) error {
	if t.run != nil {
		return l.Errorf("", "the run record of run %q again", t.runID)
	}
	t.run = bytes.Clone(l.Data)
	nodes := rec.get("nodes")
	if nodes.Exists() && !nodes.IsArray() {
		return l.Errorf("nodes", "expected an array of {\"name\",\"kind\"}")
	}
	for i, n := range nodes.Array() {
		name := n.Get("name")
		if name.Type != gjson.String || name.Str == "" {
			return l.Errorf(fmt.Sprintf("nodes[%d].name", i), "expected a node name")
		}
		t.lane(name.Str)
	}
	return nil
}

// readGrowth keeps cover's states section (cover --format json), whose
// curve the page draws.
func (t *trace) readGrowth(l formats.Line) error {
	var s formats.CoverStates
	if err := l.Decode(&s); err != nil {
		return err
	}
	for i, n := range s.Nodes {
		if n.Curve != nil && len(n.Curve) != len(s.Curve) {
			return l.Errorf(fmt.Sprintf("nodes[%d].curve", i), "%d points for %d runs (cover writes one per run)", len(n.Curve), len(s.Curve))
		}
	}
	t.growth = &s
	return nil
}

// integer returns the record's field as an int64, or an error naming it.
func integer(l formats.Line, rec *record, field string) (int64, error) {
	v := rec.get(field)
	if v.Type != gjson.Number {
		return 0, l.Errorf(field, "expected an integer, got %s", describeJSON(v))
	}
	n := v.Int()
	if float64(n) != v.Num {
		return 0, l.Errorf(field, "expected an integer, got %s", v.Raw)
	}
	return n, nil
}

func str(l formats.Line, rec *record, field string) (string, error) {
	v := rec.get(field)
	if v.Type != gjson.String || v.Str == "" {
		return "", l.Errorf(field, "expected a name, got %s", describeJSON(v))
	}
	return v.Str, nil
}

func describeJSON(v gjson.Result) string {
	if !v.Exists() {
		return "nothing"
	}
	if len(v.Raw) > 40 {
		return v.Raw[:40] + "…"
	}
	return v.Raw
}

func (t *trace) readStep(l formats.Line, rec *record, typ string) error {
	step, err := integer(l, rec, "step")
	if err != nil {
		return err
	}
	at, err := integer(l, rec, "at")
	if err != nil {
		return err
	}
	if n := len(t.stepNos); n > 0 && step <= t.stepNos[n-1] {
		return l.Errorf("step", "step %d after step %d: steps must increase", step, t.stepNos[n-1])
	}
	row := len(t.stepNos)
	kind, ok := kindIndex[typ]
	if !ok {
		kind = kindOther
	}
	lane, from, sent := -1, -1, -1
	label := ""
	var flags int64
	if rec.get("state").Exists() {
		flags |= flagState
	}
	if rec.get("logs").Get("0").Exists() {
		flags |= flagLogs
	}

	switch typ {
	case formats.TypeInit, formats.TypeTimer, formats.TypeCrash, formats.TypeRestart, formats.TypePanic:
		node, err := str(l, rec, "node")
		if err != nil {
			return err
		}
		lane = t.lane(node)
		switch typ {
		case formats.TypeTimer:
			label = rec.get("timer").Str
			if r, ok := t.timerSet[node+"\x00"+label]; ok {
				sent = r
			}
		case formats.TypePanic:
			label = clip(rec.get("panic").Str, 48)
		}
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
		client, err := integer(l, rec, "client")
		if err != nil {
			return err
		}
		if client < 0 {
			return l.Errorf("client", "expected a client number (0, 1, …), got %d", client)
		}
		lane = t.lane("c" + strconv.FormatInt(client, 10))
		if typ == formats.TypeInvoke {
			if _, busy := t.open[client]; busy {
				return l.Errorf("client", "client %d invoked an operation while one was still open (clients are closed-loop)", client)
			}
			label = describe(rec.get("op"))
			t.open[client] = len(t.ops) / opStride
			t.ops = append(t.ops, client, int64(row), -1, opPending, int64(t.label(label)), 0)
		} else {
			i, busy := t.open[client]
			if !busy {
				return l.Errorf("client", "%s for client %d, which has no operation open", typ, client)
			}
			delete(t.open, client)
			label = outcome(typ, rec)
			op := t.ops[i*opStride : (i+1)*opStride]
			op[opComplete] = int64(row)
			op[opStatus] = opInfo
			switch typ {
			case formats.TypeOk:
				op[opStatus] = opOk
			case formats.TypeFail:
				op[opStatus] = opFail
			}
			op[opLabel] = int64(t.label(t.labels[op[opLabel]] + label))
			label = t.labels[op[opLabel]]
			if id := rec.get("id").Str; id != "" {
				if r, ok := t.replies[id]; ok {
					sent = r
					delete(t.replies, id)
					if f := rec.get("from").Str; f != "" {
						from = t.lane(f)
					}
				}
			}
		}
	case formats.TypeDeliver, formats.TypeDrop:
		f, err := str(l, rec, "from")
		if err != nil {
			return err
		}
		to, err := str(l, rec, "to")
		if err != nil {
			return err
		}
		from, lane = t.lane(f), t.lane(to)
		if rec.get("sent_step").Exists() {
			s, err := integer(l, rec, "sent_step")
			if err != nil {
				return err
			}
			if s >= step {
				return l.Errorf("sent_step", "%d is not before the step that received it (%d)", s, step)
			}
			sent = t.row(s)
		}
		if typ == formats.TypeDeliver {
			label = describeType(rec.get("body"))
		} else {
			label = rec.get("reason").Str
		}
	case formats.TypeEnd:
		label = rec.get("reason").Str
	default:
		label = typ
		if n := rec.get("node").Str; n != "" {
			lane = t.lane(n)
		}
	}

	// What this step did: sends (replies to clients are matched by id when
	// the client's completion comes), timers (the timer's firing points back
	// here).
	if sends := rec.get("sends"); sends.IsArray() {
		sends.ForEach(func(_, s gjson.Result) bool {
			flags |= flagSends
			if to := s.Get("to").Str; formats.IsClientName(to) {
				if id := s.Get("id").Str; id != "" {
					t.replies[strings.Clone(id)] = row
				}
			}
			return true
		})
	}
	if timers := rec.get("timers"); timers.IsArray() && lane >= 0 {
		node := t.lanes[lane]
		timers.ForEach(func(_, tm gjson.Result) bool {
			t.timerSet[node+"\x00"+tm.Get("name").Str] = row // a new string: the key outlives the line
			return true
		})
	}

	t.stepNos = append(t.stepNos, step)
	t.steps = append(t.steps, step, at, int64(kind), int64(lane), int64(from), int64(sent), int64(t.label(label)), flags)
	if t.out != nil {
		return t.out.line(l.Data)
	}
	return nil
}

// special are the bytes appendEscaped looks at.
var special = [256]bool{'<': true, '>': true, '&': true, 0xE2: true}

// appendEscaped appends the JSON record src with <, >, & and the line
// separators U+2028 and U+2029 written as \u escapes, as json.HTMLEscape
// does, so that no record can end the <script> it is in. In valid JSON
// these characters occur only inside strings, where the escapes mean the
// same. Most records have none: they are copied whole.
func appendEscaped(dst, src []byte) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !special[c] {
			continue
		}
		if c == 0xE2 {
			if i+2 >= len(src) || src[i+1] != 0x80 || src[i+2]&^1 != 0xA8 {
				continue
			}
			dst = append(dst, src[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[src[i+2]&0xF])
			i += 2
			start = i + 1
			continue
		}
		dst = append(dst, src[start:i]...)
		dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		start = i + 1
	}
	return append(dst, src[start:]...)
}

// record is the top-level fields of one record, found in one pass (a
// record's state can be large: looking each field up on its own would
// skip over it again each time). Its strings point into the line, which
// the reader reuses: whatever the trace keeps is cloned (lanes, labels,
// message ids).
type record struct {
	keys []string
	vals []gjson.Result
}

func (r *record) read(line []byte) *record {
	r.keys, r.vals = r.keys[:0], r.vals[:0]
	gjson.Parse(unsafe.String(unsafe.SliceData(line), len(line))).ForEach(func(k, v gjson.Result) bool {
		r.keys = append(r.keys, k.Str)
		r.vals = append(r.vals, v)
		return true
	})
	return r
}

func (r *record) get(key string) gjson.Result {
	for i, k := range r.keys {
		if k == key {
			return r.vals[i]
		}
	}
	return gjson.Result{}
}

// row is the row of step number s (the last row at or before it, since a
// sent_step names a step that is in the trace).
func (t *trace) row(s int64) int {
	i := sort.Search(len(t.stepNos), func(i int) bool { return t.stepNos[i] > s })
	return i - 1
}

func (t *trace) lane(name string) int { return intern(name, t.laneOf, &t.lanes) }

func (t *trace) label(s string) int { return intern(s, t.labelOf, &t.labels) }

// intern numbers s in first-seen order: its index in *list, appended
// (a copy, as s may point into a reused line buffer) when new.
func intern(s string, index map[string]int, list *[]string) int {
	if i, ok := index[s]; ok {
		return i
	}
	s = strings.Clone(s)
	index[s] = len(*list)
	*list = append(*list, s)
	return len(*list) - 1
}

// finish puts the lanes in the order the diagram shows them, clients first
// (by number), then the nodes in the run record's order, then any other
// name in the order it appeared, and renumbers the step table.
func (t *trace) finish() {
	order := make([]int, len(t.lanes))
	for i := range order {
		order[i] = i
	}
	clientNo := func(i int) (int, bool) {
		if !formats.IsClientName(t.lanes[i]) {
			return 0, false
		}
		n, err := strconv.Atoi(t.lanes[i][1:])
		return n, err == nil
	}
	sort.SliceStable(order, func(a, b int) bool {
		na, ca := clientNo(order[a])
		nb, cb := clientNo(order[b])
		if ca != cb {
			return ca
		}
		if ca {
			return na < nb
		}
		return order[a] < order[b]
	})
	newIndex := make([]int64, len(order))
	lanes := make([]string, len(order))
	for n, old := range order {
		newIndex[old] = int64(n)
		lanes[n] = t.lanes[old]
	}
	t.lanes = lanes
	for i := range t.laneOf {
		t.laneOf[i] = int(newIndex[t.laneOf[i]])
	}
	for r := 0; r < len(t.stepNos); r++ {
		row := t.steps[r*stepStride : (r+1)*stepStride]
		for _, c := range []int{colLane, colFrom} {
			if row[c] >= 0 {
				row[c] = newIndex[row[c]]
			}
		}
	}
	for _, r := range t.witness.steps {
		t.steps[r*stepStride+colFlags] |= flagWitness
	}
}

// describe is an operation as people write it: write(3), read(), cas(1, 2).
func describe(body gjson.Result) string {
	var args []string
	body.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type", "msg_id", "in_reply_to":
		default:
			args = append(args, v.Raw)
		}
		return true
	})
	return clip(describeType(body)+"("+strings.Join(args, ", ")+")", 60)
}

func describeType(body gjson.Result) string {
	if t := body.Get("type"); t.Type == gjson.String {
		return t.Str
	}
	return "?"
}

// outcome is what a completion adds to its op's label: " → 4" for a read,
// nothing for a write_ok, " ✗ why" for a failure, " ? why" for info.
func outcome(typ string, rec *record) string {
	reply := rec.get("reply")
	var vals []string
	reply.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "type", "msg_id", "in_reply_to", "code":
		default:
			vals = append(vals, v.Raw)
		}
		return true
	})
	why := rec.get("error").Str
	switch typ {
	case formats.TypeOk:
		if len(vals) == 0 {
			return ""
		}
		return clip(" → "+strings.Join(vals, ", "), 40)
	case formats.TypeFail:
		if why == "" {
			why = strings.Join(vals, ", ")
		}
		return clip(" ✗ "+why, 40)
	}
	if why == "" {
		why = "unknown"
	}
	return clip(" ? "+why, 40)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
