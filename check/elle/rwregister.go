package elle

import (
	"fmt"

	"github.com/detsys/detsys/formats"
)

// maxInitialEdges bounds the rw edges from reads of the initial (null)
// value: each goes to every first write of the key, which is quadratic
// when many transactions write a key without reading it first.
const maxInitialEdges = 1_000_000

// CheckRWRegister checks a read/write register history against a
// consistency level. Written values must be unique per key, so a read
// names the transaction it read from: the wr edges are exact. The
// version order of a register is not visible in reads, so only part of it
// is inferred (Elle §4.2): null, the initial value, precedes every write;
// and a transaction that read x from a key and then wrote y to it puts x
// before y. The second is an assumption, Elle's "wfr-keys": it holds for
// any store whose version order follows commit order, but a store that
// orders versions some other way could be blamed for cycles it did not
// make. From those pairs come the ww edges (writer of x →
// writer of y) and the rw edges (a reader of x → the writer of y; a
// reader of null → the writer of every write with no known predecessor).
// Dependencies between writes that no transaction ordered are not
// inferred, so some anomalies go unseen; those reported are certain.
func CheckRWRegister(h History, level string) (Result, error) {
	w, err := writers(&h, "w")
	if err != nil {
		return Result{}, err
	}
	c := &collector{h: &h, level: level, count: map[string]int{}}
	rr := &rwRegister{h: &h, w: w, succ: map[kv][]int64{}, hasPred: map[kv]bool{}}

	type read struct {
		txn int
		m   Mop
	}
	var reads []read
	var pairs [][2]kv // version order pairs, in history order (map order would make witnesses random)
	for i := range h.Txns {
		t := &h.Txns[i]
		if t.Status != formats.TypeOk {
			continue
		}
		rr.internal(c, i)
		// External reads (before the transaction wrote the key), and the
		// version order they give with the transaction's first write after.
		type seen struct {
			read, wrote bool
			m           Mop
		}
		keys := map[string]*seen{}
		for _, m := range t.Mops {
			s := keys[m.Key]
			if s == nil {
				s = &seen{}
				keys[m.Key] = s
			}
			switch {
			case m.F == "r" && !s.read && !s.wrote:
				s.read, s.m = true, m
				reads = append(reads, read{i, m})
			case m.F == "w" && !s.wrote:
				s.wrote = true
				if s.read && !s.m.Nil {
					x := kv{m.Key, s.m.Value}
					rr.succ[x] = append(rr.succ[x], m.Value)
					pairs = append(pairs, [2]kv{x, {m.Key, m.Value}})
					rr.hasPred[kv{m.Key, m.Value}] = true
				}
			}
		}
	}
	for _, r := range reads {
		t := &h.Txns[r.txn]
		if r.m.Nil {
			continue
		}
		wi, ok := w[kv{r.m.Key, r.m.Value}]
		if !ok {
			continue
		}
		if h.Txns[wi.txn].Status == formats.TypeFail {
			c.ops(G1a, "%s read %d from key %s, written by %s, which failed", []int{r.txn, int(wi.txn)}, name(t), r.m.Value, r.m.Key, name(&h.Txns[wi.txn]))
		} else if !wi.final && int(wi.txn) != r.txn {
			c.ops(G1b, "%s read %d from key %s, which %s wrote and then overwrote", []int{r.txn, int(wi.txn)}, name(t), r.m.Value, r.m.Key, name(&h.Txns[wi.txn]))
		}
	}

	nodes := graphNodes(&h)
	g := newGraph(len(h.Txns))
	for _, p := range pairs {
		a, okA := rr.writer(p[0].key, p[0].v)
		b, okB := rr.writer(p[1].key, p[1].v)
		if okA && okB {
			g.add(a, b, WW)
		}
	}
	// First writes of each key: the successors of null.
	roots := map[string][]int{}
	for _, i := range nodes {
		for _, m := range h.Txns[i].Mops {
			if m.F == "w" && w[kv{m.Key, m.Value}].final && !rr.hasPred[kv{m.Key, m.Value}] {
				roots[m.Key] = append(roots[m.Key], int(i))
			}
		}
	}
	initial := 0
	var notes []string
	for _, r := range reads {
		if r.m.Nil {
			if initial+len(roots[r.m.Key]) > maxInitialEdges {
				if notes == nil {
					notes = append(notes, fmt.Sprintf("more than %d anti-dependencies from reads of null: the rest were not inferred", maxInitialEdges))
				}
				continue
			}
			initial += len(roots[r.m.Key])
			for _, b := range roots[r.m.Key] {
				g.add(r.txn, b, RW)
			}
			continue
		}
		if a, ok := rr.writer(r.m.Key, r.m.Value); ok {
			g.add(a, r.txn, WR)
		}
		for _, y := range rr.succ[kv{r.m.Key, r.m.Value}] {
			if b, ok := rr.writer(r.m.Key, y); ok {
				g.add(r.txn, b, RW)
			}
		}
	}
	strict := level == "strict-serializable"
	if strict {
		realTime(g, &h, nodes)
	}
	c.cycles(g, nodes, strict, rr.explain)
	c.notes = append(notes, c.notes...)
	return c.result(), nil
}

type rwRegister struct {
	h       *History
	w       map[kv]writerInfo
	succ    map[kv][]int64 // x → the values some transaction wrote right after reading x
	hasPred map[kv]bool
}

func (rr *rwRegister) writer(key string, v int64) (int, bool) {
	wi, ok := rr.w[kv{key, v}]
	if !ok || rr.h.Txns[wi.txn].Status == formats.TypeFail {
		return 0, false
	}
	return int(wi.txn), true
}

// internal checks that a read agrees with the transaction's own earlier
// read or write of the key.
func (rr *rwRegister) internal(c *collector, i int) {
	t := &rr.h.Txns[i]
	if !repeatsKey(t.Mops) {
		return
	}
	type state struct {
		nil bool
		v   int64
	}
	st := map[string]state{}
	for _, m := range t.Mops {
		prev, known := st[m.Key]
		cur := state{nil: m.F == "r" && m.Nil, v: m.Value}
		if m.F == "r" && known && prev != cur {
			c.ops(Internal, "%s read key %s as %s, but its own earlier read or write says %s", []int{i}, name(t), m.Key, valueString(cur.nil, cur.v), valueString(prev.nil, prev.v))
		}
		st[m.Key] = cur
	}
}

func valueString(isNil bool, v int64) string {
	if isNil {
		return "null"
	}
	return fmt.Sprint(v)
}

func (rr *rwRegister) explain(from, to int, kind Edge) string {
	a, b := &rr.h.Txns[from], &rr.h.Txns[to]
	switch kind {
	case RT:
		return fmt.Sprintf("%s completed (step %d) before %s was invoked", name(a), *a.CompleteStep, name(b))
	case WW:
		for _, m := range b.Mops {
			if m.F != "w" {
				continue
			}
			for _, n := range b.Mops {
				if n.F == "r" && n.Key == m.Key && !n.Nil {
					if wa, ok := rr.writer(n.Key, n.Value); ok && wa == from {
						return fmt.Sprintf("on key %s, %s read %d, written by %s, and then wrote %d", m.Key, name(b), n.Value, name(a), m.Value)
					}
				}
			}
		}
	case WR:
		for _, m := range b.Mops {
			if m.F == "r" && !m.Nil {
				if wa, ok := rr.writer(m.Key, m.Value); ok && wa == from {
					return fmt.Sprintf("%s read %d from key %s, written by %s", name(b), m.Value, m.Key, name(a))
				}
			}
		}
	case RW:
		for _, m := range a.Mops {
			if m.F != "r" {
				continue
			}
			for _, n := range b.Mops {
				if n.F == "w" && n.Key == m.Key {
					return fmt.Sprintf("%s read key %s as %s, and %s wrote %d, a later version", name(a), m.Key, valueString(m.Nil, m.Value), name(b), n.Value)
				}
			}
		}
	}
	return kind.String()
}
