package sets

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Anomalies.
const (
	Lost        = "lost"          // an acknowledged value missing from a read that should hold it
	Unexpected  = "unexpected"    // a value read that was never added (or only by failed adds)
	OutOfBounds = "out-of-bounds" // a counter read outside what the adds allow
)

// maxShown bounds the cases a witness lists; the counts are complete.
const maxShown = 5

// Result is the outcome of checking one run.
type Result struct {
	Run     string
	Valid   bool
	Witness Witness
	Notes   []string // said on stderr: what could not be checked
}

// Witness explains a failing run.
type Witness struct {
	Lost        []Case   `json:"lost,omitempty"`
	LostCount   int      `json:"lost_count,omitempty"`
	Unexpected  []Case   `json:"unexpected,omitempty"`
	UnexpCount  int      `json:"unexpected_count,omitempty"`
	Bounds      []Bounds `json:"out_of_bounds,omitempty"`
	BoundsCount int      `json:"out_of_bounds_count,omitempty"`
	Explanation string   `json:"explanation"`
}

// Case is one value that was lost or unexpected: the read, and for a lost
// value the acknowledged operation that added it.
type Case struct {
	Value int64  `json:"value"`
	Node  string `json:"node,omitempty"`
	Add   *OpRef `json:"add,omitempty"`
	Read  OpRef  `json:"read"`
}

// Bounds is a counter read outside [Lower, Upper].
type Bounds struct {
	Read  OpRef `json:"read"`
	Value int64 `json:"value"`
	Lower int64 `json:"lower"`
	Upper int64 `json:"upper"`
}

// OpRef is an operation as a witness shows it.
type OpRef struct {
	Client       int             `json:"client"`
	Node         string          `json:"node,omitempty"`
	Status       string          `json:"status"`
	InvokeStep   int64           `json:"invoke_step"`
	CompleteStep *int64          `json:"complete_step,omitempty"`
	Op           json.RawMessage `json:"op"`
	Reply        json.RawMessage `json:"reply,omitempty"`
}

func ref(o *Op) OpRef {
	return OpRef{Client: o.Client, Node: o.Node, Status: o.Status, InvokeStep: o.InvokeStep, CompleteStep: o.CompleteStep, Op: o.Op, Reply: o.Reply}
}

// Anomalies names what the result found, comma-separated.
func (r Result) Anomalies() string {
	var a []string
	if r.Witness.LostCount > 0 {
		a = append(a, Lost)
	}
	if r.Witness.UnexpCount > 0 {
		a = append(a, Unexpected)
	}
	if r.Witness.BoundsCount > 0 {
		a = append(a, OutOfBounds)
	}
	return strings.Join(a, ",")
}

// Verdict is the verdict record for the result.
func (r Result) Verdict(model string) formats.Verdict {
	v := formats.Verdict{Type: formats.TypeVerdict, Run: r.Run, Checker: "check", Model: model, Valid: r.Valid}
	if r.Valid {
		return v
	}
	v.Anomaly = r.Anomalies()
	v.Witness, _ = formats.Marshal(r.Witness) // plain data: cannot fail
	return v
}

// Summary is one line for people about an invalid result.
func (r Result) Summary() string {
	if r.Valid {
		return ""
	}
	return r.Run + ": " + r.Witness.Explanation
}

func (w *Witness) lost(c Case) {
	w.LostCount++
	if len(w.Lost) < maxShown {
		w.Lost = append(w.Lost, c)
	}
}

func (w *Witness) unexpected(c Case) {
	w.UnexpCount++
	if len(w.Unexpected) < maxShown {
		w.Unexpected = append(w.Unexpected, c)
	}
}

func (w *Witness) explain(what string) {
	var parts []string
	if w.LostCount > 0 {
		c := w.Lost[0]
		parts = append(parts, fmt.Sprintf("%d %s lost (first: %d, acknowledged by %s, missing from %s)",
			w.LostCount, plural(w.LostCount, what), c.Value, describeRef(*c.Add), describeRef(c.Read)))
	}
	if w.UnexpCount > 0 {
		c := w.Unexpected[0]
		parts = append(parts, fmt.Sprintf("%d unexpected %s read (first: %d, in %s, which no add that may have happened added)",
			w.UnexpCount, plural(w.UnexpCount, what), c.Value, describeRef(c.Read)))
	}
	if w.BoundsCount > 0 {
		b := w.Bounds[0]
		parts = append(parts, fmt.Sprintf("%d %s out of bounds (first: %s read %d, but the adds allow only %d..%d)",
			w.BoundsCount, plural(w.BoundsCount, "read"), describeRef(b.Read), b.Value, b.Lower, b.Upper))
	}
	w.Explanation = strings.Join(parts, "; ")
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func describeRef(r OpRef) string {
	n := fmt.Sprintf("c%d's %s at step %d", r.Client, gjsonType(r.Op), r.InvokeStep)
	if r.Node != "" {
		n += " on " + r.Node
	}
	return n
}

func gjsonType(op json.RawMessage) string {
	var t struct {
		Type string `json:"type"`
	}
	json.Unmarshal(op, &t)
	return t.Type
}

func (h *History) result(w Witness, what string) Result {
	r := Result{Run: h.Run, Valid: w.LostCount+w.UnexpCount+w.BoundsCount == 0}
	if !r.Valid {
		w.explain(what)
	}
	r.Witness = w
	return r
}

// split returns the indices of the adds (non-failed, and acknowledged),
// and of the ok reads sorted by invocation.
func (h *History) split() (attempted map[int64]int, acked []int, reads []int) {
	attempted = map[int64]int{}
	for i := range h.Ops {
		o := &h.Ops[i]
		switch {
		case o.Read:
			if o.Status == formats.TypeOk {
				reads = append(reads, i)
			}
		case o.Status != formats.TypeFail:
			if _, ok := attempted[o.Input]; !ok {
				attempted[o.Input] = i
			}
			if o.Status == formats.TypeOk {
				acked = append(acked, i)
			}
		}
	}
	// By completion: the adds a read must see are a prefix.
	sort.SliceStable(acked, func(a, b int) bool { return h.Ops[acked[a]].Return < h.Ops[acked[b]].Return })
	return attempted, acked, reads
}

// CheckSet checks a grow-only set: each read holds every element whose
// add was acknowledged before the read was invoked (else the element is
// lost), and only elements some add that did not fail tried to add (else
// it is unexpected). An add that is info may or may not show.
func CheckSet(h History) Result {
	var w Witness
	attempted, acked, reads := h.split()
	for _, ri := range reads {
		r := &h.Ops[ri]
		have := make(map[int64]bool, len(r.Output))
		for _, v := range r.Output {
			have[v] = true
			if _, ok := attempted[v]; !ok {
				w.unexpected(Case{Value: v, Read: ref(r)})
			}
		}
		for _, ai := range acked {
			a := &h.Ops[ai]
			if a.Return >= r.Call {
				break
			}
			if !have[a.Input] {
				add := ref(a)
				w.lost(Case{Value: a.Input, Add: &add, Read: ref(r)})
			}
		}
	}
	return h.result(w, "element")
}

// CheckCounter checks a counter (g-counter or pn-counter): a read lies
// between the sum of the adds that must have happened before it (ok,
// completed before it was invoked) plus every negative delta that may
// have, and that sum plus every positive delta that may have (ok or info
// adds invoked before the read completed). Prefix sums over adds sorted by
// invocation and by completion make it O(n log n).
func CheckCounter(h History) Result {
	var w Witness
	// Prefix sums of positive and negative deltas: over the adds that may
	// have happened, in invocation order, and over the acknowledged ones,
	// in completion order.
	type sums struct {
		at          []int
		plus, minus []int64 // sums of the first i adds
	}
	add := func(s *sums, at int, d int64) {
		p, m := s.plus[len(s.plus)-1], s.minus[len(s.minus)-1]
		if d > 0 {
			p += d
		} else {
			m += d
		}
		s.at, s.plus, s.minus = append(s.at, at), append(s.plus, p), append(s.minus, m)
	}
	// before is the sums over the adds at positions before pos.
	before := func(s *sums, pos int) (int64, int64) {
		i := sort.SearchInts(s.at, pos)
		return s.plus[i], s.minus[i]
	}
	invoked := &sums{plus: []int64{0}, minus: []int64{0}}
	done := &sums{plus: []int64{0}, minus: []int64{0}}
	_, acked, reads := h.split()
	for i := range h.Ops {
		if o := &h.Ops[i]; !o.Read && o.Status != formats.TypeFail {
			add(invoked, o.Call, o.Input)
		}
	}
	for _, i := range acked {
		add(done, h.Ops[i].Return, h.Ops[i].Input)
	}
	for _, ri := range reads {
		r := &h.Ops[ri]
		dPlus, dMinus := before(done, r.Call)
		iPlus, iMinus := before(invoked, r.Return)
		lower, upper := dPlus+iMinus, iPlus+dMinus
		if v := r.Output[0]; v < lower || v > upper {
			w.BoundsCount++
			if len(w.Bounds) < maxShown {
				w.Bounds = append(w.Bounds, Bounds{Read: ref(r), Value: v, Lower: lower, Upper: upper})
			}
		}
	}
	return h.result(w, "read")
}

// CheckBroadcast checks Maelstrom's broadcast workload: the last read of
// each node still up at the end (not crashed or panicked without a
// restart) holds every message whose broadcast was acknowledged before
// that read was invoked; and no read, on any node, holds a message that
// no broadcast that did not fail sent.
func CheckBroadcast(h History) Result {
	var w Witness
	attempted, acked, reads := h.split()
	final := map[string]int{}
	var nodes []string
	for _, ri := range reads {
		r := &h.Ops[ri]
		for _, v := range r.Output {
			if _, ok := attempted[v]; !ok {
				w.unexpected(Case{Value: v, Node: r.Node, Read: ref(r)})
			}
		}
		f, seen := final[r.Node]
		if !seen {
			nodes = append(nodes, r.Node)
		}
		if !seen || r.Return > h.Ops[f].Return {
			final[r.Node] = ri
		}
	}
	sort.Strings(nodes)
	var notes []string
	for _, n := range nodes {
		if h.Down[n] {
			notes = append(notes, fmt.Sprintf("%s was down at the end: its reads are not required to hold every message", n))
			continue
		}
		r := &h.Ops[final[n]]
		have := make(map[int64]bool, len(r.Output))
		for _, v := range r.Output {
			have[v] = true
		}
		for _, ai := range acked {
			a := &h.Ops[ai]
			if a.Return >= r.Call {
				break
			}
			if !have[a.Input] {
				add := ref(a)
				w.lost(Case{Value: a.Input, Node: n, Add: &add, Read: ref(r)})
			}
		}
	}
	if len(reads) == 0 && len(acked) > 0 {
		notes = append(notes, "no node was read: nothing to check the broadcasts against")
	}
	res := h.result(w, "message")
	res.Notes = notes
	return res
}
