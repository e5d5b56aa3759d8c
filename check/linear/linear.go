// Package linear decides whether a history of operations on one object is
// linearizable (Herlihy & Wing 1990): whether every operation can be given
// a single point in time between its invocation and its completion such
// that, taken in that order, the operations are a legal run of a
// sequential Model.
//
// The search is Wing & Gong's (1993) with Lowe's just-in-time
// linearization and memoization (Lowe, "Testing for linearizability",
// 2017), the algorithm Porcupine uses: walk the history's events in
// real-time order; at an invocation, try to linearize that operation now;
// at a completion whose operation is not yet linearized, backtrack. A
// configuration (set of linearized operations, model state) that was seen
// before is not explored again, which keeps easy histories polynomial.
//
// Operations with an unknown outcome (Jepsen's info) never complete: they
// may be linearized at any point after their invocation, or not at all.
// The search succeeds once every completed operation is linearized.
//
//	res := linear.Check(linear.Register, ops, linear.Options{})
//	if res == linear.Illegal {
//		ex := linear.Explain(linear.Register, ops, linear.Options{})
//		// ex.Op could not be placed; ex.States are where it was tried.
//	}
package linear

import (
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Infinity is the Return of an operation whose outcome is unknown.
const Infinity = math.MaxInt

// Operation is one operation of a history. Call and Return are times, or
// positions in the stream of invocations and completions; only their order
// matters. At equal times an invocation counts as coming first, that is,
// the two operations are taken as concurrent.
type Operation struct {
	Client int
	Input  any
	Output any // ignored (nil to Step) when Return is Infinity
	Call   int
	Return int // Infinity: outcome unknown
}

// Unknown reports whether the operation's outcome is unknown.
func (o Operation) Unknown() bool { return o.Return == Infinity }

// Result is the answer of a check. Its values read well in JSON.
type Result string

const (
	Ok      Result = "ok"      // linearizable
	Illegal Result = "illegal" // not linearizable
	Unknown Result = "unknown" // the budget ran out first
)

// Options tune a check.
type Options struct {
	// Budget bounds the number of search steps; 0 means no bound. When it
	// runs out the result is Unknown.
	Budget int
	// Deadline, if not zero, is the wall-clock time after which the search
	// gives up with Unknown (check --timeout).
	Deadline time.Time
}

// Check reports whether ops are linearizable with respect to m. A model
// with a Key has its history split by key; the parts are checked in
// parallel, and the first that is not linearizable stops the others.
func Check(m Model, ops []Operation, opt Options) Result {
	if m.Key == nil {
		return newSearch(m, ops, -1).run(opt.Budget, opt.Deadline)
	}
	parts := partition(m, ops)
	order := make([]int, len(parts)) // largest first, for balance
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return len(parts[order[a]].idx) > len(parts[order[b]].idx) })
	results := make([]Result, len(parts))
	var stop atomic.Bool
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(parts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(order) || stop.Load() {
					return
				}
				p := parts[order[i]]
				s := newSearch(m, p.ops(ops), -1)
				s.stop = &stop
				results[order[i]] = s.run(opt.Budget, opt.Deadline)
				if results[order[i]] == Illegal {
					stop.Store(true)
				}
			}
		}()
	}
	wg.Wait()
	res := Ok
	for _, r := range results {
		switch r {
		case Illegal:
			return Illegal
		case Unknown, "": // "": not run, since another part failed
			res = Unknown
		}
	}
	return res
}

// part is the operations of one key, as indices into the history.
type part struct {
	key string
	idx []int
}

func (p part) ops(all []Operation) []Operation {
	ops := make([]Operation, len(p.idx))
	for i, j := range p.idx {
		ops[i] = all[j]
	}
	return ops
}

// partition splits ops by m's Key, sorted by key; a model without a Key
// has one part.
func partition(m Model, ops []Operation) []part {
	byKey := map[string]int{}
	var parts []part
	for i, o := range ops {
		k := m.key(o.Input)
		j, ok := byKey[k]
		if !ok {
			j = len(parts)
			byKey[k] = j
			parts = append(parts, part{key: k})
		}
		parts[j].idx = append(parts[j].idx, i)
	}
	sort.Slice(parts, func(a, b int) bool { return parts[a].key < parts[b].key })
	return parts
}
