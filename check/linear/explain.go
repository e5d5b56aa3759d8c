package linear

import (
	"encoding/json"
	"sort"
)

// Explanation says why a history is not linearizable, in terms a person
// can follow.
type Explanation struct {
	// Key is the key whose subhistory fails, for a model with a Key.
	Key string
	// End is the time of the completion that ends the smallest prefix of
	// the history (by completion order) that is not linearizable.
	End int
	// Op is the operation completing at End: the one that could not be
	// placed. Ops are the operations invoked by End, in call order; those
	// that complete after End are pending in the prefix (outcome unknown).
	Op  int
	Ops []int
	// States are the states the model could have been in just before Op,
	// wherever the search tried to place it: in none of them does Op's
	// output fit. Sorted by their JSON.
	States []State
}

// Explain finds the smallest prefix of a history that is not
// linearizable. It returns nil if the whole history is linearizable
// (or the budget ran out on it).
//
// Linearizability is prefix-closed once operations still in flight at the
// end of a prefix count as unknown: a linearization of the whole history,
// cut where the first operation invoked after the prefix appears, is one
// of the prefix. So the prefixes ending at successive completions fail
// monotonically and a binary search finds the first that fails.
//
// For a model with a Key, the explanation is about one key: the one whose
// failing prefix ends first, and Ops are that key's operations.
func Explain(m Model, ops []Operation, opt Options) *Explanation {
	var best *Explanation
	for _, p := range partition(m, ops) {
		ex := explain(m, p.ops(ops), opt)
		if ex == nil || best != nil && ex.End >= best.End {
			continue
		}
		ex.Key = p.key
		ex.Op = p.idx[ex.Op]
		for i, j := range ex.Ops {
			ex.Ops[i] = p.idx[j]
		}
		best = ex
	}
	return best
}

func explain(m Model, ops []Operation, opt Options) *Explanation {
	var ends []int // ops that complete, by completion time
	for i, o := range ops {
		if !o.Unknown() {
			ends = append(ends, i)
		}
	}
	sort.SliceStable(ends, func(a, b int) bool { return ops[ends[a]].Return < ops[ends[b]].Return })

	fails := func(k int) bool {
		p, _ := prefix(ops, ops[ends[k]].Return)
		return newSearch(m, p, -1).run(opt.Budget, opt.Deadline) == Illegal
	}
	k := sort.Search(len(ends), fails)
	if k == len(ends) {
		return nil
	}
	end := ops[ends[k]].Return
	p, idx := prefix(ops, end)
	target := -1
	for i, j := range idx {
		if j == ends[k] {
			target = i
		}
	}
	s := newSearch(m, p, target)
	s.run(opt.Budget, opt.Deadline)
	sort.SliceStable(s.rejected, func(a, b int) bool {
		ja, _ := json.Marshal(s.rejected[a])
		jb, _ := json.Marshal(s.rejected[b])
		return string(ja) < string(jb)
	})
	return &Explanation{End: end, Op: ends[k], Ops: idx, States: s.rejected}
}

// prefix returns the operations invoked by time end, in call order, those
// completing after it made unknown, and their indices in ops.
func prefix(ops []Operation, end int) ([]Operation, []int) {
	var idx []int
	for i, o := range ops {
		if o.Call <= end {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return ops[idx[a]].Call < ops[idx[b]].Call })
	p := make([]Operation, len(idx))
	for i, j := range idx {
		p[i] = ops[j]
		if p[i].Return > end {
			p[i].Return = Infinity
			p[i].Output = nil
		}
	}
	return p, idx
}
