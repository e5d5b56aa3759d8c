// Package rounds runs protocols written in synchronous rounds, the model
// of Dedalus and of the LDFI paper (Alvaro et al., SIGMOD'15, §3), on the
// event-at-a-time node API of package exec.
//
// Round r is simulated time r × Length (1 ms). Under
//
//	sched --latency fixed:1ms --max-time EOTms
//
// a message sent in round r arrives in round r+1, and the run stops after
// round EOT, which is the paper's synchronous model: a fault specification
// names rounds, and an omission of the message from a to b sent in round r
// is the fault {"kind":"omission","from":"a","to":"b","at":r*1000000}.
//
// Within a round a protocol sees every message of the round before it
// acts. A Protocol records what arrives (Deliver, one delivery step each:
// the delivery family logs the payload there, the commit family keeps the
// round's messages for Act) and sends only in Act, which runs once per round, in a zero-delay "act"
// timer that the delivery (or a wake-up) arms. sched orders the events of
// one instant by when they were scheduled, and every message of round r
// was scheduled in round r−1 while the act timer is armed in round r, so
// Act(r) runs after all of them. That is what makes a rule like "send to
// every neighbour that has not acknowledged yet" mean what it means in
// Dedalus, whatever order the deliveries of the round came in.
//
// A node that must act in a round where no message arrives (a retry, a
// timeout, a fact derived "@next") asks for it by returning that round
// from Act or Start; the adapter arms a "round" timer for the start of the
// round, which arms the act timer. A crash at time r·Length (a crash fault
// at that time is scheduled before the run, so it comes first) stops the
// node before it acts in round r: it sends nothing from round r on and
// receives nothing (sched drops messages to a crashed node).
//
// The model needs what the command line above gives: a fixed latency of
// one round (any other latency, or a delay or duplicate fault, can deliver
// a message after its round's Act, which then sees it in a later round)
// and no clock skew (rounds are read from the node's clock). A restarted
// node starts over from Start, in its current round.
package rounds

import (
	"encoding/json"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
)

// Length is one round of simulated time.
const Length = time.Millisecond

// Timer names the adapter uses.
const (
	TickTimer = "round" // the start of a round the node asked to act in
	ActTimer  = "act"   // zero delay: after every delivery of the round
)

// Protocol is a node written in rounds. It must not send from Start or
// Deliver (only Act sends), so that the round's sends see all of the
// round's messages.
type Protocol interface {
	// Start is the node's Init (and Restart: volatile state is lost, the
	// protocol starts over). nodes is every node of the run, in the
	// test's order. It returns the first round the node must act in, 0
	// if none (it will act when a message arrives).
	Start(env exec.Env, self string, nodes []formats.NodeSpec) (wake int64)
	// Deliver records a message that arrived in round r and says whether
	// the node must act in round r because of it.
	Deliver(env exec.Env, r int64, ev exec.Event) (act bool)
	// Act is the node's move in round r: every message of the round has
	// been delivered. It returns the next round the node must act in even
	// if no message arrives (> r), or 0.
	Act(env exec.Env, r int64) (wake int64)
}

// Node adapts a Protocol to exec.Node. Its state in the trace is the
// protocol's as encoding/json writes it (exported fields, embedded structs
// flattened), so that a property reads state.NODE.log rather than the
// bookkeeping; the adapter's own is in the trace's timers.
type Node struct {
	P      Protocol
	tick   int64 // the round the tick timer is armed for, 0 if none
	acting bool  // the act timer is armed
}

// New returns a constructor for exec.Kinds of protocol P's zero value.
func New[P any, PP interface {
	*P
	Protocol
}]() func() exec.Node {
	return func() exec.Node { return &Node{P: PP(new(P))} }
}

// Kind returns a constructor for exec.Kinds of the protocols newP makes.
func Kind(newP func() Protocol) func() exec.Node {
	return func() exec.Node { return &Node{P: newP()} }
}

// MarshalJSON is the state recorded in the trace: the protocol's.
func (n *Node) MarshalJSON() ([]byte, error) { return json.Marshal(n.P) }

// Of is the round env is in.
func Of(env exec.Env) int64 { return int64(env.Now() / Length) }

func (n *Node) Receive(env exec.Env, ev exec.Event) {
	r := Of(env)
	switch ev.Kind {
	case exec.Init, exec.Restart:
		n.tick, n.acting = 0, false
		n.wake(env, r, n.P.Start(env, env.Self(), ev.Nodes))
	case exec.Message:
		if n.P.Deliver(env, r, ev) {
			n.actNow(env)
		}
	case exec.Timer:
		switch ev.TimerName {
		case TickTimer:
			n.tick = 0
			n.actNow(env)
		case ActTimer:
			n.acting = false
			n.wake(env, r, n.P.Act(env, r))
		}
	}
}

// actNow arms the act timer, unless it is armed: it fires at this
// instant, after everything already scheduled for it.
func (n *Node) actNow(env exec.Env) {
	if !n.acting {
		n.acting = true
		env.SetTimer(ActTimer, 0)
	}
}

// wake arms the tick timer for the start of round w (0: none), replacing
// any other: the protocol's answer is its earliest need.
func (n *Node) wake(env exec.Env, r, w int64) {
	switch {
	case w == n.tick:
	case w > r:
		n.tick = w
		env.SetTimer(TickTimer, time.Duration(w)*Length-env.Now())
	case n.tick != 0:
		n.tick = 0
		env.CancelTimer(TickTimer)
	}
}
