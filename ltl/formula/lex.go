package formula

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// tok is a token kind.
type tok int

const (
	tEOF tok = iota
	tIdent
	tSeg      // a path segment after '.': name, digits or '#'
	tNumber   // JSON number
	tString   // JSON string
	tDuration // 10s, 1m30s: a number of nanoseconds
	tLParen
	tRParen
	tLBrack
	tRBrack
	tLBrace
	tRBrace
	tComma
	tColon
	tDot
	tDotDot
	tBox     // []
	tDiamond // <>
	tNot     // !
	tAnd     // &&
	tOr      // ||
	tImplies // ->
	tIff     // <->
	tEq      // ==
	tNe      // !=
	tLt      // <
	tLe      // <=
	tGt      // >
	tGe      // >=
	tPlus
	tMinus
	tStar
	tSlash
	tPercent
)

var tokNames = map[tok]string{
	tEOF: "end of formula", tIdent: "name", tSeg: "path segment", tNumber: "number",
	tString: "string", tDuration: "duration", tLParen: "'('", tRParen: "')'",
	tLBrack: "'['", tRBrack: "']'", tLBrace: "'{'", tRBrace: "'}'", tComma: "','",
	tColon: "':'", tDot: "'.'", tDotDot: "'..'", tBox: "'[]'", tDiamond: "'<>'",
	tNot: "'!'", tAnd: "'&&'", tOr: "'||'", tImplies: "'->'", tIff: "'<->'",
	tEq: "'=='", tNe: "'!='", tLt: "'<'", tLe: "'<='", tGt: "'>'", tGe: "'>='",
	tPlus: "'+'", tMinus: "'-'", tStar: "'*'", tSlash: "'/'", tPercent: "'%'",
}

func (t tok) String() string { return tokNames[t] }

// token is one lexeme and where it starts (byte offset into the source).
type token struct {
	kind tok
	pos  int
	text string // the lexeme; for tString the decoded value
	dur  time.Duration
}

// lexer turns a formula into tokens. A '.' makes the next token a path
// segment (a name, digits or '#'), so that "state.n1.0" is three segments
// and not the number 1.0, and keywords after a dot are plain field names.
type lexer struct {
	src  string
	pos  int
	prev tok
}

func (l *lexer) errorf(pos int, format string, args ...any) *Error {
	return errAt(l.src, pos, format, args...)
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentChar(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// next returns the next token, skipping blanks and '#' comments (a '#'
// right after '.' is the gjson length segment, not a comment).
func (l *lexer) next() (token, *Error) {
	t, err := l.scan()
	if err == nil {
		l.prev = t.kind
	}
	return t, err
}

func (l *lexer) scan() (token, *Error) {
	afterDot := l.prev == tDot
	for l.pos < len(l.src) {
		c := l.src[l.pos]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			l.pos++
			continue
		}
		if c == '#' && !afterDot {
			for l.pos < len(l.src) && l.src[l.pos] != '\n' {
				l.pos++
			}
			continue
		}
		break
	}
	start := l.pos
	if l.pos >= len(l.src) {
		return token{kind: tEOF, pos: start}, nil
	}
	rest := l.src[l.pos:]
	r, _ := utf8.DecodeRuneInString(rest)
	if afterDot {
		switch {
		case r == '#':
			l.pos++
			return token{kind: tSeg, pos: start, text: "#"}, nil
		case isIdentChar(r):
			for l.pos < len(l.src) {
				r, size := utf8.DecodeRuneInString(l.src[l.pos:])
				if !isIdentChar(r) {
					break
				}
				l.pos += size
			}
			return token{kind: tSeg, pos: start, text: l.src[start:l.pos]}, nil
		case r == '"':
			// a quoted segment: lexed as a string below
		default:
			return token{}, l.errorf(start, "expected a field name, index, '#' or quoted name after '.'")
		}
	}
	switch {
	case isIdentStart(r):
		for l.pos < len(l.src) {
			r, size := utf8.DecodeRuneInString(l.src[l.pos:])
			if !isIdentChar(r) {
				break
			}
			l.pos += size
		}
		return token{kind: tIdent, pos: start, text: l.src[start:l.pos]}, nil
	case r >= '0' && r <= '9':
		return l.number()
	case r == '"':
		return l.str()
	}
	two := func(k tok) (token, *Error) {
		l.pos += 2
		return token{kind: k, pos: start, text: rest[:2]}, nil
	}
	one := func(k tok) (token, *Error) {
		l.pos++
		return token{kind: k, pos: start, text: rest[:1]}, nil
	}
	switch {
	case strings.HasPrefix(rest, "<->"):
		l.pos += 3
		return token{kind: tIff, pos: start, text: "<->"}, nil
	case strings.HasPrefix(rest, "[]"):
		return two(tBox)
	case strings.HasPrefix(rest, "<>"):
		return two(tDiamond)
	case strings.HasPrefix(rest, "&&"):
		return two(tAnd)
	case strings.HasPrefix(rest, "||"):
		return two(tOr)
	case strings.HasPrefix(rest, "->"):
		return two(tImplies)
	case strings.HasPrefix(rest, "=="):
		return two(tEq)
	case strings.HasPrefix(rest, "!="):
		return two(tNe)
	case strings.HasPrefix(rest, "<="):
		return two(tLe)
	case strings.HasPrefix(rest, ">="):
		return two(tGe)
	case strings.HasPrefix(rest, ".."):
		return two(tDotDot)
	}
	switch c := rest[0]; c {
	case '(':
		return one(tLParen)
	case ')':
		return one(tRParen)
	case '[':
		return one(tLBrack)
	case ']':
		return one(tRBrack)
	case '{':
		return one(tLBrace)
	case '}':
		return one(tRBrace)
	case ',':
		return one(tComma)
	case ':':
		return one(tColon)
	case '.':
		return one(tDot)
	case '!':
		return one(tNot)
	case '<':
		return one(tLt)
	case '>':
		return one(tGt)
	case '+':
		return one(tPlus)
	case '-':
		return one(tMinus)
	case '*':
		return one(tStar)
	case '/':
		return one(tSlash)
	case '%':
		return one(tPercent)
	case '=':
		return token{}, l.errorf(start, "unexpected '=': equality is '=='")
	case '&':
		return token{}, l.errorf(start, "unexpected '&': 'and' is '&&'")
	case '|':
		return token{}, l.errorf(start, "unexpected '|': 'or' is '||'")
	}
	return token{}, l.errorf(start, "unexpected character %q", r)
}

// number lexes a JSON number, or a duration when a unit follows the digits
// ("10s", "1.5ms", "1m30s").
func (l *lexer) number() (token, *Error) {
	start := l.pos
	digits := func() {
		for l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '9' {
			l.pos++
		}
	}
	digits()
	if l.pos+1 < len(l.src) && l.src[l.pos] == '.' && l.src[l.pos+1] >= '0' && l.src[l.pos+1] <= '9' {
		l.pos++
		digits()
	}
	if l.pos < len(l.src) && (l.src[l.pos] == 'e' || l.src[l.pos] == 'E') {
		save := l.pos
		l.pos++
		if l.pos < len(l.src) && (l.src[l.pos] == '+' || l.src[l.pos] == '-') {
			l.pos++
		}
		if l.pos < len(l.src) && l.src[l.pos] >= '0' && l.src[l.pos] <= '9' {
			digits()
		} else {
			l.pos = save // "2e" could be nothing valid; let the unit check below complain
		}
	}
	if l.pos < len(l.src) {
		if r, _ := utf8.DecodeRuneInString(l.src[l.pos:]); isIdentStart(r) {
			for l.pos < len(l.src) {
				r, size := utf8.DecodeRuneInString(l.src[l.pos:])
				if !isIdentChar(r) && r != '.' {
					break
				}
				l.pos += size
			}
			text := l.src[start:l.pos]
			d, err := time.ParseDuration(text)
			if err != nil || d < 0 {
				return token{}, l.errorf(start, "bad duration %q: write it like 10s, 500ms, 1m30s (units ns, us, ms, s, m, h)", text)
			}
			return token{kind: tDuration, pos: start, text: text, dur: d}, nil
		}
	}
	text := l.src[start:l.pos]
	if len(text) > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9' {
		return token{}, l.errorf(start, "bad number %q: no leading zeros", text)
	}
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return token{}, l.errorf(start, "bad number %q", text)
	}
	return token{kind: tNumber, pos: start, text: text}, nil
}

// str lexes a JSON string literal; text is its decoded value.
func (l *lexer) str() (token, *Error) {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) {
		switch l.src[l.pos] {
		case '\\':
			l.pos += 2
			continue
		case '"':
			l.pos++
			raw := l.src[start:l.pos]
			var s string
			if err := json.Unmarshal([]byte(raw), &s); err != nil {
				return token{}, l.errorf(start, "bad string %s: use JSON string syntax", raw)
			}
			return token{kind: tString, pos: start, text: s}, nil
		case '\n':
			return token{}, l.errorf(start, "string not closed on its line")
		}
		l.pos++
	}
	return token{}, l.errorf(start, "string not closed: missing '\"'")
}
