package solve

import (
	"github.com/go-air/gini/z"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ldfi/lineage"
)

// encoder writes one good run's requirement as clauses. Each step and
// each delivery the goals rest on gets a variable meaning "broken"; its
// clause says why it may be: ¬broken ∨ reason₁ ∨ reason₂ ∨ …, so the
// solver may only claim a goal broken by naming faults that break it.
// The lineage is acyclic (it points back in time), so this one direction
// is enough.
type encoder struct {
	p      *problem
	r      *lineage.Run
	broken map[int]z.Lit
	unsent map[int]z.Lit
}

func (e *encoder) run(r *lineage.Run) {
	e.r, e.broken, e.unsent = r, map[int]z.Lit{}, map[int]z.Lit{}
	tried, ok := e.p.lits(r.Faults)
	if !ok {
		return // no set in the space contains this run's faults
	}
	cl := make([]z.Lit, 0, len(tried)+len(r.Goals))
	for _, m := range tried {
		cl = append(cl, m.Not())
	}
	for _, g := range r.Goals {
		sel := e.p.c.Lit()
		e.p.clause(sel.Not(), e.step(g.Step))
		for _, d := range g.Alts {
			e.p.clause(sel.Not(), e.delivery(d))
		}
		if g.Node != "" {
			// A node's state is nobody's concern once it has crashed.
			for _, i := range e.p.crash[g.Node] {
				e.p.clause(sel.Not(), e.p.faults[i].lit.Not())
			}
		}
		cl = append(cl, sel)
	}
	e.p.clause(cl...)
}

// step is "step i does not happen as it did".
func (e *encoder) step(i int) z.Lit {
	if b, ok := e.broken[i]; ok {
		return b
	}
	b := e.p.c.Lit()
	e.broken[i] = b
	s := e.r.Steps[i]
	why := []z.Lit{b.Not()}
	if !s.Root && !formats.IsClientName(s.Node) {
		why = append(why, e.p.crashesUpTo(s.Node, s.At)...)
	}
	if s.Prev >= 0 {
		why = append(why, e.step(s.Prev))
	}
	switch len(s.Armers) {
	case 0:
	case 1:
		why = append(why, e.sent(s.Armers[0]))
	default:
		all := e.p.c.Lit() // none of the steps that would arm it happens
		for _, a := range s.Armers {
			e.p.clause(all.Not(), e.sent(a))
		}
		why = append(why, all)
	}
	for _, d := range s.Deps {
		why = append(why, e.step(d))
	}
	switch len(s.Trigger) {
	case 0:
	case 1:
		why = append(why, e.delivery(s.Trigger[0]))
	default:
		all := e.p.c.Lit() // every alternative is lost
		for _, d := range s.Trigger {
			e.p.clause(all.Not(), e.delivery(d))
		}
		why = append(why, all)
	}
	e.p.clause(why...)
	return b
}

// sent is "step i does not send (or arm timers) as it did": the step is
// broken, or a delivery its sends rest on (SendDeps) is.
func (e *encoder) sent(i int) z.Lit {
	s := e.r.Steps[i]
	if len(s.SendDeps) == 0 {
		return e.step(i)
	}
	if b, ok := e.unsent[i]; ok {
		return b
	}
	b := e.p.c.Lit()
	e.unsent[i] = b
	why := []z.Lit{b.Not(), e.step(i)}
	for _, d := range s.SendDeps {
		why = append(why, e.step(d))
	}
	e.p.clause(why...)
	return b
}

// delivery is "message d does not arrive".
func (e *encoder) delivery(d lineage.Delivery) z.Lit {
	v := e.p.c.Lit()
	why := []z.Lit{v.Not()}
	if i, ok := e.p.byKey[key{kind: formats.FaultOmission, a: d.From, b: d.To, at: d.SentAt}]; ok {
		why = append(why, e.p.faults[i].lit)
	}
	if !formats.IsClientName(d.To) {
		why = append(why, e.p.crashesUpTo(d.To, d.At)...)
	}
	if d.Send >= 0 {
		why = append(why, e.sent(d.Send))
	}
	e.p.clause(why...)
	return v
}
