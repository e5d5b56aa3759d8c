package linear

import (
	"testing"
	"time"
)

// TestDeadline: a history whose search is exponential (many writes of
// unknown outcome, then reads that keep the search going before one that
// nothing explains) gives up with Unknown soon after the deadline, as
// check --timeout promises.
func TestDeadline(t *testing.T) {
	var ops []Operation
	const n = 40
	for i := 0; i < n; i++ {
		ops = append(ops, Operation{Client: i, Input: RegisterOp{Write: true, Value: Int(int64(i + 1))}, Call: i, Return: Infinity})
	}
	at := n
	for i := n; i > 0; i-- { // read the writes back in the reverse order
		ops = append(ops, Operation{Client: n, Input: RegisterOp{}, Output: Int(int64(i)), Call: at, Return: at + 1})
		at += 2
	}
	ops = append(ops, Operation{Client: n, Input: RegisterOp{}, Output: Int(999), Call: at, Return: at + 1})
	start := time.Now()
	got := Check(Register, ops, Options{Deadline: start.Add(100 * time.Millisecond)})
	if elapsed := time.Since(start); got == Unknown && elapsed > 3*time.Second {
		t.Errorf("gave up after %v, long past the deadline", elapsed)
	}
	if got == Ok {
		t.Errorf("got Ok for a read of a value nobody wrote")
	}
	t.Logf("%s after %v", got, time.Since(start))
}
