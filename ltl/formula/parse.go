package formula

import (
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Parse parses one formula. '#' starts a comment that runs to the end of
// the line. The error, if any, is an *Error with the line and column.
func Parse(src string) (Expr, error) {
	p := &parser{lex: lexer{src: src}}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tEOF {
		return nil, p.errorf(p.tok.pos, "empty formula")
	}
	e, err := p.formula()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tEOF {
		return nil, p.unexpected("an operator (&&, ||, ->, U, W, R) or the end of the formula")
	}
	return e, nil
}

// MustParse is Parse for formulas known to be good (tests, examples).
func MustParse(src string) Expr {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

type parser struct {
	lex   lexer
	tok   token
	scope []string // quantified variables in scope, innermost last
	depth int
}

// maxDepth bounds nesting so that a hostile formula cannot overflow the
// stack of the parser or of anything that walks the tree.
const maxDepth = 500

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) errorf(pos int, format string, args ...any) error {
	return errAt(p.lex.src, pos, format, args...)
}

// unexpected reports the current token where want was expected.
func (p *parser) unexpected(want string) error {
	return p.errorf(p.tok.pos, "expected %s, got %s", want, p.describe(p.tok))
}

func (p *parser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of formula"
	case tIdent, tNumber, tDuration, tSeg:
		return strconv.Quote(t.text)
	case tString:
		return "string " + strconv.Quote(t.text)
	}
	return t.kind.String()
}

func (p *parser) expect(k tok, context string) (token, error) {
	t := p.tok
	if t.kind != k {
		return t, p.unexpected(k.String() + context)
	}
	return t, p.advance()
}

func (p *parser) isKeyword(word string) bool { return p.tok.kind == tIdent && p.tok.text == word }

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return p.errorf(p.tok.pos, "formula nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

// formula: the lowest precedence, implication and equivalence (right
// associative). Quantifiers are parsed in unary position and take
// everything to their right.
func (p *parser) formula() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	x, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.tok.kind == tImplies || p.tok.kind == tIff {
		op, at := Implies, p.tok.pos
		if p.tok.kind == tIff {
			op = Iff
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		y, err := p.formula()
		if err != nil {
			return nil, err
		}
		return p.logic(op, at, x, y)
	}
	return x, nil
}

func (p *parser) or() (Expr, error) { return p.leftAssoc(tOr, Or, p.and) }

func (p *parser) and() (Expr, error) { return p.leftAssoc(tAnd, And, p.until) }

// leftAssoc parses operand (k operand)*, the connective op, left
// associative.
func (p *parser) leftAssoc(k tok, op Op, operand func() (Expr, error)) (Expr, error) {
	x, err := operand()
	for err == nil && p.tok.kind == k {
		at := p.tok.pos
		if err = p.advance(); err != nil {
			return nil, err
		}
		var y Expr
		if y, err = operand(); err == nil {
			x, err = p.logic(op, at, x, y)
		}
	}
	return x, err
}

// until: U, W and R, right associative, binding tighter than && and ||.
func (p *parser) until() (Expr, error) {
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	var op Op
	switch {
	case p.isKeyword("U"):
		op = Until
	case p.isKeyword("W"):
		op = WeakUntil
	case p.isKeyword("R"):
		op = Release
	default:
		return x, nil
	}
	at := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	y, err := p.until()
	if err != nil {
		return nil, err
	}
	return p.logic(op, at, x, y)
}

// logic builds a binary formula; both operands are formulas or values
// read as truth values.
func (p *parser) logic(op Op, at int, x, y Expr) (Expr, error) {
	return &Binary{At: at, Op: op, X: x, Y: y}, nil
}

// unary: !, [], <>, X, WX, and quantifiers.
func (p *parser) unary() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	at := p.tok.pos
	var op Op
	switch {
	case p.tok.kind == tNot:
		op = Not
	case p.tok.kind == tBox:
		op = Always
	case p.tok.kind == tDiamond:
		op = Eventually
	case p.isKeyword("X"):
		op = Next
	case p.isKeyword("WX"):
		op = WeakNext
	case p.isKeyword("forall"), p.isKeyword("exists"):
		return p.quant()
	default:
		return p.comparison()
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	u := &Unary{At: at, Op: op}
	if (op == Always || op == Eventually) && p.tok.kind == tLBrack {
		b, err := p.bound()
		if err != nil {
			return nil, err
		}
		u.Bound = b
	}
	x, err := p.unary()
	if err != nil {
		return nil, err
	}
	u.X = x
	return u, nil
}

// bound: [<=D] or [<D] after [] or <>.
func (p *parser) bound() (*Bound, error) {
	if err := p.advance(); err != nil { // '['
		return nil, err
	}
	b := &Bound{}
	switch p.tok.kind {
	case tLe:
	case tLt:
		b.Strict = true
	default:
		return nil, p.unexpected("'<=' or '<' in a time bound like [<=10s]")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tDuration {
		return nil, p.unexpected("a duration like 10s or 500ms")
	}
	b.D = p.tok.dur
	if err := p.advance(); err != nil {
		return nil, err
	}
	if _, err := p.expect(tRBrack, " to close the time bound"); err != nil {
		return nil, err
	}
	return b, nil
}

// quant: forall VAR: F, forall VAR in LO..HI: F, forall VAR in VALUE: F.
func (p *parser) quant() (Expr, error) {
	q := &Quant{At: p.tok.pos, All: p.tok.text == "forall"}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind != tIdent {
		return nil, p.unexpected("a variable name after " + map[bool]string{true: "forall", false: "exists"}[q.All])
	}
	name := p.tok.text
	if keywords[name] || isRoot(name) {
		return nil, p.errorf(p.tok.pos, "%q cannot be a variable: it is a keyword or a root (%s)", name, strings.Join(Roots, ", "))
	}
	q.Var = name
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.isKeyword("in") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		lo, err := p.value()
		if err != nil {
			return nil, err
		}
		if p.tok.kind == tDotDot {
			if err := p.advance(); err != nil {
				return nil, err
			}
			hi, err := p.value()
			if err != nil {
				return nil, err
			}
			q.Lo, q.Hi = lo, hi
		} else {
			q.In = lo
		}
	}
	if _, err := p.expect(tColon, " after the quantified variable, as in 'forall n: …'"); err != nil {
		return nil, err
	}
	p.scope = append(p.scope, name)
	body, err := p.formula()
	p.scope = p.scope[:len(p.scope)-1]
	if err != nil {
		return nil, err
	}
	q.Body = body
	return q, nil
}

var cmpOps = map[tok]Op{tEq: Eq, tNe: Ne, tLt: Lt, tLe: Le, tGt: Gt, tGe: Ge}

// comparison: VALUE [op VALUE]; a lone value stands for itself (a
// parenthesized formula, or a value read as a truth value).
func (p *parser) comparison() (Expr, error) {
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	op, ok := cmpOps[p.tok.kind]
	if p.isKeyword("in") {
		op, ok = In, true
	}
	if !ok {
		return x, nil
	}
	at := p.tok.pos
	if err := p.needValue(x, at, "left operand of "+op.String()); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	y, err := p.value()
	if err != nil {
		return nil, err
	}
	if _, chained := cmpOps[p.tok.kind]; chained || p.isKeyword("in") {
		return nil, p.errorf(p.tok.pos, "comparisons do not chain: write a < b && b < c")
	}
	return &Binary{At: at, Op: op, X: x, Y: y}, nil
}

// needValue rejects a formula where a value is needed.
func (p *parser) needValue(x Expr, at int, what string) error {
	if IsFormula(x) {
		return p.errorf(at, "the %s is a formula, not a value (a comparison, connective or temporal operator cannot be computed with)", what)
	}
	return nil
}

// value parses an arithmetic expression and checks that it is a value.
func (p *parser) value() (Expr, error) {
	at := p.tok.pos
	x, err := p.sum()
	if err != nil {
		return nil, err
	}
	if err := p.needValue(x, at, "expression here"); err != nil {
		return nil, err
	}
	return x, nil
}

func (p *parser) sum() (Expr, error) {
	x, err := p.product()
	for err == nil && (p.tok.kind == tPlus || p.tok.kind == tMinus) {
		op, at := Add, p.tok.pos
		if p.tok.kind == tMinus {
			op = Sub
		}
		x, err = p.arith(op, at, x, p.product)
	}
	return x, err
}

func (p *parser) product() (Expr, error) {
	x, err := p.negation()
	for err == nil && (p.tok.kind == tStar || p.tok.kind == tSlash || p.tok.kind == tPercent) {
		op := map[tok]Op{tStar: Mul, tSlash: Div, tPercent: Mod}[p.tok.kind]
		x, err = p.arith(op, p.tok.pos, x, p.negation)
	}
	return x, err
}

func (p *parser) arith(op Op, at int, x Expr, operand func() (Expr, error)) (Expr, error) {
	if err := p.needValue(x, at, "left operand of "+op.String()); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	yat := p.tok.pos
	y, err := operand()
	if err != nil {
		return nil, err
	}
	if err := p.needValue(y, yat, "right operand of "+op.String()); err != nil {
		return nil, err
	}
	return &Binary{At: at, Op: op, X: x, Y: y}, nil
}

func (p *parser) negation() (Expr, error) {
	if p.tok.kind != tMinus {
		return p.primary()
	}
	at := p.tok.pos
	if err := p.advance(); err != nil {
		return nil, err
	}
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	yat := p.tok.pos
	x, err := p.negation()
	if err != nil {
		return nil, err
	}
	if err := p.needValue(x, yat, "operand of unary -"); err != nil {
		return nil, err
	}
	return &Unary{At: at, Op: Neg, X: x}, nil
}

func (p *parser) primary() (Expr, error) {
	t := p.tok
	switch t.kind {
	case tNumber:
		return &Lit{At: t.pos, Raw: t.text}, p.advance()
	case tDuration:
		return &Lit{At: t.pos, Raw: strconv.FormatInt(int64(t.dur), 10), Dur: true}, p.advance()
	case tString:
		return &Lit{At: t.pos, Raw: formats.Quote(t.text)}, p.advance()
	case tBox: // in value position, [] is the empty array
		return &Lit{At: t.pos, Raw: "[]"}, p.advance()
	case tLBrack, tLBrace:
		raw, err := p.jsonLit()
		if err != nil {
			return nil, err
		}
		return &Lit{At: t.pos, Raw: raw}, nil
	case tLParen:
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.formula()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tRParen {
			return nil, p.errorf(p.tok.pos, "expected ')' to close the '(' at column %d, got %s", errAt(p.lex.src, t.pos, "").Col, p.describe(p.tok))
		}
		return x, p.advance()
	case tIdent:
		switch t.text {
		case "true", "false", "null":
			return &Lit{At: t.pos, Raw: t.text}, p.advance()
		case "len":
			return p.call()
		}
		return p.path()
	}
	return nil, p.unexpected("a formula or value (a path like state.NODE.field, a literal, '(', '!', '[]', '<>', X, forall)")
}

func (p *parser) call() (Expr, error) {
	c := &Call{At: p.tok.pos, Fn: p.tok.text}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if _, err := p.expect(tLParen, " after len"); err != nil {
		return nil, err
	}
	x, err := p.value()
	if err != nil {
		return nil, err
	}
	c.Args = []Expr{x}
	if _, err := p.expect(tRParen, " to close len(…): len takes one value"); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *parser) path() (Expr, error) {
	t := p.tok
	name := t.text
	if keywords[name] {
		return nil, p.errorf(t.pos, "unexpected keyword %q here", name)
	}
	bound := false
	for _, v := range p.scope {
		bound = bound || v == name
	}
	if !bound && !isRoot(name) {
		return nil, p.errorf(t.pos, "unknown name %q: a path starts with %s, or a variable bound by forall/exists", name, strings.Join(Roots, ", "))
	}
	x := &Path{At: t.pos, Root: name}
	if err := p.advance(); err != nil {
		return nil, err
	}
	for {
		switch p.tok.kind {
		case tDot:
			if err := p.advance(); err != nil {
				return nil, err
			}
			switch p.tok.kind {
			case tSeg:
				if p.tok.text == "#" {
					x.Segs = append(x.Segs, Seg{Hash: true})
				} else {
					x.Segs = append(x.Segs, Seg{Key: p.tok.text})
				}
			case tString:
				x.Segs = append(x.Segs, Seg{Key: p.tok.text})
			default:
				return nil, p.unexpected("a field name after '.'")
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
		case tLBrack:
			open := p.tok.pos
			if err := p.advance(); err != nil {
				return nil, err
			}
			i, err := p.value()
			if err != nil {
				return nil, err
			}
			if p.tok.kind != tRBrack {
				return nil, p.errorf(p.tok.pos, "expected ']' to close the '[' at column %d, got %s", errAt(p.lex.src, open, "").Col, p.describe(p.tok))
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			x.Segs = append(x.Segs, Seg{Index: i})
		default:
			return x, p.checkPath(x)
		}
	}
}

// checkPath rejects paths that can never mean anything.
func (p *parser) checkPath(x *Path) error {
	switch x.Root {
	case "state", "prev":
		if len(x.Segs) == 0 || x.Segs[0].Hash {
			return p.errorf(x.At, "%s needs a node: %s.NODE.field or %s[n] with n bound by forall", x.Root, x.Root, x.Root)
		}
	case "at", "step":
		if len(x.Segs) > 0 {
			return p.errorf(x.At, "%s is a number: it has no fields", x.Root)
		}
	}
	return nil
}

// jsonLit parses an array or object literal whose elements are JSON
// literals, and returns it as compact JSON.
func (p *parser) jsonLit() (string, error) {
	if err := p.enter(); err != nil {
		return "", err
	}
	defer func() { p.depth-- }()
	var b strings.Builder
	open, close, closeTok := p.tok, "]", tRBrack
	if open.kind == tLBrace {
		close, closeTok = "}", tRBrace
	}
	b.WriteString(open.text)
	if err := p.advance(); err != nil {
		return "", err
	}
	first := true
	for p.tok.kind != closeTok {
		if !first {
			if _, err := p.expect(tComma, " or '"+close+"'"); err != nil {
				return "", err
			}
			b.WriteByte(',')
		}
		first = false
		if open.kind == tLBrace {
			if p.tok.kind != tString {
				return "", p.unexpected("a string key in the object literal")
			}
			b.WriteString(formats.Quote(p.tok.text))
			if err := p.advance(); err != nil {
				return "", err
			}
			if _, err := p.expect(tColon, " after the key"); err != nil {
				return "", err
			}
			b.WriteByte(':')
		}
		elem, err := p.jsonElem()
		if err != nil {
			return "", err
		}
		b.WriteString(elem)
	}
	b.WriteString(close)
	return b.String(), p.advance()
}

func (p *parser) jsonElem() (string, error) {
	neg := ""
	if p.tok.kind == tMinus {
		neg = "-"
		if err := p.advance(); err != nil {
			return "", err
		}
		if p.tok.kind != tNumber {
			return "", p.unexpected("a number after '-'")
		}
	}
	t := p.tok
	switch {
	case t.kind == tNumber:
		return neg + t.text, p.advance()
	case t.kind == tString:
		return formats.Quote(t.text), p.advance()
	case t.kind == tBox:
		return "[]", p.advance()
	case t.kind == tLBrack || t.kind == tLBrace:
		return p.jsonLit()
	case t.kind == tIdent && (t.text == "true" || t.text == "false" || t.text == "null"):
		return t.text, p.advance()
	}
	return "", p.unexpected("a JSON literal (array and object literals hold literals only)")
}

// StripComments returns src without its '#' comments and the blanks at
// the ends of its lines: the formula as it should be quoted.
func StripComments(src string) string {
	l := &lexer{src: src}
	var b strings.Builder
	last := 0
	for {
		start := l.pos
		t, err := l.next()
		if err != nil || t.kind == tEOF {
			if err != nil {
				b.WriteString(src[last:])
			} else {
				b.WriteString(stripComment(src[last:start]))
			}
			break
		}
		// between tokens: blanks and comments only
		b.WriteString(stripComment(src[last:t.pos]))
		b.WriteString(src[t.pos:l.pos])
		last = l.pos
	}
	lines := strings.Split(b.String(), "\n")
	for i, line := range lines {
		lines[i] = strings.TrimRight(line, " \t\r")
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// stripComment removes '#' comments from blanks between tokens.
func stripComment(gap string) string {
	var b strings.Builder
	for len(gap) > 0 {
		i := strings.IndexByte(gap, '#')
		if i < 0 {
			b.WriteString(gap)
			break
		}
		b.WriteString(gap[:i])
		gap = gap[i:]
		j := strings.IndexByte(gap, '\n')
		if j < 0 {
			break
		}
		gap = gap[j:]
	}
	return b.String()
}
