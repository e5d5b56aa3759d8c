package nodes

import (
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
)

// ctpTimeout is the length of the 2pc-ctp timers, in rounds
// (2pc_timeout.ded, 2pc_ctp.ded: timer_svc(…, 4)).
const ctpTimeout = 4

// Coord2PC is the coordinator of 2pc and, with ctp, of 2pc-ctp.
type Coord2PC struct {
	node
	Votes map[string]string `json:"votes"` // agent → yes or no
	ctp   bool
}

func (c *Coord2PC) Start(_ exec.Env, self string, nodes []formats.NodeSpec) int64 {
	c.start(self, "coordinator", nodes)
	c.Votes = map[string]string{}
	return 1 // begin(C, X)@1
}

func (c *Coord2PC) Act(env exec.Env, r int64) int64 {
	c.applyNext(env, r)
	var reqs []string
	for _, in := range c.take() {
		switch in.m.Type {
		case "vote":
			c.Votes[in.from] = in.m.Vote
		case Commit, Abort: // 2pc-ctp: agents re-send decisions to C
			c.decide(env, r, in.m.Type)
		case "decision_req":
			reqs = append(reqs, in.from)
		}
	}
	// 2pc-ctp: C answers a decision request as a peer would; never
	// having prepared, it aborts if it has not decided (gotta_abort).
	for _, q := range reqs {
		if c.Decision == "" {
			c.decide(env, r, Abort)
		}
		env.Send(q, message{Type: c.Decision})
	}
	running := c.running(r)
	if running && c.Decision == "" {
		missing, no := false, false
		for _, a := range c.agents {
			missing = missing || c.Votes[a] != Yes
			no = no || c.Votes[a] == No
		}
		switch {
		case no: // abort(C, X)@next :- vote(C, _, X, "N")
			c.decideNext(r, Abort)
		case !missing: // commit(C, X)@next :- vote(…"Y"), notin missing_vote(C, X)
			c.decideNext(r, Commit)
		case c.ctp && r == ctpTimeout: // the timer started in round 1 fires; abort@next
			c.decideNext(r, Abort)
		}
	}
	if running {
		send(env, c.agents, message{Type: "prepare"})
	}
	c.relay(env, c.agents)
	return r + 1 // running, or re-sending the decision
}

// Agent2PC is an agent of 2pc and, with ctp, of 2pc-ctp.
type Agent2PC struct {
	agent
	Timeouts timers `json:"timeouts,omitempty"` // 2pc-ctp: the rounds its timers fire in
	ctp      bool
}

func (a *Agent2PC) Start(_ exec.Env, self string, nodes []formats.NodeSpec) int64 {
	a.start(self, "agent", nodes)
	a.Vote, a.Prepared, a.Timeouts = "", false, nil
	return 0
}

// relayTo are the nodes an agent re-sends its decision to: the other
// agents, and C in 2pc-ctp (Molly's agent relation).
func (a *Agent2PC) relayTo() []string {
	if a.ctp {
		return append(a.peers(), a.coord)
	}
	return a.peers()
}

func (a *Agent2PC) Act(env exec.Env, r int64) int64 {
	var reqs []string
	for _, in := range a.take() {
		switch in.m.Type {
		case "prepare":
			a.vote(env)
			if a.ctp && a.Prepared {
				a.Timeouts.start(r, ctpTimeout)
			}
		case Commit, Abort:
			a.decide(env, r, in.m.Type)
		case "decision_req":
			reqs = append(reqs, in.from)
		}
	}
	if a.ctp {
		// The cooperative termination protocol, answering peer q.
		for _, q := range reqs {
			switch {
			case a.Decision != "": // q has decided: it sends its decision
				env.Send(q, message{Type: a.Decision})
			case a.Vote == "": // q has not voted: it aborts and says so
				a.decide(env, r, Abort)
				env.Send(q, message{Type: Abort})
			case a.Vote == No:
				env.Send(q, message{Type: Abort})
			} // q voted yes and is undecided: it cannot help
		}
		if a.Timeouts.fires(r) && a.Decision == "" {
			send(env, a.relayTo(), message{Type: "decision_req"})
		}
	}
	a.relay(env, a.relayTo())
	if a.Decision != "" {
		return r + 1
	}
	return a.Timeouts.next(r)
}
