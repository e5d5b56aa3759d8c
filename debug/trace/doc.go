// Package trace opens a detsys run trace for the debugger: one pass over
// the file builds an index of where each step's record starts and a few
// summary fields (time, step, type, node, from → to, the message it
// consumed and the step that sent it); the full record of a step is decoded
// only when it is shown. A 1,000,000-step trace (650 MB) opens in well
// under a second (0.6 s of CPU, split over the cores) because the pass
// reads each record only up to its node state, which sched writes after
// every field the index needs, and because the file is indexed in parts,
// one per core, merged in file order (chunks.go).
//
//	tr, err := trace.Open("run.ndjson")
//	i := tr.Find(45)              // the step numbered 45
//	rec, err := tr.Record(i)      // its full record
//	send := tr.Sender(i)          // the step that sent the message it delivered
//	st, prev := tr.StateAt(tr.Lane("register1"), i)
//
// The file is mapped into memory (read on other systems); input from a
// pipe is spooled to a temporary file first, so that a step's record is
// always one slice of the mapping away.
package trace
