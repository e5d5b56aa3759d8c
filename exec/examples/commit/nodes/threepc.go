package nodes

import (
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
)

// 3pc's timers, in rounds (3pc.ded): the coordinator's, started in round
// 1, and an agent's, started on cancommit and restarted on precommit.
const (
	coordTimeout3PC = 5
	agentTimeout3PC = 4
)

// Coord3PC is the coordinator of 3pc.
type Coord3PC struct {
	node
	Votes map[string]string `json:"votes"` // agent → yes or no
}

func (c *Coord3PC) Start(_ exec.Env, self string, nodes []formats.NodeSpec) int64 {
	c.start(self, "coordinator", nodes)
	c.Votes = map[string]string{}
	return 1
}

// timeoutRound is the round the coordinator's timer fires in.
const timeoutRound = 1 + coordTimeout3PC - 1

func (c *Coord3PC) Act(env exec.Env, r int64) int64 {
	c.applyNext(env, r)
	votedYes := false   // a yes vote arrived this round (vote_msg)
	acked := []string{} // acks are not kept from round to round
	for _, in := range c.take() {
		switch in.m.Type {
		case "vote":
			c.Votes[in.from] = in.m.Vote
			votedYes = votedYes || in.m.Vote == Yes
		case "ack":
			acked = append(acked, in.from)
		case Commit, Abort:
			c.decide(env, r, in.m.Type)
		}
	}
	if r == 1 {
		send(env, c.agents, message{Type: "cancommit"})
	}
	running := c.running(r)
	missingVote, missingAck, no := false, false, false
	for _, a := range c.agents {
		missingVote = missingVote || running && c.Votes[a] != Yes
		missingAck = missingAck || running && !contains(acked, a)
		no = no || c.Votes[a] == No
	}
	// authorized(C, X): a yes vote this round, none missing, not aborted.
	if votedYes && !missingVote && c.Decision != Abort {
		send(env, c.agents, message{Type: "precommit"})
	}
	switch {
	case no:
		c.decideNext(r, Abort)
	case len(acked) > 0 && !missingAck && c.Decision != Abort:
		c.decideNext(r, Commit)
	case r == timeoutRound && missingAck && c.Decision != Commit:
		c.decideNext(r, Abort)
	}
	c.relay(env, c.agents)
	wake := c.NextAt
	if c.Decision != "" {
		wake = r + 1
	} else if r < timeoutRound {
		wake = earliest(wake, timeoutRound)
	}
	return wake
}

// Agent3PC is an agent of 3pc.
type Agent3PC struct {
	agent
	Precommitted bool   `json:"precommitted,omitempty"`
	Timeouts     timers `json:"timeouts,omitempty"` // the rounds its timers fire in
}

func (a *Agent3PC) Start(_ exec.Env, self string, nodes []formats.NodeSpec) int64 {
	a.start(self, "agent", nodes)
	a.Vote, a.Prepared, a.Precommitted, a.Timeouts = "", false, false, nil
	return 0
}

func (a *Agent3PC) Act(env exec.Env, r int64) int64 {
	a.applyNext(env, r)
	for _, in := range a.take() {
		switch in.m.Type {
		case "cancommit":
			a.vote(env)
			a.Timeouts.start(r, agentTimeout3PC)
		case "precommit":
			a.Precommitted = true
			if a.Prepared {
				env.Send(a.coord, message{Type: "ack"})
				a.Timeouts.cancel(r)
				a.Timeouts.start(r, agentTimeout3PC)
			}
		case Commit, Abort:
			a.decide(env, r, in.m.Type)
		}
	}
	if a.Timeouts.fires(r) {
		switch {
		case !a.Precommitted && a.Decision != Commit: // abort@next
			a.decideNext(r, Abort)
		case a.Precommitted && a.Decision != Abort: // commit, this round
			a.decide(env, r, Commit)
		}
	}
	a.relay(env, a.peers())
	if a.Decision != "" {
		return r + 1
	}
	return earliest(a.NextAt, a.Timeouts.next(r))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
