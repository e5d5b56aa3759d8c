// Package eval evaluates ltl formulas on detsys runs in one pass over
// their records.
//
//	c := eval.NewChecker([]eval.Formula{{Src: src, Origin: "formula", Expr: formula.MustParse(src)}})
//	err := c.Read(traceFile, "run.ndjson") // any number of inputs, runs grouped by "run"
//	for _, v := range c.Verdicts() { … v.Valid, v.Explanation, v.Atoms … }
//
// # How
//
// A formula is compiled per run (quantifiers over the run's nodes, or
// over constant ranges, are expanded then) into negation normal form over
// atoms, the maximal subformulas without temporal operators, which are
// evaluated on one step by gjson paths into the states and the record.
// The monitor then works by formula progression (Bacchus and Kabanza,
// "Using temporal logics to express search control knowledge for
// planning", 2000), on finite traces: after each step it keeps the
// residual, a positive Boolean combination of obligations on the next
// step, strong (X: a next step must exist) or weak (WX). At the end of the
// run strong obligations fail and weak ones hold, which is the LTLf
// semantics of De Giacomo and Vardi (IJCAI 2013): X false at the last
// step, WX true there, and every eventuality met within the trace.
// Bounded operators <>[<=d] and [][<=d] become, at the step where they
// are evaluated, absolute deadlines in simulated time.
//
// Formulas are hash-consed (one node per distinct formula), progression
// is memoized per step, conjunctions and disjunctions are flattened and
// deduplicated, and deadlines on the same formula are merged (in a
// conjunction "<> f by T1" and "<> f by T2" is "<> f by the earlier"):
// so [] p keeps a residual of one node for the whole run, [] (p -> <> q)
// one obligation however many p steps are open, and the interner is
// collected when deadlines come and go. Work per step is linear in the
// size of the residual, at most the formula's size times the open
// deadlines on distinct formulas.
//
// The verdict is settled as soon as the residual is true or false (the
// Checker then skips the rest of that run), otherwise at the end. A
// failing verdict's reason is recomputed from the residual the deciding
// step progressed: the atoms looked at, the literals that went against
// the formula, the deadlines that passed; at the end, the strong
// obligations still open. TestAgainstBruteForce checks all this against
// the semantics written down directly.
package eval
