package elle

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Anomaly names (Elle §4 and Adya's thesis; the -realtime variants are
// Elle's, for cycles that need a real-time edge).
const (
	G0                = "G0"       // a cycle of ww edges: dirty write
	G1a               = "G1a"      // aborted read: a failed transaction's write was read
	G1b               = "G1b"      // intermediate read: a version a transaction later overwrote was read
	G1c               = "G1c"      // a cycle of ww and wr edges, at least one wr: circular information flow
	GSingle           = "G-single" // a cycle with exactly one rw edge: read skew
	G2                = "G2"       // a cycle with two or more rw edges: write skew
	Internal          = "internal" // a read disagrees with the transaction's own earlier reads and writes
	IncompatibleOrder = "incompatible-order"
	DuplicateElements = "duplicate-elements"
	realtime          = "-realtime"
)

// Levels are the consistency models --consistency names, weakest first.
var Levels = []string{"read-committed", "snapshot-isolation", "serializable", "strict-serializable"}

// Prohibited reports whether level forbids the anomaly, following Elle's
// consistency-model → proscribed-anomalies map (elle.consistency-model):
// read committed (Adya PL-2) forbids G1 (G1a, G1b, G1c) and G0; snapshot
// isolation adds internal consistency and G-single (Adya's PL-SI implies
// PL-2+, which forbids G-single); serializable (PL-3) adds G2; strict
// serializable adds the same cycles through real-time edges. Histories
// that no version order fits (incompatible-order, duplicate-elements) are
// forbidden everywhere.
func Prohibited(level, anomaly string) bool {
	rank := map[string]int{"read-committed": 0, "snapshot-isolation": 1, "serializable": 2, "strict-serializable": 3}[level]
	need := map[string]int{
		G0: 0, G1a: 0, G1b: 0, G1c: 0, IncompatibleOrder: 0, DuplicateElements: 0,
		Internal: 1, GSingle: 1,
		G2: 2,
	}
	if base, ok := strings.CutSuffix(anomaly, realtime); ok {
		return rank >= 3 && need[base] >= 0
	}
	n, ok := need[anomaly]
	return ok && rank >= n
}

// ValidLevel reports whether level is one of Levels.
func ValidLevel(level string) bool {
	for _, l := range Levels {
		if l == level {
			return true
		}
	}
	return false
}

// Result is the outcome of checking one run.
type Result struct {
	Run   string
	Valid bool
	// Unknown: nothing prohibited was found, but the cycle search ran out
	// of budget before it had looked everywhere (Valid is false).
	Unknown   bool
	Anomalies []Found // the prohibited anomalies found, in a fixed order
	Notes     []string
}

// Found is one anomaly with its witness.
type Found struct {
	Name string `json:"name"`
	// Cycle is the dependency cycle, for cycle anomalies: each step is a
	// transaction and the edge from it to the next (the last back to the
	// first).
	Cycle []WitnessStep `json:"cycle,omitempty"`
	// Ops are the transactions involved, for the others.
	Ops         []WitnessTxn `json:"ops,omitempty"`
	Explanation string       `json:"explanation"`
}

// WitnessTxn is a transaction as a witness shows it.
type WitnessTxn struct {
	Client       int             `json:"client"`
	Status       string          `json:"status"`
	InvokeStep   int64           `json:"invoke_step"`
	CompleteStep *int64          `json:"complete_step,omitempty"`
	Txn          json.RawMessage `json:"txn"`
}

// WitnessStep is a transaction of a cycle and the edge to the next one.
type WitnessStep struct {
	WitnessTxn
	Edge string `json:"edge"`
	Why  string `json:"why"`
}

func witnessTxn(t *Txn) WitnessTxn {
	body := t.Op
	if t.Status == formats.TypeOk {
		body = t.Reply
	}
	return WitnessTxn{Client: t.Client, Status: t.Status, InvokeStep: t.InvokeStep, CompleteStep: t.CompleteStep,
		Txn: json.RawMessage(gjson.GetBytes(body, "txn").Raw)}
}

func name(t *Txn) string {
	return fmt.Sprintf("c%d's txn at step %d", t.Client, t.InvokeStep)
}

// Verdict is the verdict record for the result.
func (r Result) Verdict(model string) formats.Verdict {
	v := formats.Verdict{Type: formats.TypeVerdict, Run: r.Run, Checker: "check", Model: model, Valid: r.Valid}
	if r.Valid {
		return v
	}
	if r.Unknown {
		v.Valid, v.Anomaly = formats.Unknown, "search budget ran out"
		return v
	}
	v.Anomaly = strings.Join(r.Names(), ",")
	// Not HTML-escaped: "c0@1 -rw-> c1@2", not \u003e. Plain data: cannot fail.
	v.Witness, _ = formats.Marshal(struct {
		Anomalies []Found `json:"anomalies"`
	}{r.Anomalies})
	return v
}

// Names lists the anomalies found, each once, in the order found.
func (r Result) Names() []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range r.Anomalies {
		if !seen[a.Name] {
			seen[a.Name] = true
			names = append(names, a.Name)
		}
	}
	return names
}

// Summary is a one-line account for people of an invalid result.
func (r Result) Summary() string {
	if r.Valid {
		return ""
	}
	if r.Unknown {
		return fmt.Sprintf("%s: unknown: %s", r.Run, strings.Join(r.Notes, "; "))
	}
	s := fmt.Sprintf("%s: %s", r.Run, r.Anomalies[0].Explanation)
	if names := r.Names(); len(names) > 1 {
		s += fmt.Sprintf(" (and %s)", strings.Join(names[1:], ", "))
	}
	return s
}

// maxWitnesses bounds the witnesses kept per anomaly name: a broken
// database gives thousands, and the first few say it.
const maxWitnesses = 3

// collector gathers anomalies for one run under one level.
type collector struct {
	h     *History
	level string
	found []Found
	count map[string]int
	notes []string
	// exhausted: some search ran out of budget, so a cycle may have gone
	// unnamed.
	exhausted bool
}

func (c *collector) add(f Found) {
	if !Prohibited(c.level, f.Name) || c.count[f.Name] >= maxWitnesses {
		return
	}
	c.count[f.Name]++
	c.found = append(c.found, f)
}

func (c *collector) ops(name, format string, txns []int, args ...any) {
	f := Found{Name: name, Explanation: fmt.Sprintf(format, args...)}
	for _, i := range txns {
		f.Ops = append(f.Ops, witnessTxn(&c.h.Txns[i]))
	}
	c.add(f)
}

func (c *collector) result() Result {
	// A fixed order: by anomaly name as Elle orders its reports, then as found.
	order := map[string]int{Internal: 0, DuplicateElements: 1, IncompatibleOrder: 2, G1a: 3, G1b: 4}
	sort.SliceStable(c.found, func(i, j int) bool {
		oi, ok := order[c.found[i].Name]
		if !ok {
			oi = 10
		}
		oj, ok := order[c.found[j].Name]
		if !ok {
			oj = 10
		}
		return oi < oj
	})
	unknown := c.exhausted && len(c.found) == 0
	return Result{Run: c.h.Run, Valid: len(c.found) == 0 && !unknown, Unknown: unknown, Anomalies: c.found, Notes: c.notes}
}

// explainer says why an edge of a kind goes from one transaction to
// another, in terms of the history.
type explainer func(from, to int, kind Edge) string

// Budgets for the cycle search, in nodes visited by breadth-first
// search: per kind of cycle in one component, and in all for a run, so
// that a history that is broken everywhere costs seconds, not hours. The
// search stops early only when anomalies were already found; it is said
// in the result's notes.
var (
	kindBudget  = 1_000_000
	totalBudget = 20_000_000
)

// cycles finds the dependency cycles of g among nodes and names them:
// G0 (ww only), G1c (ww and wr, at least one wr), G-single (exactly one
// rw), G2 (several rw), each with a -realtime suffix when it needs a
// real-time edge. One witness of each kind per strongly connected
// component, the shortest the breadth-first search finds.
func (c *collector) cycles(g *graph, nodes []int32, withRT bool, why explainer) {
	all := WW | WR | RW
	if withRT {
		all |= RT
	}
	comp := make([]int32, len(g.out))
	total := totalBudget
	for _, scc := range g.sccs(nodes, all, nil) {
		if total <= 0 {
			c.exhausted = true
			break
		}
		id := scc[0] + 1
		for _, v := range scc {
			comp[v] = id
		}
		in := func(v int32) bool { return comp[v] == id }
		for _, rt := range []Edge{0, RT} {
			if rt != 0 && !withRT {
				break
			}
			if c.inComponent(g, scc, in, rt, &total, why) {
				break
			}
		}
	}
	if c.exhausted {
		c.notes = append(c.notes, fmt.Sprintf("the cycle search ran out of budget (%d transactions visited per kind of cycle and component, %d in all): there may be anomalies it did not name", kindBudget, totalBudget))
	}
}

// inComponent looks for each kind of cycle in one component, with extra
// (0 or RT) allowed alongside the data dependencies. It reports whether
// it found any.
func (c *collector) inComponent(g *graph, scc []int32, in func(int32) bool, extra Edge, total *int, why explainer) bool {
	any := false
	report := func(base string, cyc []step) {
		name := base
		for _, s := range cyc {
			if s.kind == RT {
				name += realtime
				break
			}
		}
		c.add(c.cycle(name, cyc, why))
		any = true
	}
	// search runs one search with its own budget, charged to the total.
	search := func(f func(budget *int) []step) []step {
		budget := min(kindBudget, *total)
		cyc := f(&budget)
		*total -= min(kindBudget, *total) - budget
		if cyc == nil && budget <= 0 {
			c.exhausted = true
		}
		return cyc
	}
	// G0: a cycle of ww edges alone.
	if sub := g.sccs(scc, WW|extra, in); len(sub) > 0 {
		if cyc := search(func(b *int) []step { return g.cycleThrough(sub[0][0], WW|extra, in, b) }); cyc != nil {
			report(G0, cyc)
		}
	}
	// G1c: a wr edge u→v closed by a path of ww and wr edges.
	if cyc := search(func(b *int) []step { return g.closeEdge(scc, WR, WW|WR|extra, in, b) }); cyc != nil {
		report(G1c, cyc)
	}
	// G-single: an rw edge closed by a path without rw edges.
	if cyc := search(func(b *int) []step { return g.closeEdge(scc, RW, WW|WR|extra, in, b) }); cyc != nil {
		report(GSingle, cyc)
		return true
	}
	// G2: an rw edge closed by any path; it has more than one rw edge,
	// or G-single would have found it.
	if cyc := search(func(b *int) []step { return g.closeEdge(scc, RW, WW|WR|RW|extra, in, b) }); cyc != nil {
		report(G2, cyc)
	}
	return any
}

// cycleThrough is the shortest cycle through v.
func (g *graph) cycleThrough(v int32, mask Edge, in func(int32) bool, budget *int) []step {
	for _, a := range g.out[v] {
		if a.kinds&mask == 0 || !in(a.to) {
			continue
		}
		if p := g.path(a.to, v, mask, in, budget); p != nil {
			return append([]step{{from: v, kind: (a.kinds & mask).first()}}, p...)
		}
	}
	return nil
}

// closeEdge finds an edge of kind k inside the component and a path back
// from its head to its tail over mask: a cycle that uses that edge.
func (g *graph) closeEdge(scc []int32, k, mask Edge, in func(int32) bool, budget *int) []step {
	for _, u := range scc {
		for _, a := range g.out[u] {
			if a.kinds&k == 0 || !in(a.to) {
				continue
			}
			if *budget <= 0 {
				return nil
			}
			if p := g.path(a.to, u, mask, in, budget); p != nil {
				return append([]step{{from: u, kind: k}}, p...)
			}
		}
	}
	return nil
}

func (c *collector) cycle(name string, cyc []step, why explainer) Found {
	f := Found{Name: name}
	var parts []string
	for i, s := range cyc {
		to := cyc[(i+1)%len(cyc)].from
		t := &c.h.Txns[s.from]
		f.Cycle = append(f.Cycle, WitnessStep{WitnessTxn: witnessTxn(t), Edge: s.kind.String(), Why: why(int(s.from), int(to), s.kind)})
		parts = append(parts, fmt.Sprintf("%s -%s->", name1(t), s.kind))
	}
	parts = append(parts, name1(&c.h.Txns[cyc[0].from]))
	f.Explanation = fmt.Sprintf("%s: a cycle of %d transactions: %s", describe(name), len(cyc), strings.Join(parts, " "))
	return f
}

func name1(t *Txn) string { return fmt.Sprintf("c%d@%d", t.Client, t.InvokeStep) }

func describe(name string) string {
	base, rt := strings.CutSuffix(name, realtime)
	d := map[string]string{
		G0:      "G0 (write cycle)",
		G1c:     "G1c (circular information flow)",
		GSingle: "G-single (read skew: exactly one anti-dependency)",
		G2:      "G2 (anti-dependency cycle: two or more rw edges)",
	}[base]
	if rt {
		d += ", through real-time order"
	}
	return d
}

// realTime adds an rt edge from each transaction to those invoked after it
// completed, transitively reduced: a transaction gets edges only from the
// frontier of completed transactions not already ordered before another
// completed one. The frontier holds at most about one transaction per
// client, so this is linear in the history for a fixed number of clients.
func realTime(g *graph, h *History, nodes []int32) {
	type event struct {
		pos    int
		txn    int32
		invoke bool
	}
	events := make([]event, 0, 2*len(nodes))
	for _, i := range nodes {
		t := &h.Txns[i]
		events = append(events, event{t.Call, i, true})
		if t.Return != Infinity {
			events = append(events, event{t.Return, i, false})
		}
	}
	sort.Slice(events, func(a, b int) bool { return events[a].pos < events[b].pos })
	preds := map[int32][]int32{}
	frontier := map[int32]bool{}
	var order []int32 // frontier members in insertion order, for determinism
	for _, e := range events {
		if e.invoke {
			var p []int32
			for _, f := range order {
				if frontier[f] {
					g.add(int(f), int(e.txn), RT)
					p = append(p, f)
				}
			}
			preds[e.txn] = p
			continue
		}
		for _, f := range preds[e.txn] {
			delete(frontier, f)
		}
		delete(preds, e.txn)
		frontier[e.txn] = true
		// Compact the order list now and then.
		if len(order) > 4*len(frontier)+16 {
			kept := order[:0]
			for _, f := range order {
				if frontier[f] {
					kept = append(kept, f)
				}
			}
			order = kept
		}
		order = append(order, e.txn)
	}
}
