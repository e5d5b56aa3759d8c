package eval

import (
	"testing"
)

// TestLTLf checks the evaluator against the semantics of LTL on finite
// traces (De Giacomo and Vardi, "Linear Temporal Logic and Linear Dynamic
// Logic on Finite Traces", IJCAI 2013, section 2): X is the strong next
// (false at the last position), WX the weak next (true there), and the
// eventualities must be met within the trace. Bounded operators quantify
// over the positions whose simulated time is within the bound of the
// current one (metric temporal logic, point-based, on finite traces).
// step is where the verdict was settled, -1 when only the end settled it.
func TestLTLf(t *testing.T) {
	cases := []struct {
		f, trace string
		valid    bool
		step     int64
	}{
		{"$p", "p", true, 0},
		{"$p", "_; p", false, 0},
		{"X $p", "p", false, -1},
		{"X $p", "_; p", true, 1},
		{"WX $p", "p", true, -1},
		{"WX $p", "_; _", false, 1},
		{"X true", "_", false, -1},
		{"WX false", "_", true, -1},
		{"X X $p", "_; _", false, -1},
		{"!X $p", "p", true, -1}, // ¬X p ≡ WX ¬p
		{"!WX $p", "p", false, -1},
		{"[] $p", "p; p; p", true, -1},
		{"[] $p", "p; _; p", false, 1},
		{"<> $p", "_; _; p", true, 2},
		{"<> $p", "_; _", false, -1},
		{"$p U $q", "p; p; q", true, 2},
		{"$p U $q", "p; p; p", false, -1},
		{"$p U $q", "p; _; q", false, 1},
		{"$p U $q", "q", true, 0},
		{"$p W $q", "p; p; p", true, -1},
		{"$p W $q", "p; _; q", false, 1},
		{"$p R $q", "q; q; p q", true, 2},
		{"$p R $q", "q; q; q", true, -1},
		{"$p R $q", "q; _", false, 1},
		{"[] <> $p", "p; _; p", true, -1}, // on finite traces: p at the last position
		{"[] <> $p", "p; _", false, -1},
		{"<> [] $p", "_; p; p", true, -1},
		{"<> [] $p", "p; _", false, -1},
		{"[] ($p -> X $q)", "p; q", true, -1},
		{"[] ($p -> X $q)", "q; p", false, -1},
		{"[] ($p -> WX $q)", "q; p", true, -1},
		{"[] ($p -> <> $q)", "p; _; q; p; q", true, -1},
		{"[] ($p -> <> $q)", "p; q; p", false, -1},
		{"<>[<=10ms] $p", "_@0; p@10ms", true, 1},
		{"<>[<=10ms] $p", "_@0; p@11ms", false, 1},
		{"<>[<10ms] $p", "_@0; p@10ms", false, 1},
		{"<>[<=10ms] $p", "_@0; _@3ms", false, -1}, // the run ended before the deadline: unmet
		{"[][<=10ms] $p", "p@0; p@10ms; _@11ms", true, 2},
		{"[][<=10ms] $p", "p@0; _@10ms", false, 1},
		{"[][<10ms] $p", "p@0; _@10ms", true, 1},
		{"[] ($p -> <>[<=5ms] $q)", "p@0; _@1ms; q@5ms; p@6ms; q@7ms", true, -1},
		{"[] ($p -> <>[<=5ms] $q)", "p@0; q@1ms; p@4ms; _@9ms; q@10ms", false, 4},
		{"[] ($p -> [][<=2ms] $r)", "p r@0; r@2ms; _@3ms", true, -1},
		{"[] ($p -> [][<=2ms] $r)", "p r@0; _@2ms", false, 1},
		{"<> $p && [] !$q", "_; p", true, -1},
		{"<> $p && [] !$q", "_; q; p", false, 1},
		{"$p <-> X $q", "p; q", true, 1},
		{"$p <-> X $q", "_; q", false, 1},
		{"$v == 1 U $v == 2", "v=1; v=1; v=2", true, 2},
		{"[] ($v < 2) -> false", "v=0; v=1", false, -1},
		{"[] (step == 0 -> at == 0) && <> (step == 2 && at == 7ms)", "_@0; _@3ms; _@7ms", true, -1},
		{"forall i in 0..2: <> ($v == i)", "v=2; v=0; v=1", true, 2},
		{"exists i in [5, 7]: [] ($v != i)", "v=5; v=7", false, 1},
		{"forall n: [] (state[n].v >= 0)", "v=1; v=2", true, -1},
		{"[] (prev.n.v == null || state.n.v == prev.n.v + 1)", "v=1; v=2; v=3", true, -1},
		{"[] (prev.n.v == null || state.n.v == prev.n.v + 1)", "v=1; v=2; v=4", false, 2},
		{"X ($p U $q) && $r", "r; p; q", true, 2},
	}
	for _, c := range cases {
		t.Run(c.f+" on "+c.trace, func(t *testing.T) {
			vs := run(t, expand(c.f), records("r", parseTrace(t, c.trace)))
			v := vs[0]
			if v.Valid != c.valid {
				t.Fatalf("valid %v, want %v: %s", v.Valid, c.valid, v.Explanation)
			}
			step := int64(-1)
			if v.Decided {
				step = v.Step
			}
			if step != c.step {
				t.Fatalf("settled at step %d, want %d: %s", step, c.step, v.Explanation)
			}
		})
	}
}
