package sim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"

	"github.com/detsys/detsys/formats"
	"github.com/tidwall/gjson"
)

// Executor runs node events for the scheduler: in process
// (*exec.Executor) or behind the FIFOs (sched/pipe).
type Executor interface {
	Hello(formats.Hello) (formats.Hello, error)
	// Step runs one event; the reply is valid until the next call.
	Step(*formats.StepRequest) (*formats.EffectsReply, error)
}

// Generator streams. Each purpose has its own PCG stream, seeded with
// (seed, stream), so that, for instance, adding random crashes never shifts
// the network's draws.
const (
	streamNet    = 1 // per send, in effect order: one latency draw, one drop draw
	streamClient = 2 // per client op, in invoke order: one think-time draw
	streamFaults = 3 // before the run: the random crashes
)

// Result summarises a run.
type Result struct {
	Run    string
	Build  string
	Steps  int64
	Time   int64 // simulated ns at the end
	Reason string
	Cached bool // Options.Cached said the run is stored: nothing was run or written
}

// ExecError is a failure of the executor at a step: it died, hung or
// answered garbage. The trace up to that step has been written.
type ExecError struct {
	Step int64
	What string // "deliver m5 from frontend to register1", …
	Err  error
}

func (e *ExecError) Error() string {
	if e.What == "hello" {
		return fmt.Sprintf("hello: %v", e.Err)
	}
	return fmt.Sprintf("step %d (%s): %v", e.Step, e.What, e.Err)
}
func (e *ExecError) Unwrap() error { return e.Err }

type nodeState struct {
	name   string
	up     bool
	timers map[string]uint64 // armed timer → generation
	skew   formats.Fault
}

type client struct {
	id       int
	ops      []clientOp
	next     int
	inflight bool
	op       clientOp
	msgID    int64
	nextID   int64
	gen      uint64
}

// clientOp is an op as a client keeps it: the test's ops are the one
// thing sched holds that grows with the run, so they are kept small and
// let go of once invoked.
type clientOp struct {
	node string
	body []byte
	at   int64 // -1: as soon as the client is ready
}

// Sim is one run in progress. Use Run.
type Sim struct {
	t     *Test
	o     Options
	x     Executor
	w     *bufio.Writer
	buf   []byte
	runID string

	net, cli *rand.Rand
	network  *network
	q        queue
	seq      uint64
	gen      uint64
	step     int64
	now      int64
	nmsg     int64

	nodes   map[string]*nodeState
	clients []*client
	rec     formats.Step
	sendBuf []formats.SentMessage
	free    []*event
}

// Run runs test t on executor x with options o, writing the trace to w.
// On an executor failure it writes an "end" record with reason "error"
// and returns an *ExecError; the trace written so far is complete up to
// the failing step.
func Run(t *Test, x Executor, o Options, w io.Writer) (Result, error) {
	s := &Sim{t: t, o: o, x: x, w: bufio.NewWriterSize(w, 256<<10), nodes: map[string]*nodeState{}}
	res, err := s.run()
	if ferr := s.w.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	return res, err
}

func (s *Sim) run() (Result, error) {
	for i, f := range s.o.Faults {
		if fe := CheckFault(f, s.t); fe != nil {
			return Result{}, &formats.InputError{Field: fmt.Sprintf("faults[%d].%s", i, fe.Field), Msg: fe.Msg}
		}
	}
	hello, err := s.x.Hello(formats.Hello{Type: formats.MsgHello, Version: formats.ProtocolVersion, Seed: s.o.Seed, Nodes: s.t.Nodes})
	if err != nil {
		return Result{}, &ExecError{What: "hello", Err: err}
	}
	if hello.Error != "" {
		return Result{}, &formats.InputError{Msg: "the executor cannot run this test: " + hello.Error}
	}
	faults := append(append([]formats.Fault{}, s.o.Faults...), randomFaults(s.o, s.t.Nodes, rand.New(rand.NewPCG(s.o.Seed, streamFaults)))...)
	opts := s.o.record()
	s.runID, err = formats.RunID(s.t.Test.Test, s.o.Seed, faults, opts, hello.Build)
	if err != nil {
		return Result{}, err
	}
	res := Result{Run: s.runID, Build: hello.Build}
	if s.o.Cached != nil && s.o.Cached(s.runID) {
		res.Cached = true
		return res, nil
	}
	if err := s.writeRaw(formats.Run{Type: formats.TypeRun, Run: s.runID, Test: s.t.Test.Test, Seed: s.o.Seed,
		Faults: faults, Opts: opts, Exec: formats.Exec{Build: hello.Build}, Nodes: s.t.Nodes}); err != nil {
		return res, err
	}

	s.net = rand.New(rand.NewPCG(s.o.Seed, streamNet))
	s.cli = rand.New(rand.NewPCG(s.o.Seed, streamClient))
	s.network = newNetwork(faults)
	for _, n := range s.t.Nodes {
		ns := &nodeState{name: n.Name, timers: map[string]uint64{}}
		s.nodes[n.Name] = ns
		s.schedule(s.newEvent(event{at: 0, kind: evInit, node: n.Name}))
	}
	for _, f := range faults {
		switch f.Kind {
		case formats.FaultCrash:
			s.schedule(s.newEvent(event{at: f.At, kind: evCrash, node: f.Node}))
		case formats.FaultRestart:
			s.schedule(s.newEvent(event{at: f.At, kind: evRestart, node: f.Node}))
		case formats.FaultSkew:
			s.nodes[f.Node].skew = f
		}
	}
	s.clients = make([]*client, s.t.Clients)
	for i := range s.clients {
		s.clients[i] = &client{id: i}
	}
	for _, op := range s.t.Ops {
		c := s.clients[op.Client]
		at := int64(-1)
		if op.At != nil {
			at = *op.At
		}
		c.ops = append(c.ops, clientOp{node: op.Node, body: op.Body, at: at})
	}
	// From here on the clients hold the ops (and let go of each once it
	// is invoked); the run keeps no reference to the test's op list.
	s.t = &Test{Test: s.t.Test}
	for _, c := range s.clients {
		if len(c.ops) > 0 {
			s.scheduleInvoke(c)
		}
	}

	reason, err := s.loop()
	if err != nil {
		var ee *ExecError
		if errors.As(err, &ee) {
			s.writeEnd(formats.EndError, ee.Error())
		}
		res.Steps, res.Time, res.Reason = s.step, s.now, formats.EndError
		return res, err
	}
	// Operations still in flight when the run stops have unknown outcomes.
	for _, c := range s.clients {
		if c.inflight {
			if err := s.complete(c, formats.TypeInfo, nil, "", "", "run ended"); err != nil {
				return res, err
			}
		}
	}
	if err := s.writeEnd(reason, ""); err != nil {
		return res, err
	}
	res.Steps, res.Time, res.Reason = s.step, s.now, reason
	return res, nil
}

func (s *Sim) loop() (string, error) {
	for s.q.Len() > 0 {
		e := s.q[0]
		if s.stale(e) {
			s.recycle(s.q.pop())
			continue
		}
		if s.o.MaxTime > 0 && e.at > int64(s.o.MaxTime) {
			s.now = int64(s.o.MaxTime)
			return formats.EndMaxTime, nil
		}
		if s.o.MaxSteps > 0 && s.step >= s.o.MaxSteps {
			return formats.EndMaxSteps, nil
		}
		s.q.pop()
		s.now = e.at
		if err := s.process(e); err != nil {
			return "", err
		}
		s.recycle(e)
		if s.o.Progress != nil && s.step&0x1fff == 0 {
			s.o.Progress(s.step, s.now)
		}
	}
	return formats.EndQuiescent, nil
}

func (s *Sim) stale(e *event) bool {
	switch e.kind {
	case evTimer:
		ns := s.nodes[e.node]
		return !ns.up || ns.timers[e.timer] != e.gen
	case evTimeout:
		c := s.clients[e.client]
		return !c.inflight || c.gen != e.gen
	}
	return false
}

// newEvent takes an event from the free list (events are recycled once
// processed: a run schedules one or more per step).
func (s *Sim) newEvent(e event) *event {
	if n := len(s.free); n > 0 {
		p := s.free[n-1]
		s.free = s.free[:n-1]
		*p = e
		return p
	}
	p := new(event)
	*p = e
	return p
}

func (s *Sim) recycle(e *event) {
	*e = event{}
	s.free = append(s.free, e)
}

func (s *Sim) schedule(e *event) {
	e.seq = s.seq
	s.seq++
	s.q.push(e)
}

func (s *Sim) scheduleInvoke(c *client) {
	at := s.now + s.o.Think.Sample(s.cli)
	if op := c.ops[c.next]; op.at > at {
		at = op.at
	}
	s.schedule(s.newEvent(event{at: at, kind: evInvoke, client: c.id}))
}

// localNow is the node's clock: simulated time with its skew applied.
func (s *Sim) localNow(ns *nodeState) int64 {
	if ns.skew.Kind == "" {
		return s.now
	}
	return s.now + ns.skew.Offset + s.now*ns.skew.DriftPPM/1_000_000
}

func (s *Sim) process(e *event) error {
	switch e.kind {
	case evInit:
		s.nodes[e.node].up = true
		return s.runNode(e.node, formats.Event{Kind: formats.EventInit}, formats.TypeInit, nil)
	case evInvoke:
		return s.invoke(s.clients[e.client])
	case evDeliver:
		return s.deliver(&e.msg)
	case evTimer:
		delete(s.nodes[e.node].timers, e.timer)
		return s.runNode(e.node, formats.Event{Kind: formats.EventTimer, Timer: e.timer}, formats.TypeTimer, func(r *formats.Step) { r.Timer = e.timer })
	case evTimeout:
		return s.complete(s.clients[e.client], formats.TypeInfo, nil, "", "", "timeout")
	case evCrash:
		ns := s.nodes[e.node]
		s.down(ns)
		r := s.record(formats.TypeCrash)
		r.Node = e.node
		return s.emit()
	case evRestart:
		ns := s.nodes[e.node]
		s.down(ns)
		ns.up = true
		return s.runNode(e.node, formats.Event{Kind: formats.EventRestart}, formats.TypeRestart, nil)
	}
	panic("unreachable")
}

// down marks a node crashed: it stops receiving, and its timers are gone.
func (s *Sim) down(ns *nodeState) {
	ns.up = false
	clear(ns.timers)
}

func (s *Sim) record(typ string) *formats.Step {
	s.rec = formats.Step{Head: formats.Head{Type: typ, Run: s.runID, Step: s.step, At: s.now}}
	return &s.rec
}

// emit writes the current record and advances the step counter.
func (s *Sim) emit() error {
	s.buf = s.rec.AppendJSON(s.buf[:0])
	s.buf = append(s.buf, '\n')
	s.step++
	_, err := s.w.Write(s.buf)
	return err
}

func (s *Sim) writeRaw(v any) error {
	enc := json.NewEncoder(s.w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func (s *Sim) writeEnd(reason, msg string) error {
	r := s.record(formats.TypeEnd)
	r.Reason, r.Error = reason, msg
	steps, at := s.step, s.now
	r.Steps, r.Time = &steps, &at
	s.buf = s.rec.AppendJSON(s.buf[:0])
	s.buf = append(s.buf, '\n')
	_, err := s.w.Write(s.buf)
	return err
}

// runNode runs one event on a node through the executor and records the
// step as typ (or as "panic" if the node panicked).
func (s *Sim) runNode(node string, ev formats.Event, typ string, decorate func(*formats.Step)) error {
	ns := s.nodes[node]
	req := formats.StepRequest{Type: formats.MsgStep, Step: s.step, At: s.now, Now: s.localNow(ns), Node: node, Event: ev}
	reply, err := s.x.Step(&req)
	if err == nil && reply.Step != s.step {
		err = fmt.Errorf("executor answered step %d", reply.Step)
	}
	if err != nil {
		return &ExecError{Step: s.step, What: describe(node, ev), Err: err}
	}
	if reply.Panic != "" {
		s.down(ns)
		r := s.record(formats.TypePanic)
		r.Node = node
		if decorate != nil {
			decorate(r)
		}
		r.Panic, r.Stack = reply.Panic, reply.Stack
		return s.emit()
	}
	r := s.record(typ)
	if typ != formats.TypeDeliver {
		r.Node = node
	}
	if decorate != nil {
		decorate(r)
	}
	r.State = reply.State
	r.Logs = reply.Logs
	r.Cancel = reply.Cancel
	r.Timers = reply.Timers
	for _, name := range reply.Cancel {
		delete(ns.timers, name)
	}
	for _, t := range reply.Timers {
		s.gen++
		ns.timers[t.Name] = s.gen
		after := max(t.After, 0) // an executor in another language may send anything
		if d := ns.skew.DriftPPM; d != 0 {
			after = after * 1_000_000 / (1_000_000 + d)
		}
		s.schedule(s.newEvent(event{at: s.now + after, kind: evTimer, node: node, timer: t.Name, gen: s.gen}))
	}
	r.Sends = s.sends(s.sendBuf[:0], node, reply.Sends)
	s.sendBuf = r.Sends
	return s.emit()
}

func describe(node string, ev formats.Event) string {
	switch ev.Kind {
	case formats.EventMessage:
		return fmt.Sprintf("deliver %s from %s to %s", ev.ID, ev.From, node)
	case formats.EventTimer:
		return fmt.Sprintf("timer %q at %s", ev.Timer, node)
	}
	return fmt.Sprintf("%s of %s", ev.Kind, node)
}

// sends gives each message an id, draws its latency and drop chance (two
// draws per send, always, so that a fault never shifts later draws), and
// schedules its delivery — or its drop, which is also a step.
func (s *Sim) sends(out []formats.SentMessage, from string, sends []formats.Send) []formats.SentMessage {
	for _, m := range sends {
		s.nmsg++
		id := "m" + strconv.FormatInt(s.nmsg, 10)
		latency := s.o.Latency.Sample(s.net)
		lost := s.net.Float64() < s.o.Drop
		ev := s.newEvent(event{kind: evDeliver, msg: message{id: id, from: from, to: m.To, body: m.Body, sentAt: s.now, sentStep: s.step}})
		msg := &ev.msg
		switch {
		case s.network.partitioned(from, m.To, s.now):
			msg.dropReason = formats.ReasonPartition
		case lost:
			msg.dropReason = formats.ReasonOmission
		default:
			if _, ok := s.network.find(s.network.omit, from, m.To, s.now); ok {
				msg.dropReason = formats.ReasonOmission
			}
		}
		if f, ok := s.network.find(s.network.delay, from, m.To, s.now); ok {
			latency += f.By
		}
		ev.at = s.now + latency
		s.schedule(ev)
		if _, ok := s.network.find(s.network.dup, from, m.To, s.now); ok && msg.dropReason == "" {
			s.schedule(s.newEvent(event{at: ev.at, kind: evDeliver, msg: *msg}))
		}
		out = append(out, formats.SentMessage{ID: id, To: m.To, Body: m.Body})
	}
	return out
}

func (s *Sim) deliver(m *message) error {
	reason := m.dropReason
	ns, isNode := s.nodes[m.to]
	var c *client
	if !isNode {
		c = s.clientNamed(m.to)
		if c == nil && reason == "" {
			reason = "no_such_node"
		}
	} else if reason == "" && !ns.up {
		reason = formats.ReasonCrash
	}
	if reason != "" {
		r := s.record(formats.TypeDrop)
		r.ID, r.From, r.To, r.Reason = m.id, m.from, m.to, reason
		r.SentAt, r.SentStep = &m.sentAt, &m.sentStep
		return s.emit()
	}
	if c != nil {
		return s.toClient(c, m)
	}
	return s.runNode(m.to, formats.Event{Kind: formats.EventMessage, ID: m.id, From: m.from, Body: m.body}, formats.TypeDeliver,
		func(r *formats.Step) {
			r.ID, r.From, r.To, r.Body = m.id, m.from, m.to, m.body
			r.SentAt, r.SentStep = &m.sentAt, &m.sentStep
		})
}

func (s *Sim) clientNamed(name string) *client {
	if !formats.IsClientName(name) {
		return nil
	}
	i, err := strconv.Atoi(name[1:])
	if err != nil || i >= len(s.clients) {
		return nil
	}
	return s.clients[i]
}

// toClient handles a message that reached a client: the reply to its
// operation in flight completes it; anything else (a late reply to an
// operation that already timed out) is recorded as delivered and ignored.
func (s *Sim) toClient(c *client, m *message) error {
	irt := gjson.GetBytes(m.body, "in_reply_to")
	if c.inflight && irt.Exists() && irt.Int() == c.msgID {
		typ := formats.TypeOk
		if gjson.GetBytes(m.body, "type").Str == "error" {
			typ = formats.TypeInfo
			if formats.ErrorDefinite(int(gjson.GetBytes(m.body, "code").Int())) {
				typ = formats.TypeFail
			}
		}
		return s.complete(c, typ, m.body, m.id, m.from, "")
	}
	r := s.record(formats.TypeDeliver)
	r.ID, r.From, r.To, r.Body = m.id, m.from, m.to, m.body
	r.SentAt, r.SentStep = &m.sentAt, &m.sentStep
	return s.emit()
}

// invoke starts a client's next operation: the request is a message from
// the client to the op's node, with a msg_id, subject to the network.
func (s *Sim) invoke(c *client) error {
	op := c.ops[c.next]
	c.ops[c.next] = clientOp{}
	c.next++
	c.nextID++
	c.inflight, c.op, c.msgID = true, op, c.nextID
	s.gen++
	c.gen = s.gen
	s.schedule(s.newEvent(event{at: s.now + int64(s.o.ClientTimeout), kind: evTimeout, client: c.id, gen: c.gen}))
	body := withMsgID(op.body, c.msgID)
	r := s.record(formats.TypeInvoke)
	id := c.id
	r.Client, r.Op = &id, op.body
	r.Sends = s.sends(s.sendBuf[:0], formats.ClientName(c.id), []formats.Send{{To: op.node, Body: body}})
	s.sendBuf = r.Sends
	return s.emit()
}

// complete ends a client's operation in flight and schedules its next one.
func (s *Sim) complete(c *client, typ string, reply []byte, id, from, why string) error {
	c.inflight = false
	r := s.record(typ)
	cid := c.id
	r.Client, r.Op, r.Reply, r.ID, r.From, r.Error = &cid, c.op.body, reply, id, from, why
	if err := s.emit(); err != nil {
		return err
	}
	if c.next < len(c.ops) {
		s.scheduleInvoke(c)
	}
	return nil
}

func withMsgID(body []byte, id int64) []byte {
	out := make([]byte, 0, len(body)+24)
	out = append(out, body[:len(body)-1]...)
	if len(body) > 2 {
		out = append(out, ',')
	}
	out = append(out, `"msg_id":`...)
	out = strconv.AppendInt(out, id, 10)
	return append(out, '}')
}
