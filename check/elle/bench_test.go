package elle

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// listAppendTrace writes n list-append transactions of 4 micro-operations
// by clients concurrent in pairs, against a serializable store, as the
// NDJSON records sched would write. Keys are retired after about 30
// appends (as Maelstrom's workload does), so reads stay short.
func listAppendTrace(n, clients int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	var b bytes.Buffer
	state := map[int][]int64{}
	next := int64(1)
	step := 0
	for i := 0; i < n; i++ {
		c := i % clients
		base := int(next) / 30 // the live keys move on as values grow
		var op, reply bytes.Buffer
		for j := range 4 {
			if j > 0 {
				op.WriteByte(',')
				reply.WriteByte(',')
			}
			k := base + rng.IntN(8)
			if rng.IntN(2) == 0 {
				state[k] = append(state[k], next)
				fmt.Fprintf(&op, `["append",%d,%d]`, k, next)
				fmt.Fprintf(&reply, `["append",%d,%d]`, k, next)
				next++
				continue
			}
			fmt.Fprintf(&op, `["r",%d,null]`, k)
			fmt.Fprintf(&reply, `["r",%d,%s]`, k, listString(state[k]))
		}
		step++
		fmt.Fprintf(&b, `{"type":"invoke","run":"r-1","step":%d,"client":%d,"op":{"type":"txn","txn":[%s]}}`+"\n", step, c, op.String())
		step++
		fmt.Fprintf(&b, `{"type":"ok","run":"r-1","step":%d,"client":%d,"reply":{"type":"txn_ok","txn":[%s]}}`+"\n", step, c, reply.String())
	}
	return b.Bytes()
}

// BenchmarkListAppend reads and checks a 100,000-transaction history
// under each level; "read" is the reference: parsing the history alone.
func BenchmarkListAppend(b *testing.B) {
	trace := listAppendTrace(100_000, 10)
	read := func() History {
		r := NewReader(ListAppend)
		if err := r.Read(bytes.NewReader(trace), "bench"); err != nil {
			b.Fatal(err)
		}
		return r.Histories()[0]
	}
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			read()
		}
	})
	for _, level := range []string{"serializable", "strict-serializable"} {
		b.Run("check/"+level, func(b *testing.B) {
			h := read()
			for b.Loop() {
				res, err := CheckListAppend(h, level)
				if err != nil || !res.Valid {
					b.Fatal(err, res.Names())
				}
			}
		})
	}
}

// A large history checks in well under a second per 10,000 transactions
// (issue 3: 100,000 in seconds, which BenchmarkListAppend measures): a
// loose bound, so that a quadratic slip fails here and not only in a
// benchmark.
func TestListAppendLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large history")
	}
	trace := listAppendTrace(20_000, 10)
	start := time.Now()
	r := NewReader(ListAppend)
	if err := r.Read(bytes.NewReader(trace), "large"); err != nil {
		t.Fatal(err)
	}
	res, err := CheckListAppend(r.Histories()[0], "strict-serializable")
	if err != nil || !res.Valid {
		t.Fatal(err, res.Names())
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("20,000 transactions took %v", d)
	} else {
		t.Logf("20,000 transactions read and checked in %v", d)
	}
}

// Regression: a history broken everywhere (every fifth transaction's
// first read one element stale) has thousands of strongly connected
// components, and Tarjan's arrays were allocated over the whole history
// for each of them: 25s for 100,000 transactions, now under a second.
func TestStaleEverywhereIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("large history")
	}
	r := NewReader(ListAppend)
	if err := r.Read(bytes.NewReader(listAppendTrace(20_000, 10)), "stale"); err != nil {
		t.Fatal(err)
	}
	h := r.Histories()[0]
	for i := 0; i < len(h.Txns); i += 5 {
		for j, m := range h.Txns[i].Mops {
			if m.F == "r" && len(m.List) > 0 {
				h.Txns[i].Mops[j].List = m.List[:len(m.List)-1]
				break
			}
		}
	}
	start := time.Now()
	res, err := CheckListAppend(h, "strict-serializable")
	if err != nil || res.Valid {
		t.Fatalf("%v %v: want anomalies", err, res.Names())
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("20,000 transactions, every fifth stale: %v", d)
	}
}
