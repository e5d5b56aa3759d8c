// Package solve turns the lineage of the runs so far into the next fault
// sets to try, smallest first, with the gini SAT solver — the backward
// step of lineage-driven fault injection (Alvaro et al., SIGMOD'15, §4).
//
// One Boolean variable per admissible fault (an omission of the messages
// from→to sent at one time, or a crash of a node at one time). For each
// good run R with fault set F_R, and each goal of R (a client's reply, a
// node's final state), the lineage says which deliveries, timers and
// earlier steps the goal rests on. The requirement R adds is
//
//	F ⊇ F_R  ⇒  some goal g of R is broken by F
//
// where "broken" is the lineage read as an and/or graph (Tseitin-coded
// with one variable per step): a step is broken if a crash of its node
// before it, a broken step it depends on, or — for a delivery — the loss
// of the message and of every alternative delivery of the same body is
// forced by F. For R's faults themselves (F = F_R, the run we saw) no goal
// is broken, so a set already tried is never suggested again; sets tried
// by runs that failed, or whose verdict is unknown, are blocked as they
// are. Crashes are bounded by a cardinality constraint (an Eén–Sörensson
// sorting network, logic.CardSort): at most one crash time per node and at
// most Spec.Crashes nodes.
//
// Minimal sets come in order of size: assume "at most k faults" for k = 0,
// 1, …; each model found is blocked together with all its supersets (the
// clause "not all of these"), so every model at level k is subset-minimal.
// All models of a level are collected and sorted before any is returned,
// so the answer does not depend on the order in which the solver finds
// them.
package solve

import (
	"maps"
	"slices"
	"sort"

	"github.com/go-air/gini"
	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ldfi/lineage"
	"github.com/detsys/detsys/ldfi/spec"
)

// Result is the answer to one question: the next fault sets to try.
type Result struct {
	Suggestions [][]formats.Fault // minimal fault sets, smallest first
	// Level is the size of the smallest set not ruled out: every fault set
	// of fewer faults has been tried or is ruled out by the lineage. When
	// nothing is left (Certified) it is one more than the largest size
	// searched.
	Level     int
	Certified bool // no fault set in the spec is left to try
	Faults    int  // admissible faults that touch some run's lineage
	Runs      int  // runs read
	Good      int  // of which good
	// Truncated is set when a level had more than MaxPerLevel minimal sets:
	// the suggestions are the first found, not the first in order.
	Truncated bool
}

// MaxPerLevel bounds the minimal sets collected at one size.
const MaxPerLevel = 20000

// Progress, if set, is told each level searched and the sets found there.
type Progress func(level, found int)

// Next returns up to next minimal fault sets, in order of size, that the
// runs so far have not ruled out.
func Next(runs []*lineage.Run, sp spec.Spec, next int, progress Progress) Result {
	p := newProblem(runs, sp)
	res := Result{Faults: len(p.faults), Runs: len(runs)}
	for _, r := range runs {
		if r.Good() {
			res.Good++
		}
	}
	maxK := len(p.faults)
	if sp.MaxFaults > 0 && sp.MaxFaults < maxK {
		maxK = sp.MaxFaults
	}
	for k := 0; k <= maxK && !p.unsat; k++ {
		p.fresh()
		var level [][]int
		for len(level) < MaxPerLevel {
			p.g.Assume(p.card.Leq(k))
			if p.g.Solve() != 1 {
				if len(p.g.Why(nil)) == 0 {
					// Unsatisfiable whatever the bound: no larger k helps
					// (and gini must not be asked again after this).
					p.unsat = true
				}
				break
			}
			var m []int
			for i, f := range p.faults {
				if p.g.Value(f.lit) {
					m = append(m, i)
				}
			}
			level = append(level, m)
			if len(m) == 0 {
				break // the empty set: nothing is ever smaller
			}
			block := make([]z.Lit, len(m))
			for j, i := range m {
				block[j] = p.faults[i].lit.Not()
				p.g.Add(block[j])
			}
			p.g.Add(0)
			p.cls = append(p.cls, block)

		}
		if len(level) == MaxPerLevel {
			res.Truncated = true
		}
		if progress != nil {
			progress(k, len(level))
		}
		if len(level) > 0 && len(res.Suggestions) == 0 {
			res.Level = k
		}
		p.sortLevel(level)
		for _, m := range level {
			if len(res.Suggestions) < next {
				res.Suggestions = append(res.Suggestions, p.set(m))
			}
		}
		if len(res.Suggestions) >= next || (len(level) == 1 && len(level[0]) == 0) {
			return res
		}
	}
	if len(res.Suggestions) == 0 {
		res.Certified = true
		res.Level = maxK + 1
	}
	return res
}

// Candidates are the admissible faults that touch some good run's
// lineage or were in a set already tried: the solver's variables, in
// order.
func Candidates(runs []*lineage.Run, sp spec.Spec) []formats.Fault {
	p := &problem{sp: sp, c: logic.NewC(), byKey: map[key]int{}, crash: map[string][]int{}}
	p.collect(runs)
	out := make([]formats.Fault, len(p.faults))
	for i, f := range p.faults {
		out[i] = f.f
	}
	return out
}

// fault is one admissible fault and its variable.
type fault struct {
	f   formats.Fault
	lit z.Lit
}

type key struct {
	kind, a, b string
	at         int64
}

func keyOf(f formats.Fault) key {
	if f.Kind == formats.FaultCrash {
		return key{kind: f.Kind, a: f.Node, at: f.At}
	}
	return key{kind: f.Kind, a: f.From, b: f.To, at: f.At}
}

type problem struct {
	sp     spec.Spec
	c      *logic.C
	g      *gini.Gini
	faults []fault
	byKey  map[key]int
	crash  map[string][]int // node → its crash faults, by time
	card   *logic.CardSort
	cls    [][]z.Lit // clauses, added to g once the circuit is in
	unsat  bool      // an empty clause: nothing satisfies

	crashCard *logic.CardSort // over "node crashed", when it can bind
}

func newProblem(runs []*lineage.Run, sp spec.Spec) *problem {
	p := &problem{sp: sp, c: logic.NewC(), byKey: map[key]int{}, crash: map[string][]int{}}
	p.collect(runs)

	// Crashes: one time per node, at most sp.Crashes nodes.
	var crashed []z.Lit
	for _, node := range slices.Sorted(maps.Keys(p.crash)) {
		fs := p.crash[node]
		down := p.c.Lit()
		crashed = append(crashed, down)
		for i, a := range fs {
			p.clause(p.faults[a].lit.Not(), down)
			for _, b := range fs[i+1:] {
				p.clause(p.faults[a].lit.Not(), p.faults[b].lit.Not())
			}
		}
	}
	var crashCard *logic.CardSort
	if len(crashed) > sp.Crashes {
		crashCard = p.c.CardSort(crashed)
	}
	lits := make([]z.Lit, len(p.faults))
	for i, f := range p.faults {
		lits[i] = f.lit
	}
	p.card = p.c.CardSort(lits)

	enc := &encoder{p: p}
	for _, r := range runs {
		if r.Good() {
			enc.run(r)
		}
		p.blockExactly(r.Faults)
	}

	p.crashCard = crashCard
	return p
}

// fresh loads the problem into a new solver. gini v1.0.4 can answer a
// Solve that follows an unsatisfiable one (under other assumptions) with
// a model that violates a clause ("internal error in solve: sat model"),
// so each level starts afresh; within a level, models are blocked
// incrementally.
func (p *problem) fresh() {
	p.g = gini.New()
	p.c.ToCnf(p.g)
	if p.crashCard != nil {
		p.g.Add(p.crashCard.Leq(p.sp.Crashes))
		p.g.Add(0)
	}
	for _, cl := range p.cls {
		for _, m := range cl {
			p.g.Add(m)
		}
		p.g.Add(0)
	}
}

// clause adds a clause, without repeated literals (gini does not take
// them), and drops it if it holds anyway (x ∨ ¬x).
func (p *problem) clause(ms ...z.Lit) {
	out := make([]z.Lit, 0, len(ms))
	for _, m := range ms {
		if slices.Contains(out, m.Not()) {
			return
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		p.unsat = true // gini does not take the empty clause
		return
	}
	p.cls = append(p.cls, out)
}

// collect gathers the admissible faults that touch some good run's
// lineage, and those of the sets already tried, in a fixed order.
func (p *problem) collect(runs []*lineage.Run) {
	var all []formats.Fault
	seen := map[key]bool{}
	add := func(f formats.Fault) {
		if k := keyOf(f); p.sp.Admissible(f) && !seen[k] {
			seen[k] = true
			all = append(all, f)
		}
	}
	for _, r := range runs {
		for _, f := range r.Faults {
			add(f)
		}
		if !r.Good() {
			continue
		}
		delivery := func(d lineage.Delivery) {
			add(formats.Fault{Kind: formats.FaultOmission, From: d.From, To: d.To, At: d.SentAt})
			if !formats.IsClientName(d.To) {
				add(formats.Fault{Kind: formats.FaultCrash, Node: d.To, At: d.At})
			}
		}
		for _, g := range r.Goals {
			for _, d := range g.Alts {
				delivery(d)
			}
		}
		walk(r, func(s lineage.Step) {
			if !s.Root && !formats.IsClientName(s.Node) {
				add(formats.Fault{Kind: formats.FaultCrash, Node: s.Node, At: s.At})
			}
			for _, d := range s.Trigger {
				delivery(d)
			}
		})
	}
	sortFaults(all)
	for i, f := range all {
		p.faults = append(p.faults, fault{f: f, lit: p.c.Lit()})
		p.byKey[keyOf(f)] = i
		if f.Kind == formats.FaultCrash {
			p.crash[f.Node] = append(p.crash[f.Node], i)
		}
	}
}

// walk calls fn on every step of r reachable from its goals, once.
func walk(r *lineage.Run, fn func(lineage.Step)) {
	seen := make([]bool, len(r.Steps))
	var stack []int
	push := func(i int) {
		if i >= 0 && !seen[i] {
			seen[i] = true
			stack = append(stack, i)
		}
	}
	for _, g := range r.Goals {
		push(g.Step)
		for _, d := range g.Alts {
			push(d.Send)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		s := r.Steps[i]
		fn(s)
		push(s.Prev)
		for _, a := range s.Armers {
			push(a)
		}
		for _, d := range s.Deps {
			push(d)
		}
		for _, d := range s.SendDeps {
			push(d)
		}
		for _, d := range s.Trigger {
			push(d.Send)
		}
	}
}

// lits maps a fault set to variables; ok is false if some fault is not
// in the space (then no set the solver builds can equal or contain it).
func (p *problem) lits(fs []formats.Fault) ([]z.Lit, bool) {
	var out []z.Lit
	for _, f := range fs {
		i, ok := p.byKey[keyOf(f)]
		if !ok {
			return nil, false
		}
		if !slices.Contains(out, p.faults[i].lit) {
			out = append(out, p.faults[i].lit)
		}
	}
	return out, true
}

// blockExactly excludes one fault set, and only it.
func (p *problem) blockExactly(fs []formats.Fault) {
	in, ok := p.lits(fs)
	if !ok {
		return
	}
	cl := make([]z.Lit, 0, len(p.faults))
	for _, f := range p.faults {
		if slices.Contains(in, f.lit) {
			cl = append(cl, f.lit.Not())
		} else {
			cl = append(cl, f.lit)
		}
	}
	p.clause(cl...)
}

// crashesUpTo are the crash variables of node at times ≤ at.
func (p *problem) crashesUpTo(node string, at int64) []z.Lit {
	var out []z.Lit
	for _, i := range p.crash[node] {
		if p.faults[i].f.At <= at {
			out = append(out, p.faults[i].lit)
		}
	}
	return out
}

func (p *problem) set(m []int) []formats.Fault {
	out := make([]formats.Fault, len(m))
	for i, j := range m {
		out[i] = p.faults[j].f
	}
	return out
}

// sortLevel orders the minimal sets of one size. Sets with a crash come
// first, the one whose first fault is latest first: a late crash leaves
// the other nodes half way through the protocol, where an early one stops
// it before anything happened. Then the sets of omissions only, earliest
// first: an early loss has the most of the run left to go wrong after it.
// Ties go by the faults in order. (Measured: latest first throughout finds
// 2pc, 2pc-ctp and 3pc's bugs in 2, 2 and 32 runs, earliest first
// throughout in 3, 3 and 113; the register example's frontend2, omissions
// only, in 122 runs latest first and 58 this way, which finds 3pc's in 29.)
func (p *problem) sortLevel(level [][]int) {
	crash := func(m []int) bool {
		return slices.ContainsFunc(m, func(i int) bool { return p.faults[i].f.Kind == formats.FaultCrash })
	}
	first := func(m []int) int64 {
		if len(m) == 0 {
			return 0
		}
		return p.faults[m[0]].f.At
	}
	sort.SliceStable(level, func(i, j int) bool {
		a, b := level[i], level[j]
		ca, cb := crash(a), crash(b)
		switch {
		case ca != cb:
			return ca
		case ca:
			if fa, fb := first(a), first(b); fa != fb {
				return fa > fb
			}
		}
		return slices.Compare(a, b) < 0
	})
}

// sortFaults puts faults in the order they are suggested in: by time,
// crashes before omissions, then by names.
func sortFaults(fs []formats.Fault) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := keyOf(fs[i]), keyOf(fs[j])
		if a.at != b.at {
			return a.at < b.at
		}
		if a.kind != b.kind {
			return a.kind == formats.FaultCrash
		}
		if a.a != b.a {
			return a.a < b.a
		}
		return a.b < b.b
	})
}
