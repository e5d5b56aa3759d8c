package html

import (
	"bytes"
	"testing"
	"time"

	"github.com/detsys/detsys/sched/sim"
)

// BenchmarkPage100k writes the page for a 100,000-step trace of the
// register example (ten clients, frontend3, 2% message loss, with check's
// verdict appended) and, as the reference measured in the same run, copies
// the same bytes into a buffer. It reports the page's time per trace, the
// ratio to the copy (x-copy), and the page's size against the trace's.
//
//	go test -run XXX -bench Page100k -benchtime 5x ./debug/html
func BenchmarkPage100k(b *testing.B) {
	trace, verdicts := registerRun(b, "frontend3", 10, 20000, 1, func(o *sim.Options) {
		o.Drop = 0.02
		o.MaxSteps = 100_000
	})
	input := append(trace, verdicts...)
	var out bytes.Buffer
	out.Grow(len(input) * 11 / 10)
	var page, copied time.Duration
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out.Reset()
		out.Write(input)
		copied += time.Since(start)

		out.Reset()
		start = time.Now()
		if err := Write(&out, bytes.NewReader(input), Options{At: AtAuto}); err != nil {
			b.Fatal(err)
		}
		page += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(page.Milliseconds())/float64(b.N), "ms/page")
	b.ReportMetric(float64(page)/float64(copied), "x-copy")
	b.ReportMetric(float64(out.Len())/float64(len(input)), "size-ratio")
	b.ReportMetric(float64(len(input))/1e6, "trace-MB")
}
