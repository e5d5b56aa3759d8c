package sets_test

// The whole pipeline in process: gen's broadcast workload, run by the
// scheduler against three nodes, read back from the trace and checked.
// Nodes that gossip every message to their neighbours hold; nodes that
// keep what they were told to themselves lose messages.

import (
	"bytes"
	"fmt"
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

// A single-node g-set and pn-counter, and faulty ones: a set that drops
// every tenth element, a counter that ignores decrements.
type store struct {
	Set     []int64
	Sum     int64
	counter bool
	faulty  bool
	n       int
}

func (s *store) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message {
		return
	}
	var req struct {
		Element *int64 `json:"element"`
		Delta   *int64 `json:"delta"`
	}
	ev.Decode(&req)
	switch ev.Type() {
	case "add":
		s.n++
		switch {
		case req.Element != nil && !(s.faulty && s.n%10 == 0):
			s.Set = append(s.Set, *req.Element)
		case req.Delta != nil && !(s.faulty && *req.Delta < 0):
			s.Sum += *req.Delta
		}
		env.Reply(ev, map[string]any{"type": "add_ok"})
	case "read":
		var v any = append([]int64{}, s.Set...)
		if s.counter {
			v = s.Sum
		}
		env.Reply(ev, map[string]any{"type": "read_ok", "value": v})
	}
}

func TestSetAndCounterPipelines(t *testing.T) {
	for _, tc := range []struct {
		workload string
		wl       sets.Workload
		check    func(sets.History) sets.Result
	}{{"set", sets.Set, sets.CheckSet}, {"counter", sets.Counter, sets.CheckCounter}} {
		for _, faulty := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/faulty=%v", tc.workload, faulty), func(t *testing.T) {
				w, _ := workload.Lookup(tc.workload)
				nodes, _ := workload.ParseNodes("n1=store")
				test, ops, err := workload.Generate(w, workload.Config{Nodes: nodes, Clients: 4, Ops: 400, Target: "n1", Values: 5, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				kinds := exec.Kinds{"store": func() exec.Node { return &store{counter: tc.workload == "counter", faulty: faulty} }}
				var trace bytes.Buffer
				if _, err := sim.Run(&sim.Test{Test: test, Ops: ops}, exec.NewExecutor(kinds, "test"), sim.DefaultOptions(), &trace); err != nil {
					t.Fatal(err)
				}
				r := sets.NewReader(tc.wl)
				if err := r.Read(&trace, "trace"); err != nil {
					t.Fatal(err)
				}
				res := tc.check(r.Histories()[0])
				if res.Valid == faulty {
					t.Fatalf("valid = %v (%s), want %v", res.Valid, res.Witness.Explanation, !faulty)
				}
			})
		}
	}
}
