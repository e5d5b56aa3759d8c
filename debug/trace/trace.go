package trace

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Trace is one run, indexed. Its methods may be called from several
// goroutines.
type Trace struct {
	File    string           // the file name used in messages ("-" for stdin)
	Run     formats.Run      // the run record
	Steps   []Step           // one per step record, in file order
	Verdict *formats.Verdict // the last verdict on this run found in the input, if any
	More    bool             // the input holds more runs after this one (not indexed)

	data   []byte
	unmap  func() error
	labels []string
	lanes  lanes
	order  []Lane
	msgs   msgTable

	laneStart []int32 // lane l's steps are laneSteps[laneStart[l]:laneStart[l+1]]
	laneSteps []int32
	life      [][]int32 // per lane: its init, crash, panic and restart steps
	logs      [][]int32 // per lane: its steps that logged something

	mu      sync.Mutex
	senders map[int32]int32 // Sender's answers for client completions
}

// Open maps the trace file at path and indexes it.
func Open(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && !fi.Mode().IsRegular() {
		return Read(f, path) // a FIFO or a device: spool it
	}
	return open(f, path)
}

// Read spools r (a pipe, say) to a temporary file, which is removed at
// once, and indexes it; name is used in messages.
func Read(r io.Reader, name string) (*Trace, error) {
	f, err := os.CreateTemp("", "detsys-debug-*.ndjson")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	os.Remove(f.Name()) // the open file (and its mapping) outlive the name
	if _, err := io.Copy(f, r); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return open(f, name)
}

// FromBytes indexes a trace held in memory.
func FromBytes(data []byte, name string) (*Trace, error) {
	t := &Trace{File: name, data: data}
	if err := t.build(); err != nil {
		return nil, err
	}
	return t, nil
}

func open(f *os.File, name string) (*Trace, error) {
	data, unmap, err := mapFile(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	t := &Trace{File: name, data: data, unmap: unmap}
	if err := t.build(); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Close releases the mapping; the trace must not be used afterwards.
func (t *Trace) Close() error {
	if t.unmap == nil {
		return nil
	}
	err := t.unmap()
	t.unmap, t.data = nil, nil
	return err
}

// Size is the number of bytes of input.
func (t *Trace) Size() int64 { return int64(len(t.data)) }

// Raw is step i's record as it is in the file.
func (t *Trace) Raw(i int) []byte {
	st := &t.Steps[i]
	return t.data[st.Off : st.Off+int64(st.Len)]
}

// Record decodes step i's full record; a malformed one is an
// *formats.InputError naming the file, line and field.
func (t *Trace) Record(i int) (*formats.Step, error) {
	var rec formats.Step
	l := formats.Line{Data: t.Raw(i), File: t.File, No: int(t.Steps[i].Line)}
	if err := l.Decode(&rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// Label is the short text shown after step i's kind: the message or op
// type, the timer's name, the drop or end reason.
func (t *Trace) Label(i int) string { return t.labels[t.Steps[i].Label] }

// Lanes are the nodes and clients, left to right: clients by number, then
// the run's nodes in the run's order.
func (t *Trace) Lanes() []Lane { return t.order }

// Nodes are the run's nodes, in the run's order (keys 1–9 pick them).
func (t *Trace) Nodes() []Lane {
	ls := make([]Lane, t.lanes.nodes)
	for i := range ls {
		ls[i] = Lane(i)
	}
	return ls
}

// Name is a lane's node or client name ("" for NoLane).
func (t *Trace) Name(l Lane) string {
	if int(l) >= len(t.lanes.names) {
		return ""
	}
	return t.lanes.names[l]
}

// Lane is the lane of a node or client name, or NoLane.
func (t *Trace) Lane(name string) Lane {
	if l, ok := t.lanes.ids[name]; ok {
		return l
	}
	return NoLane
}

// IsClient reports whether the lane is a client (cN) rather than a node.
func (t *Trace) IsClient(l Lane) bool {
	return int(l) >= t.lanes.nodes && int(l) < len(t.lanes.names) && clientNumber(t.lanes.names[l]) >= 0
}

// Find is the index of the step numbered num, or of the first step after
// it if there is none; len(Steps) if num is past the end.
func (t *Trace) Find(num int64) int { return t.find(num, len(t.Steps)) }

// find looks among the first n steps. Step numbers usually go up by one, so
// it tries the dense guess first.
func (t *Trace) find(num int64, n int) int {
	if n > 0 {
		if g := num - t.Steps[0].Num; g >= 0 && g < int64(n) && t.Steps[g].Num == num {
			return int(g)
		}
	}
	return sort.Search(n, func(i int) bool { return t.Steps[i].Num >= num })
}

// LaneSteps are the indexes of the steps that happen on lane l, in order.
func (t *Trace) LaneSteps(l Lane) []int32 {
	if int(l)+1 >= len(t.laneStart) {
		return nil
	}
	return t.laneSteps[t.laneStart[l]:t.laneStart[l+1]]
}

// StateAt finds node l's state after step i: cur is the last step at or
// before i that recorded it (a crash records that there is none), prev the
// one before that; -1 when there is none.
func (t *Trace) StateAt(l Lane, i int) (cur, prev int) {
	steps := t.LaneSteps(l)
	k := sort.Search(len(steps), func(k int) bool { return int(steps[k]) > i })
	cur, prev = -1, -1
	for k--; k >= 0; k-- {
		if !t.Steps[steps[k]].Kind.HasState() {
			continue
		}
		if cur < 0 {
			cur = int(steps[k])
			continue
		}
		prev = int(steps[k])
		break
	}
	return cur, prev
}

// LogSteps are the last (at most max) steps at or before i on lane l that
// logged something, oldest first.
func (t *Trace) LogSteps(l Lane, i, max int) []int {
	if int(l) >= len(t.logs) {
		return nil
	}
	steps := t.logs[l]
	k := sort.Search(len(steps), func(k int) bool { return int(steps[k]) > i })
	out := make([]int, 0, min(k, max))
	for _, s := range steps[k-min(k, max) : k] {
		out = append(out, int(s))
	}
	return out
}

// Alive reports whether node l is up after step i: it has started and
// has not crashed (or panicked) since it last started. Clients are always up.
func (t *Trace) Alive(l Lane, i int) bool {
	if int(l) >= len(t.life) || t.IsClient(l) {
		return true
	}
	life := t.life[l]
	k := sort.Search(len(life), func(k int) bool { return int(life[k]) > i })
	if k == 0 {
		return false
	}
	switch t.Steps[life[k-1]].Kind {
	case KindCrash, KindPanic:
		return false
	}
	return true
}

// Sender is the index of the step that sent the message step i consumed,
// or -1. Deliveries and drops name it (sent_step); for a client's
// completion it is found by looking back through the replying node's steps
// for the send with the message's id.
func (t *Trace) Sender(i int) int {
	st := &t.Steps[i]
	if st.Sent >= 0 || !st.Kind.Consumes() || st.Msg < 0 || st.From == NoLane {
		return int(st.Sent)
	}
	t.mu.Lock()
	s, ok := t.senders[int32(i)]
	t.mu.Unlock()
	if ok {
		return int(s)
	}
	id := gjson.GetBytes(t.Raw(i), "id").Str
	s = -1
	steps := t.LaneSteps(st.From)
	k := sort.Search(len(steps), func(k int) bool { return int(steps[k]) >= i })
	for k--; k >= 0; k-- {
		found := false
		gjson.GetBytes(t.Raw(int(steps[k])), "sends.#.id").ForEach(func(_, v gjson.Result) bool {
			found = v.Str == id
			return !found
		})
		if found {
			s = steps[k]
			break
		}
	}
	t.mu.Lock()
	if t.senders == nil {
		t.senders = map[int32]int32{}
	}
	t.senders[int32(i)] = s
	t.mu.Unlock()
	return int(s)
}

// TimerSetter is the index of the step that set the timer that fired at
// step i (a timer step), or -1: the latest step before it on the same node
// that set a timer of that name due at that time. It looks back at most
// maxTimerLook of the node's steps.
func (t *Trace) TimerSetter(i int) int {
	st := &t.Steps[i]
	if st.Kind != KindTimer {
		return -1
	}
	name := gjson.GetBytes(t.Raw(i), "timer").Str
	steps := t.LaneSteps(st.Node)
	k := sort.Search(len(steps), func(k int) bool { return int(steps[k]) >= i })
	for n := 0; k > 0 && n < maxTimerLook; n++ {
		k--
		s := int(steps[k])
		found := false
		gjson.GetBytes(t.Raw(s), "timers").ForEach(func(_, v gjson.Result) bool {
			found = v.Get("name").Str == name && t.Steps[s].At+v.Get("after").Int() == st.At
			return !found
		})
		if found {
			return s
		}
	}
	return -1
}

const maxTimerLook = 100_000

// Send is one message a step sent and what became of it.
type Send struct {
	ID   string
	To   string
	Body []byte // raw JSON
	Recv int    // the step that delivered, dropped or answered it; -1 if none did
}

// Sends are the messages step i sent, in the order it sent them.
func (t *Trace) Sends(i int) []Send {
	var out []Send
	gjson.GetBytes(t.Raw(i), "sends").ForEach(func(_, v gjson.Result) bool {
		s := Send{ID: v.Get("id").Str, To: v.Get("to").Str, Body: []byte(v.Get("body").Raw), Recv: -1}
		if slot := t.msgs.slot([]byte(s.ID), false); slot >= 0 {
			s.Recv = int(t.msgs.recv[slot])
		}
		out = append(out, s)
		return true
	})
	return out
}

// Search finds the next step after from (or before it, when forward is
// false) whose record contains text, wrapping around the trace; -1 if none
// does. The search runs over the raw records, so /drop finds drops and
// /"value":3 a value.
func (t *Trace) Search(text []byte, from int, forward bool) (int, bool) {
	n := len(t.Steps)
	if n == 0 || len(text) == 0 {
		return -1, false
	}
	from = min(max(from, 0), n-1)
	if forward {
		if i := t.searchRange(text, from+1, n, true); i >= 0 {
			return i, false
		}
		return t.searchRange(text, 0, from+1, true), true
	}
	if i := t.searchRange(text, 0, from, false); i >= 0 {
		return i, false
	}
	return t.searchRange(text, from, n, false), true
}

// searchRange finds the first (or last) step in [lo, hi) whose record
// contains text.
func (t *Trace) searchRange(text []byte, lo, hi int, forward bool) int {
	if lo >= hi {
		return -1
	}
	start := t.Steps[lo].Off
	end := t.Steps[hi-1].Off + int64(t.Steps[hi-1].Len)
	for start < end {
		var at int
		if forward {
			at = bytes.Index(t.data[start:end], text)
		} else {
			at = bytes.LastIndex(t.data[start:end], text)
		}
		if at < 0 {
			return -1
		}
		p := start + int64(at)
		// The step whose record holds p, if p is inside one (and not in a
		// line that is not a step, or across two records).
		k := sort.Search(hi-lo, func(k int) bool { return t.Steps[lo+k].Off > p }) + lo - 1
		if k >= lo {
			st := &t.Steps[k]
			if p+int64(len(text)) <= st.Off+int64(st.Len) {
				return k
			}
		}
		if forward {
			start = p + 1
		} else {
			end = p + int64(len(text)) - 1
		}
	}
	return -1
}
