package elle_test

// The whole pipeline in process: gen's list-append workload, run by the
// scheduler against a store written as detsys nodes, read back from the
// trace and checked. A store that applies each transaction atomically
// holds; one that answers reads from a snapshot refreshed only every few
// transactions does not (stale reads: G-single through real time).

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/detsys/detsys/check/elle"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/sched/sim"
)

// store is a single-node list-append store. With lag > 0 its reads see
// a snapshot taken every lag transactions.
type store struct {
	Lists    map[string][]int64
	Snapshot map[string][]int64
	N        int
	lag      int
}

func (s *store) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message || ev.Type() != "txn" {
		return
	}
	if s.Lists == nil {
		s.Lists, s.Snapshot = map[string][]int64{}, map[string][]int64{}
	}
	var req struct {
		Txn [][3]json.RawMessage `json:"txn"`
	}
	ev.Decode(&req)
	out := make([][3]any, len(req.Txn))
	for i, m := range req.Txn {
		k := string(m[1])
		if string(m[0]) == `"append"` {
			var v int64
			json.Unmarshal(m[2], &v)
			s.Lists[k] = append(s.Lists[k], v)
			out[i] = [3]any{"append", m[1], v}
			continue
		}
		l := s.Lists[k]
		if s.lag > 0 {
			l = s.Snapshot[k]
		}
		out[i] = [3]any{"r", m[1], append([]int64{}, l...)}
	}
	if s.N++; s.lag > 0 && s.N%s.lag == 0 {
		for k, l := range s.Lists {
			s.Snapshot[k] = append([]int64(nil), l...)
		}
	}
	env.Reply(ev, map[string]any{"type": "txn_ok", "txn": out})
}

func TestPipeline(t *testing.T) {
	w, _ := workload.Lookup("list-append")
	for _, tc := range []struct {
		kind  string
		valid bool
	}{{"atomic", true}, {"lagging", false}} {
		t.Run(tc.kind, func(t *testing.T) {
			nodes, _ := workload.ParseNodes("n1=" + tc.kind)
			test, ops, err := workload.Generate(w, workload.Config{Nodes: nodes, Clients: 5, Ops: 500, Target: "n1", Values: 5, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			kinds := exec.Kinds{
				"atomic":  func() exec.Node { return &store{} },
				"lagging": func() exec.Node { return &store{lag: 4} },
			}
			var trace bytes.Buffer
			if _, err := sim.Run(&sim.Test{Test: test, Ops: ops}, exec.NewExecutor(kinds, "test"), sim.DefaultOptions(), &trace); err != nil {
				t.Fatal(err)
			}
			r := elle.NewReader(elle.ListAppend)
			if err := r.Read(&trace, "trace"); err != nil {
				t.Fatal(err)
			}
			hs := r.Histories()
			if len(hs) != 1 || len(hs[0].Txns) != 500 {
				t.Fatalf("%d histories", len(hs))
			}
			res, err := elle.CheckListAppend(hs[0], "strict-serializable")
			if err != nil {
				t.Fatal(err)
			}
			if res.Valid != tc.valid {
				t.Fatalf("valid = %v %v, want %v", res.Valid, res.Names(), tc.valid)
			}
			if !tc.valid {
				t.Logf("%s", res.Summary())
			}
			// Same history, same verdict, byte for byte (no map order
			// leaks into the witness).
			want, _ := json.Marshal(res.Verdict("list-append"))
			for range 5 {
				again, _ := elle.CheckListAppend(hs[0], "strict-serializable")
				if got, _ := json.Marshal(again.Verdict("list-append")); !bytes.Equal(got, want) {
					t.Fatalf("a second check gave another verdict:\n%s\n%s", got, want)
				}
			}
		})
	}
}
