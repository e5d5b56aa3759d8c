package eval

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
)

// temporal compiles a formula, negated if neg, into negation normal form.
// Quantifiers with a temporal operator inside are expanded here, over a
// domain that must be known before the run: the run's nodes, a constant
// integer range, a constant array.
func (c *compiler) temporal(e formula.Expr, neg bool) *tnode {
	in := c.in
	if !formula.HasTemporal(e) {
		return c.atomNode(e, neg)
	}
	switch e := e.(type) {
	case *formula.Unary:
		x := e.X
		switch e.Op {
		case formula.Not:
			return c.temporal(x, !neg)
		case formula.Next, formula.WeakNext:
			op := tNext
			if (e.Op == formula.WeakNext) != neg {
				op = tWNext
			}
			return labeled(in.mk(&tnode{op: op, kids: []*tnode{c.temporal(x, neg)}}), e, neg)
		case formula.Always, formula.Eventually:
			always := (e.Op == formula.Always) != neg
			n := &tnode{kids: []*tnode{c.temporal(x, neg)}}
			switch {
			case e.Bound == nil && always:
				n.op = tAlways
			case e.Bound == nil:
				n.op = tEventually
			case always:
				n.op = tAlwaysB
			default:
				n.op = tEventuallyB
			}
			if e.Bound != nil {
				n.d, n.strict = int64(e.Bound.D), e.Bound.Strict
			}
			return labeled(in.mk(n), e, neg)
		}
	case *formula.Binary:
		f := func(n bool) *tnode { return c.temporal(e.X, n) }
		g := func(n bool) *tnode { return c.temporal(e.Y, n) }
		until := func(op top, a, b *tnode) *tnode {
			return labeled(in.mk(&tnode{op: op, kids: []*tnode{a, b}}), e, neg)
		}
		switch e.Op {
		case formula.And:
			if neg {
				return in.or2(f(true), g(true))
			}
			return in.and2(f(false), g(false))
		case formula.Or:
			if neg {
				return in.and2(f(true), g(true))
			}
			return in.or2(f(false), g(false))
		case formula.Implies:
			if neg {
				return in.and2(f(false), g(true))
			}
			return in.or2(f(true), g(false))
		case formula.Iff:
			if neg {
				return in.or2(in.and2(f(false), g(true)), in.and2(f(true), g(false)))
			}
			return in.or2(in.and2(f(false), g(false)), in.and2(f(true), g(true)))
		case formula.Until: // ¬(f U g) ≡ ¬g W (¬f ∧ ¬g)
			if neg {
				return until(tWUntil, g(true), in.and2(f(true), g(true)))
			}
			return until(tUntil, f(false), g(false))
		case formula.WeakUntil: // ¬(f W g) ≡ ¬g U (¬f ∧ ¬g)
			if neg {
				return until(tUntil, g(true), in.and2(f(true), g(true)))
			}
			return until(tWUntil, f(false), g(false))
		case formula.Release: // f R g ≡ g W (f ∧ g); ¬(f R g) ≡ ¬f U ¬g
			if neg {
				return until(tUntil, f(true), g(true))
			}
			return until(tWUntil, g(false), in.and2(f(false), g(false)))
		}
	case *formula.Quant:
		if r := c.hoist(e); r != nil {
			return c.temporal(r, neg)
		}
		all := e.All != neg // forall, or a negated exists: a conjunction
		var out *tnode
		if all {
			out = in.tru
		} else {
			out = in.fls
		}
		for _, v := range c.domain(e) {
			c.scope = append(c.scope, binding{name: e.Var, fixed: true, val: v})
			body := c.temporal(e.Body, neg)
			c.scope = c.scope[:len(c.scope)-1]
			if all {
				out = in.and2(out, body)
			} else {
				out = in.or2(out, body)
			}
		}
		return out
	}
	c.errorf(e.Pos(), "internal: cannot compile %s", formula.String(e))
	return nil
}

// hoist rewrites "forall n: [] f" as "[] forall n: f" and "exists n: <> f"
// as "<> exists n: f" (bounded forms too) when f has no temporal operator
// and the domain is fixed: then f over every n is one atom, evaluated once
// a step, rather than one obligation per n. It returns nil otherwise.
func (c *compiler) hoist(q *formula.Quant) formula.Expr {
	u, ok := q.Body.(*formula.Unary)
	if !ok || formula.HasTemporal(u.X) {
		return nil
	}
	if !(q.All && u.Op == formula.Always || !q.All && u.Op == formula.Eventually) {
		return nil
	}
	fixed := func(e formula.Expr) bool {
		if e == nil {
			return true
		}
		fixed := true
		formula.Walk(e, func(x formula.Expr) bool {
			if p, ok := x.(*formula.Path); ok && (c.lookup(p.Root) == nil || !c.lookup(p.Root).fixed) {
				fixed = false
			}
			return fixed
		})
		return fixed
	}
	if !fixed(q.In) || !fixed(q.Lo) || !fixed(q.Hi) {
		return nil
	}
	if q.In == nil && q.Lo == nil {
		c.needNodes(q)
	}
	inner := *q
	inner.Body = u.X
	return &formula.Unary{At: u.At, Op: u.Op, Bound: u.Bound, X: &inner}
}

// labeled records the formula a temporal node came from, the first time.
func labeled(n *tnode, e formula.Expr, neg bool) *tnode {
	if n.src == nil {
		n.src, n.srcNeg = e, neg
	}
	return n
}

// domain is the fixed domain of a quantifier with a temporal body.
func (c *compiler) domain(e *formula.Quant) []gjson.Result {
	var out []gjson.Result
	switch {
	case e.Lo != nil:
		lo, hi := c.value(e.Lo), c.value(e.Hi)
		if lo.kind != vConst || hi.kind != vConst || lo.lit.Type != gjson.Number || hi.lit.Type != gjson.Number {
			c.errorf(e.At, "%s %s in %s..%s: a quantifier with a temporal operator inside needs constant integer bounds",
				quantWord(e.All), e.Var, formula.String(e.Lo), formula.String(e.Hi))
		}
		if hi.lit.Num-lo.lit.Num > 1e5 {
			c.errorf(e.At, "%s %s in %s..%s: more than 100,000 values", quantWord(e.All), e.Var, formula.String(e.Lo), formula.String(e.Hi))
		}
		for i := math.Ceil(lo.lit.Num); i <= hi.lit.Num; i++ {
			n := number(i)
			n.Raw = rawJSON(n)
			out = append(out, n)
		}
	case e.In != nil:
		d := c.value(e.In)
		if d.kind != vConst || !d.lit.IsArray() {
			c.errorf(e.At, "%s %s in %s: a quantifier with a temporal operator inside needs a constant array (or the run's nodes: %s %s: …)",
				quantWord(e.All), e.Var, formula.String(e.In), quantWord(e.All), e.Var)
		}
		out = d.lit.Array()
	default:
		c.needNodes(e)
		for _, n := range c.run.Nodes {
			out = append(out, gjson.Result{Type: gjson.String, Str: n, Raw: formats.Quote(n)})
		}
	}
	return out
}

func quantWord(all bool) string {
	if all {
		return "forall"
	}
	return "exists"
}

// atomNode compiles a state formula into an atom, one per distinct formula
// and fixed variables it sees.
func (c *compiler) atomNode(e formula.Expr, neg bool) *tnode {
	where := c.where(e)
	key := formula.String(e) + "\x00" + where
	a, ok := c.atoms[key]
	if !ok {
		b := c.state(e)
		if b.kind == bConst {
			return c.in.bool(b.val != neg)
		}
		a = &atom{id: len(c.atoms), b: b, src: e, where: where, tick: -1}
		a.probes = c.probes(e)
		c.atoms[key] = a
	}
	return c.in.mk(&tnode{op: tAtom, atom: a, neg: neg})
}

// where describes the fixed variables e mentions: n = "register1".
func (c *compiler) where(e formula.Expr) string {
	used := map[string]bool{}
	formula.Walk(e, func(x formula.Expr) bool {
		if p, ok := x.(*formula.Path); ok {
			used[p.Root] = true
		}
		return true
	})
	var parts []string
	seen := map[string]bool{}
	for i := len(c.scope) - 1; i >= 0; i-- {
		b := c.scope[i]
		if seen[b.name] || !used[b.name] {
			continue
		}
		seen[b.name] = true
		if b.fixed {
			parts = append(parts, fmt.Sprintf("%s = %s", b.name, b.val.Raw))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// probes lists the paths and len() calls of a state formula whose values
// can be shown on their own (those that do not use a variable bound
// inside the formula), once each, in order.
func (c *compiler) probes(e formula.Expr) []probe {
	var out []probe
	seen := map[string]bool{}
	var visit func(x formula.Expr, inner []string)
	mentions := func(x formula.Expr, inner []string) bool {
		hit := false
		formula.Walk(x, func(y formula.Expr) bool {
			if p, ok := y.(*formula.Path); ok {
				for _, v := range inner {
					hit = hit || p.Root == v
				}
			}
			return !hit
		})
		return hit
	}
	visit = func(x formula.Expr, inner []string) {
		switch x := x.(type) {
		case *formula.Path, *formula.Call:
			if mentions(x, inner) {
				return
			}
			if p, ok := x.(*formula.Path); ok && c.lookup(p.Root) != nil && len(p.Segs) == 0 {
				return // a fixed variable alone: the where clause shows it
			}
			text := formula.String(x)
			if !seen[text] {
				seen[text] = true
				out = append(out, probe{text: text, v: c.value(x)})
			}
			return
		case *formula.Quant:
			visit(x.In, inner)
			visit(x.Lo, inner)
			visit(x.Hi, inner)
			visit(x.Body, append(inner[:len(inner):len(inner)], x.Var))
			return
		case *formula.Unary:
			visit(x.X, inner)
		case *formula.Binary:
			visit(x.X, inner)
			visit(x.Y, inner)
		}
	}
	visit(e, nil)
	return out
}
