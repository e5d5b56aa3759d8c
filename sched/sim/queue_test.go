package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueOrder: events come out by time, ties in scheduling order.
func TestQueueOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var q queue
	var all []*event
	for i := 0; i < 2000; i++ {
		e := &event{at: r.Int64N(50), seq: uint64(i)}
		all = append(all, e)
		q.push(e)
		if r.IntN(3) == 0 { // interleave pops with pushes
			all = slices.DeleteFunc(all, func(x *event) bool { return x == q[0] })
			got := q.pop()
			for _, x := range all {
				if less(x, got) {
					t.Fatalf("popped (%d,%d) before (%d,%d)", got.at, got.seq, x.at, x.seq)
				}
			}
		}
	}
	var prev *event
	for q.Len() > 0 {
		e := q.pop()
		if prev != nil && less(e, prev) {
			t.Fatalf("out of order: (%d,%d) after (%d,%d)", e.at, e.seq, prev.at, prev.seq)
		}
		prev = e
	}
}
