package log

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
)

// The validator of appended lines. Checking is what append spends its
// time on (everything else is the copy cat makes too), so it is a
// hand-written scanner specialised for NDJSON objects instead of a
// general validator: one pass over a chunk, line ends found while
// scanning, string bodies skipped eight bytes at a time. It accepts
// exactly what encoding/json.Valid accepts (FuzzValid checks that against
// json.Valid), including its nesting limit, and, like json.Valid, does not
// check the UTF-8 inside strings.

// maxDepth is encoding/json's nesting limit (maxNestingDepth): deeper
// input is invalid JSON to it, so it is to us too.
const maxDepth = 10000

// scanLines checks the lines of data (a last one without a newline
// included) and returns how many records (non-blank lines) there were;
// bad is the offset of the first line that is not a JSON object, or -1.
// Lines are blank or records as after bytes.TrimSpace, as CheckLine
// judges them: the fast path takes what is plainly a record (JSON blanks
// around an object) or plainly blank, and hands any other line to
// lineRecord.
func scanLines(data []byte) (records, bad int) {
	var stack []byte
	for at := 0; at < len(data); {
		i := skipBlanks(data, at)
		if i < len(data) && data[i] == '{' {
			end, st, ok := object(data, i, stack)
			stack = st
			if ok {
				end = skipBlanks(data, end)
				if end == len(data) || data[end] == '\n' {
					records++
					at = end + 1
					continue
				}
			}
		} else if i == len(data) || data[i] == '\n' {
			at = i + 1
			continue
		}
		// Anything else, whatever it is, is decided on the whole line.
		end := len(data)
		if nl := bytes.IndexByte(data[at:], '\n'); nl >= 0 {
			end = at + nl
		}
		rec, ok := lineRecord(data[at:end])
		if !ok {
			return records, at
		}
		if rec {
			records++
		}
		at = end + 1
	}
	return records, -1
}

// lineRecord says whether line (no newline in it) is a record and whether
// it is acceptable at all: blank after bytes.TrimSpace (which also trims
// \v, \f and Unicode spaces), or a JSON object.
func lineRecord(line []byte) (record, ok bool) {
	t := bytes.TrimSpace(line)
	if len(t) == 0 {
		return false, true
	}
	return true, validObject(t)
}

// validObject says whether data is one JSON object, with JSON blanks
// around it: json.Valid on data that starts with '{' (after blanks).
func validObject(data []byte) bool {
	if bytes.IndexByte(data, '\n') >= 0 { // a blank to JSON, an end of line to scanLines
		i := 0
		for i < len(data) && isBlank(data[i]) {
			i++
		}
		return i < len(data) && data[i] == '{' && json.Valid(data)
	}
	var stack []byte
	i := skipBlanks(data, 0)
	if i == len(data) || data[i] != '{' {
		return false
	}
	end, _, ok := object(data, i, stack)
	return ok && skipBlanks(data, end) == len(data)
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// skipBlanks skips JSON's blanks but the newline, which ends a line here.
// It is called between any two tokens, and compact NDJSON has none: the
// first test is the one that counts.
func skipBlanks(d []byte, i int) int {
	if i < len(d) && d[i] > ' ' {
		return i
	}
	return moreBlanks(d, i)
}

//go:noinline
func moreBlanks(d []byte, i int) int {
	for i < len(d) && (d[i] == ' ' || d[i] == '\t' || d[i] == '\r') {
		i++
	}
	return i
}

// object checks the JSON object at d[i] == '{' and returns the offset
// after it. st is scratch space for the open objects and arrays, returned
// so that the caller's next line does not allocate it again. A newline anywhere
// but in a string (where it is invalid anyway) fails: the caller decides
// such a line by itself.
func object(d []byte, i int, st []byte) (int, []byte, bool) {
	st = append(st[:0], '{')
	n := len(d)
	i++
	var c byte
	var isKey bool
	// After '{': '}' or the first key.
	i = skipBlanks(d, i)
	if i < n && d[i] == '}' {
		i++
		goto closed
	}
key:
	if i >= n || d[i] != '"' {
		return i, st, false
	}
	isKey = true
str: // a key or a string value at d[i] == '"'. The common case inline, two
	// bytes a turn: a short string without an escape (keys and most values
	// in a trace: 5 bytes on average); the rest is skipString's, from where
	// this stopped (never inside an escape: plain stops at '\\').
	i++
	for e := min(n, i+16) - 1; i < e && plain[d[i]] && plain[d[i+1]]; {
		i += 2
	}
	if i < n && plain[d[i]] {
		i++
	}
	if i < n && d[i] == '"' {
		i++
		goto strEnd
	}
	if i = skipString(d, i); i < 0 {
		return i, st, false
	}
strEnd:
	if !isKey {
		goto after
	}
	i = skipBlanks(d, i)
	if i >= n || d[i] != ':' {
		return i, st, false
	}
	i++
value:
	i = skipBlanks(d, i)
	if i >= n {
		return i, st, false
	}
	switch c = d[i]; c {
	case '"':
		isKey = false
		goto str
	case '{', '[':
		if len(st) == maxDepth {
			return i, st, false
		}
		st = append(st, c)
		i = skipBlanks(d, i+1)
		if i < n && d[i] == c+2 { // '}' is '{'+2, ']' is '['+2
			i++
			goto closed
		}
		if c == '{' {
			goto key
		}
		goto value
	case 't':
		if n-i < 4 || string(d[i:i+4]) != "true" {
			return i, st, false
		}
		i += 4
	case 'f':
		if n-i < 5 || string(d[i:i+5]) != "false" {
			return i, st, false
		}
		i += 5
	case 'n':
		if n-i < 4 || string(d[i:i+4]) != "null" {
			return i, st, false
		}
		i += 4
	default:
		if j := digits(d, i+1); '1' <= c && c <= '9' && j < n && d[j] != '.' && d[j] != 'e' && d[j] != 'E' {
			i = j // an integer, the commonest number
		} else if i = number(d, i); i < 0 {
			return i, st, false
		}
	}
after: // a value ends: ',' or the end of the innermost object or array
	i = skipBlanks(d, i)
	if i >= n {
		return i, st, false
	}
	c = st[len(st)-1]
	switch d[i] {
	case ',':
		i = skipBlanks(d, i+1)
		if c == '{' {
			goto key
		}
		goto value
	case c + 2:
		i++
		goto closed
	}
	return i, st, false
closed: // the innermost object or array ended at i
	st = st[:len(st)-1]
	if len(st) > 0 {
		goto after
	}
	return i, st, true
}

// plain says which bytes a string holds as they are.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// skipString skips the body of a string from d[i] (after its opening quote) and
// returns the offset after its closing quote, or -1 if it is invalid (an
// unescaped control character, a bad escape, no end). Bytes that need no
// look ('"', '\\' and those below 0x20 do) are skipped eight at a time:
// the lowest flagged byte of each test below is exact (a false flag can
// only sit above a true one), so the lowest of all is the first to look at.
func skipString(d []byte, i int) int {
	n := len(d)
	for {
		for i+8 <= n {
			w := binary.LittleEndian.Uint64(d[i:])
			q := w ^ ('"' * ones)
			b := w ^ ('\\' * ones)
			m := ((q - ones) &^ q) | ((b - ones) &^ b) | ((w - 0x20*ones) &^ w)
			if m &= highs; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		for ; i < n; i++ {
			if c := d[i]; c == '"' || c == '\\' || c < 0x20 {
				break
			}
		}
		if i >= n {
			return -1
		}
		switch d[i] {
		case '"':
			return i + 1
		case '\\':
			if i+1 >= n {
				return -1
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if n-i < 6 || !isHex(d[i+2]) || !isHex(d[i+3]) || !isHex(d[i+4]) || !isHex(d[i+5]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		default: // a control character
			return -1
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number skips the number at d[i] and returns the offset after it, or -1:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(d []byte, i int) int {
	n := len(d)
	if d[i] == '-' {
		i++
	}
	if i >= n {
		return -1
	}
	switch {
	case d[i] == '0':
		i++
	case '1' <= d[i] && d[i] <= '9':
		i = digits(d, i+1)
	default:
		return -1
	}
	if i < n && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < n && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < n && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(d []byte, i int) int {
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	return i
}
