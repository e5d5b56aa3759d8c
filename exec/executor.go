package exec

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/detsys/detsys/formats"
)

// Executor runs nodes one event at a time. It is the in-process executor
// that Go tests hand to the scheduler directly, and the engine behind
// Serve. It is not safe for concurrent use: the protocol is lockstep.
type Executor struct {
	kinds Kinds
	build string
	seed  uint64
	nodes map[string]*slot
	specs []formats.NodeSpec // the run's nodes, as Hello named them
	reply formats.EffectsReply
	state stateEncoder
}

type slot struct {
	name, kind string
	node       Node
	env        env
	panicked   bool
}

// NewExecutor returns an executor for the given kinds. build identifies the
// code under test in run records; "" means the hash of this binary.
func NewExecutor(kinds Kinds, build string) *Executor {
	return &Executor{kinds: kinds, build: build}
}

// KindNames lists the kinds, sorted.
func (x *Executor) KindNames() []string {
	return slices.Sorted(maps.Keys(x.kinds))
}

// Hello starts a run: it checks that every node's kind is known and seeds
// each node's random generator from the run seed and the node's name.
func (x *Executor) Hello(h formats.Hello) (formats.Hello, error) {
	if x.build == "" {
		x.build = selfBuild()
	}
	out := formats.Hello{Type: formats.MsgHello, Version: formats.ProtocolVersion, Build: x.build, Kinds: x.KindNames()}
	if h.Version != formats.ProtocolVersion {
		out.Error = fmt.Sprintf("protocol version %d not supported (this executor speaks %d)", h.Version, formats.ProtocolVersion)
		return out, nil
	}
	x.seed = h.Seed
	x.specs = append([]formats.NodeSpec(nil), h.Nodes...)
	x.nodes = make(map[string]*slot, len(h.Nodes))
	var unknown []string
	for _, n := range h.Nodes {
		if _, ok := x.kinds[n.Kind]; !ok {
			unknown = append(unknown, fmt.Sprintf("%s=%s", n.Name, n.Kind))
			continue
		}
		s := &slot{name: n.Name, kind: n.Kind}
		s.env = env{self: n.Name, rng: rand.New(rand.NewPCG(h.Seed, nameSeed(n.Name))), disk: &disk{}}
		x.nodes[n.Name] = s
	}
	if len(unknown) > 0 {
		out.Error = fmt.Sprintf("unknown node kind for %s (kinds: %s)", strings.Join(unknown, ", "), strings.Join(out.Kinds, ", "))
	}
	return out, nil
}

func nameSeed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Step runs one event on one node and returns its effects. The reply, and
// the slices in it, are valid until the next call to Step.
func (x *Executor) Step(req *formats.StepRequest) (*formats.EffectsReply, error) {
	s, ok := x.nodes[req.Node]
	if !ok {
		return nil, fmt.Errorf("step %d: no node %q in this run", req.Step, req.Node)
	}
	r := &x.reply
	*r = formats.EffectsReply{Type: formats.MsgEffects, Step: req.Step,
		Sends: r.Sends[:0], Timers: r.Timers[:0], Cancel: r.Cancel[:0], Logs: r.Logs[:0]}
	if s.panicked && req.Event.Kind != Restart {
		return nil, fmt.Errorf("step %d: node %q panicked earlier and cannot take events", req.Step, req.Node)
	}
	ev := Event{Kind: req.Event.Kind, ID: req.Event.ID, From: req.Event.From, Body: req.Event.Body, TimerName: req.Event.Timer}
	switch ev.Kind {
	case Init, Restart:
		s.node = x.kinds[s.kind]()
		s.panicked = false
		ev.Nodes = x.specs
	case Message, Timer:
		if s.node == nil {
			return nil, fmt.Errorf("step %d: %s event for node %q before its init", req.Step, ev.Kind, req.Node)
		}
	default:
		return nil, fmt.Errorf("step %d: unknown event kind %q", req.Step, ev.Kind)
	}
	s.env.now = time.Duration(req.Now)
	s.env.out = r
	if !x.receive(s, ev) {
		s.panicked = true
		return r, nil
	}
	var err error
	r.State, err = x.state.encode(s.node)
	if err != nil {
		return nil, fmt.Errorf("step %d: node %q: dumping state: %v", req.Step, req.Node, err)
	}
	return r, nil
}

// receive calls the node and turns a panic into the reply's Panic/Stack.
func (x *Executor) receive(s *slot, ev Event) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r := s.env.out
			*r = formats.EffectsReply{Type: r.Type, Step: r.Step, Panic: fmt.Sprint(p), Stack: nodeStack(debug.Stack())}
			ok = false
		}
	}()
	s.node.Receive(&s.env, ev)
	return true
}

// Close ends the run. The executor may be given a new Hello afterwards.
func (x *Executor) Close() error { x.nodes, x.specs = nil, nil; return nil }

// nodeStack keeps the frames of a panic's stack that belong to the node:
// from the panicking call up to Receive, without goroutine numbers,
// argument values or pc offsets, which differ from run to run and between
// the in-process and FIFO executors. The trace stays deterministic.
func nodeStack(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	var out []string
	in := false
	for i := 0; i+1 < len(lines); i++ {
		fn := lines[i]
		if strings.HasPrefix(fn, "panic(") {
			in = true
			i++ // its file line
			continue
		}
		if !in || strings.HasPrefix(fn, "\t") || fn == "" {
			continue
		}
		if strings.HasPrefix(fn, "github.com/detsys/detsys/exec.(*Executor).receive") {
			break
		}
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		file := strings.TrimSpace(lines[i+1])
		if j := strings.LastIndex(file, " +0x"); j > 0 {
			file = file[:j]
		}
		out = append(out, fn+"\n\t"+file)
		i++
	}
	return strings.Join(out, "\n")
}
