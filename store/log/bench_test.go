package log

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/detsys/detsys/internal/cputime"
	"github.com/tidwall/gjson"
)

// benchTrace is about 64 MiB of trace records shaped like sched's.
func benchTrace() []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < 64<<20; i++ {
		b.Write(fakeRun(fmt.Sprintf("r-%012x", i), "t-1", 500, 200))
	}
	return b.Bytes()
}

// Checking lines: scanLines (what append uses: one pass over the data)
// and validObject line by line against gjson and encoding/json, same data:
// a real trace of the register example (testdata/run.ndjson), and the
// synthetic one with long strings.
func BenchmarkCheck(b *testing.B) {
	real, err := os.ReadFile("testdata/run.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range []struct {
		name string
		data []byte
	}{{"real", bytes.Repeat(real, (16<<20)/len(real))}, {"real-cached", real}, {"synthetic", benchTrace()}} {
		b.Run(d.name, func(b *testing.B) { benchCheck(b, d.data) })
	}
}

func benchCheck(b *testing.B, data []byte) {
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	b.Run("scanLines", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		c := cputime.Used()
		for b.Loop() {
			if _, bad := scanLines(data); bad >= 0 {
				b.Fatal("invalid at", bad)
			}
		}
		reportCPU(b, len(data), cputime.Used()-c)
	})
	for _, v := range []struct {
		name string
		fn   func([]byte) bool
	}{{"validObject", validObject}, {"gjson", gjson.ValidBytes}, {"encoding-json", json.Valid}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			c := cputime.Used()
			for b.Loop() {
				for _, l := range lines {
					if !v.fn(l) {
						b.Fatal("invalid")
					}
				}
			}
			reportCPU(b, len(data), cputime.Used()-c)
		})
	}
}

// Append against a plain write of the same bytes to an O_APPEND file (what
// cat >> FILE does), alternating, best of the rounds each; the ratio is
// reported (target: at least 0.5). On 64 MiB of the real trace (a token
// every 3 bytes: checking costs most) and of the synthetic one (long
// strings, skipped eight bytes at a time).
func BenchmarkAppendVsWrite(b *testing.B) {
	real, err := os.ReadFile("testdata/run.ndjson")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("real", func(b *testing.B) { benchAppend(b, bytes.Repeat(real, (64<<20)/len(real))) })
	b.Run("synthetic", func(b *testing.B) { benchAppend(b, benchTrace()) })
}

func benchAppend(b *testing.B, data []byte) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.ndjson")
	os.WriteFile(in, data, 0o666)
	best := func(d *time.Duration, t time.Duration) {
		if *d == 0 || t < *d {
			*d = t
		}
	}
	var tw, ta, cw, ca time.Duration
	for b.Loop() {
		c := cputime.Used()
		os.Remove(filepath.Join(dir, "w"))
		os.Remove(filepath.Join(dir, "a"))
		start := time.Now()
		f, _ := os.Open(in)
		w, _ := os.OpenFile(filepath.Join(dir, "w"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
		io.Copy(onlyWriter{w}, f)
		f.Close()
		w.Close()
		best(&tw, time.Since(start))
		best(&cw, cputime.Used()-c)

		start, c = time.Now(), cputime.Used()
		f, _ = os.Open(in)
		bt, err := ReadBatch(f, in, dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := (&Log{Path: filepath.Join(dir, "a")}).Append(bt); err != nil {
			b.Fatal(err)
		}
		bt.Close()
		f.Close()
		best(&ta, time.Since(start))
		best(&ca, cputime.Used()-c)
	}
	mb := float64(len(data)) / (1 << 20)
	b.ReportMetric(mb/tw.Seconds(), "write-MiB/s")
	b.ReportMetric(mb/ta.Seconds(), "append-MiB/s")
	b.ReportMetric(tw.Seconds()/ta.Seconds(), "ratio")
	// On a loaded machine wall time follows CPU time: the CPU ratio is the
	// steadier figure (checking runs on every core, so it is the lower one).
	b.ReportMetric(cw.Seconds()/ca.Seconds(), "cpu-ratio")
}

// reportCPU reports the throughput in CPU time, the steadier figure on a
// loaded machine.
func reportCPU(b *testing.B, size int, cpu time.Duration) {
	b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/cpu.Seconds(), "cpu-MiB/s")
}

// Get of one run through the index against a scan, on a 64 MiB log.
func BenchmarkGet(b *testing.B) {
	data := benchTrace()
	dir := b.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	os.WriteFile(path, data, 0o666)
	if _, err := OpenIndex(path, false); err != nil {
		b.Fatal(err)
	}
	id := "r-000000000020"
	for _, v := range []struct {
		name     string
		useIndex bool
	}{{"index", true}, {"scan", false}} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				if n, err := Get(path, id, v.useIndex, nil, io.Discard); err != nil || n != 502 {
					b.Fatal(n, err)
				}
			}
		})
	}
}
