package html

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/detsys/detsys/cover/report"
	"github.com/detsys/detsys/formats"
)

// statesRecord is what `cover --format json` writes as its states section
// for these traces, one line.
func statesRecord(t *testing.T, traces ...[]byte) []byte {
	t.Helper()
	r := report.New()
	for i, tr := range traces {
		if err := r.Read(bytes.NewReader(tr), fmt.Sprintf("run%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	b, err := json.Marshal(r.States())
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}

// growthInputs are a run, and that run followed by cover's states record
// for a sweep: a growing one (seeds 1 to 4), and a flat one (the run's
// own seed four times: the last three add no state).
func growthInputs(t *testing.T) (run, growing, flat []byte) {
	t.Helper()
	run, _ = registerRun(t, "frontend1", 2, 6, 1, 0, 0, 0)
	var sweep [][]byte
	for seed := uint64(1); seed <= 4; seed++ {
		tr, _ := registerRun(t, "frontend1", 2, 6, seed, 0.2, 0, 0)
		sweep = append(sweep, tr)
	}
	growing = append(bytes.Clone(run), statesRecord(t, sweep...)...)
	flat = append(bytes.Clone(run), statesRecord(t, run, run, run, run)...)
	return run, growing, flat
}

func TestGrowthPanel(t *testing.T) {
	run, growing, flat := growthInputs(t)
	if page := writePage(t, run, Options{At: AtAuto}); bytes.Contains(page, []byte(`id="growth"`)) {
		t.Error("a page without cover's states record has a growth panel")
	}
	a := writePage(t, growing, Options{At: AtAuto})
	if !bytes.Equal(a, writePage(t, growing, Options{At: AtAuto})) {
		t.Fatal("two pages of the same input differ")
	}
	page := string(a)
	if !strings.Contains(page, `<details id="growth" class="pane" open>`) {
		t.Fatal("no growth panel")
	}
	// The run's own page is unchanged: the states record is not a step.
	meta, lines := embedded(t, a)
	_, runLines := embedded(t, writePage(t, run, Options{At: AtAuto}))
	if len(lines) != len(runLines) || meta["other_runs"].(float64) != 0 {
		t.Errorf("%d lines with the states record, %d without; other runs %v", len(lines), len(runLines), meta["other_runs"])
	}
	// One line per node (three) and the total, four points each.
	if n := strings.Count(page, `<polyline class="node"`); n != 3 {
		t.Errorf("%d node lines, want 3", n)
	}
	if n := strings.Count(page, `<circle class="run"`); n != 4 {
		t.Errorf("%d run dots, want 4", n)
	}
	if strings.Contains(page, "more seeds will not help") {
		t.Error("four different seeds called flat")
	}
	if f := string(writePage(t, flat, Options{At: AtAuto})); !strings.Contains(f, "flat: no new state in the last 3 of 4 runs, more seeds will not help") ||
		!strings.Contains(f, `<rect class="flat"`) {
		t.Error("the same seed four times is not called flat")
	}
}

func TestGrowthRecordChecked(t *testing.T) {
	run, _ := registerRun(t, "frontend1", 2, 4, 1, 0, 0, 0)
	lines := bytes.Count(run, []byte("\n"))
	for _, c := range []struct{ rec, field string }{
		{`{"type":"cover","section":"states","nodes":[{"node":"a","distinct":1,"records":1,"curve":[1,1]}],"distinct":1,"curve":[{"run":"r","new":1,"distinct":1}],"flat_runs":0}`, "nodes[0].curve"},
		{`{"type":"cover","section":"states","curve":"x"}`, "curve"},
	} {
		var out bytes.Buffer
		err := Write(&out, bytes.NewReader(append(bytes.Clone(run), c.rec+"\n"...)), Options{Name: "in.ndjson", At: AtAuto})
		var ie *formats.InputError
		if !errors.As(err, &ie) || ie.Line != lines+1 || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: got %v, want an input error at in.ndjson:%d naming %s", c.rec, err, lines+1, c.field)
		}
	}
	// Other sections of cover are passed over.
	other := append(bytes.Clone(run), `{"type":"cover","section":"runs","runs":1,"tests":1,"seeds":1,"steps":9}`+"\n"...)
	if page := writePage(t, other, Options{At: AtAuto}); bytes.Contains(page, []byte(`id="growth"`)) {
		t.Error("a runs section made a growth panel")
	}
}

// In the browser: the panel is drawn, below the client history, its lines
// have the points the curve has, and the flat note shows for a flat sweep.
func TestBrowserGrowth(t *testing.T) {
	b := launch(t)
	run, growing, flat := growthInputs(t)
	recs := steps(t, run)
	last := recs[len(recs)-1].Step
	dir := artifacts(t)
	for _, c := range []struct {
		name  string
		input []byte
		flat  bool
	}{{"growth", growing, false}, {"growth-flat", flat, true}} {
		file := filepath.Join(dir, c.name+".html")
		if err := os.WriteFile(file, writePage(t, c.input, Options{At: AtAuto}), 0o644); err != nil {
			t.Fatal(err)
		}
		b.open(file, "")
		got := b.eval(`(() => {
			const svg = document.querySelector('#growth svg.growth');
			if (!svg) return null;
			const box = svg.getBoundingClientRect(), hist = document.querySelector('#history').getBoundingClientRect();
			const total = svg.querySelector('polyline.total');
			return {
				nodes: svg.querySelectorAll('polyline.node').length,
				points: [...svg.querySelectorAll('polyline')].map((p) => p.points.numberOfItems),
				length: total.getTotalLength(),
				height: box.height, below: box.top >= hist.bottom, inView: box.bottom <= innerHeight,
				flat: !!svg.querySelector('rect.flat'),
				summary: document.querySelector('#growth summary').textContent,
			};
		})()`)
		m, ok := got.(map[string]any)
		if !ok {
			t.Fatalf("%s: no growth SVG in the page", c.name)
		}
		if m["nodes"] != 3.0 || fmt.Sprint(m["points"]) != "[4 4 4 4]" {
			t.Errorf("%s: %v node lines, points %v; want 3 node lines and the total, 4 points each", c.name, m["nodes"], m["points"])
		}
		if m["length"].(float64) <= 0 || m["height"].(float64) < 100 || m["below"] != true || m["inView"] != true {
			t.Errorf("%s: the curve is not drawn in view below the history: %v", c.name, m)
		}
		summary := m["summary"].(string)
		if m["flat"] != c.flat || strings.Contains(summary, "more seeds will not help") != c.flat {
			t.Errorf("%s: flat tail %v, summary %q; want flat %v", c.name, m["flat"], summary, c.flat)
		}
		// The diagram still works with the panel there.
		if got := shownStep(t, b.view(file, "G")); got != last {
			t.Errorf("%s: G shows step %d, want the last, %d", c.name, got, last)
		}
		shot := filepath.Join(dir, c.name+".png")
		b.screenshot(shot)
		t.Logf("page %s\nscreenshot %s", file, shot)
	}
}
