package elle

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestListAppendBruteForce checks the list-append checker against the
// definition of serializability on thousands of small random histories:
// a history is serializable iff some serial order of its transactions
// gives every read the list it returned. Each history ends with a
// transaction that reads every key, so every append has its place in the
// version order: that is when Elle's inference is exact (Elle §4.1,
// "recoverability"), and then "no anomaly under serializable" must equal
// "some serial order exists" (Adya: PL-3 is exactly no G1 and no G2).
func TestListAppendBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 3000
	if testing.Short() {
		n = 300
	}
	counts := map[bool]int{}
	for i := range n {
		specs := randomListAppend(rng)
		h := hist(false, specs...)
		res, err := CheckListAppend(h, "serializable")
		if err != nil {
			t.Fatal(err)
		}
		want := serializable(h)
		counts[want]++
		if res.Valid != want {
			t.Fatalf("history %d:\n  %s\nchecker valid=%v %v, brute force serializable=%v", i, strings.Join(specs, "\n  "), res.Valid, res.Names(), want)
		}
	}
	// Both kinds must be well represented, or the test proves little.
	if counts[true] < n/10 || counts[false] < n/10 {
		t.Fatalf("serializable/not: %d/%d", counts[true], counts[false])
	}
}

// randomListAppend runs 2–5 transactions of 1–3 micro-operations over two
// keys against a list store in a random serial order, but each read
// returns, with some probability, a stale prefix of the key's list; then
// a final transaction reads both keys as they are.
func randomListAppend(rng *rand.Rand) []string {
	state := map[int][]int64{}
	next := int64(1)
	var specs []string
	for range 2 + rng.IntN(4) {
		var mops []string
		for range 1 + rng.IntN(3) {
			k := 1 + rng.IntN(2)
			if rng.IntN(2) == 0 {
				state[k] = append(state[k], next)
				mops = append(mops, fmt.Sprintf("a %d %d", k, next))
				next++
				continue
			}
			l := state[k]
			if rng.IntN(4) == 0 {
				l = l[:rng.IntN(len(l)+1)]
			}
			mops = append(mops, fmt.Sprintf("r %d %s", k, listString(l)))
		}
		specs = append(specs, strings.Join(mops, ";"))
	}
	specs = append(specs, fmt.Sprintf("r 1 %s;r 2 %s", listString(state[1]), listString(state[2])))
	return specs
}

// serializable tries every order of the transactions.
func serializable(h History) bool {
	idx := make([]int, len(h.Txns))
	for i := range idx {
		idx[i] = i
	}
	var perm func(k int) bool
	perm = func(k int) bool {
		if k == len(idx) {
			return replays(h, idx)
		}
		for i := k; i < len(idx); i++ {
			idx[k], idx[i] = idx[i], idx[k]
			if perm(k + 1) {
				return true
			}
			idx[k], idx[i] = idx[i], idx[k]
		}
		return false
	}
	return perm(0)
}

func replays(h History, order []int) bool {
	state := map[string][]int64{}
	for _, i := range order {
		for _, m := range h.Txns[i].Mops {
			if m.F == "append" {
				state[m.Key] = append(state[m.Key], m.Value)
			} else if !equal(m.List, state[m.Key]) {
				return false
			}
		}
	}
	return true
}
