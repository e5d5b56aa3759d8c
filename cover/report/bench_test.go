package report

import (
	"bytes"
	"os"
	"testing"

	"github.com/detsys/detsys/formats"
)

// BenchmarkAdd reads a trace (DETSYS_COVER_TRACE, or the sched golden
// trace repeated) and reports its rate against the reference of reading
// the same records with the NDJSON reader alone (ratio above 1: slower).
func BenchmarkAdd(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := New()
		if err := r.Read(bytes.NewReader(data), "x"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadOnly(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if err := formats.EachLine(bytes.NewReader(data), "x", func(formats.Line) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
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
