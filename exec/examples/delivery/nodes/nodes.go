// Package nodes is the delivery family of the LDFI paper (Alvaro, Rosen
// and Hellerstein, "Lineage-driven Fault Injection", SIGMOD'15, §6.1 and
// Figures 12–13), written after Molly's Dedalus programs
// (src/test/resources/examples_ft/delivery/) as Go nodes in synchronous
// rounds (package exec/rounds: round r is r ms; run them with
// sched --latency fixed:1ms --max-time EOTms).
//
// Every node of a test runs the same kind. The first node of the test (a,
// in gen's layout) is the broadcaster: in round 1 it logs the payload
// "hello" and starts the protocol; the others must log it too. A node's
// state is
//
//	{"broadcaster":true,"log":["hello"]}
//
// (broadcaster only on the first node), plus what the variant remembers.
// The kinds, each with the fault that breaks it at the paper's failure
// specification ⟨EOT, EFF, crashes⟩:
//
//	simple-deliv   the broadcaster sends once to each node (simplog.ded).
//	               ⟨4,2,0⟩: lose a→b sent in round 1.
//	retry-deliv    the broadcaster re-sends to every node every round, no
//	               acks (rdlog.ded). ⟨4,2,1⟩: lose a→b in round 1, crash a
//	               in round 2.
//	redun-deliv    every node that has the payload sends it to every node
//	               every round (replog.ded). Correct (certified ⟨11,10,1⟩).
//	ack-deliv      every holder sends to each node every round until that
//	               node's ack arrives; every receipt is acked (ack_rb.ded).
//	               Correct (certified ⟨8,7,1⟩).
//	classic-deliv  a node that receives the payload in round r forwards it
//	               to every node in round r and logs it in round r+1; no
//	               retries, no duplicate suppression (classic_rb.ded).
//	               ⟨5,3,0⟩: lose a→b in round 1, c→a and c→b in round 2.
//
// The messages are {"type":"bcast","payload":"hello"} (and for ack-deliv
// {"type":"ack","payload":"hello"}). The property (Molly's
// deliv_assert.ded, with crashed nodes excluded on both sides since a
// crashed node here neither sends nor receives): if a node other than the
// broadcaster that is up at the end has logged the payload, every node up
// at the end has logged it. `check delivery` checks it; properties.ltl
// states it for `ltl`.
package nodes

import (
	"slices"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/rounds"
	"github.com/detsys/detsys/formats"
)

// Payload is what the broadcaster broadcasts (Molly's bcast_edb.ded).
const Payload = "hello"

// Kinds are the node kinds of the delivery system under test.
var Kinds = exec.Kinds{
	"simple-deliv":  rounds.New[Simple](),
	"retry-deliv":   rounds.New[Retry](),
	"redun-deliv":   rounds.New[Redun](),
	"ack-deliv":     rounds.New[Ack](),
	"classic-deliv": rounds.New[Classic](),
}

// message is every body of this package.
type message struct {
	Type    string `json:"type"` // bcast or ack
	Payload string `json:"payload"`
}

// group is what every variant shares: who the node is, who else is in
// the test, and its log.
type group struct {
	Broadcaster bool     `json:"broadcaster,omitempty"`
	Log         []string `json:"log"`
	others      []string
}

// Start learns the group and says whether self is the broadcaster (the
// first node of the test), which acts in round 1: the variants' Start.
func (g *group) Start(_ exec.Env, self string, nodes []formats.NodeSpec) (wake int64) {
	g.Log = []string{}
	g.others = g.others[:0]
	for _, n := range nodes {
		if n.Name != self {
			g.others = append(g.others, n.Name)
		}
	}
	if len(nodes) > 0 && nodes[0].Name == self {
		g.Broadcaster = true
		return 1
	}
	return 0
}

// log adds p to the log; it reports whether p is new.
func (g *group) log(env exec.Env, p string) bool {
	if slices.Contains(g.Log, p) {
		return false
	}
	g.Log = append(g.Log, p)
	env.Logf("logged %s", p)
	return true
}

func (g *group) holds() bool { return len(g.Log) > 0 }

// sendAll sends the payload to every other node.
func (g *group) sendAll(env exec.Env, typ string) {
	for _, o := range g.others {
		env.Send(o, message{Type: typ, Payload: Payload})
	}
}

// decode reads a bcast or ack body; anything else is logged and ignored.
func decode(env exec.Env, ev exec.Event) (message, bool) {
	var m message
	if err := ev.Decode(&m); err != nil || m.Payload == "" || m.Type != "bcast" && m.Type != "ack" {
		env.Logf("ignoring %s from %s: not a bcast or ack with a payload", ev.Body, ev.From)
		return m, false
	}
	return m, true
}

// Simple is simple-deliv: log(N2,P)@async :- bcast(N1,P), node(N1,N2);
// the broadcaster's bcast fact exists in round 1 only.
type Simple struct{ group }

func (s *Simple) Deliver(env exec.Env, _ int64, ev exec.Event) bool {
	if m, ok := decode(env, ev); ok && m.Type == "bcast" {
		s.log(env, m.Payload)
	}
	return false
}

func (s *Simple) Act(env exec.Env, r int64) int64 {
	if s.Broadcaster && r == 1 {
		s.log(env, Payload)
		s.sendAll(env, "bcast")
	}
	return 0
}

// Retry is retry-deliv: simple-deliv with the broadcaster's bcast fact
// persisted, so it sends to every node in every round, forever.
type Retry struct{ group }

func (s *Retry) Deliver(env exec.Env, _ int64, ev exec.Event) bool {
	if m, ok := decode(env, ev); ok && m.Type == "bcast" {
		s.log(env, m.Payload)
	}
	return false
}

func (s *Retry) Act(env exec.Env, r int64) int64 {
	if !s.Broadcaster {
		return 0
	}
	s.log(env, Payload)
	s.sendAll(env, "bcast")
	return r + 1
}

// Redun is redun-deliv: every node that has logged the payload sends it
// to every node in every round, from the round it logged it.
type Redun struct{ group }

func (s *Redun) Deliver(env exec.Env, _ int64, ev exec.Event) bool {
	m, ok := decode(env, ev)
	// A node that just became a holder sends in this round; a holder
	// already acts every round.
	return ok && m.Type == "bcast" && s.log(env, m.Payload)
}

func (s *Redun) Act(env exec.Env, r int64) int64 {
	if s.Broadcaster && r == 1 {
		s.log(env, Payload)
	}
	if !s.holds() {
		return 0
	}
	s.sendAll(env, "bcast")
	return r + 1
}

// Ack is ack-deliv: every holder sends the payload to each node, every
// round, until that node's ack has arrived; every receipt is logged and
// acked to its sender in the round it arrives.
type Ack struct {
	group
	Acked  []string `json:"acked,omitempty"` // the nodes whose ack arrived, in order
	ackDue []string // senders of this round's bcasts, to ack in Act
}

func (s *Ack) Deliver(env exec.Env, _ int64, ev exec.Event) bool {
	m, ok := decode(env, ev)
	switch {
	case !ok:
		return false
	case m.Type == "ack":
		if !slices.Contains(s.Acked, ev.From) {
			s.Acked = append(s.Acked, ev.From)
		}
		return false
	}
	s.log(env, m.Payload)
	if !slices.Contains(s.ackDue, ev.From) {
		s.ackDue = append(s.ackDue, ev.From)
	}
	return true
}

func (s *Ack) Act(env exec.Env, r int64) int64 {
	for _, f := range s.ackDue {
		env.Send(f, message{Type: "ack", Payload: Payload})
	}
	s.ackDue = s.ackDue[:0]
	if s.Broadcaster && r == 1 {
		s.log(env, Payload)
	}
	if !s.holds() {
		return 0
	}
	waiting := false
	for _, o := range s.others {
		if !slices.Contains(s.Acked, o) {
			env.Send(o, message{Type: "bcast", Payload: Payload})
			waiting = true
		}
	}
	if waiting {
		return r + 1
	}
	return 0
}

// Classic is classic-deliv: bcast(N2,P)@async :- bcast(N1,P), node(N1,N2);
// log(N,P)@next :- bcast(N,P). A node forwards in every round in which the
// payload arrives (any number of times), and logs it the round after.
type Classic struct {
	group
	Got   int64 `json:"got,omitempty"`    // the last round the payload arrived in
	LogAt int64 `json:"log_at,omitempty"` // the round it is logged in (@next), until then
}

func (s *Classic) Start(env exec.Env, self string, nodes []formats.NodeSpec) int64 {
	s.Got, s.LogAt = 0, 0
	return s.group.Start(env, self, nodes)
}

func (s *Classic) Deliver(env exec.Env, r int64, ev exec.Event) bool {
	m, ok := decode(env, ev)
	if !ok || m.Type != "bcast" {
		return false
	}
	s.Got = r
	return true
}

func (s *Classic) Act(env exec.Env, r int64) int64 {
	if s.Broadcaster && r == 1 {
		s.Got = 1 // the broadcaster's bcast fact of round 1
	}
	if s.LogAt != 0 && s.LogAt <= r {
		s.log(env, Payload)
		s.LogAt = 0
	}
	if s.Got == r {
		s.sendAll(env, "bcast")
		if !s.holds() && s.LogAt == 0 {
			s.LogAt = r + 1
		}
	}
	return s.LogAt
}
