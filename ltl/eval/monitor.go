package eval

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
	"github.com/detsys/detsys/ltl/trace"
)

// Monitor evaluates one formula on one run, a step at a time, by formula
// progression: after each step it keeps the residual, what the rest of
// the run must satisfy, as a hash-consed formula over obligations for
// the next step. The work per step is linear in the size of the
// residual; the memory is the residual, which for a safety property
// ([] p) is constant and otherwise grows only with the obligations that
// are open at once (one per pending deadline on a distinct formula).
type Monitor struct {
	in    *interner
	root  *tnode
	res   *tnode // nil before the first step
	vars  []gjson.Result
	atoms []*atom // in id order

	tick     int
	steps    int64
	lastStep int64
	lastAt   int64

	done   bool
	result Result

	live int // nodes reachable after the last collection
}

// Result is the verdict of a formula on a run and the reason for it.
type Result struct {
	// Valid is true, false, or formats.Unknown (the run had no steps).
	Valid any
	// Decided is set when a step settled the verdict before the run
	// ended: the step where the property broke, or where it was satisfied
	// (the step where an eventuality held).
	Decided  bool
	Step, At int64
	Event    string // what happened at that step
	// Atoms are the state formulas looked at in the deciding step, with
	// the values of their paths there.
	Atoms []AtomValue
	// LastStep and LastAt are the last step examined; Steps counts them.
	LastStep, LastAt int64
	Steps            int64
	// Pending are the obligations still open when the run ended, for a
	// failure at the end (an eventuality never met).
	Pending     []Obligation
	Explanation string
}

// AtomValue is a state formula and its value at a step.
type AtomValue struct {
	Atom  string `json:"atom"`
	Where string `json:"where,omitempty"`
	Value bool   `json:"value"`
	// Because: for each quantifier of the atom (outside other
	// quantifiers) that one value settled, that value: the node for
	// which a forall fails, or for which an exists holds.
	Because []string    `json:"because,omitempty"`
	Values  []PathValue `json:"values,omitempty"`
}

// PathValue is the value of a path at a step.
type PathValue struct {
	Path  string          `json:"path"`
	Value json.RawMessage `json:"value"`
}

// Obligation is a part of the formula still unmet at the end of a run.
type Obligation struct {
	Formula string `json:"formula"`
	// For a time-bounded eventuality: when it was opened and its deadline.
	Since    *int64 `json:"since_step,omitempty"`
	SinceAt  *int64 `json:"since_at,omitempty"`
	Deadline *int64 `json:"deadline_at,omitempty"`
}

// Compile prepares a monitor of the formula for the run. The run's nodes
// must be known when the formula quantifies over them (the run record
// names them). The error is a *CompileError.
func Compile(e formula.Expr, run *trace.Run) (m *Monitor, err error) {
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(*CompileError)
			if !ok {
				panic(r)
			}
			err = ce
		}
	}()
	in := newInterner()
	c := &compiler{run: run, in: in, atoms: map[string]*atom{}}
	root := c.temporal(e, false)
	atoms := make([]*atom, len(c.atoms))
	for _, a := range c.atoms {
		atoms[a.id] = a
	}
	return &Monitor{in: in, root: root, vars: make([]gjson.Result, c.slots), atoms: atoms}, nil
}

// Done reports whether the verdict is settled; later steps change nothing.
func (m *Monitor) Done() bool { return m.done }

// Step progresses the formula over one position.
func (m *Monitor) Step(p *trace.Position) {
	if m.done {
		return
	}
	m.tick++
	m.steps++
	m.lastStep, m.lastAt = p.Step, p.At
	cur := m.res
	if cur == nil {
		cur = m.root
	}
	c := &ctx{pos: p, vars: m.vars}
	next := m.prog(cur, c)
	m.res = next
	switch next {
	case m.in.fls:
		m.settle(false, cur, c)
	case m.in.tru:
		m.settle(true, cur, c)
	default:
		if len(m.in.m) > 4096 && len(m.in.m) > 4*m.live {
			m.collect()
		}
	}
}

func (m *Monitor) settle(valid bool, cur *tnode, c *ctx) {
	m.done = true
	r := &m.result
	r.Valid, r.Decided = valid, true
	r.Step, r.At = c.pos.Step, c.pos.At
	r.Event = describeEvent(c.pos.Event)
	atoms, culprits, expired := m.explain(cur, c)
	r.Atoms = atoms
	if valid {
		r.Explanation = fmt.Sprintf("satisfied at step %d (%s, at %s)", r.Step, r.Event, fmtTime(r.At))
		return
	}
	r.Explanation = fmt.Sprintf("broke at step %d (%s, at %s)", r.Step, r.Event, fmtTime(r.At))
	var why []string
	for _, o := range expired {
		why = append(why, fmt.Sprintf("%s, opened at step %d (at %s), was not met by %s", o.Formula, *o.Since, fmtTime(*o.SinceAt), fmtTime(*o.Deadline)))
	}
	r.Pending = expired
	why = append(why, culprits...)
	if len(why) > 0 {
		r.Explanation += ": " + strings.Join(why, "; ")
	}
}

// Finish returns the verdict once the run has ended; last is the run's
// last position.
func (m *Monitor) Finish(last *trace.Position) Result {
	r := m.result
	r.LastStep, r.LastAt, r.Steps = m.lastStep, m.lastAt, m.steps
	if m.done {
		return r
	}
	if m.res == nil {
		r.Valid = formats.Unknown
		r.Explanation = "the run has no steps"
		return r
	}
	if end(m.res) {
		r.Valid = true
		if hasStrong(m.res) && last != nil {
			// An eventuality was still open, and the run ending here
			// is what met it (<> (!X true && …) holds at the last step
			// only): say so, like a step that settles a verdict.
			r.Step, r.At, r.Event = last.Step, last.At, describeEvent(last.Event)
			r.Explanation = fmt.Sprintf("satisfied at the last step, %d (%s, at %s)", r.Step, r.Event, fmtTime(r.At))
			return r
		}
		r.Explanation = fmt.Sprintf("held over all %d steps (last step %d, at %s)", m.steps, m.lastStep, fmtTime(m.lastAt))
		return r
	}
	r.Valid = false
	r.Pending = m.pending(m.res)
	if last != nil { // what the last step looked at
		var used []*atom
		for _, a := range m.atoms {
			if a.tick == m.tick {
				used = append(used, a)
			}
		}
		r.Atoms = atomValues(used, &ctx{pos: last, vars: m.vars})
	}
	var fs []string
	for _, o := range r.Pending {
		fs = append(fs, o.Formula)
	}
	r.Explanation = fmt.Sprintf("the run ended (last step %d, at %s) with obligations unmet: %s", m.lastStep, fmtTime(m.lastAt), strings.Join(fs, "; "))
	return r
}

// prog is the progression of n over the position: the formula that the
// rest of the run (from the next step) must satisfy for n to hold here.
func (m *Monitor) prog(n *tnode, c *ctx) *tnode {
	if n.memoTick == m.tick {
		return n.memo
	}
	in := m.in
	var r *tnode
	switch n.op {
	case tTrue, tFalse:
		return n
	case tAtom:
		a := n.atom
		if a.tick != m.tick {
			a.tick, a.val = m.tick, a.b.eval(c)
		}
		r = in.bool(a.val != n.neg)
	case tAnd, tOr:
		// Progress every operand, then build the junction once.
		stop, skip := in.fls, in.tru // && stops at false, skips true
		if n.op == tOr {
			stop, skip = in.tru, in.fls
		}
		var buf [8]*tnode
		ks := buf[:0]
		r = nil
		for _, k := range n.kids {
			x := m.prog(k, c)
			if x == stop {
				r = stop
				break
			}
			if x != skip {
				ks = append(ks, x)
			}
		}
		if r == nil {
			r = in.junctionOf(n.op, ks)
		}
	case tNext:
		r = in.mkStrong(n.kids[0])
	case tWNext:
		r = in.mkWeak(n.kids[0])
	case tUntil, tWUntil: // f U g ≡ g ∨ (f ∧ X(f U g)); W with WX
		if r = m.prog(n.kids[1], c); r != in.tru {
			f := m.prog(n.kids[0], c)
			if f != in.fls {
				if n.op == tUntil {
					f = in.and2(f, in.mkStrong(n))
				} else {
					f = in.and2(f, in.mkWeak(n))
				}
			}
			r = in.or2(r, f)
		}
	case tAlways: // [] f ≡ f ∧ WX [] f
		if r = m.prog(n.kids[0], c); r != in.fls {
			r = in.and2(r, in.mkWeak(n))
		}
	case tEventually: // <> f ≡ f ∨ X <> f
		if r = m.prog(n.kids[0], c); r != in.tru {
			r = in.or2(r, in.mkStrong(n))
		}
	case tAlwaysB, tEventuallyB:
		op := tAlwaysT
		if n.op == tEventuallyB {
			op = tEventuallyT
		}
		t, fresh := in.node(op, n.kids, nil, false, c.pos.At+n.d, n.strict)
		if fresh {
			t.originStep, t.originAt = c.pos.Step, c.pos.At
		}
		r = m.prog(t, c)
	case tAlwaysT:
		if !within(c.pos.At, n) {
			r = in.tru
		} else if r = m.prog(n.kids[0], c); r != in.fls {
			r = in.and2(r, in.mkWeak(n))
		}
	case tEventuallyT:
		if !within(c.pos.At, n) {
			r = in.fls
		} else if r = m.prog(n.kids[0], c); r != in.tru {
			r = in.or2(r, in.mkStrong(n))
		}
	case tStrong, tWeak:
		r = m.prog(n.kids[0], c)
	}
	n.memoTick, n.memo = m.tick, r
	return r
}

func within(at int64, n *tnode) bool {
	if n.strict {
		return at < n.d
	}
	return at <= n.d
}

// end is the value of a residual on the empty rest of a run: a strong
// obligation (a next step is required) fails, a weak one holds.
func end(n *tnode) bool {
	switch n.op {
	case tTrue, tWeak:
		return true
	case tFalse, tStrong:
		return false
	case tAnd:
		for _, k := range n.kids {
			if !end(k) {
				return false
			}
		}
		return true
	case tOr:
		for _, k := range n.kids {
			if end(k) {
				return true
			}
		}
		return false
	}
	panic("end of a formula that is not a residual")
}

// hasStrong reports whether a residual has an obligation that needs a
// next step.
func hasStrong(n *tnode) bool {
	switch n.op {
	case tStrong:
		return true
	case tAnd, tOr:
		for _, k := range n.kids {
			if hasStrong(k) {
				return true
			}
		}
	}
	return false
}

// pending lists the strong obligations that make a residual false at the end.
func (m *Monitor) pending(n *tnode) []Obligation {
	var out []Obligation
	var walk func(n *tnode)
	walk = func(n *tnode) {
		switch n.op {
		case tAnd, tOr:
			for _, k := range n.kids {
				if !end(k) {
					walk(k)
				}
			}
		case tStrong:
			x := n.kids[0]
			o := Obligation{Formula: m.obligationText(x)}
			if x.op == tEventuallyT {
				d, s, sa := x.d, x.originStep, x.originAt
				o.Deadline, o.Since, o.SinceAt = &d, &s, &sa
			}
			out = append(out, o)
		}
	}
	walk(n)
	return out
}

func (m *Monitor) obligationText(x *tnode) string {
	switch x.op {
	case tEventually, tEventuallyT, tUntil:
		return m.text(x) + wheres(x)
	}
	return "X " + m.text(x) + wheres(x)
}

// wheres says what the fixed variables of a formula's atoms stand for.
func wheres(n *tnode) string {
	seen := map[string]bool{}
	var out []string
	var walk func(n *tnode)
	walk = func(n *tnode) {
		if n.op == tAtom && n.atom.where != "" && !seen[n.atom.where] {
			seen[n.atom.where] = true
			out = append(out, n.atom.where)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(n)
	if len(out) == 0 {
		return ""
	}
	return " where " + strings.Join(out, "; ")
}

// text prints a monitor formula in the formula syntax; deadlines are
// shown as simulated times.
func (m *Monitor) text(n *tnode) string {
	paren := func(k *tnode) string {
		switch k.op {
		case tTrue, tFalse:
			return m.text(k)
		case tAtom:
			if _, ok := k.atom.src.(*formula.Binary); ok || isQuant(k.atom.src) {
				break // "<> (a == b)", as the formula printer writes it
			}
			return m.text(k)
		}
		return "(" + m.text(k) + ")"
	}
	if n.src != nil && n.op != tAlwaysT && n.op != tEventuallyT {
		if n.srcNeg {
			return "!(" + formula.String(n.src) + ")"
		}
		return formula.String(n.src)
	}
	switch n.op {
	case tTrue:
		return "true"
	case tFalse:
		return "false"
	case tAtom:
		s := formula.String(n.atom.src)
		if n.neg {
			s = "!(" + s + ")"
		}
		return s
	case tAnd, tOr:
		sep := " && "
		if n.op == tOr {
			sep = " || "
		}
		var parts []string
		for _, k := range n.kids {
			parts = append(parts, paren(k))
		}
		return strings.Join(parts, sep)
	case tNext, tStrong:
		return "X " + paren(n.kids[0])
	case tWNext, tWeak:
		return "WX " + paren(n.kids[0])
	case tUntil:
		return paren(n.kids[0]) + " U " + paren(n.kids[1])
	case tWUntil:
		return paren(n.kids[0]) + " W " + paren(n.kids[1])
	case tAlways:
		return "[] " + paren(n.kids[0])
	case tEventually:
		return "<> " + paren(n.kids[0])
	case tAlwaysB, tEventuallyB:
		op := "[]"
		if n.op == tEventuallyB {
			op = "<>"
		}
		return fmt.Sprintf("%s[%s%s] %s", op, map[bool]string{true: "<", false: "<="}[n.strict], time.Duration(n.d), paren(n.kids[0]))
	case tAlwaysT, tEventuallyT:
		op := "[]"
		if n.op == tEventuallyT {
			op = "<>"
		}
		return fmt.Sprintf("%s[at %s %s] %s", op, map[bool]string{true: "<", false: "<="}[n.strict], fmtTime(n.d), paren(n.kids[0]))
	}
	return "?"
}

// explain looks again at the residual that the deciding step
// progressed: the atoms evaluated there (with the values of their paths),
// the literals among them whose value went against the formula, and the
// deadlines that passed.
func (m *Monitor) explain(cur *tnode, c *ctx) (atoms []AtomValue, culprits []string, expired []Obligation) {
	seen := map[*atom]bool{}
	var used []*atom
	culprit := map[string]bool{}
	visited := map[*tnode]bool{}
	var walk func(n *tnode)
	walk = func(n *tnode) {
		if visited[n] || n.memoTick != m.tick {
			return // not looked at in this step
		}
		visited[n] = true
		switch n.op {
		case tAtom:
			a := n.atom
			if !seen[a] {
				seen[a] = true
				used = append(used, a)
			}
			if a.val == n.neg {
				lit := formula.String(a.src) + " is " + fmt.Sprint(a.val)
				if a.where != "" {
					lit += " (where " + a.where + ")"
				}
				culprit[lit] = true
			}
			return
		case tNext, tWNext:
			return // looked at from the next step on
		case tEventuallyT:
			if !within(c.pos.At, n) {
				d, s, sa := n.d, n.originStep, n.originAt
				expired = append(expired, Obligation{Formula: m.text(n) + wheres(n), Deadline: &d, Since: &s, SinceAt: &sa})
				return
			}
		case tAlwaysB, tEventuallyB:
			op := tAlwaysT
			if n.op == tEventuallyB {
				op = tEventuallyT
			}
			t, _ := m.in.node(op, n.kids, nil, false, c.pos.At+n.d, n.strict)
			walk(t)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(cur)
	sort.Slice(used, func(i, j int) bool { return used[i].id < used[j].id })
	atoms = atomValues(used, c)
	for lit := range culprit {
		culprits = append(culprits, lit)
	}
	sort.Strings(culprits)
	sort.Slice(expired, func(i, j int) bool { return *expired[i].Deadline < *expired[j].Deadline })
	return atoms, culprits, expired
}

// atomValues shows atoms (the first 20) with their values and the values
// of their paths at the position of c.
func atomValues(used []*atom, c *ctx) []AtomValue {
	const max = 20
	var atoms []AtomValue
	for _, a := range used {
		if len(atoms) == max {
			break
		}
		av := AtomValue{Atom: formula.String(a.src), Where: a.where, Value: a.val}
		av.Because = because(a.b, a.src, c)
		for _, p := range a.probes {
			av.Values = append(av.Values, PathValue{Path: p.text, Value: json.RawMessage(rawJSON(p.v.eval(c)))})
		}
		atoms = append(atoms, av)
	}
	return atoms
}

// because finds the quantifiers of a state formula, outside other
// quantifiers, and says which value settled each.
func because(b *bnode, e formula.Expr, c *ctx) []string {
	switch b.kind {
	case bQuant:
		q := e.(*formula.Quant)
		v, by := b.decider(c)
		if by == nil {
			return nil
		}
		what := "fails"
		if v {
			what = "holds"
		}
		return []string{fmt.Sprintf("%s %s: %s for %s = %s", quantWord(q.All), q.Var, what, q.Var, by.Raw)}
	case bNot:
		return because(b.a, e.(*formula.Unary).X, c)
	case bAnd, bOr, bImplies, bIff:
		x := e.(*formula.Binary)
		return append(because(b.a, x.X, c), because(b.b, x.Y, c)...)
	}
	return nil
}

// collect rebuilds the interner from the nodes still reachable, so that
// deadlines that came and went do not accumulate.
func (m *Monitor) collect() {
	live := map[string]*tnode{}
	var walk func(n *tnode)
	walk = func(n *tnode) {
		if _, ok := live[n.key]; ok {
			return
		}
		live[n.key] = n
		n.strong, n.weak = nil, nil
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(m.in.tru)
	walk(m.in.fls)
	walk(m.root)
	if m.res != nil {
		walk(m.res)
	}
	m.in.m = live
	m.live = len(live)
}

// describeEvent summarizes a step record: "deliver m7 frontend→c1 write_ok".
func describeEvent(rec []byte) string {
	r := gjson.ParseBytes(rec)
	typ := r.Get("type").Str
	parts := []string{typ}
	switch typ {
	case formats.TypeDeliver, formats.TypeDrop:
		parts = append(parts, r.Get("id").Str, r.Get("from").Str+"→"+r.Get("to").Str)
		if t := r.Get("body.type"); t.Exists() {
			parts = append(parts, t.Str)
		}
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
		parts = append(parts, formats.ClientName(int(r.Get("client").Int())))
		if t := r.Get("op.type"); t.Exists() {
			parts = append(parts, t.Str)
		}
	case formats.TypeTimer:
		parts = append(parts, r.Get("timer").Str, "at", r.Get("node").Str)
	default:
		if n := r.Get("node"); n.Exists() {
			parts = append(parts, n.Str)
		}
	}
	return strings.Join(parts, " ")
}

func isQuant(e formula.Expr) bool { _, ok := e.(*formula.Quant); return ok }

// fmtTime prints a simulated time in ns as a duration since the start.
func fmtTime(ns int64) string { return time.Duration(ns).String() }
