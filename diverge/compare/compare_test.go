package compare

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

const golden = "../../sched/sim/testdata/frontend1-seed9.ndjson"

func run(t *testing.T, a, b string, opt Options) (*formats.Divergence, *formats.Identical) {
	t.Helper()
	d, same, err := Compare(Input{strings.NewReader(a), "a"}, Input{strings.NewReader(b), "b"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if (d == nil) == (same == nil) {
		t.Fatalf("want exactly one of divergence and identical, got %v and %v", d, same)
	}
	return d, same
}

func TestCompare(t *testing.T) {
	const (
		run1 = `{"type":"run","run":"r-1","test":"t-1","seed":1,"faults":[],"opts":{},"exec":{"build":"b-1"},"nodes":[]}` + "\n"
		s1   = `{"type":"deliver","run":"r-1","step":1,"at":5,"to":"n","state":{"a":[1,2],"b":{"x":1}},"sends":[{"id":"m1","to":"p","body":{"type":"t"}}]}` + "\n"
		s2   = `{"type":"deliver","run":"r-1","step":2,"at":9,"to":"n","state":{"a":[1,2,3]}}` + "\n"
	)
	for _, tc := range []struct {
		name       string
		a, b       string
		strict     bool
		reason     string // "" for identical
		record     int64
		step       int64 // -1: none
		fields     []string
		ignored    []string
		contextLen int
	}{
		{name: "same bytes", a: run1 + s1 + s2, b: run1 + s1 + s2},
		{name: "other run id", a: run1 + s1, b: strings.ReplaceAll(run1+s1, "r-1", "r-2"), ignored: []string{"run"}},
		{name: "other build", a: run1, b: strings.Replace(run1, "b-1", "b-2", 1), ignored: []string{"exec.build"}},
		{name: "other build, strict", a: run1, b: strings.Replace(run1, "b-1", "b-2", 1), strict: true,
			reason: "differ", record: 1, step: -1, fields: []string{"exec.build"}},
		{name: "other run id, strict", a: run1 + s1, b: strings.ReplaceAll(run1+s1, "r-1", "r-2"), strict: true,
			reason: "differ", record: 1, step: -1, fields: []string{"run"}},
		{name: "other seed counts", a: run1, b: strings.Replace(run1, `"seed":1`, `"seed":2`, 1),
			reason: "differ", record: 1, step: -1, fields: []string{"seed"}},
		{name: "key order and spacing do not count", a: run1 + s1,
			b: run1 + `{ "run":"r-1","type":"deliver","step":1,"at":5,"to":"n","state":{"b":{"x":1},"a":[1,2]},"sends":[{"id":"m1","to":"p","body":{"type":"t"}}]}` + "\n"},
		{name: "nested fields", a: run1 + s1 + s2,
			b:      run1 + `{"type":"deliver","run":"r-1","step":1,"at":5,"to":"n","state":{"a":[1,3],"b":{"x":1,"y":2}},"sends":[{"id":"m1","to":"q","body":{"type":"t"}}]}` + "\n",
			reason: "differ", record: 2, step: 1, fields: []string{"sends[0].to", "state.a[1]", "state.b.y"}, contextLen: 1},
		{name: "array lengths", a: run1 + s1 + s2, b: run1 + s1 + strings.Replace(s2, "[1,2,3]", "[1,2]", 1),
			reason: "differ", record: 3, step: 2, fields: []string{"state.a[2]"}, contextLen: 2},
		{name: "odd keys and types", a: `{"type":"x","st":{"a.b":1,"":"s","a<b":1}}`, b: `{"type":"x","st":{"a.b":"1","":{},"a<b":2}}`,
			reason: "differ", record: 1, step: -1, fields: []string{`st[""]`, `st["a.b"]`, `st["a<b"]`}},
		{name: "numbers as written", a: `{"type":"x","v":1}`, b: `{"type":"x","v":1.0}`,
			reason: "differ", record: 1, step: -1, fields: []string{"v"}},
		{name: "a is a prefix", a: run1 + s1, b: run1 + s1 + s2, reason: "a_ended", record: 3, step: 2, contextLen: 2},
		{name: "b is a prefix", a: run1 + s1 + s2, b: run1, reason: "b_ended", record: 2, step: 1, contextLen: 1},
		{name: "blank lines do not count", a: run1 + "\n\n" + s1, b: run1 + s1},
		{name: "both empty", a: "", b: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, same := run(t, tc.a, tc.b, Options{Context: 3, Strict: tc.strict})
			if tc.reason == "" {
				if d != nil {
					t.Fatalf("diverged at record %d: %v", d.Record, d.Fields)
				}
				if !reflect.DeepEqual(same.Ignored, tc.ignored) {
					t.Errorf("ignored %q, want %q", same.Ignored, tc.ignored)
				}
				return
			}
			if d == nil {
				t.Fatalf("identical, want a divergence")
			}
			if d.Reason != tc.reason || d.Record != tc.record {
				t.Errorf("reason %s at record %d, want %s at %d", d.Reason, d.Record, tc.reason, tc.record)
			}
			if tc.step < 0 && d.Step != nil || tc.step >= 0 && (d.Step == nil || *d.Step != tc.step) {
				t.Errorf("step %v, want %d", d.Step, tc.step)
			}
			if !reflect.DeepEqual(d.Fields, tc.fields) {
				t.Errorf("fields %q, want %q", d.Fields, tc.fields)
			}
			if len(d.Context) != tc.contextLen {
				t.Errorf("%d context records, want %d", len(d.Context), tc.contextLen)
			}
		})
	}
}

// The context is the N records before the divergence, oldest first, and
// the debug lines name both files at the step.
func TestContextAndDebug(t *testing.T) {
	trace, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(trace), "\n")
	b := strings.Join(lines[:30], "") + strings.Replace(lines[30], `"at":`, `"at":1`, 1) + strings.Join(lines[31:], "")
	for _, n := range []int{0, 1, 3, 29, 100} {
		d, _ := run(t, string(trace), b, Options{Context: n})
		if d == nil || d.Record != 31 {
			t.Fatalf("context %d: %+v", n, d)
		}
		want := lines[max(0, 30-n):30]
		if len(d.Context) != len(want) {
			t.Fatalf("context %d: got %d records, want %d", n, len(d.Context), len(want))
		}
		for i, r := range d.Context {
			if string(r)+"\n" != want[i] {
				t.Errorf("context %d, record %d: %s, want %s", n, i, r, want[i])
			}
		}
		if got := strings.Join(d.Debug, "|"); got != "debug --at 29 a|debug --at 29 b" {
			t.Errorf("debug lines %q", got)
		}
		if !reflect.DeepEqual(d.Fields, []string{"at"}) {
			t.Errorf("fields %q", d.Fields)
		}
	}
}

// Lines of any length: a state of several MiB, differing in its last byte
// of data, is found and named (a bufio.Scanner would stop at 64 KiB).
func TestLongLines(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	a := `{"type":"deliver","run":"r-1","step":1,"state":{"s":"` + big + `a"}}` + "\n"
	b := `{"type":"deliver","run":"r-2","step":1,"state":{"s":"` + big + `b"}}` + "\n"
	d, _ := run(t, a+a, a+b, Options{Context: 1})
	if d == nil || d.Record != 2 || !reflect.DeepEqual(d.Fields, []string{"state.s"}) || len(d.Context) != 1 || len(d.Context[0]) != len(a)-1 {
		t.Fatalf("got %+v", d)
	}
	_, same := run(t, a+a, b[:len(b)-5]+`a"}}`+"\n"+a, Options{})
	if same == nil || !reflect.DeepEqual(same.Ignored, []string{"run"}) {
		t.Fatalf("want identical ignoring run, got %+v", same)
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{`{"type":"x"}` + "\n" + `{"type":`, `{"type":"x"}` + "\n" + `{"type":"y"}`, "a:2: not a JSON object"},
		{`{"type":"x"}` + "\n" + `{"type":`, `{"type":"x"}` + "\n" + `{"type":`, "a:2: not a JSON object"}, // same bytes, never parsed
		{`{"type":"x"}`, `{"type":"x",}`, "b:1: invalid JSON"},
		{`{"type":"x"}`, `[1]`, "b:1: not a JSON object"},
		{`{"type":"x"}`, `{"type":"y"} {"type":"z"}`, "b:1: more than one JSON value"},
	} {
		_, _, err := Compare(Input{strings.NewReader(tc.a), "a"}, Input{strings.NewReader(tc.b), "b"}, Options{})
		var ie *formats.InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compare(%q, %q): %v, want an InputError with %q", tc.a, tc.b, err, tc.want)
		}
	}
}

func TestRunSpan(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		rest string
	}{
		{`{"type":"deliver","run":"r-1","step":1}`, true, `{"type":"deliver","step":1}`},
		{`{"type":"run","run":"r-abc","seed":1}`, true, `{"type":"run","seed":1}`},
		{`{"run":"r-1","type":"x"}`, false, ""},
		{`{"type":"x","step":1,"run":"r-1"}`, false, ""},
		{`{"type":"x","run":"r\"1"}`, false, ""},
		{`{"type":"x","run":"r-1`, false, ""},
	} {
		s, e, ok := runSpan([]byte(tc.line))
		if ok != tc.ok {
			t.Errorf("runSpan(%s): ok %v", tc.line, ok)
			continue
		}
		if ok && tc.line[:s]+tc.line[e:] != tc.rest {
			t.Errorf("runSpan(%s): without run %s, want %s", tc.line, tc.line[:s]+tc.line[e:], tc.rest)
		}
	}
}

// The text report says where, which fields, and how to open either run.
func TestWriteText(t *testing.T) {
	d, _ := run(t, `{"type":"x","step":4,"v":1}`, `{"type":"x","step":4,"v":2}`, Options{})
	var b bytes.Buffer
	if err := WriteText(&b, d, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"diverged at step 4 (record 1): a:1 and b:1\n", "fields that differ: v\n", "  debug --at 4 a\n  debug --at 4 b\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, b.String())
		}
	}
}

// FuzzCompare: any pair of inputs gives a divergence, identical or an
// InputError, never a panic; a trace is identical to itself; and the
// comparison is symmetric in where it stops.
func FuzzCompare(f *testing.F) {
	trace, _ := os.ReadFile(golden)
	f.Add(string(trace[:2000]), string(trace[:2500]))
	f.Add(`{"type":"run","run":"r-1","seed":1}`, `{"type":"run","run":"r-2","seed":1}`)
	f.Add(`{"type":"x","a":[1,{"b":null}]}`, `{"type":"x","a":[1,{"b":false}],"c":"\u00e9"}`)
	f.Add("{\n\n{", "{}")
	f.Fuzz(func(t *testing.T, a, b string) {
		d, same, err := Compare(Input{strings.NewReader(a), "a"}, Input{strings.NewReader(b), "b"}, Options{Context: 2})
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		if (d == nil) == (same == nil) {
			t.Fatalf("want exactly one result")
		}
		d2, _, err := Compare(Input{strings.NewReader(b), "b"}, Input{strings.NewReader(a), "a"}, Options{Context: 2})
		if err != nil {
			t.Fatalf("swapped: %v", err)
		}
		if (d == nil) != (d2 == nil) || d != nil && d.Record != d2.Record {
			t.Fatalf("not symmetric: %+v and %+v", d, d2)
		}
		if _, same, err := Compare(Input{strings.NewReader(a), "a"}, Input{strings.NewReader(a), "a"}, Options{}); err == nil && same == nil {
			t.Fatalf("a trace differs from itself")
		}
	})
}
