//go:build unix

package trace_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/detsys/detsys/debug/internal/testrun"
	"github.com/detsys/detsys/debug/trace"
	"github.com/detsys/detsys/internal/cputime"
)

// BenchmarkOpenMillion indexes a 1,000,000-step trace (650 MB), against
// two references measured in the same run on the same file: `wc -l`, and
// reading the file raw and counting its lines in Go. The machines are
// noisy: each round measures all three, and the best of each is reported
// (run with -benchtime 3x or more), with the CPU time the open used, which
// the other work on a shared machine does not inflate. Target: open under
// a second.
func BenchmarkOpenMillion(b *testing.B) {
	path := testrun.Million(b)
	var bestOpen, bestCPU, bestWc, bestRaw time.Duration
	keep := func(best *time.Duration, d time.Duration) {
		if *best == 0 || d < *best {
			*best = d
		}
	}
	steps := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := exec.Command("wc", "-l", path).Run(); err != nil {
			b.Fatal(err)
		}
		keep(&bestWc, time.Since(start))

		start = time.Now()
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 1<<20)
		lines := 0
		for {
			n, err := f.Read(buf)
			lines += bytes.Count(buf[:n], []byte{'\n'})
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		f.Close()
		keep(&bestRaw, time.Since(start))

		start = time.Now()
		cpu0 := cputime.Used()
		tr, err := trace.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		keep(&bestOpen, time.Since(start))
		keep(&bestCPU, cputime.Used()-cpu0)
		steps = len(tr.Steps)
		tr.Close()
	}
	b.ReportMetric(float64(steps), "steps")
	b.ReportMetric(bestOpen.Seconds()*1000, "open-ms")
	b.ReportMetric(bestCPU.Seconds()*1000, "open-cpu-ms")
	b.ReportMetric(bestWc.Seconds()*1000, "wc-l-ms")
	b.ReportMetric(bestRaw.Seconds()*1000, "read-ms")
	b.ReportMetric(bestOpen.Seconds()/bestWc.Seconds(), "open/wc-l")
	b.ReportMetric(bestOpen.Seconds()/bestRaw.Seconds(), "open/read")
}
