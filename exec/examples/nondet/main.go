// Sut-nondet is a system under test that is NOT deterministic, on purpose,
// in the two ways nodes most often are by accident, so that diverge and
// sched --check-determinism have something to find. Its kinds:
//
//	mapfront    a register that answers clients itself and, on every write,
//	            tells the node "store" about it, shard by shard, iterating a
//	            Go map of 128 shards: once to prepare, once to commit. Go
//	            randomizes map iteration order, so the order of the sends
//	            (and the message ids the scheduler gives them) changes from
//	            one process to the next. The first step that differs is the
//	            delivery of the first write to mapfront.
//	clockfront  a register that answers clients itself and stamps its state
//	            with the wall clock on every message: the first step that
//	            differs is the first message it receives.
//	store       counts what mapfront tells it (deterministic itself).
//
// The fix for the first is to sort the keys before sending (or keep a
// slice); for the second, env.Now(), the simulated clock.
//
//	gen register --nodes frontend=mapfront,store=store --clients 2 --ops 6 > t.ndjson
//	sched --check-determinism 5 --seed 1 --exec sut-nondet t.ndjson > /dev/null
package main

import (
	"fmt"
	"time"

	"github.com/detsys/detsys/exec"
)

// request is a client operation of the register workload.
type request struct {
	Type  string `json:"type"`
	Value *int   `json:"value"`
}

// register is the client-facing part both frontends share.
type register struct {
	Value *int `json:"value"`
}

// answer replies to a read or write and reports whether it was a write.
func (r *register) answer(env exec.Env, ev exec.Event) (wrote bool) {
	var req request
	if err := ev.Decode(&req); err != nil {
		env.Reply(ev, map[string]any{"type": "error", "code": 12, "text": err.Error()})
		return false
	}
	switch req.Type {
	case "write":
		r.Value = req.Value
		env.Reply(ev, map[string]any{"type": "write_ok"})
		return true
	case "read":
		env.Reply(ev, map[string]any{"type": "read_ok", "value": r.Value})
	default:
		env.Reply(ev, map[string]any{"type": "error", "code": 10, "text": "not supported: " + req.Type})
	}
	return false
}

const shards = 128

type mapFront struct {
	register
	Shards map[string]int `json:"shards"` // shard → writes it has seen
}

func (f *mapFront) Receive(env exec.Env, ev exec.Event) {
	switch ev.Kind {
	case exec.Init, exec.Restart:
		f.Shards = make(map[string]int, shards)
		for i := range shards {
			f.Shards[fmt.Sprintf("s%03d", i)] = 0
		}
	case exec.Message:
		if ev.From == "store" || !f.answer(env, ev) {
			return
		}
		// The bug: the order of these sends is the map's iteration order.
		for s := range f.Shards {
			f.Shards[s]++
			env.Send("store", map[string]any{"type": "prepare", "shard": s, "value": f.Value})
		}
		for s := range f.Shards {
			env.Send("store", map[string]any{"type": "commit", "shard": s})
		}
	}
}

type clockFront struct {
	register
	LastSeen int64 `json:"last_seen"` // wall-clock ns of the last message
}

func (f *clockFront) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message {
		return
	}
	// The bug: the wall clock, where env.Now() was meant.
	f.LastSeen = time.Now().UnixNano()
	f.answer(env, ev)
}

type store struct {
	Prepared  int `json:"prepared"`
	Committed int `json:"committed"`
}

func (s *store) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message {
		return
	}
	switch ev.Type() {
	case "prepare":
		s.Prepared++
	case "commit":
		s.Committed++
	}
}

func main() {
	exec.Main(exec.Kinds{
		"mapfront":   func() exec.Node { return &mapFront{} },
		"clockfront": func() exec.Node { return &clockFront{} },
		"store":      func() exec.Node { return &store{} },
	})
}
