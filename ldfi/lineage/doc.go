// Package lineage reads detsys traces as LDFI needs them (Alvaro et al.,
// SIGMOD'15, §4.1, "lineage"): per run, its faults and verdicts, the goals
// the oracle cares about (client replies, nodes' final states, or records
// chosen with a Goal), and for every step what it rests on — the message
// that triggered it and the step that sent it, later deliveries of the
// same message as alternatives, the step that armed a timer, the node's
// previous state change and the deliveries since. The nodes are opaque:
// the lineage is read off the trace (the "sends" of each step, their
// message ids, and the states), not off the program, so it errs on the
// side of more dependencies than the program has (see Reader.FieldDeps
// for the one switch that trades that safety for precision).
//
//	r := lineage.NewReader([]lineage.Goal{{Kind: lineage.GoalState, Path: "log"}})
//	_ = r.Read(traceFile, "run.ndjson")
//	runs, _ := r.Runs() // then solve.Next(runs, spec, 1, nil)
package lineage
