package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/detsys/detsys/ltl/formula"
)

// synthTrace is a register-like trace of n steps: a frontend whose
// pending list grows and shrinks and two registers, with a request every
// few steps and its answer a few steps later.
func synthTrace(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"type":"run","run":"r-bench","test":"t","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[{"name":"frontend","kind":"frontend3"},{"name":"register1","kind":"register"},{"name":"register2","kind":"register"}]}` + "\n")
	at := int64(0)
	for i := 0; i < n; i++ {
		at += 700_000
		v := i / 6
		switch i % 6 {
		case 0:
			fmt.Fprintf(&b, `{"type":"invoke","run":"r-bench","step":%d,"at":%d,"client":%d,"op":{"type":"write","value":%d},"sends":[{"id":"m%d","to":"frontend","body":{"type":"write","value":%d,"msg_id":%d}}]}`+"\n", i, at, v%10, v, i, v, v)
		case 1:
			fmt.Fprintf(&b, `{"type":"deliver","run":"r-bench","step":%d,"at":%d,"id":"m%d","from":"c%d","to":"frontend","sent_at":%d,"sent_step":%d,"body":{"type":"write","value":%d,"msg_id":%d},"state":{"seq":%d,"clients":{"c0":%d,"c1":%d},"pending":[{"seq":%d,"client":"c%d","msg_id":%d,"type":"write","value":%d,"began":%d,"sent":%d}],"ticking":true},"sends":[{"id":"m%da","to":"register1","body":{"type":"write","value":%d,"version":%d,"msg_id":%d}},{"id":"m%db","to":"register2","body":{"type":"write","value":%d,"version":%d,"msg_id":%d}}]}`+"\n",
				i, at, i-1, v%10, at-700_000, i-1, v, v, v, v, v, v, v%10, v, v, at, at, i, v, v, v, i, v, v, v)
		case 2, 3:
			reg := "register1"
			if i%6 == 3 {
				reg = "register2"
			}
			fmt.Fprintf(&b, `{"type":"deliver","run":"r-bench","step":%d,"at":%d,"id":"m%d","from":"frontend","to":%q,"sent_at":%d,"sent_step":%d,"body":{"type":"write","value":%d,"version":%d,"msg_id":%d},"state":{"value":%d,"version":%d},"sends":[{"id":"m%dr","to":"frontend","body":{"type":"write_ok","in_reply_to":%d}}]}`+"\n",
				i, at, i, reg, at-700_000, i-1, v, v, v, v, v, i, v)
		case 4:
			fmt.Fprintf(&b, `{"type":"deliver","run":"r-bench","step":%d,"at":%d,"id":"m%d","from":"register1","to":"frontend","sent_at":%d,"sent_step":%d,"body":{"type":"write_ok","in_reply_to":%d},"state":{"seq":%d,"clients":{"c0":%d,"c1":%d},"ticking":true},"sends":[{"id":"m%dc","to":"c%d","body":{"type":"write_ok","in_reply_to":%d}}]}`+"\n",
				i, at, i, at-700_000, i-2, v, v, v, v, i, v%10, v)
		case 5:
			fmt.Fprintf(&b, `{"type":"ok","run":"r-bench","step":%d,"at":%d,"client":%d,"op":{"type":"write","value":%d},"reply":{"type":"write_ok","in_reply_to":%d},"id":"m%dc","from":"frontend"}`+"\n", i, at, v%10, v, v, i-1)
		}
	}
	return b.Bytes()
}

var benchFormulas = []string{
	// the registers agree when no operation is in flight (a safety property)
	`[] (len(state.frontend.pending) == 0 && len(prev.frontend.pending) == 0 -> state.register1.value == state.register2.value)`,
	// every invoke is answered within 10 ms (bounded response)
	`[] (event.type == "invoke" -> <>[<=10ms] event.type == "ok")`,
}

// BenchmarkCheck reports ltl's steps/s on a synthetic 120,000-step trace,
// for each formula, against decoding the same lines with encoding/json
// into any (what any JSON filter must at least do), measured in the same
// run: ratio above 1 means ltl checks the formula faster than the
// reference parses the trace.
func BenchmarkCheck(b *testing.B) {
	const n = 120_000 // a whole number of 6-step operations
	data := synthTrace(n)
	for i, src := range benchFormulas {
		b.Run(fmt.Sprintf("formula%d", i), func(b *testing.B) {
			e := formula.MustParse(src)
			var ltlTime, refTime time.Duration
			for b.Loop() {
				t0 := time.Now()
				c := NewChecker([]Formula{{Src: src, Expr: e}})
				if err := c.Read(bytes.NewReader(data), "bench"); err != nil {
					b.Fatal(err)
				}
				if v := c.Verdicts()[0]; v.Valid != true {
					b.Fatalf("%s: %v: %s", src, v.Valid, v.Explanation)
				}
				t1 := time.Now()
				sc := bufio.NewReader(bytes.NewReader(data))
				for {
					line, err := sc.ReadSlice('\n')
					if err != nil {
						break
					}
					var v any
					if err := json.Unmarshal(line, &v); err != nil {
						b.Fatal(err)
					}
				}
				ltlTime += t1.Sub(t0)
				refTime += time.Since(t1)
			}
			b.ReportMetric(float64(n)*float64(b.N)/ltlTime.Seconds(), "ltl-steps/s")
			b.ReportMetric(float64(n)*float64(b.N)/refTime.Seconds(), "json-decode-steps/s")
			b.ReportMetric(refTime.Seconds()/ltlTime.Seconds(), "ratio")
		})
	}
}

// TestMemoryDoesNotGrow shows that a formula's memory does not grow with
// the trace: the interner holds as many nodes after 3,000 steps as
// after 30,000 steps (bounded by the collection threshold).
func TestMemoryDoesNotGrow(t *testing.T) {
	for _, src := range benchFormulas {
		e := formula.MustParse(src)
		var sizes []int
		for _, n := range []int{3_000, 30_000} {
			c := NewChecker([]Formula{{Src: src, Expr: e}})
			if err := c.Read(bytes.NewReader(synthTrace(n)), "t"); err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(c.order[0].monitors[0].in.m))
		}
		if sizes[1] > 4200 || sizes[1] > 2*sizes[0]+4200 {
			t.Errorf("%s: %d nodes after 3,000 steps, %d after 30,000", src, sizes[0], sizes[1])
		}
	}
}
