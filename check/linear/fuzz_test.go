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
