package formula

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Error is a formula that does not parse: where (1-based line and
// column, in characters) and what was expected.
type Error struct {
	Src       string // the whole formula
	Offset    int    // byte offset of the problem
	Line, Col int
	Msg       string
}

func errAt(src string, off int, format string, args ...any) *Error {
	off = min(max(off, 0), len(src))
	line := 1 + strings.Count(src[:off], "\n")
	bol := strings.LastIndexByte(src[:off], '\n') + 1
	return &Error{Src: src, Offset: off, Line: line, Col: 1 + utf8.RuneCountInString(src[bol:off]), Msg: fmt.Sprintf(format, args...)}
}

// ErrorAt makes an *Error for a problem at a byte offset of src.
func ErrorAt(src string, off int, msg string) *Error { return errAt(src, off, "%s", msg) }

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Col, e.Msg) }

// Caret returns the source line of the error and, under it, a caret at
// the column, each line indented by a tab:
//
//	[] (a == 1
//	          ^
func (e *Error) Caret() string {
	bol := strings.LastIndexByte(e.Src[:e.Offset], '\n') + 1
	eol := strings.IndexByte(e.Src[e.Offset:], '\n')
	if eol < 0 {
		eol = len(e.Src)
	} else {
		eol += e.Offset
	}
	line := e.Src[bol:eol]
	var pad strings.Builder
	for _, r := range e.Src[bol:e.Offset] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return "\t" + strings.TrimRight(line, "\r") + "\n\t" + pad.String() + "^"
}
