package log

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// CheckLine (validObject: ~4x encoding/json, BenchmarkCheck) accepts
// exactly what the formats reader (encoding/json) accepts as a record: a
// JSON object. FuzzValid checks the validator itself, and scanLines.
func FuzzCheckLine(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1}`, `{"a":[1,2,{"b":null}]}`, `{"a":"\u00e9\ud800"}`, "{\"a\":\"\xff\"}",
		`{"a":1}x`, `{"a":01}`, `{"a":1,}`, `[1]`, `"s"`, `{"a":1e400}`, `{"a":-}`, `{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a":tru}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.TrimSpace(data)
		if bytes.IndexByte(data, '\n') >= 0 {
			return
		}
		want := len(data) > 0 && data[0] == '{' && json.Valid(data)
		if got := CheckLine(data, "f", 1) == nil; got != want {
			t.Fatalf("CheckLine(%q) accepts %v, encoding/json %v", data, got, want)
		}
	})
}

// Any bytes as a log: verify counts every line once (records, corrupt,
// blank) and finds the torn tail exactly; the index gives every run and
// test the same records a scan gives; repair leaves a log that ends in a
// newline and is otherwise untouched.
func FuzzLog(f *testing.F) {
	f.Add(append(fakeTest("t-1", 2), fakeRun("r-1", "t-1", 3, 2)...))
	f.Add([]byte("{\"type\":\"run\",\"run\":\"r-1\"}\n{\"run\":\"r-1\",\"step\":0}\n{\"type\":\"test\",\"test\":\"r-1\"}\n{\"type\":\"op\"}\n{bad\n\n{\"type\":\"end\",\"run\":\"r-1\",\"st"))
	f.Add([]byte("{\"type\":\"verdict\",\"run\":\"r-2\",\"valid\":\"unknown\"}\n{\"type\":\"op\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "l.jsonl")
		if err := os.WriteFile(path, data, 0o666); err != nil {
			t.Fatal(err)
		}
		rep, corrupt, err := Verify(path, false)
		if err != nil {
			t.Fatal(err)
		}
		end := bytes.LastIndexByte(data, '\n') + 1
		lines := bytes.Count(data, []byte("\n"))
		blank := 0
		for _, l := range bytes.Split(data[:end], []byte("\n"))[:lines] {
			if len(bytes.TrimSpace(l)) == 0 {
				blank++
			}
		}
		if rep.Lines != lines || rep.Records+corrupt+blank != lines || rep.Size != int64(end) {
			t.Fatalf("verify: %+v corrupt %d, want %d lines (%d blank), size %d", rep, corrupt, lines, blank, end)
		}
		if (rep.Torn != nil) != (end < len(data)) || (rep.Torn != nil && (rep.Torn.Offset != int64(end) || rep.Torn.Bytes != int64(len(data)-end))) {
			t.Fatalf("torn tail: %+v, want at %d of %d", rep.Torn, end, len(data))
		}
		x, err := OpenIndex(path, false)
		if err != nil {
			t.Fatal(err)
		}
		ids := map[string]bool{}
		for _, r := range x.Runs("") {
			ids[r.Run] = true
		}
		for _, ts := range x.Tests() {
			ids[ts.Test] = true
		}
		for id := range ids {
			var a, b bytes.Buffer
			if _, err := Get(path, id, true, nil, &a); err != nil {
				t.Fatal(err)
			}
			if _, err := Get(path, id, false, nil, &b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: index gives %q, scan %q", id, a.Bytes(), b.Bytes())
			}
		}
		if _, _, err := Verify(path, true); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, data[:end]) {
			t.Fatalf("repair left %q, want %q", got, data[:end])
		}
	})
}
