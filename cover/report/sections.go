package report

import (
	"cmp"
	"maps"
	"slices"
	"sort"

	"github.com/detsys/detsys/formats"
)

// Sections returns one record per section, in order: runs, messages,
// faults, states, ops. Every list is sorted, so the same input gives the
// same records.
func (r *Report) Sections() []any {
	return []any{r.Runs(), r.Messages(), r.Faults(), r.States(), r.Ops()}
}

// Runs counts what was read.
func (r *Report) Runs() formats.CoverRuns {
	return formats.CoverRuns{Type: formats.TypeCover, Section: formats.SectionRuns,
		Runs: len(r.runs), Tests: len(r.tests), Seeds: len(r.seeds), Steps: r.steps}
}

// Messages lists every message kind, sorted by sender, receiver and type,
// and the kinds never delivered and never dropped.
func (r *Report) Messages() formats.CoverMessages {
	s := formats.CoverMessages{Type: formats.TypeCover, Section: formats.SectionMessages,
		Messages: []formats.MessageCount{}, NeverDelivered: []formats.MessageKind{}, NeverDropped: []formats.MessageKind{}}
	for _, m := range r.msgs {
		s.Messages = append(s.Messages, *m)
	}
	slices.SortFunc(s.Messages, func(a, b formats.MessageCount) int { return kindCmp(a.MessageKind, b.MessageKind) })
	for _, m := range s.Messages {
		if m.Delivered == 0 {
			s.NeverDelivered = append(s.NeverDelivered, m.MessageKind)
		}
		if m.Dropped == 0 {
			s.NeverDropped = append(s.NeverDropped, m.MessageKind)
		}
	}
	return s
}

func kindCmp(a, b formats.MessageKind) int {
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.BodyType, b.BodyType))
}

// Faults lists the fault kinds of the fault sets, the fault events of the
// traces, the distinct fault sets (most runs first), and what happened to
// each node (every node of the run records, faults or not), and how much
// of an LDFI fault space is covered when the input has ldfi's records.
func (r *Report) Faults() formats.CoverFaults {
	s := formats.CoverFaults{Type: formats.TypeCover, Section: formats.SectionFaults,
		Kinds: []formats.FaultKindCount{}, Events: []formats.FaultEventCount{}, Sets: []formats.FaultSetCount{},
		Nodes: []formats.NodeFaults{}, DistinctSets: len(r.sets)}
	for _, k := range slices.Sorted(maps.Keys(r.kinds)) {
		s.Kinds = append(s.Kinds, *r.kinds[k])
	}
	for _, k := range slices.Sorted(maps.Keys(r.events)) {
		s.Events = append(s.Events, *r.events[k])
	}
	keys := slices.Sorted(maps.Keys(r.sets))
	sort.SliceStable(keys, func(i, j int) bool { return r.sets[keys[i]].runs > r.sets[keys[j]].runs })
	for _, k := range keys {
		s.Sets = append(s.Sets, formats.FaultSetCount{Faults: r.sets[k].raw, Runs: r.sets[k].runs})
	}
	names := map[string]bool{}
	for n := range r.known {
		names[n] = true
	}
	for n := range r.nodes {
		names[n] = true
	}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		nf := formats.NodeFaults{Node: n}
		if x := r.nodes[n]; x != nil {
			nf = *x
		}
		s.Nodes = append(s.Nodes, nf)
	}
	s.Space = r.space
	return s
}

// States lists the distinct states per node and the growth curve: after
// each run (in input order), the distinct states found so far, in all and
// per node.
func (r *Report) States() formats.CoverStates {
	s := formats.CoverStates{Type: formats.TypeCover, Section: formats.SectionStates,
		Nodes: []formats.NodeStates{}, Curve: []formats.GrowthPoint{}}
	for _, n := range slices.Sorted(maps.Keys(r.states)) {
		ns := r.states[n]
		curve := make([]int, len(r.runs))
		total := 0
		for i, ru := range r.runs {
			total += ru.newBy[n]
			curve[i] = total
		}
		s.Nodes = append(s.Nodes, formats.NodeStates{Node: n, Distinct: len(ns.seen), Records: ns.records, Curve: curve})
		s.Distinct += len(ns.seen)
	}
	total := 0
	for _, ru := range r.runs {
		total += ru.newSt
		s.Curve = append(s.Curve, formats.GrowthPoint{Run: ru.id, New: ru.newSt, Distinct: total})
		if ru.newSt == 0 {
			s.FlatRuns++
		} else {
			s.FlatRuns = 0
		}
	}
	return s
}

// Ops lists client operation outcomes per operation type.
func (r *Report) Ops() formats.CoverOps {
	s := formats.CoverOps{Type: formats.TypeCover, Section: formats.SectionOps, Ops: []formats.OpCount{}}
	for _, k := range slices.Sorted(maps.Keys(r.ops)) {
		s.Ops = append(s.Ops, *r.ops[k])
	}
	return s
}
