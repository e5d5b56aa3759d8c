package compare

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"testing"
	"time"
)

// benchTrace repeats the golden trace to about 32 MiB.
func benchTrace(b *testing.B) []byte {
	one, err := os.ReadFile(golden)
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(one, (32<<20)/len(one)+1)
}

// BenchmarkCompareVsEqual compares two identical traces in memory with
// Compare, and reports the ratio against the reference: reading the same
// two buffers in 64 KiB chunks and comparing them with bytes.Equal (what
// cmp does). Above 1 means slower than the reference.
func BenchmarkCompareVsEqual(b *testing.B) {
	data := benchTrace(b)
	b.SetBytes(int64(2 * len(data)))
	var ours, ref float64
	for b.Loop() {
		start := time.Now()
		d, _, err := Compare(Input{bytes.NewReader(data), "a"}, Input{bytes.NewReader(data), "b"}, Options{Context: 3})
		if err != nil || d != nil {
			b.Fatal(err, d)
		}
		ours += time.Since(start).Seconds()
		start = time.Now()
		if !chunkEqual(bytes.NewReader(data), bytes.NewReader(data)) {
			b.Fatal("not equal")
		}
		ref += time.Since(start).Seconds()
	}
	b.ReportMetric(ours/ref, "x-bytes.Equal")
	b.ReportMetric(float64(2*len(data))/(ours/float64(b.N))/1e6, "compare-MB/s")
}

func chunkEqual(a, b io.Reader) bool {
	ra, rb := bufio.NewReaderSize(a, 64<<10), bufio.NewReaderSize(b, 64<<10)
	ba, bb := make([]byte, 64<<10), make([]byte, 64<<10)
	for {
		na, ea := io.ReadFull(ra, ba)
		nb, eb := io.ReadFull(rb, bb)
		if !bytes.Equal(ba[:na], bb[:nb]) {
			return false
		}
		if ea != nil || eb != nil {
			return ea != nil && eb != nil
		}
	}
}
