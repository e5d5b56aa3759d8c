package sets_test

// The whole pipeline in process: gen's broadcast workload, run by the
// scheduler against three nodes, read back from the trace and checked.
// Nodes that gossip every message to their neighbours hold; nodes that
// keep what they were told to themselves lose messages.

import (
	"bytes"
	"slices"
	"testing"

	"github.com/detsys/detsys/check/sets"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/sched/sim"
)

type bnode struct {
	Seen      []int64
	Neighbors []string
	gossip    bool
}

func (n *bnode) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message {
		return
	}
	var req struct {
		Message  int64               `json:"message"`
		Topology map[string][]string `json:"topology"`
	}
	ev.Decode(&req)
	switch ev.Type() {
	case "topology":
		n.Neighbors = req.Topology[env.Self()]
		env.Reply(ev, map[string]any{"type": "topology_ok"})
	case "broadcast", "gossip":
		if !slices.Contains(n.Seen, req.Message) {
			n.Seen = append(n.Seen, req.Message)
			if n.gossip {
				for _, m := range n.Neighbors {
					env.Send(m, map[string]any{"type": "gossip", "message": req.Message})
				}
			}
		}
		if ev.Type() == "broadcast" {
			env.Reply(ev, map[string]any{"type": "broadcast_ok"})
		}
	case "read":
		env.Reply(ev, map[string]any{"type": "read_ok", "messages": append([]int64{}, n.Seen...)})
	}
}

func TestBroadcastPipeline(t *testing.T) {
	w, _ := workload.Lookup("broadcast")
	for _, tc := range []struct {
		kind  string
		valid bool
	}{{"gossip", true}, {"mute", false}} {
		t.Run(tc.kind, func(t *testing.T) {
			nodes, _ := workload.ParseNodes("n1=" + tc.kind + ",n2=" + tc.kind + ",n3=" + tc.kind)
			test, ops, err := workload.Generate(w, workload.Config{Nodes: nodes, Clients: 6, Ops: 300, Target: "n1", Values: 5, Seed: 2})
			if err != nil {
				t.Fatal(err)
			}
			kinds := exec.Kinds{
				"gossip": func() exec.Node { return &bnode{gossip: true} },
				"mute":   func() exec.Node { return &bnode{} },
			}
			// A fixed latency: a gossip sent with a broadcast's reply lands
			// before any read that follows that reply.
			o := sim.DefaultOptions()
			o.Latency = sim.MustDist("fixed:1ms")
			var trace bytes.Buffer
			if _, err := sim.Run(&sim.Test{Test: test, Ops: ops}, exec.NewExecutor(kinds, "test"), o, &trace); err != nil {
				t.Fatal(err)
			}
			r := sets.NewReader(sets.Broadcast)
			if err := r.Read(&trace, "trace"); err != nil {
				t.Fatal(err)
			}
			res := sets.CheckBroadcast(r.Histories()[0])
			if res.Valid != tc.valid {
				t.Fatalf("valid = %v (%s), want %v", res.Valid, res.Witness.Explanation, tc.valid)
			}
			if !tc.valid {
				t.Logf("%s", res.Summary())
			}
		})
	}
}
