// Package html writes one run of the system under test as a single
// self-contained web page: a time-travelling debugger for the browser, to
// keep as a CI artifact and open when a run went wrong.
//
//	cat run.ndjson verdicts.ndjson | debug --html run.html
//
// The page has the sequence diagram of the run (one lane per client and
// node, an arrow per message, drops, crashes and timers marked), a slider
// and the terminal debugger's keys (j/k, g/G, 1–9, f, /, n/N, :STEP, ?),
// the chosen node's state with what the step changed highlighted, the
// client history drawn the way Porcupine draws it (a bar per operation
// from invoke to completion, per client), and, when a failing verdict
// about the run follows the trace, the operations and steps its witness
// names.
//
// Everything is inside the file: the CSS and script (embedded here), and
// the trace itself, one record per line in <script type="text/plain">
// elements of at most 32 MB, every '<' escaped, so that the browser parses
// a step's record only when it is shown; then a table of integers per step
// (kind, lanes, where its message was sent) that is all the diagram needs,
// the client history's operations and the verdicts. The page is written as
// the trace is read, in memory that follows the number of steps. Only the
// rows around the current step are drawn, so a trace of a million steps
// opens in a few seconds. The same input gives the same bytes.
//
// Witnesses are read by convention rather than by checker: an object with
// an "invoke_step" is an operation of the history (under "failed", the one
// that could not be placed), a number named "step" or "…_step" is a step.
// check's linearizability, Elle and set witnesses and ltl's follow it.
package html
