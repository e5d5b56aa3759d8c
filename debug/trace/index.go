package trace

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Step is the index entry of one step record: where it is in the file and
// the fields the step list, the diagram and navigation need. 48 bytes, so
// that a million steps fit in 48 MB.
type Step struct {
	Off   int64 // where the record starts in the file
	Num   int64 // its "step"
	At    int64 // its "at": simulated time, ns
	Len   int32 // its length in bytes
	Line  int32 // its line number, for messages
	Sent  int32 // index of the step that sent the message it consumed, -1 if none or not known yet
	Msg   int32 // slot of the message it consumed, -1
	Kind  Kind
	Logs  bool   // the record has log lines
	Node  Lane   // where the step happens: the receiver, the timer's node, the client; NoLane for end
	From  Lane   // the sender of the message it consumed; for invoke, the client
	To    Lane   // the receiver of that message; for invoke, the node the client called
	Label uint16 // index in Trace.labels: the message or op type, the timer, the drop reason
}

// indexer indexes one part of the file (see chunks.go) into tables of
// its own, which build merges: lane and label numbers are its own, a
// consumed message is named by the N of its id "mN" (or -2-k for the k-th
// other id), and the steps that sent messages by their step numbers.
type indexer struct {
	t       *Trace // for the run record and the file name only
	lanes   lanes
	labels  []string
	labelID map[string]uint16
	last    int // the label found last: runs of steps often share one
	steps   []Step
	sent    []sentRef
	other   []string // message ids not of the form mN
	verdict *formats.Verdict
	more    bool  // stopped at the run record of another run
	lines   int32 // lines read
}

// sentRef is a step that named the step that sent its message.
type sentRef struct {
	i    int32 // the step's index in the indexer's steps
	step int64 // the sender's step number
}

func newIndexer(t *Trace) *indexer {
	x := &indexer{t: t, labels: []string{""}, labelID: map[string]uint16{"": 0}}
	x.lanes.ids = map[string]Lane{}
	for _, n := range t.lanes.names[:t.lanes.nodes] {
		x.lanes.intern([]byte(n))
	}
	x.lanes.nodes = t.lanes.nodes
	return x
}

// bigMembers are the members the pass does not read when it already has
// what the record's kind needs: the node state and the effects come last
// in sched's traces, and they are most of the bytes.
func bigMember(k []byte) bool {
	switch string(k) {
	case "state", "sends", "timers", "cancel", "logs", "stack":
		return true
	}
	return false
}

var logsKey = []byte(`"logs":[`)

// scan indexes the records in data[start:end], which starts at a line.
// Errors name lines counted from the start of the part: the merge adds
// the lines before it.
func (x *indexer) scan(data []byte, start, end int) error {
	x.steps = make([]Step, 0, estimateLines(data[start:end]))
	for pos := start; pos < end; {
		eol := bytes.IndexByte(data[pos:end], '\n')
		next := pos + eol + 1
		if eol < 0 {
			eol = end - pos
			next = end
		}
		x.lines++
		rec := bytes.TrimRight(data[pos:pos+eol], " \t\r")
		off := pos
		pos = next
		for len(rec) > 0 && (rec[0] == ' ' || rec[0] == '\t') {
			rec = rec[1:]
			off++
		}
		if len(rec) == 0 {
			continue
		}
		l := formats.Line{Data: rec, File: x.t.File, No: int(x.lines)}
		if rec[0] != '{' {
			return l.Errorf("", "not a JSON object (each line must be one record like {\"type\":...}): %.40q", rec)
		}
		more, err := x.record(l, int64(off))
		if err != nil {
			return err
		}
		if more {
			x.more = true
			return nil
		}
	}
	return nil
}

// estimateLines guesses the number of records from the first 256 KB, a
// little high, so that the index is allocated once (counting every line
// first costs a sixth of the pass).
func estimateLines(data []byte) int {
	head := data[:min(len(data), 256<<10)]
	n := bytes.Count(head, []byte{'\n'}) + 1
	if len(head) == len(data) {
		return n
	}
	return int(float64(len(data)) / float64(len(head)) * float64(n) * 1.3)
}

// readRun decodes the first record, which must be the run record.
func (t *Trace) readRun(l formats.Line) error {
	if typ := formats.TypeOf(l.Data); typ != formats.TypeRun {
		hint := ""
		if typ == formats.TypeTest || typ == formats.TypeOp {
			hint = " (this looks like a test: run it with sched first)"
		}
		return l.Errorf("type", "the trace starts with a %q record; a trace starts with a run record%s", typ, hint)
	}
	if err := l.Decode(&t.Run); err != nil {
		return err
	}
	for _, n := range t.Run.Nodes {
		if _, ok := t.lanes.ids[n.Name]; ok {
			return l.Errorf("nodes", "node %q named twice", n.Name)
		}
		t.lanes.intern([]byte(n.Name))
	}
	t.lanes.nodes = len(t.lanes.names)
	return nil
}

// fields are the members of one record that the index reads.
type fields struct {
	typ, run, step, at, node, id, from, to, sentStep, client []byte
	body, op, timer, reason, sends                           []byte
	hasLogs                                                  bool
}

// record indexes one record after the run record. more is true when the
// record starts another run: the pass stops there.
func (x *indexer) record(l formats.Line, off int64) (more bool, err error) {
	t := x.t
	var f fields
	s := newScanner(l.Data)
	stopped := false
	for {
		k, ok := s.key()
		if !ok {
			if s.err != "" {
				return false, l.Errorf("", "%s", s.err)
			}
			break
		}
		if bigMember(k) && f.done() {
			stopped = true
			break
		}
		v, ok := s.value()
		if !ok {
			return false, l.Errorf(string(k), "%s", s.err)
		}
		f.set(k, v)
	}
	if f.typ == nil {
		return false, l.Errorf("type", "missing: every record has a string \"type\"")
	}
	typ, ok := parseString(f.typ)
	if !ok {
		return false, l.Errorf("type", "expected a string, got %s", describe(f.typ))
	}
	if string(typ) == formats.TypeRun {
		return true, nil
	}
	kind, isStep := kindOf(typ)
	if !isStep && f.step == nil {
		if string(typ) == formats.TypeVerdict {
			return false, x.readVerdict(l)
		}
		return false, nil // not a step of the run (faults, …): not shown
	}
	if stopped && l.Data[len(l.Data)-1] != '}' {
		return false, l.Errorf("", "record cut short (no closing '}')")
	}
	if f.run != nil {
		if r, ok := parseString(f.run); !ok || string(r) != t.Run.Run {
			return false, l.Errorf("run", "a record of run %s inside run %s, with no run record before it", f.run, t.Run.Run)
		}
	}
	st := Step{Off: off, Len: int32(len(l.Data)), Line: int32(l.No), Kind: kind, Sent: -1, Msg: -1,
		Node: NoLane, From: NoLane, To: NoLane}
	if st.Num, err = intField(l, "step", f.step, true); err != nil {
		return false, err
	}
	if n := len(x.steps); n > 0 && st.Num <= x.steps[n-1].Num {
		return false, l.Errorf("step", "%s", errStepOrder(st.Num, x.steps[n-1].Num))
	}
	if st.At, err = intField(l, "at", f.at, true); err != nil {
		return false, err
	}
	if err := x.lanesOf(l, &f, &st); err != nil {
		return false, err
	}
	if kind.Consumes() && f.id != nil {
		id, ok := parseString(f.id)
		if !ok {
			return false, l.Errorf("id", "expected a string, got %s", describe(f.id))
		}
		if n, ok := denseID(id); ok {
			st.Msg = int32(n)
		} else {
			st.Msg = int32(-2 - len(x.other))
			x.other = append(x.other, string(id))
		}
	}
	if f.sentStep != nil {
		n, err := intField(l, "sent_step", f.sentStep, true)
		if err != nil {
			return false, err
		}
		x.sent = append(x.sent, sentRef{int32(len(x.steps)), n})
	}
	st.Label = x.label(kind, typ, &f)
	if stopped {
		// sched writes the logs last: only a record that ends with an
		// array of strings can have them (or cancelled timers).
		st.Logs = bytes.HasSuffix(l.Data, []byte(`"]}`)) && bytes.Contains(l.Data[s.i:], logsKey)
	} else {
		st.Logs = f.hasLogs
	}
	x.steps = append(x.steps, st)
	return false, nil
}

func errStepOrder(step, after int64) string {
	return fmt.Sprintf("step %d after step %d: steps must increase (are two traces concatenated?)", step, after)
}

// done reports whether the record's kind needs nothing from the members
// that follow: sched writes the fields the index reads before the state.
func (f *fields) done() bool {
	if f.typ == nil || f.step == nil || f.at == nil {
		return false
	}
	switch string(bytes.Trim(f.typ, `"`)) {
	case formats.TypeDeliver:
		return f.id != nil && f.from != nil && f.to != nil && f.sentStep != nil && f.body != nil
	case formats.TypeInit, formats.TypeRestart, formats.TypeCrash, formats.TypePanic:
		return f.node != nil
	case formats.TypeTimer:
		return f.node != nil && f.timer != nil
	}
	return false
}

func (f *fields) set(k, v []byte) {
	switch string(k) {
	case "type":
		f.typ = v
	case "run":
		f.run = v
	case "step":
		f.step = v
	case "at":
		f.at = v
	case "node":
		f.node = v
	case "id":
		f.id = v
	case "from":
		f.from = v
	case "to":
		f.to = v
	case "sent_step":
		f.sentStep = v
	case "client":
		f.client = v
	case "body":
		f.body = v
	case "op":
		f.op = v
	case "timer":
		f.timer = v
	case "reason":
		f.reason = v
	case "sends":
		f.sends = v
	case "logs":
		f.hasLogs = len(v) > 2 // not []
	}
}

// intField reads an integer member; a missing one is an error when need is set.
func intField(l formats.Line, name string, v []byte, need bool) (int64, error) {
	if v == nil {
		if need {
			return 0, l.Errorf(name, "missing: every step record has an integer %q", name)
		}
		return 0, nil
	}
	n, ok := parseInt(v)
	if !ok {
		return 0, l.Errorf(name, "expected an integer, got %s", describe(v))
	}
	return n, nil
}

// lane interns a member naming a node or client; nil gives NoLane.
func (x *indexer) lane(l formats.Line, name string, v []byte) (Lane, error) {
	if v == nil {
		return NoLane, nil
	}
	s, ok := parseString(v)
	if !ok {
		return NoLane, l.Errorf(name, "expected a node name (a string), got %s", describe(v))
	}
	ln, ok := x.lanes.intern(s)
	if !ok {
		return NoLane, l.Errorf(name, "more than %d node names", NoLane)
	}
	return ln, nil
}

// lanesOf sets where the step happens and the message's two ends.
func (x *indexer) lanesOf(l formats.Line, f *fields, st *Step) error {
	var err error
	lane := func(name string, v []byte) Lane {
		var ln Lane
		if err == nil {
			ln, err = x.lane(l, name, v)
		}
		return ln
	}
	var client Lane = NoLane
	if f.client != nil {
		n, e := intField(l, "client", f.client, true)
		if e != nil {
			return e
		}
		client = lane("client", []byte(`"c`+strconv.FormatInt(n, 10)+`"`))
	}
	switch st.Kind {
	case KindDeliver, KindDrop:
		st.From, st.To = lane("from", f.from), lane("to", f.to)
		st.Node = st.To
	case KindInvoke:
		st.Node, st.From = client, client
		if f.sends != nil {
			if to := gjson.GetBytes(f.sends, "0.to"); to.Type == gjson.String {
				st.To = lane("sends", []byte(strconv.Quote(to.Str)))
			}
		}
	case KindOk, KindFail, KindInfo:
		st.Node, st.To = client, client
		st.From = lane("from", f.from)
	default:
		st.Node = lane("node", f.node)
	}
	if err == nil && st.Node == NoLane {
		switch st.Kind {
		case KindDeliver, KindDrop:
			err = l.Errorf("to", "missing: a %s record names the node the message went to", st.Kind)
		case KindInvoke, KindOk, KindFail, KindInfo:
			err = l.Errorf("client", "missing: a %s record names its client", st.Kind)
		case KindEnd, KindOther:
		default:
			err = l.Errorf("node", "missing: a %s record names its node", st.Kind)
		}
	}
	return err
}

// label interns the short text the step list shows after the kind.
func (x *indexer) label(kind Kind, typ []byte, f *fields) uint16 {
	var b []byte
	switch kind {
	case KindDeliver:
		b, _ = parseString(memberOf(f.body, "type"))
	case KindInvoke, KindOk, KindFail, KindInfo:
		b, _ = parseString(memberOf(f.op, "type"))
	case KindTimer:
		b, _ = parseString(f.timer)
	case KindDrop, KindEnd:
		b, _ = parseString(f.reason)
	case KindOther:
		b = typ
	}
	if x.last < len(x.labels) && x.labels[x.last] == string(b) {
		return uint16(x.last)
	}
	if id, ok := x.labelID[string(b)]; ok {
		x.last = int(id)
		return id
	}
	s := string(b)
	if len(x.labels) >= 1<<16 {
		return 0
	}
	id := uint16(len(x.labels))
	x.labels = append(x.labels, s)
	x.labelID[s] = id
	return id
}

// memberOf is the raw value of a top-level member of a small JSON object
// (a message body), or nil.
func memberOf(obj []byte, key string) []byte {
	if len(obj) == 0 || obj[0] != '{' {
		return nil
	}
	s := newScanner(obj)
	for {
		k, ok := s.key()
		if !ok {
			return nil
		}
		v, ok := s.value()
		if !ok {
			return nil
		}
		if string(k) == key {
			return v
		}
	}
}

// readVerdict keeps the last verdict on this run, for the title line.
func (x *indexer) readVerdict(l formats.Line) error {
	var v formats.Verdict
	if err := l.Decode(&v); err != nil {
		return err
	}
	if v.Run == x.t.Run.Run {
		x.verdict = &v
	}
	return nil
}

// link builds what the pass could not: each lane's steps.
func (t *Trace) link() {
	t.laneStart = make([]int32, len(t.lanes.names)+1)
	for _, st := range t.Steps {
		if st.Node != NoLane {
			t.laneStart[st.Node+1]++
		}
	}
	for i := 1; i < len(t.laneStart); i++ {
		t.laneStart[i] += t.laneStart[i-1]
	}
	t.laneSteps = make([]int32, len(t.Steps))
	fill := append([]int32(nil), t.laneStart[:len(t.laneStart)-1]...)
	for i, st := range t.Steps {
		if st.Node != NoLane {
			t.laneSteps[fill[st.Node]] = int32(i)
			fill[st.Node]++
		}
	}
	t.life = make([][]int32, len(t.lanes.names))
	t.logs = make([][]int32, len(t.lanes.names))
	for i, st := range t.Steps {
		if st.Logs && st.Node != NoLane {
			t.logs[st.Node] = append(t.logs[st.Node], int32(i))
		}
		switch st.Kind {
		case KindInit, KindCrash, KindPanic, KindRestart:
			t.life[st.Node] = append(t.life[st.Node], int32(i))
		}
	}
	t.order = t.lanes.order()
}
