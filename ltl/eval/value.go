package eval

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/ltl/formula"
	"github.com/detsys/detsys/ltl/trace"
)

// Values are JSON values as gjson reads them. A path that leads nowhere
// is null; so is arithmetic on anything but numbers, and division by zero.

var null = gjson.Result{Type: gjson.Null, Raw: "null"}

func number(f float64) gjson.Result {
	return gjson.Result{Type: gjson.Number, Num: f}
}

// rawJSON is a value as JSON text, for reasons.
func rawJSON(v gjson.Result) string {
	switch {
	case !v.Exists():
		return "null"
	case v.Type == gjson.Number && v.Raw == "":
		if v.Num == math.Trunc(v.Num) && math.Abs(v.Num) < 1e18 {
			return strconv.FormatInt(int64(v.Num), 10)
		}
		return strconv.FormatFloat(v.Num, 'g', -1, 64)
	}
	return v.Raw
}

// str views b as a string without copying; the string is valid while b is.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// ctx is what a value is computed from: the position and the values of
// the quantified variables that are bound at run time.
type ctx struct {
	pos  *trace.Position
	vars []gjson.Result
}

type vkind uint8

const (
	vConst vkind = iota
	vState       // state.NODE…, prev.NODE…
	vEvent
	vAt
	vStep
	vCrashed
	vNodes
	vVar
	vFixed // a fixed value with a computed index
	vLen
	vNeg
	vArith
)

// vnode is a compiled value expression.
type vnode struct {
	kind vkind
	lit  gjson.Result
	prev bool // vState: before the step

	// vState: the node, resolved when the formula is compiled if it can
	// be (node >= 0), else by name or by expression at each step.
	node     int
	nodeName string
	nodeExpr *vnode

	// The rest of the path: a gjson path if every segment is known when
	// the formula is compiled (static), otherwise segs.
	static bool
	path   string
	segs   []vseg

	slot int // vVar
	op   formula.Op
	x, y *vnode
	src  formula.Expr // for reasons
}

type vseg struct {
	key  string // escaped gjson component, or "#"
	expr *vnode // computed key or index
}

func (v *vnode) eval(c *ctx) gjson.Result {
	switch v.kind {
	case vConst:
		return v.lit
	case vAt:
		return number(float64(c.pos.At))
	case vStep:
		return number(float64(c.pos.Step))
	case vNeg:
		x := v.x.eval(c)
		if x.Type != gjson.Number {
			return null
		}
		return number(-x.Num)
	case vArith:
		return arith(v.op, v.x.eval(c), v.y.eval(c))
	case vLen:
		return length(v.x.eval(c))
	}
	var doc string
	switch v.kind {
	case vState:
		i := v.node
		if i < 0 {
			name := v.nodeName
			if v.nodeExpr != nil {
				n := v.nodeExpr.eval(c)
				if n.Type != gjson.String {
					return null
				}
				name = n.Str
			}
			if i = c.pos.Run().NodeIndex(name); i < 0 {
				return null
			}
		}
		if v.prev {
			doc = str(c.pos.Prev(i))
		} else {
			doc = str(c.pos.State(i))
		}
		if doc == "" {
			return null
		}
	case vEvent:
		doc = str(c.pos.Event)
	case vCrashed:
		doc = str(c.pos.Crashed())
	case vNodes:
		doc = str(c.pos.NodesJSON())
	case vFixed:
		doc = v.lit.Raw
	case vVar:
		x := c.vars[v.slot]
		if v.static && v.path == "" {
			return x
		}
		doc = x.Raw
	}
	return v.follow(c, doc)
}

// follow applies the rest of the path to a JSON document.
func (v *vnode) follow(c *ctx, doc string) gjson.Result {
	if v.static {
		if v.path == "" {
			return gjson.Parse(doc)
		}
		return gjson.Get(doc, v.path)
	}
	var b strings.Builder
	for i, s := range v.segs {
		if i > 0 {
			b.WriteByte('.')
		}
		if s.expr == nil {
			b.WriteString(s.key)
			continue
		}
		k := s.expr.eval(c)
		switch k.Type {
		case gjson.String:
			b.WriteString(gjson.Escape(k.Str))
		case gjson.Number:
			if k.Num < 0 || k.Num != math.Trunc(k.Num) {
				return null
			}
			b.WriteString(strconv.FormatInt(int64(k.Num), 10))
		default:
			return null
		}
	}
	return gjson.Get(doc, b.String())
}

func arith(op formula.Op, x, y gjson.Result) gjson.Result {
	if x.Type != gjson.Number || y.Type != gjson.Number {
		return null
	}
	a, b := x.Num, y.Num
	switch op {
	case formula.Add:
		return number(a + b)
	case formula.Sub:
		return number(a - b)
	case formula.Mul:
		return number(a * b)
	case formula.Div:
		if b == 0 {
			return null
		}
		return number(a / b)
	case formula.Mod:
		if b == 0 {
			return null
		}
		return number(math.Mod(a, b))
	}
	return null
}

// length: elements of an array, keys of an object, characters of a
// string; 0 for null (fields with nothing in them are often left out).
func length(x gjson.Result) gjson.Result {
	switch {
	case !x.Exists() || x.Type == gjson.Null:
		return number(0)
	case x.Type == gjson.String:
		return number(float64(utf8.RuneCountInString(x.Str)))
	case x.IsArray() || x.IsObject():
		n := 0
		x.ForEach(func(_, _ gjson.Result) bool { n++; return true })
		return number(float64(n))
	}
	return null
}

// compare applies a comparison operator.
func compare(op formula.Op, x, y gjson.Result) bool {
	switch op {
	case formula.Eq:
		return equal(x, y)
	case formula.Ne:
		return !equal(x, y)
	case formula.In:
		return member(x, y)
	}
	var c int
	switch {
	case x.Type == gjson.Number && y.Type == gjson.Number:
		switch {
		case x.Num < y.Num:
			c = -1
		case x.Num > y.Num:
			c = 1
		}
	case x.Type == gjson.String && y.Type == gjson.String:
		c = strings.Compare(x.Str, y.Str)
	default:
		return false // values of different kinds are not ordered
	}
	switch op {
	case formula.Lt:
		return c < 0
	case formula.Le:
		return c <= 0
	case formula.Gt:
		return c > 0
	case formula.Ge:
		return c >= 0
	}
	return false
}

// kind folds a missing value into null.
func kind(v gjson.Result) gjson.Type {
	if !v.Exists() {
		return gjson.Null
	}
	return v.Type
}

// equal is JSON equality: numbers by value, objects regardless of key order.
func equal(x, y gjson.Result) bool {
	kx, ky := kind(x), kind(y)
	if kx != ky {
		return false
	}
	switch kx {
	case gjson.Null, gjson.True, gjson.False:
		return true
	case gjson.Number:
		return x.Num == y.Num
	case gjson.String:
		return x.Str == y.Str
	}
	if x.IsArray() != y.IsArray() {
		return false
	}
	if x.IsArray() {
		xs, ys := x.Array(), y.Array()
		if len(xs) != len(ys) {
			return false
		}
		for i := range xs {
			if !equal(xs[i], ys[i]) {
				return false
			}
		}
		return true
	}
	if x.Raw == y.Raw {
		return true
	}
	nx, ny := 0, 0
	same := true
	x.ForEach(func(k, v gjson.Result) bool {
		nx++
		w := y.Get(gjson.Escape(k.Str))
		same = w.Exists() && equal(v, w)
		return same
	})
	if !same {
		return false
	}
	y.ForEach(func(_, _ gjson.Result) bool { ny++; return true })
	return nx == ny
}

// member is the in operator: an element of an array, a key of an
// object, a substring of a string.
func member(x, y gjson.Result) bool {
	switch {
	case y.IsArray():
		found := false
		y.ForEach(func(_, e gjson.Result) bool {
			found = equal(x, e)
			return !found
		})
		return found
	case y.IsObject():
		return x.Type == gjson.String && y.Get(gjson.Escape(x.Str)).Exists()
	case y.Type == gjson.String:
		return x.Type == gjson.String && strings.Contains(y.Str, x.Str)
	}
	return false
}

// truth is how a value reads as a formula: it holds when it is true.
func truth(v gjson.Result) bool { return v.Type == gjson.True }
