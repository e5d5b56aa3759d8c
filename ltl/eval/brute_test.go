package eval

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/detsys/detsys/ltl/formula"
)

// brute is the LTLf semantics written down directly, position by
// position, with no progression, memo or normal form: sat(φ, i) on the
// trace tr. Atoms are the test shorthand's paths, read from tr itself.
func brute(e formula.Expr, tr []tpos, i int) bool { return bruteEnv(e, tr, i, map[string]float64{}) }

// bruteEnv is brute with the values of the quantified variables.
func bruteEnv(e formula.Expr, tr []tpos, i int, env map[string]float64) bool {
	brute := func(e formula.Expr, tr []tpos, i int) bool { return bruteEnv(e, tr, i, env) }
	n := len(tr)
	inBound := func(b *formula.Bound, j int) bool {
		if b == nil {
			return true
		}
		d := tr[j].at - tr[i].at
		if b.Strict {
			return d < int64(b.D)
		}
		return d <= int64(b.D)
	}
	switch e := e.(type) {
	case *formula.Lit:
		return e.Raw == "true"
	case *formula.Path: // state.n.p, state.n.q, state.n.r
		switch e.Segs[1].Key {
		case "p":
			return tr[i].p
		case "q":
			return tr[i].q
		case "r":
			return tr[i].r
		}
	case *formula.Binary:
		switch e.Op {
		case formula.Eq: // state.n.v == N, or a variable
			return float64(tr[i].v) == litNum(e.Y, env)
		case formula.Lt:
			return float64(tr[i].v) < litNum(e.Y, env)
		case formula.And:
			return brute(e.X, tr, i) && brute(e.Y, tr, i)
		case formula.Or:
			return brute(e.X, tr, i) || brute(e.Y, tr, i)
		case formula.Implies:
			return !brute(e.X, tr, i) || brute(e.Y, tr, i)
		case formula.Iff:
			return brute(e.X, tr, i) == brute(e.Y, tr, i)
		case formula.Until, formula.WeakUntil:
			for j := i; j < n; j++ {
				if brute(e.Y, tr, j) {
					return true
				}
				if !brute(e.X, tr, j) {
					return false
				}
			}
			return e.Op == formula.WeakUntil
		case formula.Release: // for all j: g at j, or f at some k < j
			for j := i; j < n; j++ {
				if !brute(e.Y, tr, j) {
					return false
				}
				if brute(e.X, tr, j) {
					return true
				}
			}
			return true
		}
	case *formula.Quant: // forall/exists VAR in 0..2
		for v := 0.0; v <= 2; v++ {
			inner := map[string]float64{e.Var: v}
			for k, x := range env {
				if k != e.Var {
					inner[k] = x
				}
			}
			if bruteEnv(e.Body, tr, i, inner) != e.All {
				return !e.All
			}
		}
		return e.All
	case *formula.Unary:
		switch e.Op {
		case formula.Not:
			return !brute(e.X, tr, i)
		case formula.Next:
			return i+1 < n && brute(e.X, tr, i+1)
		case formula.WeakNext:
			return i+1 >= n || brute(e.X, tr, i+1)
		case formula.Always:
			for j := i; j < n; j++ {
				if inBound(e.Bound, j) && !brute(e.X, tr, j) {
					return false
				}
			}
			return true
		case formula.Eventually:
			for j := i; j < n; j++ {
				if inBound(e.Bound, j) && brute(e.X, tr, j) {
					return true
				}
			}
			return false
		}
	}
	panic("brute: cannot evaluate " + formula.String(e))
}

func litNum(e formula.Expr, env map[string]float64) float64 {
	if p, ok := e.(*formula.Path); ok {
		return env[p.Root]
	}
	l := e.(*formula.Lit)
	switch l.Raw {
	case "0":
		return 0
	case "1":
		return 1
	}
	return 2
}

// randFormula makes a random formula of the given depth over the test
// atoms, with quantifiers over 0..2 whose variables the atoms compare
// state.n.v with.
func randFormula(r *rand.Rand, depth int) formula.Expr { return randFormulaIn(r, depth, nil) }

func randFormulaIn(r *rand.Rand, depth int, vars []string) formula.Expr {
	if depth == 0 || r.IntN(5) == 0 {
		switch r.IntN(7) {
		case 0:
			return &formula.Lit{Raw: []string{"true", "false"}[r.IntN(2)]}
		case 1:
			return &formula.Binary{Op: []formula.Op{formula.Eq, formula.Lt}[r.IntN(2)],
				X: &formula.Path{Root: "state", Segs: []formula.Seg{{Key: "n"}, {Key: "v"}}},
				Y: &formula.Lit{Raw: []string{"0", "1", "2"}[r.IntN(3)]}}
		case 2, 3:
			if len(vars) > 0 {
				return &formula.Binary{Op: []formula.Op{formula.Eq, formula.Lt}[r.IntN(2)],
					X: &formula.Path{Root: "state", Segs: []formula.Seg{{Key: "n"}, {Key: "v"}}},
					Y: &formula.Path{Root: vars[r.IntN(len(vars))]}}
			}
		}
		return &formula.Path{Root: "state", Segs: []formula.Seg{{Key: "n"}, {Key: []string{"p", "q", "r"}[r.IntN(3)]}}}
	}
	sub := func() formula.Expr { return randFormulaIn(r, depth-1, vars) }
	switch k := r.IntN(16); {
	case k >= 14:
		v := []string{"i", "j"}[r.IntN(2)]
		body := randFormulaIn(r, depth-1, append(vars[:len(vars):len(vars)], v))
		if r.IntN(2) == 0 { // the shape that is hoisted: forall i: [] f, exists i: <> f
			op := formula.Always
			if k == 15 {
				op = formula.Eventually
			}
			body = &formula.Unary{Op: op, X: randFormulaIn(r, 0, append(vars[:len(vars):len(vars)], v))}
		}
		return &formula.Quant{All: k == 14, Var: v, Lo: &formula.Lit{Raw: "0"}, Hi: &formula.Lit{Raw: "2"}, Body: body}
	case k < 5:
		ops := []formula.Op{formula.Not, formula.Next, formula.WeakNext, formula.Always, formula.Eventually}
		u := &formula.Unary{Op: ops[k], X: sub()}
		if (u.Op == formula.Always || u.Op == formula.Eventually) && r.IntN(2) == 0 {
			u.Bound = &formula.Bound{Strict: r.IntN(2) == 0, D: time.Duration(r.IntN(4)) * 2 * time.Millisecond}
		}
		return u
	default:
		ops := []formula.Op{formula.And, formula.Or, formula.Implies, formula.Iff, formula.Until, formula.WeakUntil, formula.Release, formula.And, formula.Until}
		return &formula.Binary{Op: ops[k-5], X: sub(), Y: sub()}
	}
}

func randTrace(r *rand.Rand) []tpos {
	n := 1 + r.IntN(7)
	var at int64
	tr := make([]tpos, n)
	for i := range tr {
		at += int64(r.IntN(3)) * 2 * int64(time.Millisecond)
		tr[i] = tpos{p: r.IntN(2) == 0, q: r.IntN(2) == 0, r: r.IntN(3) == 0, v: r.IntN(3), at: at}
	}
	return tr
}

// TestAgainstBruteForce cross-checks the monitor with the direct
// semantics on random formulas and traces (seeded, so that a failure
// replays). A verdict settled at step s must also be the verdict of the
// trace cut after s: progression may only settle what the prefix decides.
func TestAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 20000; iter++ {
		e := randFormula(r, 1+r.IntN(4))
		src := formula.String(e)
		parsed, err := formula.Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		tr := randTrace(r)
		want := brute(parsed, tr, 0)
		v := run(t, src, records("r", tr))[0]
		if v.Valid != want {
			t.Fatalf("iteration %d: %s on %+v: monitor says %v (%s), brute force %v", iter, src, tr, v.Valid, v.Explanation, want)
		}
		if v.Decided {
			cut := tr[:v.Step+1]
			if got := brute(parsed, cut, 0); got != want {
				t.Fatalf("iteration %d: %s on %+v: settled at step %d, but the trace cut there gives %v", iter, src, tr, v.Step, got)
			}
		}
	}
}
