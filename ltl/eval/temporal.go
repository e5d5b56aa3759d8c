package eval

import (
	"encoding/binary"
	"slices"

	"github.com/detsys/detsys/ltl/formula"
)

// The monitor's formulas are in negation normal form over atoms (maximal
// state formulas), hash-consed so that equal formulas are one node and
// progression can be memoized per step.

type top uint8

const (
	tTrue top = iota
	tFalse
	tAtom
	tAnd
	tOr
	tNext        // X
	tWNext       // WX
	tUntil       // U
	tWUntil      // W
	tAlways      // []
	tEventually  // <>
	tAlwaysB     // [][<=d]: d relative to the step where it is evaluated
	tEventuallyB // <>[<=d]
	tAlwaysT     // [] up to the absolute deadline d
	tEventuallyT // <> by the absolute deadline d
	tStrong      // in a residual: the operand must hold at the next step, which must exist
	tWeak        // in a residual: the operand must hold at the next step, if there is one
)

type tnode struct {
	op     top
	kids   []*tnode
	atom   *atom
	neg    bool  // tAtom: negated
	d      int64 // bounds: the bound (B) or deadline (T), ns
	strict bool  // bounds: < rather than <=
	id     int
	key    string

	// src is the formula a temporal node was compiled from (negated if
	// srcNeg), to print obligations as the user wrote them.
	src    formula.Expr
	srcNeg bool

	// origin of a deadline: the step and time at which the bound started.
	originStep, originAt int64

	memoTick int
	memo     *tnode

	strong, weak *tnode // the obligations wrapping this node, once made
}

// atom is a state formula and what is needed to explain its value.
type atom struct {
	id     int
	b      *bnode
	src    formula.Expr
	where  string // the fixed quantified variables it sees: n = "register1"
	probes []probe

	tick int
	val  bool
}

// probe is a path in an atom whose value a reason shows.
type probe struct {
	text string
	v    *vnode
}

// interner hash-conses nodes.
type interner struct {
	m       map[string]*tnode
	next    int
	buf     []byte
	scratch []*tnode
	tru     *tnode
	fls     *tnode
}

func newInterner() *interner {
	in := &interner{m: map[string]*tnode{}}
	in.tru = in.mk(&tnode{op: tTrue})
	in.fls = in.mk(&tnode{op: tFalse})
	return in
}

// mk returns the node equal to n, adding n if there is none.
func (in *interner) mk(n *tnode) *tnode {
	m, _ := in.node(n.op, n.kids, n.atom, n.neg, n.d, n.strict)
	return m
}

// node returns the node with these fields, making it if there is none
// (fresh); a lookup that finds one allocates nothing, which matters on
// every step.
func (in *interner) node(op top, kids []*tnode, a *atom, neg bool, d int64, strict bool) (n *tnode, fresh bool) {
	b := append(in.buf[:0], byte(op))
	flags := byte(0)
	if neg {
		flags |= 1
	}
	if strict {
		flags |= 2
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, d)
	if a != nil {
		b = binary.AppendUvarint(b, uint64(a.id))
	}
	for _, k := range kids {
		b = binary.AppendUvarint(b, uint64(k.id))
	}
	in.buf = b
	if old, ok := in.m[string(b)]; ok {
		return old, false
	}
	n = &tnode{op: op, kids: slices.Clone(kids), atom: a, neg: neg, d: d, strict: strict}
	n.key = string(b)
	n.id = in.next
	n.memoTick = -1
	in.next++
	in.m[n.key] = n
	return n, true
}

func (in *interner) bool(v bool) *tnode {
	if v {
		return in.tru
	}
	return in.fls
}

func (in *interner) mkStrong(x *tnode) *tnode {
	if x.strong == nil {
		x.strong, _ = in.node(tStrong, []*tnode{x}, nil, false, 0, false)
	}
	return x.strong
}

func (in *interner) mkWeak(x *tnode) *tnode {
	if x.weak == nil {
		x.weak, _ = in.node(tWeak, []*tnode{x}, nil, false, 0, false)
	}
	return x.weak
}

// and2 and or2 are the binary connectives the progression builds with.
func (in *interner) and2(a, b *tnode) *tnode {
	switch {
	case a == in.fls || b == in.fls:
		return in.fls
	case a == in.tru:
		return b
	case b == in.tru || a == b:
		return a
	}
	return in.junction(tAnd, a, b)
}

func (in *interner) or2(a, b *tnode) *tnode {
	switch {
	case a == in.tru || b == in.tru:
		return in.tru
	case a == in.fls:
		return b
	case b == in.fls || a == b:
		return a
	}
	return in.junction(tOr, a, b)
}

// junction builds an n-ary && or || of a and b.
func (in *interner) junction(op top, a, b *tnode) *tnode {
	pair := [2]*tnode{a, b}
	return in.junctionOf(op, pair[:])
}

// junctionOf builds an n-ary && or || of xs (none of them true or false):
// flattened, without duplicates, in id order, and with deadlines on the
// same formula merged: in a conjunction "<> f by T1" and "<> f by T2" is
// "<> f by the earlier", "[] f until T1" and "[] f until T2" is "[] f
// until the later" (a disjunction the other way round).
func (in *interner) junctionOf(op top, xs []*tnode) *tnode {
	switch {
	case len(xs) == 0:
		return in.bool(op == tAnd)
	case len(xs) == 1:
		return xs[0]
	case len(xs) == 2 && xs[0] == xs[1]:
		return xs[0]
	}
	ks := in.scratch[:0]
	for _, x := range xs {
		if x.op == op {
			ks = append(ks, x.kids...)
		} else {
			ks = append(ks, x)
		}
	}
	slices.SortFunc(ks, func(x, y *tnode) int { return x.id - y.id })
	ks = slices.Compact(ks)
	ks = in.mergeDeadlines(op, ks)
	in.scratch = ks
	switch len(ks) {
	case 0:
		return in.bool(op == tAnd)
	case 1:
		return ks[0]
	}
	n, _ := in.node(op, ks, nil, false, 0, false)
	return n
}

// deadline returns the timed operator under an obligation, or nil.
func deadline(x *tnode) *tnode {
	if (x.op == tStrong || x.op == tWeak) && (x.kids[0].op == tEventuallyT || x.kids[0].op == tAlwaysT) {
		return x.kids[0]
	}
	return nil
}

// later reports whether deadline (d1, strict1) is later than (d2, strict2).
func later(d1 int64, s1 bool, d2 int64, s2 bool) bool {
	if d1 != d2 {
		return d1 > d2
	}
	return s2 && !s1
}

func (in *interner) mergeDeadlines(op top, ks []*tnode) []*tnode {
	n := 0
	for _, x := range ks {
		if deadline(x) != nil {
			n++
		}
	}
	if n < 2 {
		return ks
	}
	out := make([]*tnode, 0, len(ks))
	for i, x := range ks {
		t := deadline(x)
		if t == nil {
			out = append(out, x)
			continue
		}
		// Keep x unless another obligation on the same formula, of the
		// same operator, makes it redundant (ties: keep the first).
		keep := true
		for j, y := range ks {
			u := deadline(y)
			if j == i || u == nil || u.op != t.op || u.kids[0] != t.kids[0] || x.op != y.op {
				continue
			}
			// In a conjunction <> keeps the earlier deadline and [] the
			// later; in a disjunction the other way round.
			wantLater := (t.op == tAlwaysT) == (op == tAnd)
			better := later(u.d, u.strict, t.d, t.strict) == wantLater && (u.d != t.d || u.strict != t.strict)
			if better || (u.d == t.d && u.strict == t.strict && j < i) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, x)
		}
	}
	return out
}
