package linear

import (
	"math/bits"
	"sort"
)

// search is one run of the just-in-time linearization search. The
// history's events are a doubly linked list (index 0 is the head
// sentinel); linearizing an operation lifts its two events out of the
// list, and backtracking puts them back (dancing links).
type search struct {
	m   Model
	ops []Operation // only the operations that take part (see newSearch)
	idx []int       // ops[i] is the caller's operation idx[i]

	// events: 0 is the head; then one call event per op and one return
	// event per op that has a return.
	evOp       []int
	evCall     []bool
	next, prev []int
	callEv     []int // op → its call event
	retEv      []int // op → its return event, or -1

	// target, when ≥ 0, is an op (caller's index) whose rejected states
	// are recorded: the states in which Step refused it.
	target   int
	rejected []State
}

// newSearch prepares ops: unknown read-only operations are dropped, since
// they constrain nothing.
func newSearch(m Model, ops []Operation, target int) *search {
	s := &search{m: m, target: target}
	for i, o := range ops {
		if o.Unknown() && m.readOnly(o.Input) {
			continue
		}
		if o.Unknown() {
			o.Output = nil
		}
		s.ops = append(s.ops, o)
		s.idx = append(s.idx, i)
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
	s.evOp = make([]int, n)
	s.evCall = make([]bool, n)
	s.next = make([]int, n)
	s.prev = make([]int, n)
	s.callEv = make([]int, len(s.ops))
	s.retEv = make([]int, len(s.ops))
	for i := range s.retEv {
		s.retEv[i] = -1
	}
	s.evOp[0] = -1
	for i, e := range evs {
		k := i + 1
		s.evOp[k], s.evCall[k] = e.op, e.call
		if e.call {
			s.callEv[e.op] = k
		} else {
			s.retEv[e.op] = k
		}
	}
	// A circular list through the head: next of the last event is 0.
	for k := 0; k < n; k++ {
		s.next[k] = (k + 1) % n
		s.prev[k] = (k + n - 1) % n
	}
	return s
}

func (s *search) unlink(k int) {
	s.next[s.prev[k]] = s.next[k]
	s.prev[s.next[k]] = s.prev[k]
}

func (s *search) relink(k int) {
	s.next[s.prev[k]] = k
	s.prev[s.next[k]] = k
}

// lift takes op's events out of the list; unlift puts them back. Unlinking
// and relinking in reverse order restores the list exactly.
func (s *search) lift(op int) {
	s.unlink(s.callEv[op])
	if r := s.retEv[op]; r >= 0 {
		s.unlink(r)
	}
}

func (s *search) unlift(op int) {
	if r := s.retEv[op]; r >= 0 {
		s.relink(r)
	}
	s.relink(s.callEv[op])
}

type frame struct {
	op    int
	state State
}

func (s *search) run(budget int) Result {
	m := s.m
	state := m.Init()
	lin := newBitset(len(s.ops))
	seen := cache{m: m, buckets: map[uint64][]cacheEntry{}}
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
		// cur is never the head here: a return event of an unlinearized
		// operation is still in the list, and the walk stops at it.
		op := s.evOp[cur]
		if s.evCall[cur] {
			o := s.ops[op]
			ok, next := m.Step(state, o.Input, o.Output)
			if ok {
				lin.set(op)
				if seen.add(lin, next) {
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

// bitset is the set of linearized operations.
type bitset []uint64

func newBitset(n int) bitset   { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)     { b[i/64] |= 1 << (i % 64) }
func (b bitset) clear(i int)   { b[i/64] &^= 1 << (i % 64) }
func (b bitset) clone() bitset { return append(bitset(nil), b...) }
func (b bitset) equal(c bitset) bool {
	for i := range b {
		if b[i] != c[i] {
			return false
		}
	}
	return true
}

func (b bitset) hash() uint64 {
	h := uint64(14695981039346656037)
	for _, w := range b {
		h ^= w
		h *= 1099511628211
		h = bits.RotateLeft64(h, 29)
	}
	return h
}

// cache is the set of configurations already explored.
type cache struct {
	m       Model
	buckets map[uint64][]cacheEntry
}

type cacheEntry struct {
	lin   bitset
	state State
}

// add records (lin, state) and reports whether it was new.
func (c *cache) add(lin bitset, state State) bool {
	h := lin.hash() ^ c.m.hash(state)*0x9e3779b97f4a7c15
	for _, e := range c.buckets[h] {
		if e.lin.equal(lin) && c.m.equal(e.state, state) {
			return false
		}
	}
	c.buckets[h] = append(c.buckets[h], cacheEntry{lin.clone(), state})
	return true
}
