package eval

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
	"github.com/detsys/detsys/ltl/trace"
)

// A state formula has no temporal operator: its truth depends on one
// position only. Each maximal one in a formula is an atom of the monitor.

type bkind uint8

const (
	bConst bkind = iota
	bTruth       // a value read as a truth value
	bCmp
	bNot
	bAnd
	bOr
	bImplies
	bIff
	bQuant
)

type bnode struct {
	kind bkind
	val  bool
	op   formula.Op
	x, y *vnode
	a, b *bnode

	// bQuant: the variable's slot and the domain: the run's nodes, the
	// integers lo..hi, or the elements of the array dom.
	all    bool
	slot   int
	nodes  bool
	lo, hi *vnode
	dom    *vnode
}

func (b *bnode) eval(c *ctx) bool {
	switch b.kind {
	case bConst:
		return b.val
	case bTruth:
		return truth(b.x.eval(c))
	case bCmp:
		return compare(b.op, b.x.eval(c), b.y.eval(c))
	case bNot:
		return !b.a.eval(c)
	case bAnd:
		return b.a.eval(c) && b.b.eval(c)
	case bOr:
		return b.a.eval(c) || b.b.eval(c)
	case bImplies:
		return !b.a.eval(c) || b.b.eval(c)
	case bIff:
		return b.a.eval(c) == b.b.eval(c)
	case bQuant:
		return b.quant(c)
	}
	panic("unreachable")
}

func (b *bnode) quant(c *ctx) bool {
	v, _ := b.decider(c)
	return v
}

// decider evaluates a quantifier and returns the value of its variable
// that settled it (the counterexample of a false forall, the witness of a
// true exists), if one did.
func (b *bnode) decider(c *ctx) (result bool, by *gjson.Result) {
	saved := c.vars[b.slot]
	defer func() { c.vars[b.slot] = saved }()
	var found gjson.Result
	try := func(v gjson.Result) bool { // true: stop, the answer is known
		c.vars[b.slot] = v
		if b.a.eval(c) != b.all {
			found = v
			if found.Raw == "" {
				found.Raw = rawJSON(found)
			}
			by = &found
			return true
		}
		return false
	}
	switch {
	case b.nodes:
		for _, n := range c.pos.Run().Nodes {
			if try(gjson.Result{Type: gjson.String, Str: n, Raw: formats.Quote(n)}) {
				return !b.all, by
			}
		}
	case b.lo != nil:
		lo, hi := b.lo.eval(c), b.hi.eval(c)
		if lo.Type != gjson.Number || hi.Type != gjson.Number {
			return b.all, nil
		}
		for i := math.Ceil(lo.Num); i <= hi.Num; i++ {
			if try(number(i)) {
				return !b.all, by
			}
		}
	default:
		stop := false
		b.dom.eval(c).ForEach(func(_, v gjson.Result) bool {
			stop = try(v)
			return !stop
		})
		if stop {
			return !b.all, by
		}
	}
	return b.all, nil
}

// binding is what a quantified variable stands for while compiling: a
// value fixed when the formula is compiled (a node name, an integer of a
// constant range), or a slot filled at each step.
type binding struct {
	name  string
	fixed bool
	val   gjson.Result
	slot  int
}

// compiler turns formula trees into monitors for one run.
type compiler struct {
	run   *trace.Run
	in    *interner
	atoms map[string]*atom
	scope []binding
	slots int
}

// CompileError is a formula that parses but cannot be evaluated on a run
// (a node the run does not have, a quantifier over nodes of a run whose
// nodes are not named).
type CompileError struct {
	At  int // byte offset in the formula
	Msg string
}

func (e *CompileError) Error() string { return e.Msg }

func (c *compiler) errorf(at int, format string, args ...any) {
	panic(&CompileError{At: at, Msg: fmt.Sprintf(format, args...)})
}

func (c *compiler) lookup(name string) *binding {
	for i := len(c.scope) - 1; i >= 0; i-- {
		if c.scope[i].name == name {
			return &c.scope[i]
		}
	}
	return nil
}

// state compiles a state formula.
func (c *compiler) state(e formula.Expr) *bnode {
	switch e := e.(type) {
	case *formula.Unary:
		if e.Op == formula.Not {
			a := c.state(e.X)
			if a.kind == bConst {
				return &bnode{kind: bConst, val: !a.val}
			}
			return &bnode{kind: bNot, a: a}
		}
	case *formula.Binary:
		switch e.Op {
		case formula.And, formula.Or, formula.Implies, formula.Iff:
			k := map[formula.Op]bkind{formula.And: bAnd, formula.Or: bOr, formula.Implies: bImplies, formula.Iff: bIff}[e.Op]
			return &bnode{kind: k, a: c.state(e.X), b: c.state(e.Y)}
		case formula.Eq, formula.Ne, formula.Lt, formula.Le, formula.Gt, formula.Ge, formula.In:
			x, y := c.value(e.X), c.value(e.Y)
			if x.kind == vConst && y.kind == vConst {
				return &bnode{kind: bConst, val: compare(e.Op, x.lit, y.lit)}
			}
			return &bnode{kind: bCmp, op: e.Op, x: x, y: y}
		}
	case *formula.Quant:
		b := &bnode{kind: bQuant, all: e.All}
		switch {
		case e.Lo != nil:
			b.lo, b.hi = c.value(e.Lo), c.value(e.Hi)
		case e.In != nil:
			b.dom = c.value(e.In)
		default:
			c.needNodes(e)
			b.nodes = true
		}
		b.slot = c.slots
		c.slots++
		c.scope = append(c.scope, binding{name: e.Var, slot: b.slot})
		b.a = c.state(e.Body)
		c.scope = c.scope[:len(c.scope)-1]
		return b
	}
	if formula.IsFormula(e) {
		c.errorf(e.Pos(), "internal: %s is not a state formula", formula.String(e))
	}
	x := c.value(e)
	if x.kind == vConst {
		return &bnode{kind: bConst, val: truth(x.lit)}
	}
	return &bnode{kind: bTruth, x: x}
}

func (c *compiler) needNodes(q *formula.Quant) {
	if !c.run.HasNodes {
		c.errorf(q.At, "%s %s: ranges over the run's nodes, but run %q has no run record naming them", map[bool]string{true: "forall", false: "exists"}[q.All], q.Var, c.run.ID)
	}
}

// value compiles a value expression, folding constants.
func (c *compiler) value(e formula.Expr) *vnode {
	switch e := e.(type) {
	case *formula.Lit:
		return &vnode{kind: vConst, lit: gjson.Parse(e.Raw), src: e}
	case *formula.Unary: // unary minus
		x := c.value(e.X)
		v := &vnode{kind: vNeg, x: x, src: e}
		if x.kind == vConst {
			return c.fold(v)
		}
		return v
	case *formula.Binary:
		x, y := c.value(e.X), c.value(e.Y)
		v := &vnode{kind: vArith, op: e.Op, x: x, y: y, src: e}
		if x.kind == vConst && y.kind == vConst {
			return c.fold(v)
		}
		return v
	case *formula.Call:
		x := c.value(e.Args[0])
		v := &vnode{kind: vLen, x: x, src: e}
		if x.kind == vConst {
			return c.fold(v)
		}
		return v
	case *formula.Path:
		return c.path(e)
	}
	c.errorf(e.Pos(), "internal: %s is not a value", formula.String(e))
	return nil
}

// fold computes a constant expression once.
func (c *compiler) fold(v *vnode) *vnode {
	r := v.eval(&ctx{})
	if r.Raw == "" {
		r.Raw = rawJSON(r)
	}
	return &vnode{kind: vConst, lit: r, src: v.src}
}

func (c *compiler) path(e *formula.Path) *vnode {
	v := &vnode{src: e, node: -1}
	segs := e.Segs
	switch e.Root {
	case "state", "prev":
		v.kind, v.prev = vState, e.Root == "prev"
		first := segs[0]
		segs = segs[1:]
		if first.Index == nil {
			v.nodeName = first.Key
		} else if x := c.value(first.Index); x.kind == vConst {
			if x.lit.Type != gjson.String {
				c.errorf(e.At, "%s: a node is named by a string, not %s", formula.String(e), rawJSON(x.lit))
			}
			v.nodeName = x.lit.Str
		} else {
			v.nodeExpr = x
		}
		if v.nodeExpr == nil {
			v.node = c.run.NodeIndex(v.nodeName)
			if v.node < 0 && c.run.HasNodes {
				c.errorf(e.At, "%s: run %q has no node %q (nodes: %s)", formula.String(e), c.run.ID, v.nodeName, strings.Join(c.run.Nodes, ", "))
			}
		}
	case "event":
		v.kind = vEvent
	case "at":
		v.kind = vAt
	case "step":
		v.kind = vStep
	case "crashed":
		v.kind = vCrashed
	case "nodes":
		v.kind = vNodes
	default:
		b := c.lookup(e.Root)
		if b == nil {
			c.errorf(e.At, "internal: unbound variable %q", e.Root)
		}
		if b.fixed {
			v.kind, v.lit = vConst, b.val
		} else {
			v.kind, v.slot = vVar, b.slot
		}
	}
	for _, s := range segs {
		switch {
		case s.Hash:
			v.segs = append(v.segs, vseg{key: "#"})
		case s.Index == nil:
			v.segs = append(v.segs, vseg{key: gjson.Escape(s.Key)})
		default:
			x := c.value(s.Index)
			if x.kind != vConst {
				v.segs = append(v.segs, vseg{expr: x})
				continue
			}
			switch x.lit.Type {
			case gjson.String:
				v.segs = append(v.segs, vseg{key: gjson.Escape(x.lit.Str)})
			case gjson.Number:
				if x.lit.Num < 0 || x.lit.Num != math.Trunc(x.lit.Num) {
					c.errorf(s.Index.Pos(), "an array index is a whole number >= 0, not %s", rawJSON(x.lit))
				}
				v.segs = append(v.segs, vseg{key: strconv.FormatInt(int64(x.lit.Num), 10)})
			default:
				c.errorf(s.Index.Pos(), "an index is a string or a number, not %s", rawJSON(x.lit))
			}
		}
	}
	v.static = true
	keys := make([]string, len(v.segs))
	for i, s := range v.segs {
		v.static = v.static && s.expr == nil
		keys[i] = s.key
	}
	if v.static {
		v.path, v.segs = strings.Join(keys, "."), nil
	}
	if v.kind == vConst && v.path != "" {
		v.lit = gjson.Get(v.lit.Raw, v.path)
		v.path = ""
	}
	if v.kind == vConst && !v.static {
		v.kind = vFixed
	}
	return v
}
