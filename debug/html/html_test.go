package html

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

func TestSameInputSameBytes(t *testing.T) {
	trace, verdicts := failingRun(t)
	input := append(trace, verdicts...)
	a := writePage(t, input, Options{At: AtAuto})
	b := writePage(t, input, Options{At: AtAuto})
	if !bytes.Equal(a, b) {
		t.Fatal("two pages of the same trace differ")
	}
	// The same run again, scheduled anew, gives the same page.
	trace2, verdicts2 := failingRun(t)
	if c := writePage(t, append(trace2, verdicts2...), Options{At: AtAuto}); !bytes.Equal(a, c) {
		t.Fatal("the page of a rerun of the same seed differs")
	}
}

// The lines are the trace's records, one per step, and parse back to them.
func TestLinesAreTheTrace(t *testing.T) {
	trace, verdicts := failingRun(t)
	meta, lines := embedded(t, writePage(t, append(trace, verdicts...), Options{At: AtAuto}))
	var steps []string
	for _, l := range strings.Split(strings.TrimSpace(string(trace)), "\n") {
		if formats.TypeOf([]byte(l)) != formats.TypeRun {
			steps = append(steps, l)
		}
	}
	if len(lines) != len(steps) {
		t.Fatalf("%d lines in the page, %d steps in the trace", len(lines), len(steps))
	}
	for i := range lines {
		var a, b any
		if err := json.Unmarshal([]byte(lines[i]), &a); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		json.Unmarshal([]byte(steps[i]), &b)
		if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
			t.Fatalf("line %d:\n page  %s\n trace %s", i, ja, jb)
		}
	}
	if got := len(meta["steps"].([]any)); got != len(steps)*stepStride {
		t.Fatalf("step table has %d numbers, want %d", got, len(steps)*stepStride)
	}
	lanes := meta["lanes"].([]any)
	if want := "[c0 c1 c2 frontend register1 register2]"; strings.Join(strs(lanes), " ") != want[1:len(want)-1] {
		t.Fatalf("lanes %v, want %s (clients first, then the run's nodes)", lanes, want)
	}
}

func strs(a []any) []string {
	s := make([]string, len(a))
	for i, v := range a {
		s[i] = v.(string)
	}
	return s
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// The witness of check register's verdict: the operation that could not be
// placed (c0's read → 4, invoked at step 67, completed at 76) and the
// others of the smallest failing prefix; the page opens where it failed.
func TestWitnessMarksOpsAndSteps(t *testing.T) {
	trace, verdicts := failingRun(t)
	tr, err := readTrace(bytes.NewReader(append(trace, verdicts...)), "run.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	var w struct {
		Witness struct {
			PrefixEndStep int64 `json:"prefix_end_step"`
			Failed        struct {
				InvokeStep int64 `json:"invoke_step"`
			} `json:"failed"`
			Ops []json.RawMessage `json:"ops"`
		} `json:"witness"`
	}
	if err := json.Unmarshal(verdicts, &w); err != nil {
		t.Fatal(err)
	}
	if got, want := tr.stepNos[tr.witness.focus], w.Witness.PrefixEndStep; got != want {
		t.Errorf("opens at step %d, want the end of the failing prefix, %d", got, want)
	}
	named, failed := 0, int64(-1)
	for i := 0; i < len(tr.ops); i += opStride {
		switch tr.ops[i+opWitness] {
		case 1:
			named++
		case 2:
			failed = tr.stepNos[tr.ops[i+opInvoke]]
		}
	}
	if failed != w.Witness.Failed.InvokeStep {
		t.Errorf("failed op invoked at step %d, want %d", failed, w.Witness.Failed.InvokeStep)
	}
	if named != len(w.Witness.Ops)-1 {
		t.Errorf("%d ops named besides the failed one, want %d", named, len(w.Witness.Ops)-1)
	}
	row := tr.exactRow(w.Witness.PrefixEndStep)
	if tr.steps[row*stepStride+colFlags]&flagWitness == 0 {
		t.Error("the end of the failing prefix is not marked as a witness step")
	}
	// A verdict that holds, or one about another run, marks nothing.
	good := bytes.Replace(verdicts, []byte(`"valid":false`), []byte(`"valid":true`), 1)
	other := bytes.Replace(verdicts, []byte(`"run":"r-`), []byte(`"run":"x-`), 1)
	for name, v := range map[string][]byte{"holds": good, "other run": other} {
		tr, err := readTrace(bytes.NewReader(append(trace, v...)), "run.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		if tr.witness.focus != -1 || len(tr.witness.steps) != 0 {
			t.Errorf("%s: witness %+v, want none", name, tr.witness)
		}
	}
}

func TestOpensAt(t *testing.T) {
	trace, verdicts := failingRun(t)
	for _, c := range []struct {
		name  string
		input []byte
		at    int64
		want  float64
	}{
		{"auto, no verdict: first step", trace, AtAuto, 0},
		{"auto, failing verdict: where it failed", append(trace, verdicts...), AtAuto, 76},
		{"given", append(trace, verdicts...), 40, 40},
		{"past the end: the last step", trace, 1 << 40, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			meta, lines := embedded(t, writePage(t, c.input, Options{At: c.at}))
			want := c.want
			if want < 0 {
				want = float64(len(lines) - 1)
			}
			if meta["at"] != want {
				t.Errorf("at = %v, want %v", meta["at"], want)
			}
		})
	}
}

// Whatever a record holds, it cannot end the script element it is in, nor
// can the title break out of its element.
func TestScriptCannotBeClosedByTheData(t *testing.T) {
	evil := `</script><script>alert(1)</script><!-- \u2028 ` + "\u2028\u2029 & >"
	logs, _ := json.Marshal([]string{evil, "</SCRIPT>"})
	input := `{"type":"run","run":"r-1","nodes":[{"name":"n</script>","kind":"k"}]}
{"type":"init","run":"r-1","step":0,"at":0,"node":"n</script>","state":{"x":"</script>"},"logs":` + string(logs) + `}
{"type":"verdict","run":"r-1","checker":"ltl","valid":false,"witness":{"step":0,"explanation":"</script><b>"}}
`
	p := writePage(t, []byte(input), Options{Title: "<b>title</script>", At: AtAuto})
	if n := bytes.Count(bytes.ToLower(p), []byte("</script")); n != 3 {
		t.Fatalf("%d </script in the page, want the 3 that close its own script elements", n)
	}
	if bytes.Contains(p, []byte("<b>title")) || bytes.Contains(p, []byte("\u2028")) {
		t.Fatal("title or U+2028 not escaped")
	}
	meta, lines := embedded(t, p)
	var rec struct {
		Logs  []string
		State struct{ X string }
	}
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec.Logs[0] != evil || rec.State.X != "</script>" {
		t.Fatalf("the record does not read back: %+v", rec)
	}
	if meta["lanes"].([]any)[0] != "n</script>" {
		t.Fatalf("lanes %v", meta["lanes"])
	}
}

// The page needs nothing beside it: no element loads anything.
func TestSelfContained(t *testing.T) {
	trace, verdicts := failingRun(t)
	p := strings.ToLower(string(writePage(t, append(trace, verdicts...), Options{At: AtAuto})))
	for _, ref := range []string{" src=", " href=", "<link", "@import", "<iframe", "<img", "fetch(", "xmlhttprequest", "import("} {
		if strings.Contains(p, ref) {
			t.Errorf("the page has %q: it must not load anything", ref)
		}
	}
	for _, m := range regexp.MustCompile(`url\(([^)]*)\)`).FindAllStringSubmatch(p, -1) {
		if !strings.HasPrefix(m[1], "#") {
			t.Errorf("the page has url(%s): only references within the page are allowed", m[1])
		}
	}
	if n := strings.Count(p, "<script"); n != 3 {
		t.Errorf("%d script elements, want 3 (meta, lines, code)", n)
	}
}

func TestBadInputNamesTheLine(t *testing.T) {
	const run = `{"type":"run","run":"r-1","nodes":[{"name":"a","kind":"k"}]}` + "\n"
	for _, c := range []struct {
		name, input string
		line        int
		field, msg  string
	}{
		{"not JSON", run + "{\"type\":\"init\",\n", 2, "", "invalid JSON"},
		{"not an object", run + "[1]\n", 2, "", "not a JSON object"},
		{"no type", run + `{"step":0,"at":0}` + "\n", 2, "type", "missing"},
		{"step not a number", run + `{"type":"init","step":"0","at":0,"node":"a"}` + "\n", 2, "step", "integer"},
		{"fractional at", run + `{"type":"init","step":0,"at":0.5,"node":"a"}` + "\n", 2, "at", "integer"},
		{"no node", run + `{"type":"timer","step":0,"at":0,"timer":"t"}` + "\n", 2, "node", "expected a name"},
		{"steps go back", run + `{"type":"init","step":3,"at":0,"node":"a"}` + "\n" + `{"type":"init","step":2,"at":0,"node":"a"}` + "\n", 3, "step", "step 2 after step 3"},
		{"deliver without from", run + `{"type":"deliver","step":0,"at":0,"to":"a","body":{}}` + "\n", 2, "from", "expected a name"},
		{"negative client", run + `{"type":"invoke","step":0,"at":0,"client":-1,"op":{}}` + "\n", 2, "client", "client number"},
		{"sent after received", run + `{"type":"deliver","step":4,"at":0,"from":"a","to":"a","sent_step":4}` + "\n", 2, "sent_step", "not before"},
		{"ok without invoke", run + `{"type":"ok","step":0,"at":0,"client":1,"op":{}}` + "\n", 2, "client", "no operation open"},
		{"two invokes", run + `{"type":"invoke","step":0,"at":0,"client":1,"op":{}}` + "\n" + `{"type":"invoke","step":1,"at":0,"client":1,"op":{}}` + "\n", 3, "client", "still open"},
		{"run record again", run + `{"type":"init","step":0,"at":0,"node":"a"}` + "\n" + run, 3, "", "again"},
		{"verdict without valid", run + `{"type":"init","step":0,"at":0,"node":"a"}` + "\n" + `{"type":"verdict","run":"r-1"}` + "\n", 3, "valid", "missing"},
		{"run nodes", `{"type":"run","nodes":[{"kind":"k"}]}` + "\n", 1, "nodes[0].name", "node name"},
		{"no steps", run, 0, "", "no steps"},
		{"empty", "", 0, "", "no steps"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Write(&out, strings.NewReader(c.input), Options{Name: "run.ndjson"})
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an InputError", err)
			}
			if ie.File != "run.ndjson" || ie.Line != c.line || ie.Field != c.field || !strings.Contains(ie.Msg, c.msg) {
				t.Fatalf("got %q (file %q line %d field %q), want line %d field %q and %q", err, ie.File, ie.Line, ie.Field, c.line, c.field, c.msg)
			}
			if ie.ExitCode() != formats.ExitBadInput {
				t.Fatalf("exit code %d", ie.ExitCode())
			}
			// Bad input after the first step may leave the start of a page
			// (it is written as the trace is read), never a whole one.
			if bytes.Contains(out.Bytes(), []byte("</html>")) {
				t.Fatal("wrote a whole page for bad input")
			}
		})
	}
}

// Several runs in one input: the page shows the first, as debug does in
// the terminal, and says there are more.
func TestFirstRunOfMany(t *testing.T) {
	a, va := failingRun(t)
	b, vb := registerRun(t, "frontend3", 2, 5, 1, 0, 0, 0)
	meta, lines := embedded(t, writePage(t, bytes.Join([][]byte{a, b, vb, va}, nil), Options{At: AtAuto}))
	if want := len(steps(t, a)); len(lines) != want {
		t.Errorf("%d steps on the page, want the first run's %d", len(lines), want)
	}
	if meta["other_runs"] != 1.0 {
		t.Errorf("other_runs %v, want 1", meta["other_runs"])
	}
	if vs := meta["verdicts"].([]any); len(vs) != 1 || vs[0].(map[string]any)["valid"] != false {
		t.Errorf("verdicts %v, want the first run's only", vs)
	}
}

// A trace of another system: unknown kinds of step and records that are
// not steps pass, the lanes come from the records when there is no run
// record, and a bare client history makes a page too.
func TestLenientWhereItCan(t *testing.T) {
	input := `{"type":"test","test":"t-1","nodes":[]}
{"type":"invoke","step":0,"at":0,"client":10,"op":{"type":"read"}}
{"type":"invoke","step":1,"at":5,"client":2,"op":{"type":"write","value":"<x>"}}
{"type":"snapshot","step":2,"at":6,"node":"z"}
{"type":"ok","step":3,"at":9,"client":10,"op":{"type":"read"},"reply":{"type":"read_ok","value":1}}
{"type":"faults","faults":[]}
`
	meta, lines := embedded(t, writePage(t, []byte(input), Options{At: AtAuto}))
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	if got := strings.Join(strs(meta["lanes"].([]any)), " "); got != "c2 c10 z" {
		t.Fatalf("lanes %q, want clients by number, then the rest", got)
	}
	labels := strings.Join(strs(meta["labels"].([]any)), "|")
	for _, want := range []string{"read()", `write("<x>")`, "read() → 1", "snapshot"} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels %q lack %q", labels, want)
		}
	}
}

// ltl's witness names the step where the formula broke ("step") and the
// last step it looked at ("last_step"); "steps" is a count, not a step.
func TestLTLWitness(t *testing.T) {
	trace, _ := failingRun(t)
	run := steps(t, trace)[0].Run
	v := `{"type":"verdict","run":"` + run + `","checker":"ltl","formula":"[] (state.register1.value == state.register2.value)","valid":false,"anomaly":"violated",` +
		`"witness":{"step":24,"at":53057658,"event":"deliver m21 register2→frontend write_ok","last_step":30,"steps":25,"explanation":"broke at step 24"}}` + "\n"
	tr, err := readTrace(bytes.NewReader(append(trace, v...)), "run.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tr.witness.steps); got != "[24 30]" {
		t.Errorf("witness steps %s, want [24 30]", got)
	}
	if tr.witness.focus != 24 {
		t.Errorf("opens at row %d, want 24, where the formula broke", tr.witness.focus)
	}
}

// A long trace's lines are cut into several script elements, at line
// ends, and read back whole.
func TestLinesInPieces(t *testing.T) {
	trace, verdicts := failingRun(t)
	whole := writePage(t, append(trace, verdicts...), Options{At: AtAuto})
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 4000
	p := writePage(t, append(trace, verdicts...), Options{At: AtAuto})
	if n := bytes.Count(p, []byte(`class="lines"`)); n < 10 {
		t.Fatalf("%d pieces of lines, want many", n)
	}
	for i, piece := range strings.Split(string(p), `<script type="text/plain" class="lines">`)[1:] {
		piece, _, _ = strings.Cut(piece, "</script>")
		if len(piece) > chunkSize && strings.Contains(piece, "\n") {
			t.Errorf("piece %d has %d bytes in more than one line, over %d", i, len(piece), chunkSize)
		}
	}
	_, a := embedded(t, whole)
	_, b := embedded(t, p)
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("the lines in pieces differ from the lines whole")
	}
}

// readTrace reads a trace (and any verdicts appended to it) from in,
// keeping only what the page's table needs.
func readTrace(in io.Reader, name string) (*trace, error) {
	t := newTrace(name)
	if err := t.read(in); err != nil {
		return nil, err
	}
	return t, nil
}
