// Package compare finds the first record where two detsys traces differ.
//
// Both traces are streamed record by record, never loaded whole. Most
// records of two runs that agree are byte for byte the same, so they are
// compared as bytes first (with the "run" field cut out when the run ids
// differ); only records whose bytes differ are parsed and compared as JSON,
// field by field. The result names the first differing record, both
// versions of it, the JSON paths of the fields that differ (recursively,
// into state, body and sends), and the records before it.
//
// What does not count as a difference, unless Options.Strict:
//   - the "run" field of every record: it names the run (a hash of what the
//     run depends on) rather than saying what happened in it;
//   - the "exec" field of the run record (the executor build): comparing two
//     builds of a system under test is what diverge is for.
//
// The test, seed, faults, options and nodes of the run record do count:
// runs that differ there are different experiments.
//
//	d, same, err := compare.Compare(compare.Input{R: fa, Name: "a.ndjson"},
//		compare.Input{R: fb, Name: "b.ndjson"}, compare.Options{Context: 3})
package compare

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Options control a comparison.
type Options struct {
	Context int  // records before the divergence to report
	Strict  bool // compare every field, the run id and executor build included
}

// Input is one trace and the name to use for it in messages and reports.
type Input struct {
	R    io.Reader
	Name string
}

// Compare reads both traces to the first difference. It returns either a
// Divergence or an Identical record; err is an *formats.InputError for a
// malformed line (file and line named) or a read error.
//
// Lines whose bytes are equal are not parsed: a line that is the same
// malformed text in both traces is not an error, since the traces agree.
func Compare(a, b Input, opt Options) (*formats.Divergence, *formats.Identical, error) {
	ra, rb := formats.NewReader(a.R, a.Name), formats.NewReader(b.R, b.Name)
	ra.Validate, rb.Validate = false, false
	c := comparer{opt: opt, ignored: map[string]bool{}}
	ring := newRing(opt.Context)
	var n int64
	var lastA, lastB int
	for {
		la, ea := ra.Next()
		if ea != nil && ea != io.EOF {
			return nil, nil, ea
		}
		lb, eb := rb.Next()
		if eb != nil && eb != io.EOF {
			return nil, nil, eb
		}
		switch {
		case ea == io.EOF && eb == io.EOF:
			return nil, &formats.Identical{Type: formats.TypeIdentical, Records: n, Ignored: c.ignoredList()}, nil
		case ea == io.EOF:
			n++
			d := c.divergence(formats.DivergeAEnded, n, ring)
			d.A = formats.TraceAt{File: a.Name, Line: lastA, Ended: true}
			d.B = at(lb)
			d.Step = stepOf(lb.Data)
			d.Debug = debugLines(d.Step, b.Name)
			return d, nil, nil
		case eb == io.EOF:
			n++
			d := c.divergence(formats.DivergeBEnded, n, ring)
			d.A = at(la)
			d.B = formats.TraceAt{File: b.Name, Line: lastB, Ended: true}
			d.Step = stepOf(la.Data)
			d.Debug = debugLines(d.Step, a.Name)
			return d, nil, nil
		}
		n++
		lastA, lastB = la.No, lb.No
		for _, l := range []formats.Line{la, lb} {
			if !objectShaped(l.Data) {
				return nil, nil, l.Errorf("", "not a JSON object (each line of a trace is one record like {\"type\":...}): %.40q", l.Data)
			}
		}
		if !c.sameBytes(la.Data, lb.Data) {
			fields, err := c.diff(la, lb)
			if err != nil {
				return nil, nil, err
			}
			if len(fields) > 0 {
				d := c.divergence(formats.DivergeDiffer, n, ring)
				d.Fields = fields
				d.A, d.B = at(la), at(lb)
				d.Step = stepOf(la.Data)
				d.Debug = debugLines(d.Step, a.Name, b.Name)
				return d, nil, nil
			}
		}
		ring.push(la.Data)
	}
}

// objectShaped is the check every line gets, even one whose bytes equal
// the other trace's and so is never parsed: the reader has trimmed it and
// seen that it starts with '{'; it must also end with '}'. That catches a
// cut-off line at the cost of a byte look; lines that differ are parsed
// in full.
func objectShaped(data []byte) bool {
	return len(data) >= 2 && data[len(data)-1] == '}'
}

type comparer struct {
	opt     Options
	ignored map[string]bool // paths that differed but do not count
}

func (c *comparer) ignoredList() []string {
	if len(c.ignored) == 0 {
		return nil
	}
	l := make([]string, 0, len(c.ignored))
	for p := range c.ignored {
		l = append(l, p)
	}
	sort.Strings(l)
	return l
}

func (c *comparer) divergence(reason string, n int64, r *ring) *formats.Divergence {
	return &formats.Divergence{Type: formats.TypeDivergence, Reason: reason, Record: n,
		Ignored: c.ignoredList(), Context: r.records()}
}

func at(l formats.Line) formats.TraceAt {
	return formats.TraceAt{File: l.File, Line: l.No, Record: json.RawMessage(bytes.Clone(l.Data))}
}

func stepOf(data []byte) *int64 {
	s := gjson.GetBytes(data, "step")
	if s.Type != gjson.Number {
		return nil
	}
	v := s.Int()
	return &v
}

// debugLines are the command lines that open each named trace at the step
// (stdin cannot be reopened, so "-" gets none).
func debugLines(step *int64, files ...string) []string {
	if step == nil {
		return nil
	}
	var l []string
	for _, f := range files {
		if f != "-" {
			l = append(l, fmt.Sprintf("debug --at %d %s", *step, shellQuote(f)))
		}
	}
	return l
}

func shellQuote(s string) string {
	for _, r := range s {
		if !(r == '/' || r == '.' || r == '-' || r == '_' || r == '+' || r == ':' || r == ',' || r == '@' || r == '=' ||
			'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9') {
			return "'" + string(bytes.ReplaceAll([]byte(s), []byte("'"), []byte(`'\''`))) + "'"
		}
	}
	if s == "" {
		return "''"
	}
	return s
}

// sameBytes is the fast path: the lines are the same bytes, or (unless
// strict) the same bytes once the run field, which sched writes second,
// right after the type, is cut out of both.
func (c *comparer) sameBytes(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	if c.opt.Strict {
		return false
	}
	sa, ea, ok := runSpan(a)
	if !ok {
		return false
	}
	sb, eb, ok := runSpan(b)
	if !ok {
		return false
	}
	if bytes.Equal(a[:sa], b[:sb]) && bytes.Equal(a[ea:], b[eb:]) {
		c.ignored["run"] = true
		return true
	}
	return false
}

// runSpan finds `,"run":"…"` right after the type field of a line written
// as sched writes it: {"type":"T","run":"R",…}. ok is false for any other
// layout (the slow path then compares the parsed records).
func runSpan(line []byte) (start, end int, ok bool) {
	const head, field = `{"type":"`, `,"run":"`
	if !bytes.HasPrefix(line, []byte(head)) {
		return 0, 0, false
	}
	q := bytes.IndexByte(line[len(head):], '"')
	if q < 0 {
		return 0, 0, false
	}
	start = len(head) + q + 1
	if !bytes.HasPrefix(line[start:], []byte(field)) {
		return 0, 0, false
	}
	v := start + len(field)
	q = bytes.IndexByte(line[v:], '"')
	if q < 0 || bytes.IndexByte(line[start:v+q], '\\') >= 0 || bytes.IndexByte(line[:start], '\\') >= 0 {
		return 0, 0, false
	}
	return start, v + q + 1, true
}

// diff parses both lines and returns the paths of the fields that differ
// and count (the ignored ones are noted in c.ignored).
func (c *comparer) diff(la, lb formats.Line) ([]string, error) {
	va, err := decode(la)
	if err != nil {
		return nil, err
	}
	vb, err := decode(lb)
	if err != nil {
		return nil, err
	}
	if !c.opt.Strict {
		c.drop(va, vb, "run")
		if va["type"] == formats.TypeRun && vb["type"] == formats.TypeRun {
			c.drop(va, vb, "exec")
		}
	}
	var paths []string
	walk("", va, vb, &paths)
	return paths, nil
}

// drop removes an ignored top-level field from both records, noting the
// paths where it differed.
func (c *comparer) drop(va, vb map[string]any, key string) {
	var p []string
	walk(key, va[key], vb[key], &p)
	for _, x := range p {
		c.ignored[x] = true
	}
	delete(va, key)
	delete(vb, key)
}

func decode(l formats.Line) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(l.Data))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		return nil, l.Decode(new(map[string]any))
	}
	if d.More() {
		return nil, l.Errorf("", "more than one JSON value on the line")
	}
	if v == nil {
		return nil, l.Errorf("", "not a JSON object")
	}
	return v, nil
}

// walk appends the paths where a and b differ, depth first, object keys
// in sorted order, so that the list is deterministic.
func walk(path string, a, b any, out *[]string) {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, rooted(path))
			return
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			va, oka := x[k]
			vb, okb := y[k]
			p := join(path, k)
			if oka != okb {
				*out = append(*out, p)
				continue
			}
			walk(p, va, vb, out)
		}
	case []any:
		y, ok := b.([]any)
		if !ok {
			*out = append(*out, rooted(path))
			return
		}
		for i := 0; i < max(len(x), len(y)); i++ {
			p := path + "[" + strconv.Itoa(i) + "]"
			if i >= len(x) || i >= len(y) {
				*out = append(*out, p)
				continue
			}
			walk(p, x[i], y[i], out)
		}
	default:
		// Scalars: strings, json.Number (compared as written), bools, null.
		if a != b {
			*out = append(*out, rooted(path))
		}
	}
}

func rooted(path string) string {
	if path == "" {
		return "."
	}
	return path
}

// join appends a key to a path: .key for plain identifiers, ["key"]
// (JSON-quoted as the records are written: "<" stays "<") for anything else.
func join(path, key string) string {
	plain := key != ""
	for i, r := range key {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && '0' <= r && r <= '9') {
			plain = false
			break
		}
	}
	if !plain {
		return path + "[" + formats.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// ring keeps copies of the last n records of trace A.
type ring struct {
	buf  [][]byte
	next int
	full bool
}

func newRing(n int) *ring { return &ring{buf: make([][]byte, max(n, 0))} }

func (r *ring) push(line []byte) {
	if len(r.buf) == 0 {
		return
	}
	r.buf[r.next] = append(r.buf[r.next][:0], line...)
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// records returns the kept records, oldest first.
func (r *ring) records() []json.RawMessage {
	out := []json.RawMessage{}
	if r.full {
		for _, l := range r.buf[r.next:] {
			out = append(out, bytes.Clone(l))
		}
	}
	for _, l := range r.buf[:r.next] {
		out = append(out, bytes.Clone(l))
	}
	return out
}
