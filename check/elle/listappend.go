package elle

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/detsys/detsys/formats"
)

// kv names one appended (or written) value of one key.
type kv struct {
	key string
	v   int64
}

// writerInfo is who wrote a value, and whether it was that transaction's
// last write to the key (a read of any other is an intermediate read).
type writerInfo struct {
	txn   int32
	final bool
}

// writers indexes every write of the history (failed transactions
// included), or returns an error when a value is written twice to a key:
// the inference needs unique values (Elle §3, "recoverability").
func writers(h *History, write string) (map[kv]writerInfo, error) {
	n := 0
	for i := range h.Txns {
		n += len(h.Txns[i].Mops)
	}
	w := make(map[kv]writerInfo, n)
	for i := range h.Txns {
		t := &h.Txns[i]
		for j, m := range t.Mops {
			if m.F != write {
				continue
			}
			k := kv{m.Key, m.Value}
			if prev, dup := w[k]; dup {
				p := &h.Txns[prev.txn]
				return nil, &formats.InputError{File: t.File, Line: t.Line, Field: fmt.Sprintf("op.txn[%d][2]", j),
					Msg: fmt.Sprintf("%s writes %d to key %s again (%s:%d wrote it first): the checker tells versions apart by their values, so values must be unique per key", name(t), m.Value, m.Key, p.File, p.Line)}
			}
			final := true
			for _, n := range t.Mops[j+1:] {
				if n.F == write && n.Key == m.Key {
					final = false
					break
				}
			}
			w[k] = writerInfo{txn: int32(i), final: final}
		}
	}
	return w, nil
}

// graphNodes are the transactions that may have taken effect: ok and info.
func graphNodes(h *History) []int32 {
	var nodes []int32
	for i := range h.Txns {
		if h.Txns[i].Status != formats.TypeFail {
			nodes = append(nodes, int32(i))
		}
	}
	return nodes
}

// CheckListAppend checks a list-append history against a consistency
// level (one of Levels). Appended values must be unique per key; then
// every read of a key is a prefix of one version order, the longest read,
// from which the ww, wr and rw edges follow exactly (Elle §4.1):
//
//   - ww: the writers of adjacent elements of the version order;
//   - wr: the writer of a read's last element → the reader;
//   - rw: a reader → the writer of the element after the read's last.
//
// Limits: an append that no read observed has no place in the version
// order, so it gets no edges; reads of info and failed transactions are
// unknown and ignored (their appends still count).
func CheckListAppend(h History, level string) (Result, error) {
	w, err := writers(&h, "append")
	if err != nil {
		return Result{}, err
	}
	c := &collector{h: &h, level: level, count: map[string]int{}}
	la := &listAppend{h: &h, w: w, longest: map[string][]int64{}, longestBy: map[string]int{}}

	// Reads: internal consistency, duplicates, the longest read per key.
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Status != formats.TypeOk {
			continue
		}
		la.internal(c, i)
		for _, m := range t.Mops {
			if m.F != "r" || m.Nil {
				continue
			}
			if len(m.List) > len(la.longest[m.Key]) {
				la.longest[m.Key] = m.List
				la.longestBy[m.Key] = i
			}
		}
	}
	// Every read must be a prefix of the longest; then aborted and
	// intermediate reads.
	// (A read with a duplicate is either a prefix of the longest, which
	// then has it too, or incompatible with it: checking the longest
	// reads is enough.)
	order := map[kv]int{}
	for _, k := range slices.Sorted(maps.Keys(la.longest)) {
		l := la.longest[k]
		for p, v := range l {
			if _, dup := order[kv{k, v}]; dup {
				r := la.reader(k)
				c.ops(DuplicateElements, "%s read key %s as %s, with %d twice", []int{r}, name(&h.Txns[r]), k, listString(l), v)
				continue
			}
			order[kv{k, v}] = p
		}
	}
	la.pos = order
	// Aborted reads: every read is a prefix of the longest, so the
	// longest reads hold every value read.
	for _, k := range slices.Sorted(maps.Keys(la.longest)) {
		r := la.longestBy[k]
		for _, v := range la.longest[k] {
			if wi, ok := w[kv{k, v}]; ok && h.Txns[wi.txn].Status == formats.TypeFail {
				c.ops(G1a, "%s read %d from key %s, appended by %s, which failed", []int{r, int(wi.txn)}, name(&h.Txns[r]), v, k, name(&h.Txns[wi.txn]))
			}
		}
	}
	// The writer of each position of each version order (-1: unknown,
	// or failed), so that edges cost no map lookups.
	la.at = make(map[string][]int32, len(la.longest))
	for k, l := range la.longest {
		at := make([]int32, len(l))
		for p, v := range l {
			at[p] = -1
			if wi, ok := la.writer(k, v); ok {
				at[p] = int32(wi)
			}
		}
		la.at[k] = at
	}
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Status != formats.TypeOk {
			continue
		}
		for _, m := range t.Mops {
			if m.F != "r" || m.Nil {
				continue
			}
			l := la.longest[m.Key]
			if !isPrefix(m.List, l) {
				c.ops(IncompatibleOrder, "%s read key %s as %s, which is not a prefix of the longest read %s: no version order fits both", []int{i, la.reader(m.Key)}, name(t), m.Key, listString(m.List), listString(l))
				continue
			}
			if n := len(m.List); n > 0 {
				if wi, ok := w[kv{m.Key, m.List[n-1]}]; ok && !wi.final && int(wi.txn) != i {
					c.ops(G1b, "%s read key %s as %s, ending at %d, which %s appended before appending more to the same key", []int{i, int(wi.txn)}, name(t), m.Key, listString(m.List), m.List[n-1], name(&h.Txns[wi.txn]))
				}
			}
		}
	}

	// The graph.
	nodes := graphNodes(&h)
	g := newGraph(len(h.Txns))
	for _, k := range slices.Sorted(maps.Keys(la.longest)) {
		at := la.at[k]
		for p := 1; p < len(at); p++ {
			if at[p-1] >= 0 && at[p] >= 0 {
				g.add(int(at[p-1]), int(at[p]), WW)
			}
		}
	}
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Status != formats.TypeOk {
			continue
		}
		for _, m := range t.Mops {
			if m.F != "r" || m.Nil || !isPrefix(m.List, la.longest[m.Key]) {
				continue
			}
			n, at := len(m.List), la.at[m.Key]
			if n > 0 && at[n-1] >= 0 {
				g.add(int(at[n-1]), i, WR)
			}
			if n < len(at) && at[n] >= 0 {
				g.add(i, int(at[n]), RW)
			}
		}
	}
	strict := level == "strict-serializable"
	if strict {
		realTime(g, &h, nodes)
	}
	c.cycles(g, nodes, strict, la.explain)
	return c.result(), nil
}

type listAppend struct {
	h         *History
	w         map[kv]writerInfo
	longest   map[string][]int64
	longestBy map[string]int // a transaction that read the longest list
	pos       map[kv]int
	at        map[string][]int32 // key → writer of each position of longest
}

// writer is the transaction that appended v to key, if it is in the graph.
func (la *listAppend) writer(key string, v int64) (int, bool) {
	wi, ok := la.w[kv{key, v}]
	if !ok || la.h.Txns[wi.txn].Status == formats.TypeFail {
		return 0, false
	}
	return int(wi.txn), true
}

// reader is a transaction that read the longest list of key.
func (la *listAppend) reader(key string) int { return la.longestBy[key] }

// internal checks that a transaction's reads agree with its own earlier
// reads and appends of the same key (Elle §4.1.1: internal consistency).
func (la *listAppend) internal(c *collector, i int) {
	t := &la.h.Txns[i]
	if !repeatsKey(t.Mops) {
		return
	}
	type state struct {
		known bool    // a read fixed the whole list
		list  []int64 // the whole list if known, else our appends so far
	}
	st := map[string]*state{}
	for _, m := range t.Mops {
		s := st[m.Key]
		if s == nil {
			s = &state{}
			st[m.Key] = s
		}
		if m.F == "append" {
			s.list = append(s.list, m.Value)
			continue
		}
		if m.Nil {
			continue
		}
		ok := true
		switch {
		case s.known:
			ok = equal(m.List, s.list)
		case len(s.list) > 0:
			ok = len(m.List) >= len(s.list) && equal(m.List[len(m.List)-len(s.list):], s.list)
		}
		if !ok {
			want := "a list ending in " + listString(s.list)
			if s.known {
				want = listString(s.list)
			}
			c.ops(Internal, "%s read key %s as %s, but its own earlier reads and appends say %s", []int{i}, name(t), m.Key, listString(m.List), want)
		}
		s.known = true
		s.list = append([]int64(nil), m.List...)
	}
}

func (la *listAppend) explain(from, to int, kind Edge) string {
	a, b := &la.h.Txns[from], &la.h.Txns[to]
	switch kind {
	case RT:
		return fmt.Sprintf("%s completed (step %d) before %s was invoked", name(a), *a.CompleteStep, name(b))
	case WW:
		for _, m := range a.Mops {
			if m.F != "append" {
				continue
			}
			p, ok := la.pos[kv{m.Key, m.Value}]
			l := la.longest[m.Key]
			if ok && p+1 < len(l) {
				if wb, ok := la.writer(m.Key, l[p+1]); ok && wb == to {
					return fmt.Sprintf("on key %s, %s appended %d right after %d, appended by %s", m.Key, name(b), l[p+1], m.Value, name(a))
				}
			}
		}
	case WR:
		for _, m := range b.Mops {
			if m.F == "r" && len(m.List) > 0 {
				last := m.List[len(m.List)-1]
				if wa, ok := la.writer(m.Key, last); ok && wa == from {
					return fmt.Sprintf("%s read key %s as %s, whose last element %s appended", name(b), m.Key, listString(m.List), name(a))
				}
			}
		}
	case RW:
		for _, m := range a.Mops {
			if m.F != "r" || m.Nil {
				continue
			}
			l := la.longest[m.Key]
			if n := len(m.List); n < len(l) {
				if wb, ok := la.writer(m.Key, l[n]); ok && wb == to {
					return fmt.Sprintf("%s read key %s as %s, before %s appended %d next", name(a), m.Key, listString(m.List), name(b), l[n])
				}
			}
		}
	}
	return kind.String()
}

func isPrefix(p, l []int64) bool { return len(p) <= len(l) && equal(p, l[:len(p)]) }

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func listString(l []int64) string {
	b := []byte{'['}
	for i, v := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(append(b, ']'))
}

// repeatsKey reports whether some key has two micro-operations: only then
// can a transaction contradict itself.
func repeatsKey(mops []Mop) bool {
	if len(mops) > 16 {
		return true
	}
	for i := range mops {
		for j := i + 1; j < len(mops); j++ {
			if mops[i].Key == mops[j].Key {
				return true
			}
		}
	}
	return false
}
