package linear_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
)

// randomKVTrace writes the NDJSON history of a few clients using a
// Maelstrom lin-kv store with keys (nKeys 0: cas-register, no key). Each
// operation takes effect on a real store at a random moment while in
// flight, or, for some info ops, never; refused cas and reads of absent
// keys come back as fail records with Maelstrom's codes 22 and 20, and
// some writes fail with code 11 (temporarily unavailable) without taking
// effect. With probability corrupt an outcome is replaced by a random one.
func randomKVTrace(r *rand.Rand, nOps, nClients, nKeys int, corrupt float64) string {
	var b strings.Builder
	type flight struct {
		kind     int // 0 read, 1 write, 2 cas
		key      string
		op       string
		value    int
		from, to int
		done     bool
		result   string // read: the value; cas: ok, 20 or 22
	}
	store := map[string]int{}
	busy := map[int]*flight{}
	step, invoked := 0, 0
	emit := func(typ string, c int, f *flight, extra string) {
		fmt.Fprintf(&b, `{"type":%q,"run":"r","step":%d,"client":%d,"op":%s%s}`+"\n", typ, step, c, f.op, extra)
	}
	apply := func(f *flight) {
		v, ok := store[f.key]
		switch f.kind {
		case 0:
			f.result = "null"
			if ok {
				f.result = fmt.Sprint(v)
			}
		case 1:
			store[f.key] = f.value
		case 2:
			switch {
			case !ok:
				f.result = "20"
			case v != f.from:
				f.result = "22"
			default:
				f.result = "ok"
				store[f.key] = f.to
			}
		}
	}
	for invoked < nOps || len(busy) > 0 {
		step++
		c := r.IntN(nClients)
		f := busy[c]
		switch {
		case f == nil && invoked < nOps:
			f = &flight{kind: r.IntN(3), value: r.IntN(3), from: r.IntN(3), to: r.IntN(3)}
			key := ""
			if nKeys > 0 {
				f.key = fmt.Sprint(r.IntN(nKeys))
				key = fmt.Sprintf(`,"key":%s`, f.key)
			}
			f.op = []string{
				fmt.Sprintf(`{"type":"read"%s}`, key),
				fmt.Sprintf(`{"type":"write"%s,"value":%d}`, key, f.value),
				fmt.Sprintf(`{"type":"cas"%s,"from":%d,"to":%d}`, key, f.from, f.to),
			}[f.kind]
			busy[c] = f
			invoked++
			emit("invoke", c, f, "")
		case f == nil:
			continue
		case !f.done && r.IntN(3) > 0:
			f.done = true
			apply(f)
		default:
			delete(busy, c)
			if r.Float64() < corrupt {
				f.result = []string{"null", "0", "1", "2"}[r.IntN(4)]
				if f.kind == 2 {
					f.result = []string{"ok", "20", "22"}[r.IntN(3)]
				}
				f.done = true
			}
			switch k := r.IntN(10); {
			case k < 1 && !f.done && f.kind == 1:
				emit("fail", c, f, `,"reply":{"type":"error","code":11}`)
			case k < 3 || !f.done:
				if !f.done && r.IntN(2) == 0 {
					apply(f) // an info op may take effect as it times out
				}
				emit("info", c, f, `,"error":"timeout"`)
			case f.kind == 0 && f.result == "null" && r.IntN(2) == 0:
				emit("fail", c, f, `,"reply":{"type":"error","code":20}`)
			case f.kind == 0:
				emit("ok", c, f, fmt.Sprintf(`,"reply":{"type":"read_ok","value":%s}`, f.result))
			case f.kind == 1:
				emit("ok", c, f, `,"reply":{"type":"write_ok"}`)
			case f.result == "20" || f.result == "22":
				emit("fail", c, f, fmt.Sprintf(`,"reply":{"type":"error","code":%s}`, f.result))
			default:
				emit("ok", c, f, `,"reply":{"type":"cas_ok"}`)
			}
		}
	}
	return b.String()
}

func readModelTrace(t testing.TB, m linear.Model, trace string) []linear.Operation {
	t.Helper()
	hs, err := history.Read(strings.NewReader(trace), "random", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput, Failure: m.ParseFailure})
	if err != nil {
		t.Fatalf("%v\n%s", err, trace)
	}
	if len(hs) == 0 {
		return nil
	}
	return operations(hs[0])
}

// The cas-register and kv models against brute force, on thousands of
// small random histories: the verdicts agree, and Explain finds the
// smallest failing prefix (for kv, of one key).
func TestKVAgainstBruteForce(t *testing.T) {
	for _, tt := range []struct {
		model string
		keys  int
	}{{"cas-register", 0}, {"kv", 1}, {"kv", 3}} {
		t.Run(fmt.Sprintf("%s/%d keys", tt.model, tt.keys), func(t *testing.T) {
			m := linear.Models[tt.model]
			r := rand.New(rand.NewPCG(5, uint64(tt.keys)))
			n := 3000
			if testing.Short() {
				n = 300
			}
			counts := map[linear.Result]int{}
			for i := range n {
				trace := randomKVTrace(r, 1+r.IntN(7), 1+r.IntN(4), tt.keys, []float64{0, 0.2, 0.5}[i%3])
				ops := readModelTrace(t, m, trace)
				got := linear.Check(m, ops, linear.Options{})
				counts[got]++
				if want := bruteForce(m, ops); (got == linear.Ok) != want {
					t.Fatalf("history %d: Check = %s, brute force linearizable = %v\n%s", i, got, want, trace)
				}
				checkExplain(t, m, ops, got, fmt.Sprintf("history %d", i), trace)
			}
			if counts[linear.Ok] < n/10 || counts[linear.Illegal] < n/10 {
				t.Errorf("unbalanced sample: %v", counts)
			}
			t.Logf("results: %v", counts)
		})
	}
}

// Known cas-register histories (Herlihy & Wing 1990 §2 applied to
// compare-and-set): a cas is a read and a write in one step, and a refused
// cas is a read.
func TestKnownCASHistories(t *testing.T) {
	w := func(c, v, call, ret int) string {
		return fmt.Sprintf(`{"type":"invoke","client":%d,"step":%d,"op":{"type":"write","value":%d}}`+"\n", c, call, v) +
			fmt.Sprintf(`{"type":"ok","client":%d,"step":%d,"reply":{"type":"write_ok"}}`+"\n", c, ret)
	}
	cas := func(c, from, to, call int, outcome string, ret int) string {
		in := fmt.Sprintf(`{"type":"invoke","client":%d,"step":%d,"op":{"type":"cas","from":%d,"to":%d}}`+"\n", c, call, from, to)
		switch outcome {
		case "ok":
			return in + fmt.Sprintf(`{"type":"ok","client":%d,"step":%d,"reply":{"type":"cas_ok"}}`+"\n", c, ret)
		case "info":
			return in + fmt.Sprintf(`{"type":"info","client":%d,"step":%d,"error":"timeout"}`+"\n", c, ret)
		}
		return in + fmt.Sprintf(`{"type":"fail","client":%d,"step":%d,"reply":{"type":"error","code":%s}}`+"\n", c, ret, outcome)
	}
	rd := func(c int, v string, call, ret int) string {
		return fmt.Sprintf(`{"type":"invoke","client":%d,"step":%d,"op":{"type":"read"}}`+"\n", c, call) +
			fmt.Sprintf(`{"type":"ok","client":%d,"step":%d,"reply":{"type":"read_ok","value":%s}}`+"\n", c, ret, v)
	}
	// The helpers write each operation's invoke and completion together:
	// these histories are sequential (the random ones are concurrent).
	tests := []struct {
		name  string
		trace string
		want  linear.Result
	}{
		{"cas after the write", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "ok", 4) + rd(0, "2", 5, 6), linear.Ok},
		{"cas from a value never there", w(0, 1, 1, 2) + cas(0, 3, 2, 3, "ok", 4), linear.Illegal},
		{"cas on null", cas(0, 1, 2, 1, "ok", 2), linear.Illegal},
		{"refused cas saw another value", w(0, 1, 1, 2) + cas(0, 3, 2, 3, "22", 4) + rd(0, "1", 5, 6), linear.Ok},
		{"refused cas although the value matched", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "22", 4), linear.Illegal},
		{"refused cas with 22 on null", cas(0, 1, 2, 1, "22", 2), linear.Illegal},
		{"refused cas with 20 on null", cas(0, 1, 2, 1, "20", 2), linear.Ok},
		{"refused cas with 20 after a write", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "20", 4), linear.Illegal},
		{"refused cas did not take effect", w(0, 1, 1, 2) + cas(0, 5, 2, 3, "22", 4) + rd(0, "1", 5, 6), linear.Ok},
		{"info cas took effect", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "info", 4) + rd(1, "2", 5, 6), linear.Ok},
		{"info cas did not", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "info", 4) + rd(1, "1", 5, 6), linear.Ok},
		{"info cas cannot take effect twice", w(0, 1, 1, 2) + cas(0, 1, 2, 3, "info", 4) + rd(1, "2", 5, 6) + w(1, 1, 7, 8) + rd(1, "2", 9, 10), linear.Illegal},
	}
	m := linear.CASRegister
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := readModelTrace(t, m, tt.trace)
			if got := linear.Check(m, ops, linear.Options{}); got != tt.want {
				t.Errorf("Check = %s, want %s", got, tt.want)
			}
			if got := bruteForce(m, ops); got != (tt.want == linear.Ok) {
				t.Errorf("bruteForce = %v, want %s", got, tt.want)
			}
		})
	}
}

// A kv history fails when one key's does, whatever the others do, and
// the explanation names that key.
func TestKVExplainNamesTheKey(t *testing.T) {
	trace := `{"type":"invoke","client":0,"step":1,"op":{"type":"write","key":"a","value":1}}
{"type":"ok","client":0,"step":2,"reply":{"type":"write_ok"}}
{"type":"invoke","client":1,"step":3,"op":{"type":"write","key":"b","value":1}}
{"type":"ok","client":1,"step":4,"reply":{"type":"write_ok"}}
{"type":"invoke","client":0,"step":5,"op":{"type":"read","key":"a"}}
{"type":"ok","client":0,"step":6,"reply":{"type":"read_ok","value":1}}
{"type":"invoke","client":1,"step":7,"op":{"type":"read","key":"b"}}
{"type":"fail","client":1,"step":8,"reply":{"type":"error","code":20}}
`
	ops := readModelTrace(t, linear.KV, trace)
	if got := linear.Check(linear.KV, ops, linear.Options{}); got != linear.Illegal {
		t.Fatalf("Check = %s, want illegal", got)
	}
	ex := linear.Explain(linear.KV, ops, linear.Options{})
	if ex == nil || ex.Key != `"b"` || ex.Op != 3 || fmt.Sprint(ex.Ops) != "[1 3]" || fmt.Sprint(ex.States) != "[1]" {
		t.Fatalf("Explain = %+v, want key \"b\", op 3 of ops [1 3], states [1]", ex)
	}
}
