package linear_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
)

// h builds a history from a compact script, one operation per entry:
// "c0 w1 0 10" is client 0 writing 1, invoked at 0, ok at 10; "c1 r2 3 5"
// a read returning 2 ("rnull" for null); "c1 w1 3 -" an info op (no
// return); a read with "-" has an unknown output.
func h(t testing.TB, lines ...string) []linear.Operation {
	t.Helper()
	var ops []linear.Operation
	for _, l := range lines {
		var client, call int
		var what, ret string
		if _, err := fmt.Sscanf(l, "c%d %s %d %s", &client, &what, &call, &ret); err != nil {
			t.Fatalf("bad op %q: %v", l, err)
		}
		o := linear.Operation{Client: client, Call: call, Return: linear.Infinity}
		if ret != "-" {
			fmt.Sscan(ret, &o.Return)
		}
		v := linear.Null
		if rest := what[1:]; rest != "null" {
			var n int64
			fmt.Sscan(rest, &n)
			v = linear.Int(n)
		}
		switch what[0] {
		case 'w':
			o.Input = linear.RegisterOp{Write: true, Value: v}
		case 'r':
			o.Input = linear.RegisterOp{}
			if !o.Unknown() {
				o.Output = v
			}
		}
		ops = append(ops, o)
	}
	return ops
}

// Histories whose verdict is known. The register examples follow Herlihy &
// Wing 1990 §2 (a read must see the last write that precedes it in real
// time, or a concurrent one) and the new/old inversion of Lamport's atomic
// register (1986): once a read has seen a new value, no later read may see
// the old one.
func TestKnownHistories(t *testing.T) {
	tests := []struct {
		name string
		ops  []linear.Operation
		want linear.Result
	}{
		{"empty", nil, linear.Ok},
		{"read of initial null", h(t, "c0 rnull 0 1"), linear.Ok},
		{"read of a value never written", h(t, "c0 r1 0 1"), linear.Illegal},
		{"sequential write then read", h(t, "c0 w1 0 1", "c1 r1 2 3"), linear.Ok},
		{"stale read after the write completed", h(t, "c0 w1 0 1", "c1 rnull 2 3"), linear.Illegal},
		{"read concurrent with the write sees the old value", h(t, "c0 w1 0 10", "c1 rnull 2 3"), linear.Ok},
		{"read concurrent with the write sees the new value", h(t, "c0 w1 0 10", "c1 r1 2 3"), linear.Ok},
		{"new/old inversion", h(t, "c0 w1 0 10", "c1 r1 1 2", "c2 rnull 3 4"), linear.Illegal},
		{"two reads concurrent with the write, old after new overlapping", h(t, "c0 w1 0 10", "c1 r1 1 5", "c2 rnull 3 4"), linear.Ok},
		{"concurrent writes, reads agree on an order", h(t, "c0 w1 0 10", "c1 w2 0 10", "c2 r2 11 12", "c2 r2 13 14"), linear.Ok},
		{"concurrent writes, value changes after both completed", h(t, "c0 w1 0 10", "c1 w2 0 10", "c2 r1 11 12", "c2 r2 13 14"), linear.Illegal},
		{"reads see both orders of concurrent writes", h(t, "c0 w1 0 10", "c1 w2 0 10", "c2 r1 1 3", "c3 r2 2 4", "c2 r1 5 6"), linear.Ok},
		{"info write may never happen", h(t, "c0 w1 0 -", "c1 rnull 5 6"), linear.Ok},
		{"info write may happen late", h(t, "c0 w1 0 -", "c1 rnull 5 6", "c1 r1 7 8"), linear.Ok},
		{"info write happens once", h(t, "c0 w1 0 -", "c1 r1 5 6", "c1 rnull 7 8"), linear.Illegal},
		{"info write cannot happen before its invocation", h(t, "c1 r1 0 1", "c0 w1 2 -"), linear.Illegal},
		{"info read constrains nothing", h(t, "c0 w1 0 1", "c1 r- 2 -"), linear.Ok},
		{"two info writes in either order", h(t, "c0 w1 0 -", "c1 w2 0 -", "c2 r2 5 6", "c2 r1 7 8"), linear.Ok},
		{"two info writes cannot undo themselves", h(t, "c0 w1 0 -", "c1 w2 0 -", "c2 r2 5 6", "c2 r1 7 8", "c2 r2 9 10"), linear.Illegal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := linear.Check(linear.Register, tt.ops, linear.Options{}); got != tt.want {
				t.Errorf("Check = %s, want %s", got, tt.want)
			}
			if got := bruteForce(linear.Register, tt.ops); got != (tt.want == linear.Ok) {
				t.Errorf("bruteForce = %v, want %s", got, tt.want)
			}
		})
	}
}

// bruteForce tries every order of the operations that respects real time:
// an operation may be placed once every completed operation that returned
// before its invocation is placed. Unknown operations may be placed or
// left out. It succeeds when every completed operation is placed. No
// memoization, no dropping of unknown reads, no splitting by key (the
// state is a map from key to the model's state, so that it also checks
// the locality the search relies on): it shares nothing with the search
// but the model's Step.
func bruteForce(m linear.Model, ops []linear.Operation) bool {
	key := func(in any) string { return "" }
	if m.Key != nil {
		key = m.Key
	}
	placed := make([]bool, len(ops))
	left := 0
	for _, o := range ops {
		if !o.Unknown() {
			left++
		}
	}
	state := map[string]linear.State{}
	var try func(left int) bool
	try = func(left int) bool {
		if left == 0 {
			return true
		}
	next:
		for i, o := range ops {
			if placed[i] {
				continue
			}
			for j, p := range ops {
				if !placed[j] && !p.Unknown() && p.Return < o.Call {
					continue next
				}
			}
			out := o.Output
			if o.Unknown() {
				out = nil
			}
			k := key(o.Input)
			s, ok := state[k]
			if !ok {
				s = m.Init()
			}
			ok, ns := m.Step(s, o.Input, out)
			if !ok {
				continue
			}
			placed[i] = true
			state[k] = ns
			n := left
			if !o.Unknown() {
				n--
			}
			found := try(n)
			state[k] = s
			placed[i] = false
			if found {
				return true
			}
		}
		return false
	}
	return try(left)
}

// randomTrace writes the NDJSON history of a few clients using a register.
// Each operation takes effect on a real register at a random moment while
// in flight (or, for fail and some info ops, never), so that many
// histories are linearizable; with probability corrupt a read's reply is
// replaced by a random value, so that many are not.
func randomTrace(r *rand.Rand, run string, nOps, nClients int, corrupt float64) string {
	var b strings.Builder
	type flight struct {
		op     string
		write  bool
		value  int
		done   bool // took effect
		result string
	}
	reg := "null"
	busy := map[int]*flight{}
	step := 0
	invoked := 0
	for invoked < nOps || len(busy) > 0 {
		step++
		c := r.IntN(nClients)
		f := busy[c]
		switch {
		case f == nil && invoked < nOps:
			f = &flight{}
			if r.IntN(2) == 0 {
				f.write, f.value = true, r.IntN(3)
				f.op = fmt.Sprintf(`{"type":"write","value":%d}`, f.value)
			} else {
				f.op = `{"type":"read"}`
			}
			busy[c] = f
			invoked++
			fmt.Fprintf(&b, `{"type":"invoke","run":%q,"step":%d,"client":%d,"op":%s}`+"\n", run, step, c, f.op)
		case f == nil:
			continue
		case !f.done && r.IntN(3) > 0:
			f.done = true
			if f.write {
				reg = fmt.Sprint(f.value)
			} else {
				f.result = reg
			}
		default:
			delete(busy, c)
			switch k := r.IntN(10); {
			case k < 1 && !f.done:
				fmt.Fprintf(&b, `{"type":"fail","run":%q,"step":%d,"client":%d,"op":%s}`+"\n", run, step, c, f.op)
			case k < 3 || !f.done:
				if !f.done && f.write && r.IntN(2) == 0 {
					reg = fmt.Sprint(f.value) // an info write may take effect as it times out
				}
				fmt.Fprintf(&b, `{"type":"info","run":%q,"step":%d,"client":%d,"op":%s,"error":"timeout"}`+"\n", run, step, c, f.op)
			default:
				reply := `{"type":"write_ok"}`
				if !f.write {
					v := f.result
					if r.Float64() < corrupt {
						v = []string{"null", "0", "1", "2"}[r.IntN(4)]
					}
					reply = fmt.Sprintf(`{"type":"read_ok","value":%s}`, v)
				}
				fmt.Fprintf(&b, `{"type":"ok","run":%q,"step":%d,"client":%d,"op":%s,"reply":%s}`+"\n", run, step, c, f.op, reply)
			}
		}
	}
	return b.String()
}

func operations(hist history.History) []linear.Operation {
	ops := make([]linear.Operation, len(hist.Ops))
	for i, o := range hist.Ops {
		ops[i] = linear.Operation{Client: o.Client, Input: o.Input, Output: o.Output, Call: o.Call, Return: o.Return}
	}
	return ops
}

func readTrace(t testing.TB, trace string) []history.History {
	t.Helper()
	m := linear.Register
	hs, err := history.Read(strings.NewReader(trace), "random", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput})
	if err != nil {
		t.Fatalf("%v\n%s", err, trace)
	}
	return hs
}

// The search must agree exactly with brute force, and Explain must find
// the smallest failing prefix (checked by brute force on the prefixes).
func TestAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 5000
	if testing.Short() {
		n = 500
	}
	counts := map[linear.Result]int{}
	for i := range n {
		trace := randomTrace(r, "r", 1+r.IntN(7), 1+r.IntN(4), []float64{0, 0.3, 0.7}[i%3])
		hs := readTrace(t, trace)
		if len(hs) == 0 {
			continue
		}
		ops := operations(hs[0])
		got := linear.Check(linear.Register, ops, linear.Options{})
		counts[got]++
		if want := bruteForce(linear.Register, ops); (got == linear.Ok) != want {
			t.Fatalf("history %d: Check = %s, brute force linearizable = %v\n%s", i, got, want, trace)
		}
		checkExplain(t, linear.Register, ops, got, fmt.Sprintf("history %d", i), trace)
	}
	if counts[linear.Ok] < n/10 || counts[linear.Illegal] < n/10 {
		t.Errorf("unbalanced sample: %v", counts)
	}
	t.Logf("results: %v", counts)
}

// checkExplain checks that Explain finds the smallest failing prefix of a
// history, by brute force on that prefix and the one before it.
func checkExplain(t *testing.T, m linear.Model, ops []linear.Operation, got linear.Result, name, trace string) {
	t.Helper()
	ex := linear.Explain(m, ops, linear.Options{})
	if (ex == nil) != (got == linear.Ok) {
		t.Fatalf("%s: Check = %s but Explain = %+v\n%s", name, got, ex, trace)
	}
	if ex == nil {
		return
	}
	if bruteForce(m, prefix(ops, ex.End)) {
		t.Fatalf("%s: the prefix up to %d is linearizable\n%s", name, ex.End, trace)
	}
	prev := -1
	for _, o := range ops {
		if !o.Unknown() && o.Return < ex.End && o.Return > prev {
			prev = o.Return
		}
	}
	if prev >= 0 && !bruteForce(m, prefix(ops, prev)) {
		t.Fatalf("%s: the prefix up to %d already fails, Explain says %d\n%s", name, prev, ex.End, trace)
	}
	if len(ex.States) == 0 {
		t.Fatalf("%s: no states before the failing op\n%s", name, trace)
	}
	for _, i := range append(ex.Ops, ex.Op) {
		if k := m.Key; k != nil && k(ops[i].Input) != ex.Key {
			t.Fatalf("%s: the witness for key %s shows op %d of key %s\n%s", name, ex.Key, i, k(ops[i].Input), trace)
		}
	}
}

// prefix is the history as seen at time end: later invocations left out,
// operations completing later made unknown.
func prefix(ops []linear.Operation, end int) []linear.Operation {
	var p []linear.Operation
	for _, o := range ops {
		if o.Call > end {
			continue
		}
		if o.Return > end {
			o.Return, o.Output = linear.Infinity, nil
		}
		p = append(p, o)
	}
	return p
}

func TestExplainStaleRead(t *testing.T) {
	ops := h(t, "c0 w1 0 1", "c1 r1 2 3", "c0 w2 4 5", "c1 r1 6 7", "c2 r2 8 9", "c0 w3 10 11")
	ex := linear.Explain(linear.Register, ops, linear.Options{})
	if ex == nil {
		t.Fatal("Explain = nil for a stale read")
	}
	if ex.Op != 3 || ex.End != 7 || fmt.Sprint(ex.Ops) != "[0 1 2 3]" || fmt.Sprint(ex.States) != "[2]" {
		t.Errorf("Explain = %+v, want op 3 ending at 7 after ops [0 1 2 3] in states [2]", *ex)
	}
}

func TestBudget(t *testing.T) {
	ops := h(t, "c0 w1 0 10", "c1 w2 0 10", "c2 r1 11 12", "c2 r2 13 14")
	if got := linear.Check(linear.Register, ops, linear.Options{Budget: 2}); got != linear.Unknown {
		t.Errorf("Check with a budget of 2 steps = %s, want unknown", got)
	}
}

// An easy history must not blow up: many clients, long, linearizable.
// Without memoization this takes exponential time in the concurrency.
func TestLongHistoryIsFast(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	hs := readTrace(t, randomTrace(r, "r", 2000, 8, 0))
	start := time.Now()
	if got := linear.Check(linear.Register, operations(hs[0]), linear.Options{}); got != linear.Ok {
		t.Fatalf("Check = %s, want ok", got)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("a 2000-op history took %v", d)
	}
}
