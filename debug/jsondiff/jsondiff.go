// Package jsondiff lays out a JSON value for reading, one member a line in
// the manner of YAML, and marks each line with how it differs from an
// earlier version of the value: the debugger shows a node's state after a
// step this way, with what the step changed highlighted.
//
//	lines, err := jsondiff.Lines(before, after)
//	for _, l := range lines { fmt.Printf("%c %s%s\n", l.Mark, strings.Repeat("  ", l.Depth), l.Text) }
//
// Objects keep the order of their members, which pair up by name; arrays
// pair up the elements they share (a longest common subsequence) and
// compare the others by position.
package jsondiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Mark says how a line differs from the earlier value.
type Mark byte

const (
	Same    Mark = ' '
	Changed Mark = '~' // the value at this place was different
	Added   Mark = '+' // there was nothing at this place
	Removed Mark = '-' // this was there and is gone
)

// Line is one line of the layout.
type Line struct {
	Depth int    // indentation level
	Text  string // "key: value", "key:" before a nested value, "- value" in an array
	Was   string // for Changed scalars: the earlier value
	Mark  Mark
}

// Lines lays out after, marked against before. A nil or empty before marks
// nothing (there is nothing to compare with); a nil after lays out before
// as removed.
func Lines(before, after []byte) ([]Line, error) {
	var a, b *value
	var err error
	if len(bytes.TrimSpace(after)) > 0 {
		if b, err = parse(after); err != nil {
			return nil, err
		}
	}
	if len(bytes.TrimSpace(before)) > 0 {
		if a, err = parse(before); err != nil {
			return nil, err
		}
	}
	var out []Line
	switch {
	case b == nil && a == nil:
	case b == nil:
		emit(&out, a, "", 0, Removed)
	case a == nil:
		emit(&out, b, "", 0, Same)
	default:
		diff(&out, a, b, "", 0)
	}
	return out, nil
}

// value is a parsed JSON value that remembers the order of members.
type value struct {
	kind byte     // '{', '[', or 's' for a scalar
	raw  string   // a scalar's JSON text
	keys []string // object member names, in order
	vals []*value // object member values, or array elements
}

func parse(data []byte) (*value, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	v, err := parseValue(d)
	if err != nil {
		return nil, err
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: text after the value")
	}
	return v, nil
}

func parseValue(d *json.Decoder) (*value, error) {
	tok, err := d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		v := &value{kind: byte(t)}
		if t != '{' && t != '[' {
			return nil, fmt.Errorf("invalid JSON: unexpected %v", t)
		}
		for d.More() {
			if t == '{' {
				k, err := d.Token()
				if err != nil {
					return nil, err
				}
				v.keys = append(v.keys, k.(string))
			}
			e, err := parseValue(d)
			if err != nil {
				return nil, err
			}
			v.vals = append(v.vals, e)
		}
		if _, err := d.Token(); err != nil { // the closing delimiter
			return nil, err
		}
		return v, nil
	default:
		b, _ := json.Marshal(t)
		if n, ok := t.(json.Number); ok {
			b = []byte(n)
		}
		return &value{kind: 's', raw: string(b)}, nil
	}
}

// inline is a value's text when it fits on its key's line: a scalar or an
// empty object or array.
func (v *value) inline() (string, bool) {
	switch {
	case v.kind == 's':
		return v.raw, true
	case len(v.vals) == 0 && v.kind == '{':
		return "{}", true
	case len(v.vals) == 0:
		return "[]", true
	}
	return "", false
}

// label is what precedes a value on its line: "key: " in an object, "- "
// in an array, nothing at the top.
func emit(out *[]Line, v *value, label string, depth int, m Mark) {
	if s, ok := v.inline(); ok {
		*out = append(*out, Line{Depth: depth, Text: label + s, Mark: m})
		return
	}
	open(out, label, depth, m, func(depth int) {
		for i, e := range v.vals {
			emit(out, e, childLabel(v, i), depth, m)
		}
	})
}

// open writes a nested value's children one level deeper than its label;
// in an array the first child goes on the "- " line, as YAML does.
func open(out *[]Line, label string, depth int, m Mark, children func(depth int)) {
	switch label {
	case "":
		children(depth)
	case "- ":
		first := len(*out)
		children(depth + 1)
		if first < len(*out) {
			l := &(*out)[first]
			l.Text = "- " + strings.Repeat("  ", l.Depth-depth-1) + l.Text
			l.Depth = depth
		}
	default:
		*out = append(*out, Line{Depth: depth, Text: strings.TrimSuffix(label, " "), Mark: m})
		children(depth + 1)
	}
}

func childLabel(v *value, i int) string {
	if v.kind == '{' {
		return quoteKey(v.keys[i]) + ": "
	}
	return "- "
}

// quoteKey writes a member name bare when it reads unambiguously.
func quoteKey(k string) string {
	if k == "" || strings.ContainsAny(k, ": \t\"\\{}[],#-") {
		b, _ := json.Marshal(k)
		return string(b)
	}
	return k
}

func diff(out *[]Line, a, b *value, label string, depth int) {
	as, aInline := a.inline()
	bs, bInline := b.inline()
	switch {
	case aInline && bInline:
		if as == bs {
			*out = append(*out, Line{Depth: depth, Text: label + bs, Mark: Same})
		} else {
			*out = append(*out, Line{Depth: depth, Text: label + bs, Was: as, Mark: Changed})
		}
		return
	case a.kind != b.kind || aInline || bInline:
		// A different shape: the old one is gone, the new one is new.
		emit(out, a, label, depth, Removed)
		emit(out, b, label, depth, Added)
		return
	}
	// Both are non-empty objects, or both non-empty arrays.
	m := Same
	if !equal(a, b) {
		m = Changed
	}
	open(out, label, depth, m, func(depth int) { diffChildren(out, a, b, depth) })
}

func diffChildren(out *[]Line, a, b *value, depth int) {
	if b.kind == '[' {
		diffArray(out, a.vals, b.vals, depth)
		return
	}
	// Members pair up by name (the n-th of a duplicated name with the n-th).
	old := map[string][]int{}
	for i, k := range a.keys {
		old[k] = append(old[k], i)
	}
	kept := make([]bool, len(a.keys))
	for i, k := range b.keys {
		if js := old[k]; len(js) > 0 {
			old[k] = js[1:]
			kept[js[0]] = true
			diff(out, a.vals[js[0]], b.vals[i], childLabel(b, i), depth)
		} else {
			emit(out, b.vals[i], childLabel(b, i), depth, Added)
		}
	}
	for j := range a.keys {
		if !kept[j] {
			emit(out, a.vals[j], childLabel(a, j), depth, Removed)
		}
	}
}

// diffArray lines up the elements two arrays share (a longest common
// subsequence, so that a queue that lost its head shows one element
// removed, not every element changed) and compares the elements between
// them position by position: an element edited in place is changed, the
// rest added or removed. Long arrays skip the alignment.
func diffArray(out *[]Line, a, b []*value, depth int) {
	if len(a)*len(b) > 1<<16 {
		diffRun(out, a, b, depth)
		return
	}
	// lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if equal(a[i], b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j, i0, j0 := 0, 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case equal(a[i], b[j]):
			diffRun(out, a[i0:i], b[j0:j], depth)
			emit(out, b[j], "- ", depth, Same)
			i, j = i+1, j+1
			i0, j0 = i, j
		case lcs[i+1][j] >= lcs[i][j+1]:
			i++
		default:
			j++
		}
	}
	diffRun(out, a[i0:], b[j0:], depth)
}

// diffRun compares elements position by position.
func diffRun(out *[]Line, a, b []*value, depth int) {
	for i := 0; i < max(len(a), len(b)); i++ {
		switch {
		case i >= len(a):
			emit(out, b[i], "- ", depth, Added)
		case i >= len(b):
			emit(out, a[i], "- ", depth, Removed)
		default:
			diff(out, a[i], b[i], "- ", depth)
		}
	}
}

func equal(a, b *value) bool {
	if a.kind != b.kind || a.raw != b.raw || len(a.vals) != len(b.vals) {
		return false
	}
	for i := range a.vals {
		if a.kind == '{' && a.keys[i] != b.keys[i] || !equal(a.vals[i], b.vals[i]) {
			return false
		}
	}
	return true
}

// AnyChange reports whether any line differs.
func AnyChange(lines []Line) bool {
	for _, l := range lines {
		if l.Mark != Same {
			return true
		}
	}
	return false
}
