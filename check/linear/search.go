package linear

import (
	"sort"
	"sync/atomic"
	"time"
)

// search is one run of the just-in-time linearization search over one
// partition of a history. The history's events are a doubly linked list
// (index 0 is the head sentinel); linearizing an operation lifts its two
// events out of the list, and backtracking puts them back (dancing links).
type search struct {
	deadline time.Time // zero: none; past it the result is Unknown
	m        Model
	ops      []Operation // only the operations that take part (see newSearch)
	idx      []int       // ops[i] is the caller's operation idx[i]

	// events: 0 is the head; then one call event per op and one return
	// event per op that has a return.
	evOp       []int32
	evCall     []bool
	next, prev []int32
	callEv     []int32 // op → its call event
	retEv      []int32 // op → its return event, or -1

	// target, when ≥ 0, is an op (caller's index) whose rejected states
	// are recorded: the states in which Step refused it.
	target   int
	rejected []State

	// stop, when set by another search, makes this one give up.
	stop *atomic.Bool
}

// newSearch prepares ops: unknown read-only operations are dropped, since
// they constrain nothing. The rest are numbered unknown operations first,
// then completed ones, each in call order (see linSet).
func newSearch(m Model, ops []Operation, target int) *search {
	s := &search{m: m, target: target}
	for _, unknown := range []bool{true, false} {
		start := len(s.ops)
		for i, o := range ops {
			if o.Unknown() != unknown || unknown && m.readOnly(o.Input) {
				continue
			}
			if unknown {
				o.Output = nil
			}
			s.ops = append(s.ops, o)
			s.idx = append(s.idx, i)
		}
		part := s.ops[start:]
		idx := s.idx[start:]
		sort.Stable(byCall{part, idx})
	}

	type ev struct {
		time, op int
		call     bool
	}
	evs := make([]ev, 0, 2*len(s.ops))
	for i, o := range s.ops {
		evs = append(evs, ev{o.Call, i, true})
		if !o.Unknown() {
			evs = append(evs, ev{o.Return, i, false})
		}
	}
	sort.SliceStable(evs, func(a, b int) bool {
		if evs[a].time != evs[b].time {
			return evs[a].time < evs[b].time
		}
		return evs[a].call && !evs[b].call
	})

	n := len(evs) + 1
	s.evOp = make([]int32, n)
	s.evCall = make([]bool, n)
	s.next = make([]int32, n)
	s.prev = make([]int32, n)
	s.callEv = make([]int32, len(s.ops))
	s.retEv = make([]int32, len(s.ops))
	for i := range s.retEv {
		s.retEv[i] = -1
	}
	s.evOp[0] = -1
	for i, e := range evs {
		k := int32(i + 1)
		s.evOp[k], s.evCall[k] = int32(e.op), e.call
		if e.call {
			s.callEv[e.op] = k
		} else {
			s.retEv[e.op] = k
		}
	}
	// A circular list through the head: next of the last event is 0.
	for k := 0; k < n; k++ {
		s.next[k] = int32((k + 1) % n)
		s.prev[k] = int32((k + n - 1) % n)
	}
	return s
}

type byCall struct {
	ops []Operation
	idx []int
}

func (b byCall) Len() int           { return len(b.ops) }
func (b byCall) Less(i, j int) bool { return b.ops[i].Call < b.ops[j].Call }
func (b byCall) Swap(i, j int) {
	b.ops[i], b.ops[j] = b.ops[j], b.ops[i]
	b.idx[i], b.idx[j] = b.idx[j], b.idx[i]
}

func (s *search) unlink(k int32) {
	s.next[s.prev[k]] = s.next[k]
	s.prev[s.next[k]] = s.prev[k]
}

func (s *search) relink(k int32) {
	s.next[s.prev[k]] = k
	s.prev[s.next[k]] = k
}

// lift takes op's events out of the list; unlift puts them back. Unlinking
// and relinking in reverse order restores the list exactly.
func (s *search) lift(op int32) {
	s.unlink(s.callEv[op])
	if r := s.retEv[op]; r >= 0 {
		s.unlink(r)
	}
}

func (s *search) unlift(op int32) {
	if r := s.retEv[op]; r >= 0 {
		s.relink(r)
	}
	s.relink(s.callEv[op])
}

type frame struct {
	op    int32
	state State
}

// stopEvery is how many steps pass between looks at the stop flag.
const stopEvery = 1 << 12

func (s *search) run(budget int, deadline time.Time) Result {
	s.deadline = deadline
	m := s.m
	state := m.Init()
	unknown := 0
	for unknown < len(s.ops) && s.ops[unknown].Unknown() {
		unknown++
	}
	lin := newLinSet(unknown, len(s.ops)-unknown)
	seen := newCache(m)
	var stack []frame
	remaining := 0 // completed operations not yet linearized
	for _, r := range s.retEv {
		if r >= 0 {
			remaining++
		}
	}
	steps := 0
	cur := s.next[0]
	for remaining > 0 {
		steps++
		if budget > 0 && steps > budget {
			return Unknown
		}
		if steps%stopEvery == 0 && (s.stop != nil && s.stop.Load() || !s.deadline.IsZero() && time.Now().After(s.deadline)) {
			return Unknown
		}
		// cur is never the head here: a return event of an unlinearized
		// operation is still in the list, and the walk stops at it.
		op := s.evOp[cur]
		if s.evCall[cur] {
			o := &s.ops[op]
			ok, next := m.Step(state, o.Input, o.Output)
			if ok {
				lin.set(op)
				if seen.add(&lin, next) {
					stack = append(stack, frame{op, state})
					state = next
					s.lift(op)
					if !o.Unknown() {
						remaining--
					}
					cur = s.next[0]
					continue
				}
				lin.clear(op)
			} else if s.idx[op] == s.target {
				s.reject(state)
			}
			cur = s.next[cur]
			continue
		}
		// A completion of an operation not yet linearized: whatever was
		// linearized last must move.
		if len(stack) == 0 {
			return Illegal
		}
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		lin.clear(f.op)
		state = f.state
		s.unlift(f.op)
		if !s.ops[f.op].Unknown() {
			remaining++
		}
		cur = s.next[s.callEv[f.op]]
	}
	return Ok
}

func (s *search) reject(st State) {
	for _, r := range s.rejected {
		if s.m.equal(r, st) {
			return
		}
	}
	s.rejected = append(s.rejected, st)
}
