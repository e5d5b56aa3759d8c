// Package report works out what a set of detsys runs exercised: which
// kinds of messages were sent, delivered and dropped, which faults were
// injected and what they did, how many distinct states each node reached
// and how that number grew run after run, and how client operations ended.
// When the input also has ldfi's records, the faults section says how much
// of its failure specification's fault space is covered. Code coverage of
// the executor comes from the Go toolchain (Code).
//
// Traces are read record by record (Add); runs are told apart by their
// "run" field and ordered by their first record, so concatenated traces
// and sweeps of many seeds work as they come:
//
//	r := report.New()
//	r.Read(f, "runs.ndjson") // or r.Add(line) record by record
//	sections := r.Sections() // one formats.Cover* record per section
//
// States are told apart by a 64-bit FNV-1a hash of their bytes as
// recorded: executors write them as compact JSON with map keys sorted
// (encoding/json), so equal states are equal bytes.
package report

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"sort"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// ClientLabel stands for every client (c0, c1, …) as a message's sender
// or receiver, so that the message table has one row per kind, not per
// client.
const ClientLabel = "c*"

// Report accumulates coverage over records. The zero value is not ready:
// use New.
type Report struct {
	runs    []*run
	byID    map[string]*run
	steps   int64
	tests   map[string]bool
	seeds   map[uint64]bool
	msgs    map[formats.MessageKind]*formats.MessageCount
	ops     map[string]*formats.OpCount
	states  map[string]*nodeStates
	sets    map[string]*faultSet
	kinds   map[string]*formats.FaultKindCount
	events  map[string]*formats.FaultEventCount
	nodes   map[string]*formats.NodeFaults
	known   map[string]bool     // every node named by a run record
	current *run                // the run of the previous record, to skip the map lookup
	space   *formats.FaultSpace // where an ldfi search stands, from its last record
}

type run struct {
	id      string
	nodes   map[string]bool // nil: no run record, clients by name only
	pending map[string]string
	newSt   int
	newBy   map[string]int  // node → states it found first (for the per-node curves)
	events  map[string]bool // events (and node faults) this run has been counted for
}

type nodeStates struct {
	seen    map[uint64]struct{}
	records int64
}

type faultSet struct {
	raw  json.RawMessage
	runs int
}

// New returns an empty report.
func New() *Report {
	return &Report{
		byID: map[string]*run{}, tests: map[string]bool{}, seeds: map[uint64]bool{},
		msgs: map[formats.MessageKind]*formats.MessageCount{}, ops: map[string]*formats.OpCount{},
		states: map[string]*nodeStates{}, sets: map[string]*faultSet{}, kinds: map[string]*formats.FaultKindCount{},
		events: map[string]*formats.FaultEventCount{}, nodes: map[string]*formats.NodeFaults{},
		known: map[string]bool{},
	}
}

// Add takes one record of a trace. Records of types cover does not know
// (verdicts, tests, …) are skipped. A malformed record is an
// *formats.InputError naming its file, line and field.
func (r *Report) Add(l formats.Line) error {
	typ := formats.TypeOf(l.Data)
	switch typ {
	case formats.TypeRun:
		return r.addRun(l)
	case formats.TypeFaults, formats.TypeCertified:
		return r.addLDFI(l, typ)
	case formats.TypeInit, formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo,
		formats.TypeDeliver, formats.TypeTimer, formats.TypeDrop, formats.TypeCrash, formats.TypeRestart,
		formats.TypePanic, formats.TypeEnd:
	default:
		return nil
	}
	rec := scan(l.Data)
	id := rec.run
	if id.Type != gjson.String {
		return l.Errorf("run", "a %s record needs the run it belongs to (a string)", typ)
	}
	ru := r.run(id.Str)
	r.steps++

	switch typ {
	case formats.TypeInvoke:
		c := rec.client
		if c.Type != gjson.Number {
			return l.Errorf("client", "an invoke needs its client (a number)")
		}
		r.op(rec).Invoke++
		if err := r.sends(l, ru, rec, formats.ClientName(int(c.Int()))); err != nil {
			return err
		}
	case formats.TypeOk, formats.TypeFail, formats.TypeInfo:
		o := r.op(rec)
		switch typ {
		case formats.TypeOk:
			o.Ok++
		case formats.TypeFail:
			o.Fail++
		default:
			o.Info++
		}
		// A reply that reached its client is a delivered message.
		if from := rec.from.Str; from != "" && rec.reply.Exists() {
			r.msg(ru, from, ClientLabel, rec.reply.Get("type").Str).Delivered++
		}
	case formats.TypeDeliver:
		to := rec.to.Str
		// Delivered: it carries its own body; forget the send, so that
		// memory follows the messages in flight, not the trace's length.
		delete(ru.pending, rec.id.Str)
		r.msg(ru, rec.from.Str, to, rec.body.Get("type").Str).Delivered++
		r.state(ru, to, rec)
		if err := r.sends(l, ru, rec, to); err != nil {
			return err
		}
	case formats.TypeInit, formats.TypeTimer, formats.TypeRestart:
		node := rec.node.Str
		r.state(ru, node, rec)
		if typ == formats.TypeRestart {
			r.event(ru, "restart")
			r.nodeFault(ru, node, "restarted", func(n *formats.NodeFaults) { n.Restarted++ })
		}
		if err := r.sends(l, ru, rec, node); err != nil {
			return err
		}
	case formats.TypeDrop:
		id, from, to := rec.id.Str, rec.from.Str, rec.to.Str
		bodyType, ok := ru.pending[id]
		if !ok {
			bodyType = "?" // its send is not in the input (or a duplicate of a delivered one)
		}
		delete(ru.pending, id)
		r.msg(ru, from, to, bodyType).Dropped++
		r.event(ru, "drop:"+rec.reason.Str)
	case formats.TypeCrash:
		r.event(ru, "crash")
		r.nodeFault(ru, rec.node.Str, "crashed", func(n *formats.NodeFaults) { n.Crashed++ })
	case formats.TypePanic:
		r.event(ru, "panic")
		r.nodeFault(ru, rec.node.Str, "panicked", func(n *formats.NodeFaults) { n.Panicked++ })
	case formats.TypeEnd:
		ru.pending = nil // the run is over: its messages in flight go nowhere
	}
	return nil
}

func (r *Report) run(id string) *run {
	if r.current != nil && r.current.id == id {
		return r.current
	}
	ru, ok := r.byID[id]
	if !ok {
		ru = &run{id: id, pending: map[string]string{}, events: map[string]bool{}}
		r.byID[id] = ru
		r.runs = append(r.runs, ru)
	}
	r.current = ru
	return ru
}

// addRun starts a run: its nodes (to tell clients from nodes), its test
// and seed, and its fault set.
func (r *Report) addRun(l formats.Line) error {
	var head struct {
		Run    string             `json:"run"`
		Test   string             `json:"test"`
		Seed   uint64             `json:"seed"`
		Faults []formats.Fault    `json:"faults"`
		Nodes  []formats.NodeSpec `json:"nodes"`
	}
	if err := l.Decode(&head); err != nil {
		return err
	}
	if head.Run == "" {
		return l.Errorf("run", "a run record needs its run id")
	}
	if _, seen := r.byID[head.Run]; seen {
		// The same run twice (a trace given twice): count it once more as
		// a run, under its own entry.
		head.Run = fmt.Sprintf("%s#%d", head.Run, len(r.runs)+1)
	}
	ru := r.run(head.Run)
	ru.nodes = map[string]bool{}
	for _, n := range head.Nodes {
		ru.nodes[n.Name] = true
		r.known[n.Name] = true
	}
	r.byID[gjson.GetBytes(l.Data, "run").Str] = ru // later records name the run by its id
	r.tests[head.Test] = true
	r.seeds[head.Seed] = true

	set, key, err := canonicalSet(head.Faults)
	if err != nil {
		return l.Errorf("faults", "%v", err)
	}
	fs, ok := r.sets[key]
	if !ok {
		fs = &faultSet{raw: set}
		r.sets[key] = fs
	}
	fs.runs++
	inRun := map[string]bool{}
	for _, f := range head.Faults {
		k := r.kinds[f.Kind]
		if k == nil {
			k = &formats.FaultKindCount{Kind: f.Kind}
			r.kinds[f.Kind] = k
		}
		k.Faults++
		if !inRun[f.Kind] {
			inRun[f.Kind] = true
			k.Runs++
		}
		if f.Kind == formats.FaultPartition && len(f.Groups) > 1 {
			for _, g := range f.Groups {
				for _, n := range g {
					r.nodeFault(ru, n, "partitioned", func(n *formats.NodeFaults) { n.Partitioned++ })
				}
			}
		}
	}
	return nil
}

// canonicalSet is a fault set's JSON with its faults sorted (a set, not a
// list) and the key that identifies it.
func canonicalSet(faults []formats.Fault) (json.RawMessage, string, error) {
	each := make([]string, len(faults))
	for i, f := range faults {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, "", err
		}
		each[i] = string(b)
	}
	sort.Strings(each)
	b := []byte{'['}
	for i, s := range each {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	b = append(b, ']')
	return b, string(b), nil
}

// label is the name a sender or receiver gets in the message table.
func (ru *run) label(name string) string {
	if formats.IsClientName(name) && !ru.nodes[name] {
		return ClientLabel
	}
	return name
}

func (r *Report) msg(ru *run, from, to, bodyType string) *formats.MessageCount {
	k := formats.MessageKind{From: ru.label(from), To: ru.label(to), BodyType: bodyType}
	m := r.msgs[k]
	if m == nil {
		m = &formats.MessageCount{MessageKind: k}
		r.msgs[k] = m
	}
	return m
}

// sends counts the messages a step sent, and remembers each one's body
// type so that a later drop record (which has no body) can be counted.
func (r *Report) sends(l formats.Line, ru *run, rec fields, from string) error {
	s := rec.sends
	if !s.Exists() {
		return nil
	}
	if !s.IsArray() {
		return l.Errorf("sends", "expected an array of messages")
	}
	var err error
	s.ForEach(func(_, m gjson.Result) bool {
		if !m.IsObject() {
			err = l.Errorf("sends", "expected an array of messages ({\"id\":…,\"to\":…,\"body\":…})")
			return false
		}
		bodyType := m.Get("body.type").Str
		r.msg(ru, from, m.Get("to").Str, bodyType).Sent++
		if ru.pending != nil {
			ru.pending[m.Get("id").Str] = bodyType
		}
		return true
	})
	return err
}

func (r *Report) op(rec fields) *formats.OpCount {
	name := rec.op.Get("type").Str
	o := r.ops[name]
	if o == nil {
		o = &formats.OpCount{Op: name}
		r.ops[name] = o
	}
	return o
}

func (r *Report) state(ru *run, node string, rec fields) {
	st := rec.state
	if !st.Exists() {
		return
	}
	ns := r.states[node]
	if ns == nil {
		ns = &nodeStates{seen: map[uint64]struct{}{}}
		r.states[node] = ns
	}
	ns.records++
	h := fnv.New64a()
	h.Write([]byte(st.Raw))
	sum := h.Sum64()
	if _, ok := ns.seen[sum]; !ok {
		ns.seen[sum] = struct{}{}
		ru.newSt++
		if ru.newBy == nil {
			ru.newBy = map[string]int{}
		}
		ru.newBy[node]++
	}
}

// event counts a fault event, and the run once per event.
func (r *Report) event(ru *run, name string) {
	e := r.events[name]
	if e == nil {
		e = &formats.FaultEventCount{Event: name}
		r.events[name] = e
	}
	e.Count++
	if !ru.events[name] {
		ru.events[name] = true
		e.Runs++
	}
}

// nodeFault counts a run once for what happened to a node.
func (r *Report) nodeFault(ru *run, node, what string, inc func(*formats.NodeFaults)) {
	if node == "" || ru.events[what+" "+node] {
		return
	}
	ru.events[what+" "+node] = true
	n := r.nodes[node]
	if n == nil {
		n = &formats.NodeFaults{Node: node}
		r.nodes[node] = n
	}
	inc(n)
}

// fields are the top-level fields of a step record that cover reads,
// found in one pass over the record (each gjson Get would scan it again,
// state and all).
type fields struct {
	run, client, op, reply, from, to, id, body, node, reason, state, sends gjson.Result
}

func scan(data []byte) fields {
	var f fields
	gjson.ParseBytes(data).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "run":
			f.run = v
		case "client":
			f.client = v
		case "op":
			f.op = v
		case "reply":
			f.reply = v
		case "from":
			f.from = v
		case "to":
			f.to = v
		case "id":
			f.id = v
		case "body":
			f.body = v
		case "node":
			f.node = v
		case "reason":
			f.reason = v
		case "state":
			f.state = v
		case "sends":
			f.sends = v
		}
		return true
	})
	return f
}

// Read adds every record of an NDJSON input (name is used in messages).
func (r *Report) Read(in io.Reader, name string) error {
	return formats.EachLine(in, name, r.Add)
}

// addLDFI keeps where an ldfi search stands, from the last of its records
// that carries its search fields (a hand-written {"type":"faults"} for
// sched --faults has none and is skipped).
func (r *Report) addLDFI(l formats.Line, typ string) error {
	var rec struct {
		Test       string          `json:"test"`
		Spec       json.RawMessage `json:"spec"`
		Runs       int             `json:"runs"`
		Space      *float64        `json:"space"`
		SpaceLog10 *float64        `json:"space_log10"`
		RuledOut   *float64        `json:"ruled_out"`
	}
	if err := l.Decode(&rec); err != nil {
		return err
	}
	if len(rec.Spec) == 0 {
		return nil
	}
	sp := &formats.FaultSpace{Test: rec.Test, Spec: rec.Spec, Space: rec.Space, SpaceLog10: rec.SpaceLog10,
		RuledOut: rec.RuledOut, Certified: typ == formats.TypeCertified, Runs: rec.Runs}
	if rec.Space != nil && rec.RuledOut != nil && *rec.Space > 0 {
		c := *rec.RuledOut / *rec.Space
		sp.Covered = &c
	}
	r.space = sp
	return nil
}
