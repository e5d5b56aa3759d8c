package formats_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

func ptr[T any](v T) *T { return &v }

// TestAppendJSON checks that the hand-written encoder of step records
// writes exactly what encoding/json writes.
func TestAppendJSON(t *testing.T) {
	steps := []formats.Step{
		{Head: formats.Head{Type: "init", Run: "r-1", Step: 0, At: 0}, Node: "a", State: json.RawMessage(`{"x":1}`)},
		{Head: formats.Head{Type: "invoke", Run: "r-1", Step: 3, At: 17}, Client: ptr(0), Op: json.RawMessage(`{"type":"read"}`),
			Effects: formats.Effects{Sends: []formats.SentMessage{{ID: "m1", To: "n", Body: json.RawMessage(`{"type":"read","msg_id":1}`)}}}},
		{Head: formats.Head{Type: "deliver", Run: "r-1", Step: 4, At: 20}, ID: "m1", From: "c0", To: "n", SentAt: ptr(int64(17)), SentStep: ptr(int64(3)),
			Body: json.RawMessage(`{"a":"<&>"}`), State: json.RawMessage(`{}`),
			Effects: formats.Effects{Timers: []formats.TimerSet{{Name: "t", After: 5}}, Cancel: []string{"u"}, Logs: []string{"line \"1\"\n\t\x01 é \u2028 \xff"}}},
		{Head: formats.Head{Type: "drop", Run: "r-1", Step: 5, At: 21}, ID: "m2", From: "n", To: "c0", Reason: "omission", SentAt: ptr(int64(0)), SentStep: ptr(int64(0))},
		{Head: formats.Head{Type: "panic", Run: "r-1", Step: 6, At: 22}, Node: "n", Panic: "boom <>", Stack: "f\n\tx.go:1"},
		{Head: formats.Head{Type: "end", Run: "r-1", Step: 7, At: 23}, Reason: "quiescent", Steps: ptr(int64(7)), Time: ptr(int64(23))},
		{Head: formats.Head{Type: "ok", Run: "r-1", Step: 8, At: 24}, Client: ptr(2), Op: json.RawMessage(`{"type":"read"}`), Reply: json.RawMessage(`{"type":"read_ok","value":null}`), ID: "m3", From: "n"},
	}
	for _, s := range steps {
		t.Run(s.Type, func(t *testing.T) {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil {
				t.Fatal(err)
			}
			got := string(s.AppendJSON(nil)) + "\n"
			if got != want.String() {
				t.Errorf("AppendJSON:\n got %s\nwant %s", got, want.String())
			}
			var back formats.Step
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatal(err)
			}
			// Invalid UTF-8 is written as \ufffd, which reads back as U+FFFD.
			if again := string(back.AppendJSON(nil)) + "\n"; again != got && !strings.Contains(got, `\ufffd`) {
				t.Errorf("round trip changed the record:\n%s%s", got, again)
			}
		})
	}
}

func TestReaderLongLinesAndPositions(t *testing.T) {
	long := `{"type":"op","body":"` + strings.Repeat("x", 1<<20) + `"}`
	in := "\n" + long + "\n\n" + `{"type":"test"}` + "\n" + `{"type": oops}` + "\n"
	r := formats.NewReader(strings.NewReader(in), "t.ndjson")
	l, err := r.Next()
	if err != nil || len(l.Data) != len(long) || l.No != 2 {
		t.Fatalf("long line: len %d line %d err %v", len(l.Data), l.No, err)
	}
	if l, err = r.Next(); err != nil || l.No != 4 || l.Type() != "test" {
		t.Fatalf("line 4: %+v %v", l, err)
	}
	_, err = r.Next()
	var ie *formats.InputError
	if !errors.As(err, &ie) || ie.Line != 5 || !strings.HasPrefix(err.Error(), "t.ndjson:5: ") {
		t.Fatalf("bad JSON: want t.ndjson:5 error, got %v", err)
	}
	if _, err = r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func TestDecodeNamesField(t *testing.T) {
	r := formats.NewReader(strings.NewReader(`{"type":"op","client":"zero"}`+"\n"+`{"kind":"crash","at":1}`), "x")
	l, _ := r.Next()
	var op formats.Op
	if err := l.Decode(&op); err == nil || err.Error() != `x:1: field "client": expected int, got JSON string` {
		t.Errorf("got %v", err)
	}
	l, _ = r.Next()
	var f formats.Fault
	if err := l.Decode(&f); err == nil || !strings.Contains(err.Error(), `x:2: field "node": missing`) {
		t.Errorf("got %v", err)
	}
}

func TestFaultRoundTrip(t *testing.T) {
	lines := []string{
		`{"kind":"omission","from":"a","to":"b","at":1000000}`,
		`{"kind":"omission","from":"a","to":"b","at":1,"until":5}`,
		`{"kind":"crash","node":"a","at":2000000}`,
		`{"kind":"restart","node":"a","at":5000000}`,
		`{"kind":"partition","groups":[["a"],["b","c"]],"from":0,"until":9000000,"oneway":false}`,
		`{"kind":"skew","node":"a","offset":-3000000,"drift_ppm":200}`,
		`{"kind":"duplicate","from":"a","to":"b","at":1000000}`,
		`{"kind":"delay","from":"a","to":"b","at":1000000,"by":50000000}`,
	}
	for _, l := range lines {
		var f formats.Fault
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		b, _ := json.Marshal(f)
		if string(b) != l {
			t.Errorf("round trip:\n got %s\nwant %s", b, l)
		}
	}
}

func TestContentIDs(t *testing.T) {
	test := formats.Test{Type: "test", Workload: "register", Nodes: []formats.NodeSpec{{Name: "a", Kind: "k"}}, Clients: 1}
	ops := []formats.Op{{Type: "op", Client: 0, Node: "a", Body: json.RawMessage(`{"type":"read", "x":1}`)}}
	id1, _ := formats.TestID(test, ops)
	ops[0].Body = json.RawMessage(`{"x":1,"type":"read"}`) // same JSON, other key order and spacing
	id2, _ := formats.TestID(test, ops)
	if id1 != id2 || !strings.HasPrefix(id1, "t-") || len(id1) != 14 {
		t.Errorf("ids %q %q", id1, id2)
	}
	// Golden: a change of canonical form or hash breaks every stored id.
	if id1 != "t-fd7907f5033c" {
		t.Errorf("TestID changed: %s (stored ids would no longer match)", id1)
	}
	r1, _ := formats.RunID(id1, 7, nil, nil, "b")
	r2, _ := formats.RunID(id1, 8, nil, nil, "b")
	if r1 == r2 {
		t.Error("seed must change the run id")
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte("{\"type\":\"test\"}\n{\"type\":\"op\"}\n"))
	f.Add([]byte("{\n}\n[]\n"))
	f.Add([]byte("{\"a\":[-0,1.5e3,\"\\u00e9\\ud800\",true,null]}\n{\"a\":01}\n{\"a\":\"\xff\"}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := formats.NewReader(bytes.NewReader(data), "f")
		for i := 0; i < 1000; i++ {
			l, err := r.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				var ie *formats.InputError
				if !errors.As(err, &ie) {
					t.Fatalf("non-input error %v", err)
				}
				// The reader validates objects with gjson: it must
				// reject only what encoding/json rejects.
				if len(l.Data) > 0 && l.Data[0] == '{' && json.Valid(l.Data) {
					t.Fatalf("valid JSON rejected: %q: %v", l.Data, err)
				}
				return
			}
			if !json.Valid(l.Data) {
				t.Fatalf("invalid JSON passed: %q", l.Data)
			}
			var f formats.Fault
			_ = l.Decode(&f)
		}
	})
}
