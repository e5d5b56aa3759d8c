package lineage

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Run is one run of the test as ldfi sees it: what it depended on (its
// faults above all), the oracle's verdicts, and the lineage of its goals.
type Run struct {
	ID       string
	Test     string
	Seed     uint64
	Faults   []formats.Fault
	Nodes    []formats.NodeSpec
	Verdicts []formats.Verdict
	File     string // where its run record is
	Line     int

	Steps []Step // the steps the lineage may pass through, in trace order
	Goals []GoalStep

	crashed map[string]bool // nodes down (crashed or panicked) when the trace ended
}

// Good reports whether the oracle judged the run: every verdict valid
// (a run without verdicts is taken as good).
func (r *Run) Good() bool {
	for _, v := range r.Verdicts {
		if v.Valid != true {
			return false
		}
	}
	return true
}

// Crashed reports whether node was down when the trace ended.
func (r *Run) Crashed(node string) bool { return r.crashed[node] }

// Step is one step of a trace reduced to what the lineage needs.
type Step struct {
	Num  int64  // the trace's step number
	Kind string // the record type: init, deliver, timer, restart, invoke, ok, …
	Node string // the node (for client records: the client, c0 …)
	At   int64

	// Root steps happen whatever the network does: an init (a crash at
	// time 0 comes after it), a restart, a client's invoke.
	Root bool
	// Prev is the last earlier step at the same node that changed the
	// node's state (-1: none): what a node does depends on its state, so
	// a step depends on the steps that made that state.
	Prev int
	// Deps are the deliveries at the node since Prev: a node may keep what
	// a message brought where the trace does not show it (unexported
	// fields, a json.Marshaler), to act on later, so a step depends on
	// them too. A repeat of a message already delivered (same sender, same
	// body), or an alternative of an earlier delivery (see Trigger: the
	// same body, before the state moved on), is taken to bring nothing
	// new and is not among them: the earlier delivery's step stands for
	// it, and is broken only if every alternative is lost.
	Deps []int
	// SendDeps are, with Reader.FieldDeps, the deliveries at the node
	// since it last sent that are not among Deps: what the step sent, and
	// the timers it armed, may rest on them, written to the state or not;
	// its state change rests on Deps, Prev, Armers and Trigger only.
	SendDeps []int
	// Armers are, for a timer, the step that armed it — or, for a timer
	// armed to fire at once ("after this batch"), every earlier step at its
	// node at the same instant, any of which would have armed it had the
	// one that did not happened: the timer is prevented only if all are.
	Armers []int
	// Trigger is, for a deliver, the message delivered followed by its
	// alternatives: later deliveries of an identical body to the same node
	// that changed nothing the trace shows, before anything else changed
	// the node's state (had the first been lost, they would have done its
	// work) — from any sender if the first changed the node's state, else
	// from the same sender only; for an ok, the reply.
	// The step happens if any of them arrives.
	Trigger []Delivery
}

// Delivery is one message's journey: sent by step Send (-1: by a client or
// unknown) at SentAt, delivered to To at At.
type Delivery struct {
	ID       string
	From, To string
	SentAt   int64
	At       int64
	Send     int
}

// GoalStep is a goal found in a run: the step it is traced back from.
type GoalStep struct {
	// Alts are, for a grow-only set in a node's state (a log), the other
	// deliveries to the node of a message its making rested on: each would
	// have added the same elements (a monotone fact is derived again by
	// the same message, as in the paper's Dedalus programs). The goal is
	// broken only if these are lost too.
	Alts []Delivery
	Name string // e.g. "ok c0 step 9", "state b.log"
	Step int    // index into Run.Steps
	// Node is, for a node's state, the node: a fault set that crashes it
	// does not break this goal (a crashed node's state is nobody's concern).
	Node string
}

// Reader collects the runs of NDJSON traces and verdicts, which may come
// in any number of inputs: a verdict may be in another file than its run.
type Reader struct {
	// Tests are the nodes of each test record read, by test id (a test
	// case may come along with its runs); LastTest is the last one's id.
	Tests    map[string][]formats.NodeSpec
	LastTest string
	// FieldDeps: a step that changed its node's state rests on the steps
	// that last wrote the top-level fields it changed, instead of on the
	// node's previous state change (ldfi --deps fields). More precise
	// when a state carries bookkeeping that changes at every step; less
	// safe, since a step may also act on fields it does not write.
	FieldDeps bool
	// Test and Seed, if set, keep only the runs of that test and seed
	// (ldfi --test, --seed): the steps of others are not traced at all.
	Test string
	Seed *uint64

	goals []Goal
	runs  []*Run
	byID  map[string]*building
}

// building is a run being read.
type building struct {
	run   *Run
	index map[int64]int     // step number → index in run.Steps
	msgs  map[string]sent   // message id → its sending
	nodes map[string]*track // per node (and client)
	skip  bool              // not of Reader.Test and Reader.Seed
	// verdict is where its first verdict is (Data dropped), for the
	// message if its run record never comes.
	verdict formats.Line
}

type sent struct {
	step   int
	from   string
	sentAt int64
}

type track struct {
	state    []byte
	hasPrev  bool
	lastSC   int
	armed    map[string]int
	armedNow map[string]bool   // the timer was armed to fire at once
	fields   map[string]string // the state's top-level fields, raw
	writer   map[string]int    // the step that last changed each field
	now      []int             // the node's steps at instant nowAt
	nowAt    int64
	delivs   []delivInfo     // deliveries to the node: the alternatives
	since    []int           // deliveries since lastSC that brought something new
	epoch    int             // state changes so far
	inbox    []int           // new deliveries since the node last sent
	seen     map[string]bool // sender + body of every delivery so far
	paths    map[string]*pathTrack
}

type delivInfo struct {
	idx        int
	from, body string
	changed    bool
	epoch      int // state changes at the node up to and including this step
}

// alternativeOf reports whether delivery alt, later than d, is an
// alternative of d: it would have done what d did had d been lost. The
// same body, changing nothing the trace shows, before anything changed
// the node's state after d; from any sender if d changed the state (alt
// then left the node as d had), else from d's sender only (d may have
// brought something the trace does not show, which only the same message
// would bring again).
func (d delivInfo) alternativeOf(alt delivInfo) bool {
	return alt.epoch == d.epoch && alt.body == d.body && !alt.changed && (d.changed || alt.from == d.from)
}

type pathTrack struct {
	val  string
	step int
	seen bool
	// grows: every change so far only added elements to an array (a
	// grow-only set, like a log: monotone, as Dedalus relations are).
	grows bool
}

// grew reports whether the JSON value now is the array was with elements
// added (was may be absent or null).
func grew(was, now string) bool {
	n := gjson.Parse(now)
	if !n.IsArray() {
		return false
	}
	w := gjson.Parse(was)
	if was != "" && w.Type != gjson.Null && !w.IsArray() {
		return false
	}
	have := map[string]bool{}
	for _, e := range n.Array() {
		have[e.Raw] = true
	}
	for _, e := range w.Array() {
		if !have[e.Raw] {
			return false
		}
	}
	return true
}

// NewReader reads runs, tracing them back from goals.
func NewReader(goals []Goal) *Reader {
	if len(goals) == 0 {
		goals = DefaultGoals
	}
	return &Reader{goals: goals, byID: map[string]*building{}}
}

// Read reads one input (name is used in messages). Records of types ldfi
// does not use are skipped; malformed ones are *formats.InputError.
func (r *Reader) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, r.line)
}

func (r *Reader) line(l formats.Line) error {
	switch typ := l.Type(); typ {
	case formats.TypeTest:
		var t formats.Test
		if err := l.Decode(&t); err != nil {
			return err
		}
		if r.Tests == nil {
			r.Tests = map[string][]formats.NodeSpec{}
		}
		r.Tests[t.Test], r.LastTest = t.Nodes, t.Test
		return nil
	case formats.TypeRun:
		var rec formats.Run
		if err := l.Decode(&rec); err != nil {
			return err
		}
		if rec.Run == "" {
			return l.Errorf("run", "missing")
		}
		if b, ok := r.byID[rec.Run]; ok && b.run.File != "" {
			return l.Errorf("run", "run %s appears twice (first at %s:%d)", rec.Run, b.run.File, b.run.Line)
		}
		b := r.get(rec.Run)
		run := b.run
		run.Test, run.Seed, run.Faults, run.Nodes, run.File, run.Line = rec.Test, rec.Seed, rec.Faults, rec.Nodes, l.File, l.No
		b.skip = r.Test != "" && rec.Test != r.Test || r.Seed != nil && rec.Seed != *r.Seed
		return nil
	case formats.TypeVerdict:
		var v formats.Verdict
		if err := l.Decode(&v); err != nil {
			return err
		}
		if v.Run == "" {
			return l.Errorf("run", "missing")
		}
		if v.Valid != true && v.Valid != false && v.Valid != formats.Unknown {
			return l.Errorf("valid", "must be true, false or \"unknown\", not %v", v.Valid)
		}
		b := r.get(v.Run)
		if len(b.run.Verdicts) == 0 {
			b.verdict = formats.Line{File: l.File, No: l.No}
		}
		b.run.Verdicts = append(b.run.Verdicts, v)
		return nil
	case formats.TypeInit, formats.TypeDeliver, formats.TypeTimer, formats.TypeRestart, formats.TypeInvoke,
		formats.TypeOk, formats.TypeFail, formats.TypeInfo, formats.TypeCrash, formats.TypePanic, formats.TypeDrop:
		var s formats.Step
		if err := l.Decode(&s); err != nil {
			return err
		}
		b, ok := r.byID[s.Run]
		if !ok || b.run.File == "" {
			return l.Errorf("run", "%s record for run %q before its run record", typ, s.Run)
		}
		if b.skip {
			return nil
		}
		return b.step(l, &s, r)
	}
	return nil
}

func (r *Reader) get(id string) *building {
	b, ok := r.byID[id]
	if !ok {
		b = &building{run: &Run{ID: id, crashed: map[string]bool{}}, index: map[int64]int{}, msgs: map[string]sent{}, nodes: map[string]*track{}}
		r.byID[id] = b
		r.runs = append(r.runs, b.run)
	}
	return b
}

func (b *building) node(name string) *track {
	t, ok := b.nodes[name]
	if !ok {
		t = &track{lastSC: -1, armed: map[string]int{}, armedNow: map[string]bool{}, seen: map[string]bool{}, paths: map[string]*pathTrack{}}
		b.nodes[name] = t
	}
	return t
}

// step adds one step record to the run.
func (b *building) step(l formats.Line, s *formats.Step, r *Reader) error {
	goals := r.goals
	run := b.run
	node := s.Node
	switch s.Type {
	case formats.TypeDeliver:
		node = s.To
		if s.ID == "" || s.From == "" || s.To == "" || s.SentAt == nil {
			return l.Errorf(firstMissing(s), "missing (a deliver record needs id, from, to and sent_at)")
		}
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
		if s.Client == nil {
			return l.Errorf("client", "missing")
		}
		node = formats.ClientName(*s.Client)
	case formats.TypeDrop:
		return nil
	case formats.TypeCrash, formats.TypePanic:
		if node == "" {
			return l.Errorf("node", "missing")
		}
		run.crashed[node] = true
		return nil
	default:
		if node == "" {
			return l.Errorf("node", "missing")
		}
	}
	if _, dup := b.index[s.Step]; dup {
		return l.Errorf("step", "step %d appears twice in run %s", s.Step, run.ID)
	}
	idx := len(run.Steps)
	st := Step{Num: s.Step, Kind: s.Type, Node: node, At: s.At, Prev: -1}
	t := b.node(node)
	switch s.Type {
	case formats.TypeInit, formats.TypeRestart:
		st.Root = true
		t.hasPrev, t.state, t.lastSC, t.since, t.inbox = false, nil, -1, nil, nil
		t.fields, t.writer = nil, nil
		clear(t.armed)
		clear(t.seen)
		delete(run.crashed, node)
	case formats.TypeInvoke:
		st.Root = true
	case formats.TypeTimer:
		if a, ok := t.armed[s.Timer]; ok {
			st.Armers = []int{a}
			if t.armedNow[s.Timer] && t.nowAt == s.At {
				st.Armers = slices.Clone(t.now)
			}
		}
	case formats.TypeDeliver:
		d := Delivery{ID: s.ID, From: s.From, To: s.To, SentAt: *s.SentAt, At: s.At, Send: -1}
		if m, ok := b.msgs[s.ID]; ok {
			d.Send = m.step
		}
		st.Trigger = []Delivery{d}
	case formats.TypeOk:
		if m, ok := b.msgs[s.ID]; ok && s.ID != "" {
			st.Trigger = []Delivery{{ID: s.ID, From: m.from, To: node, SentAt: m.sentAt, At: s.At, Send: m.step}}
		}
	}
	st.Prev = t.lastSC
	st.Deps = slices.Clone(t.since)
	if r.FieldDeps && len(s.Sends) > 0 {
		// What a node sends may rest on anything it received since it last
		// sent, written to the state or not (its state change does not:
		// that rests on the fields it changed).
		for _, d := range t.inbox {
			if !slices.Contains(st.Deps, d) {
				st.SendDeps = append(st.SendDeps, d)
			}
		}
		t.inbox = t.inbox[:0]
	}
	for _, m := range s.Sends {
		b.msgs[m.ID] = sent{step: idx, from: node, sentAt: s.At}
	}
	for _, tm := range s.Timers {
		t.armed[tm.Name] = idx
		t.armedNow[tm.Name] = tm.After == 0
	}
	if t.nowAt != s.At {
		t.nowAt, t.now = s.At, t.now[:0]
	}
	t.now = append(t.now, idx)
	if s.Type == formats.TypeOk || s.Type == formats.TypeFail || s.Type == formats.TypeInfo {
		// A completion does not change what the client does next: the
		// next invoke is a root.
		st.Prev = -1
	}
	b.index[s.Step] = idx
	run.Steps = append(run.Steps, st)

	changed := false
	if s.State != nil {
		changed = !t.hasPrev || !bytes.Equal(t.state, s.State)
		if changed {
			writers, ok := t.fieldWriters(s.State, idx)
			if ok && t.hasPrev && r.FieldDeps {
				// A step that changed some fields rests on the steps that
				// last wrote those fields, not on every earlier change: a
				// receipt counter bumped in between does not make the log
				// depend on that receipt.
				run.Steps[idx].Prev = -1
				for _, w := range writers {
					if !slices.Contains(run.Steps[idx].Deps, w) {
						run.Steps[idx].Deps = append(run.Steps[idx].Deps, w)
					}
				}
			}
			t.lastSC, t.since = idx, nil
			t.epoch++
		} else if r.FieldDeps && len(s.Sends) == 0 {
			// Changed nothing, sent nothing: what it did (arm a timer)
			// did not depend on the state.
			run.Steps[idx].Prev = -1
		}
		for _, g := range goals {
			if g.Kind != GoalState || (g.Who != "" && g.Who != node) {
				continue
			}
			p := t.paths[g.Path]
			if p == nil {
				p = &pathTrack{step: -1, grows: g.Path != ""}
				t.paths[g.Path] = p
			}
			val := string(s.State)
			if g.Path != "" {
				val = gjson.GetBytes(s.State, g.Path).Raw
			}
			if !p.seen || val != p.val {
				if p.seen && !grew(p.val, val) {
					p.grows = false
				}
				p.val, p.step, p.seen = val, idx, true
			}
		}
		t.state = append(t.state[:0], s.State...)
		t.hasPrev = true
	}
	if s.Type == formats.TypeDeliver {
		body := string(s.Body)
		di := delivInfo{idx: idx, from: s.From, body: body, changed: changed, epoch: t.epoch}
		// An alternative of an earlier delivery (Runs adds it to that
		// one's Trigger) brings what that one brought: not new.
		alt := slices.ContainsFunc(t.delivs, func(d delivInfo) bool { return d.alternativeOf(di) })
		t.delivs = append(t.delivs, di)
		if k := s.From + "\x00" + body; !t.seen[k] {
			t.seen[k] = true
			if !alt {
				if !changed {
					t.since = append(t.since, idx)
				}
				t.inbox = append(t.inbox, idx)
			}
		}
	}
	for _, g := range goals {
		switch {
		case g.Kind == GoalOK && s.Type == formats.TypeOk && (g.Who == "" || g.Who == node):
			run.Goals = append(run.Goals, GoalStep{Name: fmt.Sprintf("ok %s step %d", node, s.Step), Step: idx})
		case g.Kind == GoalRecord && g.matchRecord(l.Data):
			run.Goals = append(run.Goals, GoalStep{Name: fmt.Sprintf("%s step %d", s.Type, s.Step), Step: idx})
		}
	}
	return nil
}

// fieldWriters compares a state (a JSON object) with the node's last one
// field by field, returns the steps that last wrote the fields that
// changed, and records step idx as their writer. ok is false if the state
// is not an object.
func (t *track) fieldWriters(state []byte, idx int) (writers []int, ok bool) {
	res := gjson.ParseBytes(state)
	if !res.IsObject() {
		return nil, false
	}
	now := map[string]string{}
	res.ForEach(func(k, v gjson.Result) bool {
		now[k.Str] = v.Raw
		return true
	})
	if t.writer == nil {
		t.writer = map[string]int{}
	}
	keys := slices.Sorted(maps.Keys(now))
	for _, k := range slices.Sorted(maps.Keys(t.fields)) {
		if _, ok := now[k]; !ok {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if old, had := t.fields[k]; had && old == now[k] {
			continue
		}
		if w, ok := t.writer[k]; ok && !slices.Contains(writers, w) {
			writers = append(writers, w)
		}
		t.writer[k] = idx
	}
	t.fields = now
	return writers, true
}

// rederivations are the deliveries to t's node, other than those goal
// rests on (its premises: through Prev, Deps and a timer's only armer),
// of a body that one of those has.
func rederivations(run *Run, t *track, goal int) []Delivery {
	node := run.Steps[goal].Node
	support := map[int]bool{}
	bodies := map[string]bool{}
	var visit func(i int)
	visit = func(i int) {
		if i < 0 || support[i] || run.Steps[i].Node != node {
			return
		}
		support[i] = true
		s := run.Steps[i]
		visit(s.Prev)
		for _, d := range s.Deps {
			visit(d)
		}
		// A timer that several steps would have armed rests on none of
		// them alone (it is prevented only if all are): a delivery among
		// them is no premise of the goal, and one of the same body is an
		// alternative like any other.
		if len(s.Armers) == 1 {
			visit(s.Armers[0])
		}
	}
	visit(goal)
	for _, d := range t.delivs {
		if support[d.idx] {
			bodies[d.body] = true
		}
	}
	var out []Delivery
	for _, d := range t.delivs {
		if !support[d.idx] && bodies[d.body] {
			out = append(out, run.Steps[d.idx].Trigger[0])
		}
	}
	return out
}

func firstMissing(s *formats.Step) string {
	switch {
	case s.ID == "":
		return "id"
	case s.From == "":
		return "from"
	case s.To == "":
		return "to"
	}
	return "sent_at"
}

// Runs finishes reading and returns the runs (of Test and Seed, if set)
// in order of first appearance: each with its state goals and the
// alternatives of its deliveries. Verdicts for runs whose trace never
// came are an error.
func (r *Reader) Runs() ([]*Run, error) {
	var out []*Run
	for _, run := range r.runs {
		b := r.byID[run.ID]
		if run.File == "" {
			return nil, b.verdict.Errorf("run", "verdict for run %s, whose trace (run record) is not in the input", run.ID)
		}
		if b.skip {
			continue
		}
		out = append(out, run)
		names := slices.Sorted(maps.Keys(b.nodes))
		for _, name := range names {
			t := b.nodes[name]
			// Alternatives: a later delivery of the same body to the same
			// node, which changed nothing, and before the node's state moved
			// on, would have done what the first did. (After it moved on —
			// a timeout decided, say — it might not: counting it would make
			// the goal look harder to break than it is.)
			for i, d := range t.delivs {
				for _, alt := range t.delivs[i+1:] {
					if alt.epoch != d.epoch {
						break
					}
					if d.alternativeOf(alt) {
						run.Steps[d.idx].Trigger = append(run.Steps[d.idx].Trigger, run.Steps[alt.idx].Trigger[0])
					}
				}
			}
			if formats.IsClientName(name) || run.crashed[name] {
				continue
			}
			for _, g := range r.goals {
				if g.Kind != GoalState || (g.Who != "" && g.Who != name) {
					continue
				}
				p := t.paths[g.Path]
				if p == nil || p.step < 0 || run.Steps[p.step].Root {
					continue // never changed after its start: nothing to break
				}
				what := name
				if g.Path != "" {
					what += "." + g.Path
				}
				gs := GoalStep{Name: "state " + what, Step: p.step, Node: name}
				if p.grows {
					gs.Alts = rederivations(run, t, p.step)
				}
				run.Goals = append(run.Goals, gs)
			}
		}
	}
	return out, nil
}
