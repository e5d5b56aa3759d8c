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

// TestStrictSerializableBruteForce does the same for strict
// serializability: transactions get overlapping real-time intervals
// around their commit points, and the brute force only tries serial
// orders that respect real time (one that completed before another was
// invoked comes first). The real-time edges are the transitive reduction
// that realTime builds, so this also checks that reduction loses nothing.
func TestStrictSerializableBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	counts := map[bool]int{}
	for i := range 2000 {
		specs := randomListAppend(rng)
		h := hist(false, specs...)
		for j := range h.Txns {
			h.Txns[j].Call = 100*j - 2*rng.IntN(80)
			h.Txns[j].Return = 100*j + 2*rng.IntN(80) + 1
		}
		res, err := CheckListAppend(h, "strict-serializable")
		if err != nil {
			t.Fatal(err)
		}
		want := strictSerializable(h)
		counts[want]++
		if res.Valid != want {
			var iv []string
			for _, x := range h.Txns {
				iv = append(iv, fmt.Sprintf("[%d,%d]", x.Call, x.Return))
			}
			t.Fatalf("history %d:\n  %s\nintervals %v\nchecker valid=%v %v, brute force=%v", i, strings.Join(specs, "\n  "), iv, res.Valid, res.Names(), want)
		}
	}
	if counts[true] < 200 || counts[false] < 200 {
		t.Fatalf("strict serializable/not: %d/%d", counts[true], counts[false])
	}
}

func strictSerializable(h History) bool {
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
			// idx[k] goes next: nothing still to place may have completed
			// before it was invoked.
			ok := true
			for _, j := range idx[k+1:] {
				if h.Txns[j].Return < h.Txns[idx[k]].Call {
					ok = false
					break
				}
			}
			if ok && perm(k+1) {
				return true
			}
			idx[k], idx[i] = idx[i], idx[k]
		}
		return false
	}
	return perm(0)
}

// TestRWRegisterSound: the register checker infers only part of the
// version order, so it may miss anomalies, but what it reports under
// serializable must be real: no serial order explains the history.
func TestRWRegisterSound(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	found := 0
	for i := range 3000 {
		specs := randomRWRegister(rng)
		h := hist(false, specs...)
		res, err := CheckRWRegister(h, "serializable")
		if err != nil {
			t.Fatal(err)
		}
		if !res.Valid {
			found++
			if registerSerializable(h) {
				t.Fatalf("history %d:\n  %s\nreported %v, but it is serializable", i, strings.Join(specs, "\n  "), res.Names())
			}
		}
	}
	if found < 300 {
		t.Fatalf("only %d of 3000 histories had anomalies: the test proves little", found)
	}
}

// randomRWRegister is randomListAppend for registers: reads return, now
// and then, a value the key held earlier (or null).
func randomRWRegister(rng *rand.Rand) []string {
	past := map[int][]string{1: {"nil"}, 2: {"nil"}}
	next := 1
	var specs []string
	for range 2 + rng.IntN(4) {
		var mops []string
		for range 1 + rng.IntN(3) {
			k := 1 + rng.IntN(2)
			if rng.IntN(2) == 0 {
				past[k] = append(past[k], fmt.Sprint(next))
				mops = append(mops, fmt.Sprintf("w %d %d", k, next))
				next++
				continue
			}
			v := past[k][len(past[k])-1]
			if rng.IntN(3) == 0 {
				v = past[k][rng.IntN(len(past[k]))]
			}
			mops = append(mops, fmt.Sprintf("r %d %s", k, v))
		}
		specs = append(specs, strings.Join(mops, ";"))
	}
	return specs
}

func registerSerializable(h History) bool {
	idx := make([]int, len(h.Txns))
	for i := range idx {
		idx[i] = i
	}
	var perm func(k int) bool
	perm = func(k int) bool {
		if k == len(idx) {
			state := map[string]*int64{}
			for _, i := range idx {
				for _, m := range h.Txns[i].Mops {
					if m.F == "w" {
						v := m.Value
						state[m.Key] = &v
					} else if cur := state[m.Key]; m.Nil != (cur == nil) || cur != nil && *cur != m.Value {
						return false
					}
				}
			}
			return true
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
