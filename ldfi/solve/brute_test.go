package solve

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ldfi/lineage"
	"github.com/detsys/detsys/ldfi/spec"
)

// The solver against brute force on small random lineages: every subset
// of the candidate faults is checked against the lineage semantics
// (written here directly, not as clauses), and the subset-minimal sets
// that satisfy every requirement must be exactly what Next returns, in
// order of size.
func TestNextAgainstBruteForce(t *testing.T) {
	checked, total := 0, 0
	defer func() {
		t.Logf("%d instances, %d minimal sets", checked, total)
		if checked < 200 || total < 150 {
			t.Errorf("too few instances (%d) or minimal sets (%d) to mean anything", checked, total)
		}
	}()
	for seed := uint64(1); seed <= 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 0))
		runs := randomRuns(rng)
		sp := spec.Spec{EOT: int64(rng.IntN(5) + 1), EFF: int64(rng.IntN(5) + 1), Round: 1, Crashes: rng.IntN(3)}
		if rng.IntN(3) == 0 {
			sp.MaxFaults = rng.IntN(3) + 1
		}
		cands := Candidates(runs, sp)
		if len(cands) > 14 {
			continue
		}
		want := bruteMinimal(runs, sp, cands)
		res := Next(runs, sp, 1<<20, nil)
		checked++
		total += len(want)
		got := make([]string, len(res.Suggestions))
		for i, s := range res.Suggestions {
			got[i] = setString(s)
			if i > 0 && len(s) < len(res.Suggestions[i-1]) {
				t.Fatalf("seed %d: suggestion %d has %d faults, after one of %d", seed, i, len(s), len(res.Suggestions[i-1]))
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Fatalf("seed %d, spec %s, %d candidates:\nsolver: %v\nbrute:  %v", seed, sp, len(cands), got, want)
		}
		if res.Certified != (len(want) == 0) {
			t.Fatalf("seed %d: certified %v with %d minimal sets", seed, res.Certified, len(want))
		}
	}
}

// TestNextFirstK: asking for fewer sets gives a prefix of the full answer.
func TestNextFirstK(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		runs := randomRuns(rng)
		sp := spec.Spec{EOT: 5, EFF: 5, Round: 1, Crashes: 1}
		all := Next(runs, sp, 1<<20, nil).Suggestions
		for k := 1; k <= len(all) && k <= 4; k++ {
			got := Next(runs, sp, k, nil).Suggestions
			for i := range got {
				if setString(got[i]) != setString(all[i]) {
					t.Fatalf("seed %d, next %d: suggestion %d is %s, want %s", seed, k, i, setString(got[i]), setString(all[i]))
				}
			}
		}
	}
}

var nodes = []string{"a", "b", "c"}

func randomRuns(rng *rand.Rand) []*lineage.Run {
	var runs []*lineage.Run
	var pool []formats.Fault
	for r := 0; r < 1+rng.IntN(3); r++ {
		run := &lineage.Run{ID: fmt.Sprintf("r%d", r), Verdicts: []formats.Verdict{{Valid: rng.IntN(6) != 0}}}
		n := 2 + rng.IntN(6)
		at := int64(0)
		for i := 0; i < n; i++ {
			s := lineage.Step{Node: nodes[rng.IntN(3)], At: at, Prev: -1}
			switch k := rng.IntN(4); {
			case i == 0 || k == 0:
				s.Kind, s.Root = "init", true
			case k == 1:
				s.Kind, s.Armers = "timer", []int{rng.IntN(i)}
				if rng.IntN(2) == 0 {
					s.Armers = append(s.Armers, rng.IntN(i))
				}
			default:
				s.Kind = "deliver"
				for j := 0; j < 1+rng.IntN(2); j++ {
					from := nodes[rng.IntN(3)]
					if rng.IntN(5) == 0 {
						from = "c0"
					}
					send := rng.IntN(i+1) - 1
					sent := at - 1
					if send >= 0 {
						sent = run.Steps[send].At
					}
					s.Trigger = append(s.Trigger, lineage.Delivery{From: from, To: s.Node, SentAt: max(sent, 0), At: at, Send: send})
					pool = append(pool, formats.Fault{Kind: formats.FaultOmission, From: from, To: s.Node, At: max(sent, 0)})
				}
			}
			if i > 0 && rng.IntN(2) == 0 {
				s.Prev = rng.IntN(i)
			}
			if i > 1 && rng.IntN(3) == 0 {
				s.Deps = append(s.Deps, rng.IntN(i))
			}
			if i > 0 && rng.IntN(2) == 0 {
				s.SendDeps = append(s.SendDeps, rng.IntN(i))
			}
			pool = append(pool, formats.Fault{Kind: formats.FaultCrash, Node: s.Node, At: at})
			run.Steps = append(run.Steps, s)
			at += int64(rng.IntN(2))
		}
		for g := 0; g < 1+rng.IntN(2); g++ {
			gs := lineage.GoalStep{Name: "g", Step: rng.IntN(n)}
			if rng.IntN(3) == 0 {
				from := nodes[rng.IntN(3)]
				gs.Alts = append(gs.Alts, lineage.Delivery{From: from, To: "b", SentAt: int64(rng.IntN(3)), At: 3, Send: rng.IntN(n+1) - 1})
				pool = append(pool, formats.Fault{Kind: formats.FaultOmission, From: from, To: "b", At: gs.Alts[0].SentAt})
			}
			if rng.IntN(2) == 0 {
				gs.Node = run.Steps[gs.Step].Node
			}
			run.Goals = append(run.Goals, gs)
		}
		if r > 0 {
			for j := 0; j < rng.IntN(3) && len(pool) > 0; j++ {
				run.Faults = append(run.Faults, pool[rng.IntN(len(pool))])
			}
		}
		runs = append(runs, run)
	}
	return runs
}

func bruteMinimal(runs []*lineage.Run, sp spec.Spec, cands []formats.Fault) []string {
	var sat [][]formats.Fault
	for mask := 0; mask < 1<<len(cands); mask++ {
		var f []formats.Fault
		for i, c := range cands {
			if mask&(1<<i) != 0 {
				f = append(f, c)
			}
		}
		if satisfies(runs, sp, f) {
			sat = append(sat, f)
		}
	}
	var out []string
	for _, f := range sat {
		minimal := true
		for _, g := range sat {
			if len(g) < len(f) && subset(g, f) {
				minimal = false
				break
			}
		}
		if minimal {
			out = append(out, setString(f))
		}
	}
	sort.Strings(out)
	return out
}

func has(fs []formats.Fault, f formats.Fault) bool {
	return slices.ContainsFunc(fs, func(g formats.Fault) bool { return keyOf(g) == keyOf(f) })
}

func subset(a, b []formats.Fault) bool {
	for _, f := range a {
		if !has(b, f) {
			return false
		}
	}
	return true
}

func satisfies(runs []*lineage.Run, sp spec.Spec, f []formats.Fault) bool {
	if sp.MaxFaults > 0 && len(f) > sp.MaxFaults {
		return false
	}
	crashed := map[string]int{}
	for _, x := range f {
		if x.Kind == formats.FaultCrash {
			crashed[x.Node]++
			if crashed[x.Node] > 1 {
				return false
			}
		}
	}
	if len(crashed) > sp.Crashes {
		return false
	}
	crashedBy := func(node string, at int64) bool {
		return slices.ContainsFunc(f, func(x formats.Fault) bool { return x.Kind == formats.FaultCrash && x.Node == node && x.At <= at })
	}
	for _, r := range runs {
		if subset(r.Faults, f) && subset(f, r.Faults) {
			return false // tried
		}
		if !r.Good() || !subset(r.Faults, f) {
			continue
		}
		for _, x := range r.Faults {
			if !sp.Admissible(x) {
				continue
			}
		}
		var broken, unsent func(i int) bool
		var lost func(d lineage.Delivery) bool
		unsent = func(i int) bool {
			if broken(i) {
				return true
			}
			for _, d := range r.Steps[i].SendDeps {
				if broken(d) {
					return true
				}
			}
			return false
		}
		broken = func(i int) bool {
			s := r.Steps[i]
			if !s.Root && !formats.IsClientName(s.Node) && crashedBy(s.Node, s.At) {
				return true
			}
			if s.Prev >= 0 && broken(s.Prev) {
				return true
			}
			if len(s.Armers) > 0 {
				all := true
				for _, a := range s.Armers {
					all = all && unsent(a)
				}
				if all {
					return true
				}
			}
			for _, d := range s.Deps {
				if broken(d) {
					return true
				}
			}
			if len(s.Trigger) == 0 {
				return false
			}
			for _, d := range s.Trigger {
				if !lost(d) {
					return false
				}
			}
			return true
		}
		lost = func(d lineage.Delivery) bool {
			o := formats.Fault{Kind: formats.FaultOmission, From: d.From, To: d.To, At: d.SentAt}
			return sp.Admissible(o) && has(f, o) ||
				!formats.IsClientName(d.To) && crashedBy(d.To, d.At) ||
				d.Send >= 0 && unsent(d.Send)
		}
		ok := false
		for _, g := range r.Goals {
			b := broken(g.Step) && (g.Node == "" || crashed[g.Node] == 0)
			for _, d := range g.Alts {
				b = b && lost(d)
			}
			if b {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func setString(f []formats.Fault) string {
	var s []string
	for _, x := range f {
		if x.Kind == formats.FaultCrash {
			s = append(s, fmt.Sprintf("C(%s,%d)", x.Node, x.At))
		} else {
			s = append(s, fmt.Sprintf("O(%s,%s,%d)", x.From, x.To, x.At))
		}
	}
	sort.Strings(s)
	return "{" + strings.Join(s, " ") + "}"
}
