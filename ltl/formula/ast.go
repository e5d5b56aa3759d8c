package formula

import "time"

// Expr is a node of a formula: a formula proper (a comparison, a
// connective, a temporal operator, a quantifier) or a value (a literal, a
// path into the state, a computation). Pos is the byte offset of the node
// in the source, for messages.
type Expr interface {
	Pos() int
}

// Op is an operator.
type Op int

// Operators, by family.
const (
	// Unary formula operators.
	Not        Op = iota // !
	Always               // []
	Eventually           // <>
	Next                 // X: there is a next step and the operand holds there
	WeakNext             // WX: if there is a next step, the operand holds there

	// Binary formula operators.
	And
	Or
	Implies
	Iff
	Until     // U: the right operand holds at some step, the left one at every step before
	WeakUntil // W: U, or the left operand holds to the end
	Release   // R: the right operand holds up to and including the step where the left one does, or to the end

	// Comparisons: a formula from two values.
	Eq
	Ne
	Lt
	Le
	Gt
	Ge
	In // membership in an array, key of an object, substring of a string

	// Arithmetic on values.
	Neg
	Add
	Sub
	Mul
	Div
	Mod
)

var opText = [...]string{
	Not: "!", Always: "[]", Eventually: "<>", Next: "X", WeakNext: "WX",
	And: "&&", Or: "||", Implies: "->", Iff: "<->", Until: "U", WeakUntil: "W", Release: "R",
	Eq: "==", Ne: "!=", Lt: "<", Le: "<=", Gt: ">", Ge: ">=", In: "in",
	Neg: "-", Add: "+", Sub: "-", Mul: "*", Div: "/", Mod: "%",
}

func (o Op) String() string { return opText[o] }

// Temporal reports whether o is a temporal operator.
func (o Op) Temporal() bool {
	switch o {
	case Always, Eventually, Next, WeakNext, Until, WeakUntil, Release:
		return true
	}
	return false
}

// Lit is a JSON literal (number, string, true, false, null, array,
// object) or a duration, which is a number of nanoseconds.
type Lit struct {
	At  int
	Raw string // JSON text; for a duration, the nanoseconds
	Dur bool   // written as a duration (10s)
}

// Path reads a value out of the step: Root is one of the roots (state,
// prev, event, at, step, crashed, nodes) or a quantified variable.
type Path struct {
	At   int
	Root string
	Segs []Seg
}

// Seg is one step of a path: a field name or array index (Key), '#' (the
// length of an array, or with more segments after it, the field of each
// element, as in gjson), or a computed key or index (Index).
type Seg struct {
	Key   string
	Hash  bool
	Index Expr
}

// Call is a built-in function applied to values (len).
type Call struct {
	At   int
	Fn   string
	Args []Expr
}

// Unary is a prefix operator. Bound, for [] and <>, limits the operator
// to the steps whose simulated time is within the bound of this step's.
type Unary struct {
	At    int
	Op    Op
	X     Expr
	Bound *Bound
}

// Bound is a time bound: [<=10s] or [<10s].
type Bound struct {
	Strict bool // < rather than <=
	D      time.Duration
}

// Binary is an infix operator.
type Binary struct {
	At   int // the operator
	Op   Op
	X, Y Expr
}

// Quant is forall/exists. The domain is the run's nodes when In and Lo
// are nil; the integers Lo..Hi (both included) when Lo is set; the
// elements of the array In evaluates to otherwise.
type Quant struct {
	At     int
	All    bool
	Var    string
	In     Expr
	Lo, Hi Expr
	Body   Expr
}

func (e *Lit) Pos() int    { return e.At }
func (e *Path) Pos() int   { return e.At }
func (e *Call) Pos() int   { return e.At }
func (e *Unary) Pos() int  { return e.At }
func (e *Binary) Pos() int { return e.At }
func (e *Quant) Pos() int  { return e.At }

// IsFormula reports whether e is a formula (has a truth value by its
// form) rather than a value. A value in formula position holds when it
// is JSON true.
func IsFormula(e Expr) bool {
	switch e := e.(type) {
	case *Unary:
		return e.Op != Neg
	case *Binary:
		return e.Op < Neg
	case *Quant:
		return true
	}
	return false
}

// HasTemporal reports whether e contains a temporal operator.
func HasTemporal(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		switch x := x.(type) {
		case *Unary:
			found = found || x.Op.Temporal()
		case *Binary:
			found = found || x.Op.Temporal()
		}
		return !found
	})
	return found
}

// Walk calls fn on e and, while fn returns true, on its children.
func Walk(e Expr, fn func(Expr) bool) {
	if e == nil || !fn(e) {
		return
	}
	switch e := e.(type) {
	case *Path:
		for _, s := range e.Segs {
			if s.Index != nil {
				Walk(s.Index, fn)
			}
		}
	case *Call:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Unary:
		Walk(e.X, fn)
	case *Binary:
		Walk(e.X, fn)
		Walk(e.Y, fn)
	case *Quant:
		Walk(e.In, fn)
		Walk(e.Lo, fn)
		Walk(e.Hi, fn)
		Walk(e.Body, fn)
	}
}

// Roots are the names a path may start with, besides quantified variables.
var Roots = []string{"state", "prev", "event", "at", "step", "crashed", "nodes"}

var keywords = map[string]bool{
	"forall": true, "exists": true, "in": true, "true": true, "false": true, "null": true,
	"len": true, "X": true, "WX": true, "U": true, "W": true, "R": true,
}

func isRoot(s string) bool {
	for _, r := range Roots {
		if r == s {
			return true
		}
	}
	return false
}
