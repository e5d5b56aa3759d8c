package log

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// fakeRun is a run's trace as sched would write it, with steps records
// padded by pad bytes of state.
func fakeRun(run, test string, steps, pad int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"run","run":%q,"test":%q,"seed":1,"faults":[{"kind":"crash","node":"n","at":5}],"opts":{},"exec":{"build":"b"},"nodes":[]}`+"\n", run, test)
	for i := 0; i < steps; i++ {
		fmt.Fprintf(&b, `{"type":"deliver","run":%q,"step":%d,"at":%d,"state":%q}`+"\n", run, i, i*10, strings.Repeat("x", pad))
	}
	fmt.Fprintf(&b, `{"type":"end","run":%q,"step":%d,"at":%d,"reason":"quiescent","steps":%d,"time":%d}`+"\n", run, steps, steps*10, steps, steps*10)
	return b.Bytes()
}

func fakeTest(test string, ops int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"type":"test","test":%q,"workload":"w","nodes":[{"name":"n","kind":"k"}],"clients":1}`+"\n", test)
	for i := 0; i < ops; i++ {
		fmt.Fprintf(&b, `{"type":"op","client":0,"node":"n","body":{"type":"read"}}`+"\n")
	}
	return b.Bytes()
}

func appendBytes(t testing.TB, path string, data []byte) {
	t.Helper()
	b, err := ReadBatch(bytes.NewReader(data), "-", filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := (&Log{Path: path}).Append(b); err != nil {
		t.Fatal(err)
	}
}

func getString(t *testing.T, path, id string, useIndex bool) string {
	t.Helper()
	var out bytes.Buffer
	if _, err := Get(path, id, useIndex, nil, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestScannerLongLinesAndTornTail(t *testing.T) {
	long := `{"s":"` + strings.Repeat("y", 3<<20) + `"}`
	data := "{\"a\":1}\n" + long + "\n\n{\"b\":2}\n{\"torn"
	s := NewScanner(strings.NewReader(data), 0, 0)
	var lines []string
	for s.Scan() {
		lines = append(lines, string(s.Bytes()))
	}
	if len(lines) != 4 || lines[1] != long || lines[2] != "" || lines[3] != `{"b":2}` {
		t.Fatalf("lines: %d, want 4 with the 3 MiB line whole", len(lines))
	}
	if s.Tail() != int64(len(`{"torn`)) || s.End() != int64(len(data)-len(`{"torn`)) || s.Line() != 4 {
		t.Fatalf("tail %d end %d line %d", s.Tail(), s.End(), s.Line())
	}
}

// A batch bigger than MemLimit goes through a spool file and arrives whole.
func TestAppendSpilled(t *testing.T) {
	defer func(m int64) { MemLimit = m }(MemLimit)
	MemLimit = 1000
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	run := fakeRun("r-1", "t-1", 100, 50)
	appendBytes(t, path, run)
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, run) {
		t.Fatal("spilled batch differs")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".store-spool-*")); len(m) != 0 {
		t.Fatalf("spool files left: %v", m)
	}
}

// The index is extended, not rebuilt, when the log grows; rebuilt when
// the log is replaced; and Get through it gives what a scan gives.
func TestIndexExtendAndStale(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	appendBytes(t, path, fakeTest("t-1", 3))
	appendBytes(t, path, fakeRun("r-1", "t-1", 10, 5))
	x, err := OpenIndex(path, false)
	if err != nil || !x.Rebuilt {
		t.Fatalf("first open: rebuilt=%v err=%v", x != nil && x.Rebuilt, err)
	}
	appendBytes(t, path, fakeRun("r-2", "t-1", 10, 5))
	appendBytes(t, path, []byte(`{"type":"verdict","run":"r-1","checker":"c","valid":false}`+"\n"))
	x, err = OpenIndex(path, false)
	if err != nil || x.Rebuilt {
		t.Fatalf("second open: rebuilt=%v err=%v, want extended", x.Rebuilt, err)
	}
	runs := x.Runs("")
	if len(runs) != 2 || runs[0].Run != "r-1" || len(runs[0].Verdicts) != 1 || runs[0].Verdicts[0].Valid != false ||
		runs[1].Faults != 1 || *runs[1].Steps != 10 || runs[1].End != "quiescent" {
		t.Fatalf("runs: %+v", runs)
	}
	if ts := x.Tests(); len(ts) != 1 || ts[0].Ops != 3 || ts[0].Runs != 2 || ts[0].Invalid != 1 {
		t.Fatalf("tests: %+v", ts)
	}
	for _, id := range []string{"r-1", "r-2", "t-1"} {
		if a, b := getString(t, path, id, true), getString(t, path, id, false); a != b || a == "" {
			t.Fatalf("%s: index and scan differ:\n%s\n---\n%s", id, a, b)
		}
	}
	// Replaced by a log of the same size: the hashes catch it.
	data, _ := os.ReadFile(path)
	swapped := bytes.ReplaceAll(data, []byte("r-1"), []byte("r-9"))
	os.WriteFile(path, swapped, 0o666)
	if x, _ = OpenIndex(path, false); !x.Rebuilt {
		t.Fatal("a rewritten log was not re-indexed")
	}
	if got := getString(t, path, "r-9", true); !strings.Contains(got, `"run":"r-9"`) {
		t.Fatalf("r-9 after rewrite: %q", got)
	}
}

// An index whose header matches the log but whose extents point at the
// wrong records is caught by Get (every record read must be id's) and
// rebuilt, and Get still gives the right records.
func TestIndexNotTrustedBlindly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	appendBytes(t, path, fakeRun("r-1", "t-1", 5, 5))
	appendBytes(t, path, fakeRun("r-2", "t-1", 5, 5))
	want := getString(t, path, "r-2", false)
	if _, err := OpenIndex(path, false); err != nil {
		t.Fatal(err)
	}
	idx, _ := os.ReadFile(IndexPath(path))
	// Swap the two runs' names in the entries, keeping the header (the
	// ids have the same length, so sizes stay right).
	hdr, entries := idx[:headerLen], idx[headerLen:]
	entries = bytes.ReplaceAll(entries, []byte(`"r-1"`), []byte(`"r-X"`))
	entries = bytes.ReplaceAll(entries, []byte(`"r-2"`), []byte(`"r-1"`))
	entries = bytes.ReplaceAll(entries, []byte(`"r-X"`), []byte(`"r-2"`))
	os.WriteFile(IndexPath(path), append(append([]byte{}, hdr...), entries...), 0o666)
	if got := getString(t, path, "r-2", true); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	idx2, _ := os.ReadFile(IndexPath(path))
	if !bytes.Contains(idx2, []byte(`["x","r-2",`+fmt.Sprint(len(fakeRun("r-1", "t-1", 5, 5))))) {
		t.Fatalf("index not rebuilt:\n%s", idx2)
	}
}

func TestVerifyRepair(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	good := fakeRun("r-1", "t-1", 3, 1)
	os.WriteFile(path, append(append([]byte{}, good...), `{"type":"end","ru`...), 0o666)
	rep, corrupt, err := Verify(path, false)
	if err != nil || corrupt != 0 || rep.Torn == nil || rep.Torn.Offset != int64(len(good)) || rep.Torn.Bytes != 17 || rep.Repaired {
		t.Fatalf("verify: %+v %d %v", rep, corrupt, err)
	}
	if rep, _, _ = Verify(path, true); !rep.Repaired {
		t.Fatal("not repaired")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, good) {
		t.Fatal("repair changed more than the torn tail")
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"type":"verify"`) {
		t.Fatal(string(b))
	}
	_ = formats.TypeVerify
}

// A regular file is mapped, a pipe read as a stream (spooled beyond
// MemLimit): both check every line, name the bad one, and append the same
// bytes.
func TestReadBatchFileAndStream(t *testing.T) {
	defer func(m int64) { MemLimit = m }(MemLimit)
	long := `{"s":"` + strings.Repeat("z", 2<<20) + `"}`
	many := strings.Repeat("{\"a\":1}\n", 1_200_000) // 9.6 MB: pieces checked in parallel
	// Longer than two pieces (checkChunk): its piece grows in the arena,
	// or past the arena's end (MemLimit 100) onto the heap.
	huge := `{"s":"` + strings.Repeat("y", 9<<20) + `"}`
	for _, tc := range []struct {
		name, data, err string
		records         int
	}{
		{"plain", "{\"a\":1}\n{\"b\":2}\n", "", 2},
		{"no last newline", "{\"a\":1}\n{\"b\":2}", "", 2},
		{"blank lines", "\n{\"a\":1}\n  \n{\"b\":2}\n\n", "", 2},
		{"long line", "{\"a\":1}\n" + long + "\n{\"b\":2}\n", "", 3},
		{"longer than two pieces", "{\"a\":1}\n" + huge + "\n" + many[:800_000] + huge + "\n{\"b\":2}\n", "", 100_004},
		{"bad after long", "{\"a\":1}\n" + long + "\n{\"b\":\n", "in:3: invalid JSON", 0},
		{"bad last, no newline", "{\"a\":1}\n{\"b\":", "in:2: invalid JSON", 0},
		{"array", "{\"a\":1}\n[1]\n", "in:2: not a JSON object", 0},
		{"empty", "", "", 0},
		{"many", many, "", 1_200_000},
		{"many, bad at the end", many + "{\"a\":}\n", "in:1200001: invalid JSON", 0},
		{"many, bad in the middle", many[:4_000_000] + "{\"a\":}\n" + many, "in:500001: invalid JSON", 0},
	} {
		for _, limit := range []int64{64 << 20, 100} {
			for _, mode := range []string{"file", "stream"} {
				t.Run(fmt.Sprintf("%s/%s/%d", tc.name, mode, limit), func(t *testing.T) {
					MemLimit = limit
					dir := t.TempDir()
					in := filepath.Join(dir, "in")
					os.WriteFile(in, []byte(tc.data), 0o666)
					f, _ := os.Open(in)
					defer f.Close()
					var r io.Reader = f
					if mode == "stream" {
						r = struct{ io.Reader }{f}
					}
					b, err := ReadBatch(r, "in", dir)
					if tc.err != "" {
						if err == nil || !strings.Contains(err.Error(), tc.err) {
							t.Fatalf("err %v, want %q", err, tc.err)
						}
						return
					}
					if err != nil {
						t.Fatal(err)
					}
					defer b.Close()
					if b.Records != tc.records {
						t.Fatalf("%d records, want %d", b.Records, tc.records)
					}
					path := filepath.Join(dir, "l.jsonl")
					if err := (&Log{Path: path}).Append(b); err != nil {
						t.Fatal(err)
					}
					got, _ := os.ReadFile(path)
					want := tc.data
					if want != "" && !strings.HasSuffix(want, "\n") {
						want += "\n"
					}
					if tc.records == 0 {
						want = ""
					}
					if string(got) != want {
						t.Fatalf("log has %d bytes, want %d", len(got), len(want))
					}
				})
			}
		}
	}
}

// EachOfTest gives the test and its runs (of one seed, if asked), traces
// and verdicts, in log order, with the index as with a scan; an index
// whose extents name the wrong runs is caught and rebuilt.
func TestEachOfTest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	seed2 := bytes.Replace(fakeRun("r-3", "t-1", 4, 5), []byte(`"seed":1`), []byte(`"seed":2`), 1)
	parts := [][]byte{fakeTest("t-1", 2), fakeRun("r-1", "t-1", 4, 5), fakeTest("t-2", 1), fakeRun("r-2", "t-2", 4, 5), seed2,
		[]byte(`{"type":"verdict","run":"r-2","checker":"c","valid":true}` + "\n"),
		[]byte(`{"type":"verdict","run":"r-1","checker":"c","valid":false}` + "\n")}
	for _, p := range parts {
		appendBytes(t, path, p)
	}
	get := func(test string, seed *uint64, useIndex bool) string {
		var out bytes.Buffer
		if _, err := GetOfTest(path, test, seed, useIndex, nil, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	one := uint64(1)
	for _, c := range []struct {
		seed *uint64
		want []byte
	}{
		{nil, bytes.Join([][]byte{parts[0], parts[1], parts[4], parts[6]}, nil)},
		{&one, bytes.Join([][]byte{parts[0], parts[1], parts[6]}, nil)},
	} {
		for _, useIndex := range []bool{true, false} {
			if got := get("t-1", c.seed, useIndex); got != string(c.want) {
				t.Fatalf("seed %v index %v:\n%s\nwant\n%s", c.seed, useIndex, got, c.want)
			}
		}
	}
	// r-1 and r-3 swapped in the index: caught, rebuilt, right.
	idx, _ := os.ReadFile(IndexPath(path))
	hdr, entries := idx[:headerLen], idx[headerLen:]
	entries = bytes.ReplaceAll(entries, []byte(`["x","r-1"`), []byte(`["x","r-X"`))
	entries = bytes.ReplaceAll(entries, []byte(`["x","r-3"`), []byte(`["x","r-1"`))
	entries = bytes.ReplaceAll(entries, []byte(`["x","r-X"`), []byte(`["x","r-3"`))
	os.WriteFile(IndexPath(path), append(append([]byte{}, hdr...), entries...), 0o666)
	if got, want := get("t-1", &one, true), bytes.Join([][]byte{parts[0], parts[1], parts[6]}, nil); got != string(want) {
		t.Fatalf("after a wrong index:\n%s\nwant\n%s", got, want)
	}
}

// Append gives a big batch's pages back as it writes them: a second Append
// of it is refused, and the log holds the batch once, intact.
func TestAppendTwiceRefused(t *testing.T) {
	data := strings.Repeat("{\"a\":1}\n", 700_000) // 5.6 MB: more than four writes
	dir := t.TempDir()
	path := filepath.Join(dir, "l.jsonl")
	b, err := ReadBatch(strings.NewReader(data), "-", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	l := &Log{Path: path}
	if err := l.Append(b); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(b); err == nil || !strings.Contains(err.Error(), "appended twice") {
		t.Fatalf("second append: %v, want appended twice", err)
	}
	if got, _ := os.ReadFile(path); string(got) != data {
		t.Fatalf("log has %d bytes, want %d", len(got), len(data))
	}
}
