package formula

import (
	"strconv"
	"strings"
	"time"

	"github.com/detsys/detsys/formats"
)

// String prints e in the syntax Parse reads, with the parentheses that
// precedence needs and no others, so that Parse(String(e)) is e again.
func String(e Expr) string {
	var b strings.Builder
	write(&b, e, 0)
	return b.String()
}

// Precedence levels, loosest first.
const (
	lvlQuant = iota
	lvlImplies
	lvlOr
	lvlAnd
	lvlUntil
	lvlUnary
	lvlCmp
	lvlSum
	lvlProduct
	lvlNeg
	lvlPrimary
)

func level(e Expr) int {
	switch e := e.(type) {
	case *Quant:
		return lvlQuant
	case *Unary:
		if e.Op == Neg {
			return lvlNeg
		}
		return lvlUnary
	case *Binary:
		switch e.Op {
		case Implies, Iff:
			return lvlImplies
		case Or:
			return lvlOr
		case And:
			return lvlAnd
		case Until, WeakUntil, Release:
			return lvlUntil
		case Add, Sub:
			return lvlSum
		case Mul, Div, Mod:
			return lvlProduct
		}
		return lvlCmp
	}
	return lvlPrimary
}

func write(b *strings.Builder, e Expr, ctx int) {
	if level(e) < ctx {
		b.WriteByte('(')
		write(b, e, 0)
		b.WriteByte(')')
		return
	}
	switch e := e.(type) {
	case *Lit:
		if e.Dur {
			n, _ := strconv.ParseInt(e.Raw, 10, 64)
			if n < 0 {
				b.WriteByte('-')
				n = -n
			}
			b.WriteString(time.Duration(n).String())
		} else if e.Raw == "[]" {
			// "[]" where a formula may start is always; the empty array
			// is written "[ ]" there (and "[]" after a comparison).
			b.WriteString("[ ]")
		} else {
			b.WriteString(e.Raw)
		}
	case *Path:
		b.WriteString(e.Root)
		for _, s := range e.Segs {
			switch {
			case s.Hash:
				b.WriteString(".#")
			case s.Index != nil:
				b.WriteByte('[')
				write(b, s.Index, 0)
				b.WriteByte(']')
			case isSegName(s.Key):
				b.WriteByte('.')
				b.WriteString(s.Key)
			default:
				b.WriteByte('.')
				b.WriteString(formats.Quote(s.Key))
			}
		}
	case *Call:
		b.WriteString(e.Fn)
		b.WriteByte('(')
		for i, a := range e.Args {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, a, 0)
		}
		b.WriteByte(')')
	case *Unary:
		b.WriteString(e.Op.String())
		if e.Bound != nil {
			b.WriteString("[<")
			if !e.Bound.Strict {
				b.WriteByte('=')
			}
			b.WriteString(e.Bound.D.String())
			b.WriteByte(']')
		}
		switch e.Op {
		case Not:
		case Neg:
			// "- -1", not "--1": both parse, but this reads better.
			if level(e.X) == lvlNeg {
				b.WriteByte(' ')
			}
		default:
			b.WriteByte(' ')
		}
		inner := lvlUnary
		if e.Op == Neg {
			inner = lvlNeg
		} else if level(e.X) == lvlCmp {
			inner = lvlSum // "[] (a == b)" reads better than "[] a == b"
		}
		write(b, e.X, inner)
	case *Binary:
		l := level(e)
		left, right := l, l+1 // left associative
		switch l {
		case lvlImplies, lvlUntil: // right associative
			left, right = l+1, l
		case lvlCmp:
			left, right = lvlSum, lvlSum
		}
		write(b, e.X, left)
		b.WriteByte(' ')
		b.WriteString(e.Op.String())
		b.WriteByte(' ')
		if l, ok := e.Y.(*Lit); ok && l.Raw == "[]" && level(e) == lvlCmp {
			b.WriteString("[]")
			return
		}
		write(b, e.Y, right)
	case *Quant:
		if e.All {
			b.WriteString("forall ")
		} else {
			b.WriteString("exists ")
		}
		b.WriteString(e.Var)
		switch {
		case e.Lo != nil:
			b.WriteString(" in ")
			write(b, e.Lo, lvlSum)
			b.WriteString("..")
			write(b, e.Hi, lvlSum)
		case e.In != nil:
			b.WriteString(" in ")
			write(b, e.In, lvlSum)
		}
		b.WriteString(": ")
		write(b, e.Body, 0)
	}
}

// isSegName reports whether a key can be written bare after '.'.
func isSegName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !isIdentChar(r) {
			return false
		}
	}
	return true
}
