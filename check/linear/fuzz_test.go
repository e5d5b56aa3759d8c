package linear_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/detsys/detsys/check/linear"
)

// FuzzRegisterStep: whatever bodies the parsers accept, Step does what the
// register's specification says and nothing panics.
func FuzzRegisterStep(f *testing.F) {
	f.Add([]byte(`{"type":"write","value":3}`), []byte(`{"type":"write_ok"}`), int64(1), true)
	f.Add([]byte(`{"type":"read"}`), []byte(`{"type":"read_ok","value":3}`), int64(3), true)
	f.Add([]byte(`{"type":"read"}`), []byte(`{"type":"read_ok"}`), int64(0), false)
	f.Add([]byte(`{"type":"read"}`), []byte(``), int64(0), false)
	f.Add([]byte(`{"type":"cas"}`), []byte(`null`), int64(0), false)
	m := linear.Register
	f.Fuzz(func(t *testing.T, op, reply []byte, v int64, set bool) {
		s := linear.Value{Set: set, Int: v}
		if !set {
			s = linear.Null
		}
		in, err := m.ParseInput(op)
		if err != nil {
			return
		}
		if !json.Valid(op) {
			t.Fatalf("accepted invalid JSON %q", op)
		}
		rop := in.(linear.RegisterOp)
		ok, next := m.Step(s, in, nil)
		if !ok {
			t.Fatalf("an op of unknown outcome was refused: %s", m.DescribeOp(in, nil))
		}
		if rop.Write && next != rop.Value || !rop.Write && next != s {
			t.Fatalf("%s in state %s → %s", m.DescribeOp(in, nil), s, next)
		}
		out, err := m.ParseOutput(in, reply)
		if err != nil {
			return
		}
		ok, next = m.Step(s, in, out)
		if rop.Write {
			if !ok || next != rop.Value {
				t.Fatalf("%s in state %s: %v, %s", m.DescribeOp(in, out), s, ok, next)
			}
			return
		}
		if ok != (out.(linear.Value) == s) || next != s {
			t.Fatalf("%s in state %s: %v, %s", m.DescribeOp(in, out), s, ok, next)
		}
		if m.Hash(s) != m.Hash(next) {
			t.Fatal("equal states hash differently")
		}
	})
}

// FuzzAgainstBruteForce extends TestAgainstBruteForce to whatever seeds
// the fuzzer finds.
func FuzzAgainstBruteForce(f *testing.F) {
	f.Add(uint64(1), uint8(5), uint8(3), uint8(50))
	f.Fuzz(func(t *testing.T, seed uint64, nOps, nClients, corrupt uint8) {
		r := rand.New(rand.NewPCG(seed, 0))
		trace := randomTrace(r, "r", 1+int(nOps)%8, 1+int(nClients)%4, float64(corrupt)/255)
		hs := readTrace(t, trace)
		if len(hs) == 0 {
			return
		}
		ops := operations(hs[0])
		got := linear.Check(linear.Register, ops, linear.Options{})
		if want := bruteForce(linear.Register, ops); (got == linear.Ok) != want {
			t.Fatalf("Check = %s, brute force linearizable = %v\n%s", got, want, trace)
		}
	})
}

// FuzzKVStep: whatever bodies the cas-register and kv parsers accept, as
// ok replies or as failures, Step does what a compare-and-set register
// does, and nothing panics.
func FuzzKVStep(f *testing.F) {
	f.Add([]byte(`{"type":"cas","key":1,"from":1,"to":2}`), []byte(`{"type":"cas_ok"}`), int64(1), true, false)
	f.Add([]byte(`{"type":"cas","key":"a","from":1,"to":2}`), []byte(`{"type":"error","code":22}`), int64(3), true, true)
	f.Add([]byte(`{"type":"cas","key":"a","from":1,"to":2}`), []byte(`{"type":"error","code":20}`), int64(0), false, true)
	f.Add([]byte(`{"type":"read","key":"a"}`), []byte(`{"type":"error","code":20}`), int64(0), false, true)
	f.Add([]byte(`{"type":"read","key":2}`), []byte(`{"type":"read_ok","value":2}`), int64(2), true, false)
	f.Add([]byte(`{"type":"write","key":2,"value":5}`), []byte(`{"type":"write_ok"}`), int64(2), true, false)
	f.Fuzz(func(t *testing.T, op, reply []byte, v int64, set, failed bool) {
		s := linear.Value{Set: set, Int: v}
		if !set {
			s = linear.Null
		}
		for _, m := range []linear.Model{linear.CASRegister, linear.KV} {
			in, err := m.ParseInput(op)
			if err != nil {
				continue
			}
			kop := in.(linear.KVOp)
			if (m.Key != nil) != (kop.Key != "") {
				t.Fatalf("key %q from %s", kop.Key, op)
			}
			// What a compare-and-set register does from s.
			after := s
			switch {
			case kop.Kind == linear.Write:
				after = kop.Value
			case kop.Kind == linear.CAS && s == linear.Int(kop.From):
				after = linear.Int(kop.To)
			}
			if ok, next := m.Step(s, in, nil); !ok || next != after {
				t.Fatalf("%s of unknown outcome in state %s: %v, %v", m.DescribeOp(in, nil), s, ok, next)
			}
			var out any
			if failed {
				o, keep, err := m.ParseFailure(in, reply)
				if err != nil || !keep {
					continue
				}
				out, after = o, s // a failure that is kept changed nothing
			} else if out, err = m.ParseOutput(in, reply); err != nil {
				continue
			}
			ok, next := m.Step(s, in, out)
			var want bool
			switch o := out.(type) {
			case nil:
				want = kop.Kind == linear.Write
			case linear.Value:
				want = o == s
			case linear.CASResult:
				want = map[linear.CASResult]bool{
					linear.CASOk:       s == linear.Int(kop.From),
					linear.CASMismatch: s.Set && s.Int != kop.From,
					linear.CASMissing:  !s.Set,
				}[o]
			}
			if ok != want || ok && next != after {
				t.Fatalf("%s in state %s: %v, %v; want %v, %v", m.DescribeOp(in, out), s, ok, next, want, after)
			}
			if ok && m.Hash(next) != m.Hash(after) {
				t.Fatal("equal states hash differently")
			}
		}
	})
}

// FuzzKVAgainstBruteForce extends TestKVAgainstBruteForce to whatever
// seeds the fuzzer finds.
func FuzzKVAgainstBruteForce(f *testing.F) {
	f.Add(uint64(1), uint8(5), uint8(3), uint8(2), uint8(50))
	f.Fuzz(func(t *testing.T, seed uint64, nOps, nClients, nKeys, corrupt uint8) {
		r := rand.New(rand.NewPCG(seed, 0))
		keys := int(nKeys) % 3
		m := linear.CASRegister
		if keys > 0 {
			m = linear.KV
		}
		trace := randomKVTrace(r, 1+int(nOps)%8, 1+int(nClients)%4, keys, float64(corrupt)/255)
		ops := readModelTrace(t, m, trace)
		got := linear.Check(m, ops, linear.Options{})
		if want := bruteForce(m, ops); (got == linear.Ok) != want {
			t.Fatalf("Check = %s, brute force linearizable = %v\n%s", got, want, trace)
		}
	})
}
