// Package formula is the language of ltl: linear temporal logic over the
// steps of a detsys run, read by Parse and printed back by String.
//
// A formula is evaluated at each step of a run, where it sees the global
// state after the step and the event that led to it:
//
//	state.NODE.field     the node's state after the step (gjson-style path)
//	prev.NODE.field      the node's state before the step
//	event.type, event.from, event.to, event.body.type, event.node, event.timer, ...
//	                     the step's own trace record
//	at, step             simulated time (ns) and the step counter
//	crashed, nodes       the nodes down after the step; every node of the run
//
// Paths follow gjson: state.n1.log.0 is an index, state.n1.log.# the
// length of an array, state.n1.log.#.id the id of every element;
// state[n] and x[i] take a computed key or index; state."odd-name" quotes
// a key. A path that leads nowhere is null.
//
// Values are JSON: literals (1, 2.5, "s", true, null, [1,2], {"a":1}),
// durations (10s, 500ms, 1m30s, in nanoseconds like at), + - * / %,
// len(x) (elements of an array, keys of an object, characters of a
// string). Comparisons: == != (JSON equality) < <= > >= (numbers, or
// strings) and in (element of an array, key of an object, substring).
//
// Formulas: comparisons, a value that is true, ! && || -> <->, and
// quantifiers that take everything to their right:
//
//	forall n: F            over the run's nodes
//	exists i in 0..3: F    over integers, both ends included
//	forall x in VALUE: F   over the elements of an array
//
// Temporal operators, on finite traces (LTLf): [] F (always), <> F
// (eventually), X F (strong next: there is a next step and F holds there),
// WX F (weak next: true at the last step), F U G (until), F W G (weak
// until: or F holds to the end), F R G (release), and bounded forms
// <>[<=10s] F and [][<=10s] F over the steps whose simulated time is
// within 10s of the current one ([<10s] for strictly less).
//
// Precedence, loosest first: quantifiers; -> and <-> (right
// associative); ||; &&; U, W, R (right associative); the prefix
// operators ! [] <> X WX; comparisons; + -; * / %; unary -. So
// "[] (p -> <> q)" needs its parentheses, and "[] p -> q" is "([] p) -> q".
// '#' starts a comment to the end of the line.
package formula
