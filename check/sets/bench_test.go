package sets

import (
	"bytes"
	"fmt"
	"testing"
)

// counterTrace is n counter ops by 10 clients, two in flight at a time,
// against an atomic counter: a read in four.
func counterTrace(n int) []byte {
	var b bytes.Buffer
	sum := int64(0)
	for i := 0; i < n; i += 2 {
		a, c := i%10, (i+1)%10
		d := int64(i%7 - 2)
		fmt.Fprintf(&b, `{"type":"invoke","run":"r","step":%d,"client":%d,"op":{"type":"add","delta":%d}}`+"\n", i, a, d)
		fmt.Fprintf(&b, `{"type":"invoke","run":"r","step":%d,"client":%d,"op":{"type":"read"}}`+"\n", i, c)
		sum += d
		fmt.Fprintf(&b, `{"type":"ok","run":"r","step":%d,"client":%d,"reply":{"type":"add_ok"}}`+"\n", i, a)
		fmt.Fprintf(&b, `{"type":"ok","run":"r","step":%d,"client":%d,"reply":{"type":"read_ok","value":%d}}`+"\n", i, c, sum)
	}
	return b.Bytes()
}

// BenchmarkCounter reads and checks 100,000 counter ops; "read" is the
// reference (parsing alone), so the check's cost shows as a ratio.
func BenchmarkCounter(b *testing.B) {
	trace := counterTrace(100_000)
	read := func() History {
		r := NewReader(Counter)
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
	b.Run("check", func(b *testing.B) {
		h := read()
		for b.Loop() {
			if res := CheckCounter(h); !res.Valid {
				b.Fatal(res.Witness.Explanation)
			}
		}
	})
}
