// Package nodes is the commit family of the LDFI paper (Alvaro, Rosen and
// Hellerstein, "Lineage-driven Fault Injection", SIGMOD'15, §6.1 and
// Figure 12), written after Molly's Dedalus programs
// (src/test/resources/examples_ft/commit/: 2pc.ded, 2pc_ctp.ded with
// 2pc_timeout.ded, 3pc.ded) as Go nodes in synchronous rounds (package
// exec/rounds: round r is r ms; run them with sched --latency fixed:1ms
// --max-time EOTms).
//
// A test has one coordinator (kind P-coord, named C by gen) and agents
// (kind P-agent, or P-agent-no for an agent that votes no; gen names them
// a, b, d, … as Molly does), for P one of 2pc, 2pc-ctp and 3pc. One
// transaction, started by the coordinator in round 1. The states are
//
//	coordinator  {"role":"coordinator","decision":"commit","votes":{"a":"yes",…}}
//	agent        {"role":"agent","vote":"yes","prepared":true,"decision":"commit"}
//
// decision is "", "commit" or "abort". A node's first decision is final:
// a later, conflicting one is logged and ignored (Molly's nodes can hold
// both facts; the property fails either way). Decisions taken "@next" in
// Molly (the coordinator's, and an agent's abort on a timeout) show as
// "next":"commit" until the round they take effect in.
//
// The protocols and the faults that break them at the paper's failure
// specifications ⟨EOT, EFF, crashes⟩:
//
//	2pc      while undecided the coordinator sends prepare to every agent
//	         every round; an agent votes on each prepare; the coordinator
//	         commits the round after it has every yes vote (aborts after a
//	         no); every decided node re-sends its decision every round (the
//	         coordinator to the agents, an agent to the other agents). No
//	         timeouts. ⟨5,0,1⟩: crash C in round 2; the agents prepared and
//	         block.
//	2pc-ctp  2pc with timeouts and the cooperative termination protocol:
//	         the coordinator aborts when its timer (4 rounds from round 1)
//	         fires with votes missing; an agent starts a 4-round timer on
//	         each prepare, and when one fires while it is undecided it asks
//	         the other agents and C. A decided node answers with its
//	         decision, an agent that never got a prepare (or C, undecided)
//	         aborts and answers abort, a no voter answers abort, an
//	         undecided yes voter stays silent. Agents also re-send
//	         decisions to C. ⟨8,0,1⟩: crash C in round 2: every agent is an
//	         undecided yes voter, and they block.
//	3pc      C sends cancommit once (round 1) and starts a 5-round timer;
//	         an agent votes and starts a 4-round timer, and aborts the
//	         round after it fires if no precommit came. With every yes
//	         vote C sends precommit; an agent acks it and restarts its
//	         timer, and commits when it fires. C commits the round after
//	         all acks arrive together, and aborts the round after its timer
//	         fires with acks missing. ⟨9,7,1⟩: crash d in round 4 (it misses
//	         the precommit) and lose C→a and C→b in round 6: C aborts, a and
//	         b time out and commit.
//
// A timer "started with k in round t fires in round t+k−1" (Molly's
// util/timeout_svc.ded). The properties (Molly's 2pc_assert.ded, plus
// validity) are checked by `check commit`; properties.ltl states them for
// `ltl`.
package nodes

import (
	"slices"
	"strings"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/rounds"
	"github.com/detsys/detsys/formats"
)

// Kinds are the node kinds of the commit system under test.
var Kinds = exec.Kinds{
	"2pc-coord":        rounds.Kind(func() rounds.Protocol { return &Coord2PC{} }),
	"2pc-agent":        rounds.Kind(func() rounds.Protocol { return &Agent2PC{} }),
	"2pc-agent-no":     rounds.Kind(func() rounds.Protocol { return &Agent2PC{agent: agent{votesNo: true}} }),
	"2pc-ctp-coord":    rounds.Kind(func() rounds.Protocol { return &Coord2PC{ctp: true} }),
	"2pc-ctp-agent":    rounds.Kind(func() rounds.Protocol { return &Agent2PC{ctp: true} }),
	"2pc-ctp-agent-no": rounds.Kind(func() rounds.Protocol { return &Agent2PC{ctp: true, agent: agent{votesNo: true}} }),
	"3pc-coord":        rounds.Kind(func() rounds.Protocol { return &Coord3PC{} }),
	"3pc-agent":        rounds.Kind(func() rounds.Protocol { return &Agent3PC{} }),
	"3pc-agent-no":     rounds.Kind(func() rounds.Protocol { return &Agent3PC{agent: agent{votesNo: true}} }),
}

// Decisions and votes.
const (
	Commit = "commit"
	Abort  = "abort"
	Yes    = "yes"
	No     = "no"
)

// message is every body of this package: prepare, vote, commit, abort,
// decision_req (2pc-ctp), cancommit, precommit, ack (3pc).
type message struct {
	Type string `json:"type"`
	Vote string `json:"vote,omitempty"` // vote: yes or no
}

// received is one message of the round.
type received struct {
	from string
	m    message
}

// node is what coordinators and agents share: the group, the decision,
// and the messages of the current round.
type node struct {
	Role     string `json:"role"`
	Decision string `json:"decision"`
	Next     string `json:"next,omitempty"` // the decision that takes effect in round NextAt
	NextAt   int64  `json:"next_at,omitempty"`

	self, coord string
	agents      []string // every agent, in the test's order
	inbox       []received
	decidedAt   int64 // the round the decision took effect in
}

// start learns the group: the coordinator is the node whose kind ends in
// "-coord".
func (n *node) start(self, role string, nodes []formats.NodeSpec) {
	*n = node{Role: role, self: self}
	for _, s := range nodes {
		if strings.HasSuffix(s.Kind, "-coord") {
			n.coord = s.Name
		} else {
			n.agents = append(n.agents, s.Name)
		}
	}
}

// peers are the other agents.
func (n *node) peers() []string {
	return slices.DeleteFunc(slices.Clone(n.agents), func(a string) bool { return a == n.self })
}

// Deliver keeps the message for Act; every message makes the node act.
func (n *node) Deliver(env exec.Env, _ int64, ev exec.Event) bool {
	var m message
	if err := ev.Decode(&m); err != nil || m.Type == "" {
		env.Logf("ignoring %s from %s: not a message of this protocol", ev.Body, ev.From)
		return false
	}
	n.inbox = append(n.inbox, received{ev.From, m})
	return true
}

// take returns the round's messages and empties the inbox.
func (n *node) take() []received {
	in := n.inbox
	n.inbox = nil
	return in
}

// decide records d as the decision of round r; the first decision is
// final.
func (n *node) decide(env exec.Env, r int64, d string) {
	switch n.Decision {
	case "":
		n.Decision, n.decidedAt = d, r
		env.Logf("decided %s", d)
	case d:
	default:
		env.Logf("ignoring %s: already decided %s", d, n.Decision)
	}
}

// decideNext records d as the decision of round r+1 (a Dedalus @next
// rule), unless one is pending already.
func (n *node) decideNext(r int64, d string) {
	if n.Decision == "" && n.Next == "" {
		n.Next, n.NextAt = d, r+1
	}
}

// applyNext makes a pending @next decision take effect in its round.
func (n *node) applyNext(env exec.Env, r int64) {
	if n.Next != "" && n.NextAt <= r {
		n.decide(env, r, n.Next)
		n.Next, n.NextAt = "", 0
	}
}

// running is Molly's running(C, X) for round r: the transaction began in
// round 1 and runs until the round after the one it was decided in.
func (n *node) running(r int64) bool { return n.decidedAt == 0 || n.decidedAt >= r }

// send sends m to each of to.
func send(env exec.Env, to []string, m message) {
	for _, t := range to {
		env.Send(t, m)
	}
}

// relay re-sends the decision, if any, to each of to (every round: Molly's
// decisions persist and their holders re-send them).
func (n *node) relay(env exec.Env, to []string) {
	if n.Decision != "" {
		send(env, to, message{Type: n.Decision})
	}
}

// agent is what the agents share.
type agent struct {
	node
	Vote     string `json:"vote,omitempty"`
	Prepared bool   `json:"prepared,omitempty"` // voted yes
	votesNo  bool
}

// vote answers a prepare (or cancommit): yes, unless this is a no voter.
func (a *agent) vote(env exec.Env) {
	a.Vote = Yes
	if a.votesNo {
		a.Vote = No
	}
	a.Prepared = a.Vote == Yes
	env.Send(a.coord, message{Type: "vote", Vote: a.Vote})
}

// timers are an agent's pending timeouts (rounds), for 2pc-ctp and 3pc.
type timers []int64

// start adds a timer started with k in round r: it fires in round r+k−1.
func (t *timers) start(r, k int64) {
	if at := r + k - 1; !slices.Contains(*t, at) {
		*t = append(*t, at)
		slices.Sort(*t)
	}
}

// fires reports whether a timer fires in round r, forgetting past ones.
func (t *timers) fires(r int64) bool {
	fired := slices.Contains(*t, r)
	*t = slices.DeleteFunc(*t, func(at int64) bool { return at <= r })
	return fired
}

// cancel drops the timers that would fire after round r (Molly's
// timer_cancel stops a countdown from going on to the next round).
func (t *timers) cancel(r int64) {
	*t = slices.DeleteFunc(*t, func(at int64) bool { return at > r })
}

// next is the first timer after round r, or 0.
func (t timers) next(r int64) int64 {
	for _, at := range t {
		if at > r {
			return at
		}
	}
	return 0
}

// earliest is the smallest positive round of ws, or 0.
func earliest(ws ...int64) int64 {
	m := int64(0)
	for _, w := range ws {
		if w > 0 && (m == 0 || w < m) {
			m = w
		}
	}
	return m
}
