package report

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/detsys/detsys/formats"
)

// BenchmarkReadVsReader reads a trace (DETSYS_COVER_TRACE, or a golden
// trace of sched repeated) into a report, and reports the time against the
// reference measured in the same loop: reading the same records with the
// NDJSON reader alone, validation included (x-reader above 1: slower).
func BenchmarkReadVsReader(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	var ours, ref time.Duration
	for b.Loop() {
		start := time.Now()
		if err := New().Read(bytes.NewReader(data), "x"); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		start = time.Now()
		if err := formats.EachLine(bytes.NewReader(data), "x", func(formats.Line) error { return nil }); err != nil {
			b.Fatal(err)
		}
		ref += time.Since(start)
	}
	b.ReportMetric(float64(ours)/float64(ref), "x-reader")
	b.ReportMetric(float64(len(data))*float64(b.N)/ours.Seconds()/1e6, "cover-MB/s")
}

func benchData(b *testing.B) []byte {
	if p := os.Getenv("DETSYS_COVER_TRACE"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	one, err := os.ReadFile("../../sched/sim/testdata/frontend3-faults.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(one, 200)
}
