package trace

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The index reads only the top level of each record, and stops at its
// node state when it has what it needs: a JSON scanner that finds where
// each member's value ends, without building anything. gjson does the same
// for one path at a time, but looking up ten paths scans a record ten
// times (1.6 s for a 1,000,000-step trace, against 0.2 s for this one pass).

// skipValue returns the index just past the JSON value that starts at
// b[i] (after blanks), or -1 if the value is cut short or malformed.
func skipValue(b []byte, i int) int {
	i = skipSpace(b, i)
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	start := i
	for i < len(b) {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			if i == start {
				return -1
			}
			return i
		}
		i++
	}
	return -1
}

// skipString returns the index just past the string that starts at b[i].
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// scanner walks the members of one JSON object: key returns the next
// member's name, and then value scans its value, or the caller stops there
// (the rest of the record is not read).
type scanner struct {
	b   []byte
	i   int
	err string // why the object is malformed, when it is
}

func newScanner(b []byte) scanner { return scanner{b: b, i: 1} }

// key returns the next member's name (the raw bytes between the quotes);
// ok is false at the end of the object or on a syntax error (then s.err
// says what was wrong).
func (s *scanner) key() (k []byte, ok bool) {
	b := s.b
	s.i = skipSpace(b, s.i)
	if s.i < len(b) && b[s.i] == ',' {
		s.i = skipSpace(b, s.i+1)
	}
	if s.i >= len(b) {
		s.err = "record cut short (no closing '}')"
		return nil, false
	}
	if b[s.i] == '}' {
		if j := skipSpace(b, s.i+1); j != len(b) {
			s.err = fmt.Sprintf("invalid JSON at byte %d: text after the record", j+1)
		}
		return nil, false
	}
	if b[s.i] != '"' {
		s.err = fmt.Sprintf("invalid JSON at byte %d: expected a member name", s.i+1)
		return nil, false
	}
	end := skipString(b, s.i)
	if end < 0 {
		s.err = "record cut short (unterminated string)"
		return nil, false
	}
	k = b[s.i+1 : end-1]
	s.i = skipSpace(b, end)
	if s.i >= len(b) || b[s.i] != ':' {
		s.err = fmt.Sprintf("invalid JSON at byte %d: expected ':' after %q", s.i+1, k)
		return nil, false
	}
	s.i++
	return k, true
}

// value scans the value of the member key just returned.
func (s *scanner) value() ([]byte, bool) {
	start := skipSpace(s.b, s.i)
	end := skipValue(s.b, start)
	if end < 0 {
		s.err = fmt.Sprintf("invalid JSON at byte %d: a value cut short or malformed", start+1)
		return nil, false
	}
	s.i = end
	return s.b[start:end], true
}

// parseInt reads a JSON integer; ok is false for anything else (a string,
// a fraction, a number out of range).
func parseInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 20 {
		return 0, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
		if len(v) == 0 {
			return 0, false
		}
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int64(c - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseString reads a JSON string value, decoding escapes only when there
// are any (node names and ids have none); ok is false if v is not a string.
func parseString(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	inner := v[1 : len(v)-1]
	for _, c := range inner {
		if c == '\\' {
			var s string
			if json.Unmarshal(v, &s) != nil {
				return nil, false
			}
			return []byte(s), true
		}
	}
	return inner, true
}

// describe names a JSON value's kind for messages ("a string", "a number").
func describe(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	if _, err := strconv.ParseFloat(string(v), 64); err == nil {
		return "the number " + string(v)
	}
	return strconv.Quote(string(v))
}
