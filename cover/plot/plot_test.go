package plot

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// states builds a states section from per-node curves (node → distinct
// after each run), as cover/report does.
func states(nodes map[string][]int, runs int) formats.CoverStates {
	s := formats.CoverStates{Type: formats.TypeCover, Section: formats.SectionStates}
	names := make([]string, 0, len(nodes))
	for n := range nodes {
		names = append(names, n)
	}
	// sorted, as report has them
	for i := range names {
		for j := i + 1; j < len(names); j++ {
			if names[j] < names[i] {
				names[i], names[j] = names[j], names[i]
			}
		}
	}
	total := make([]int, runs)
	for _, n := range names {
		c := nodes[n]
		s.Nodes = append(s.Nodes, formats.NodeStates{Node: n, Distinct: c[runs-1], Curve: c})
		s.Distinct += c[runs-1]
		for i, v := range c {
			total[i] += v
		}
	}
	for i := range runs {
		p := formats.GrowthPoint{Run: fmt.Sprintf("r-%d", i+1), Distinct: total[i]}
		if i == 0 {
			p.New = total[0]
		} else {
			p.New = total[i] - total[i-1]
		}
		if p.New == 0 {
			s.FlatRuns++
		} else {
			s.FlatRuns = 0
		}
		s.Curve = append(s.Curve, p)
	}
	return s
}

// parsed is what the SVG draws, read back with encoding/xml (which also
// proves that it is well-formed).
type parsed struct {
	lines map[string]int // data-node → points
	total int            // points of the total line
	dots  int
	flat  bool // the shaded tail
}

func parse(t *testing.T, svg string) parsed {
	t.Helper()
	end := strings.Index(svg, "</svg>")
	if end < 0 {
		t.Fatalf("no </svg>: %s", svg)
	}
	d := xml.NewDecoder(strings.NewReader(svg[:end+len("</svg>")]))
	p := parsed{lines: map[string]int{}}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return p
		}
		if err != nil {
			t.Fatalf("the SVG is not well-formed XML: %v\n%s", err, svg)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := map[string]string{}
		for _, a := range se.Attr {
			attr[a.Name.Local] = a.Value
		}
		switch {
		case se.Name.Local == "polyline" && attr["class"] == "node":
			p.lines[attr["data-node"]] = len(strings.Fields(attr["points"]))
		case se.Name.Local == "polyline" && attr["class"] == "total":
			p.total = len(strings.Fields(attr["points"]))
		case se.Name.Local == "circle":
			p.dots++
		case se.Name.Local == "rect" && attr["class"] == "flat":
			p.flat = true
		}
	}
}

func TestLinesAndPoints(t *testing.T) {
	s := states(map[string][]int{"a": {2, 3, 5, 6}, "b": {1, 1, 2, 2}}, 4)
	svg := SVG(s)
	p := parse(t, svg)
	if len(p.lines) != 2 || p.lines["a"] != 4 || p.lines["b"] != 4 || p.total != 4 || p.dots != 4 {
		t.Errorf("drawn %+v, want lines a and b and the total of 4 points each, 4 dots", p)
	}
	if p.flat || strings.Contains(svg, "more seeds will not help") {
		t.Errorf("a growing curve is called flat:\n%s", svg)
	}
	if !strings.Contains(svg, "still growing") {
		t.Errorf("no 'still growing' note:\n%s", svg)
	}
	if SVG(s) != svg {
		t.Error("the same states gave different bytes")
	}
}

func TestFlatTail(t *testing.T) {
	s := states(map[string][]int{"a": {3, 4, 4, 4, 4, 4}, "b": {1, 1, 1, 1, 1, 1}}, 6)
	if s.FlatRuns != 4 || !Flat(s) {
		t.Fatalf("flat runs %d, Flat %v", s.FlatRuns, Flat(s))
	}
	svg := SVG(s)
	if p := parse(t, svg); !p.flat {
		t.Errorf("the flat tail is not shaded:\n%s", svg)
	}
	if !strings.Contains(svg, `<p class="growth-note flat">flat: no new state in the last 4 of 6 runs, more seeds will not help</p>`) {
		t.Errorf("no flat note:\n%s", svg)
	}
	// Two flat runs are too few to say so; a tail shorter than a quarter
	// of the runs too.
	for _, s := range []formats.CoverStates{
		states(map[string][]int{"a": {1, 2, 2, 2}}, 4),
		states(map[string][]int{"a": {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 13, 13, 13}}, 16),
	} {
		if Flat(s) || strings.Contains(SVG(s), "more seeds") {
			t.Errorf("flat runs %d of %d called flat", s.FlatRuns, len(s.Curve))
		}
		if !strings.Contains(Note(s), "not flat yet") {
			t.Errorf("note %q", Note(s))
		}
	}
	none := states(map[string][]int{"a": {0, 0, 0, 0}}, 4)
	if Flat(none) || Note(none) != "no state recorded in 4 runs" {
		t.Errorf("no states: Flat %v, note %q", Flat(none), Note(none))
	}
}

func TestLongCurvesAreSampled(t *testing.T) {
	n := 3*MaxPoints + 7
	c := make([]int, n)
	for i := range c {
		c[i] = min(i, n/2)
	}
	nodes := map[string][]int{}
	for k := range MaxNodes + 3 {
		nodes[fmt.Sprintf("n%02d", k)] = c
	}
	svg := SVG(states(nodes, n))
	p := parse(t, svg)
	if p.total != MaxPoints || len(p.lines) != MaxNodes || p.dots != 0 {
		t.Errorf("total %d points, %d node lines, %d dots; want %d, %d, 0", p.total, len(p.lines), p.dots, MaxPoints, MaxNodes)
	}
	if !strings.Contains(svg, "and 3 other nodes not drawn") {
		t.Error("the nodes left out are not counted")
	}
	if idx := sample(n, MaxPoints); idx[0] != 0 || idx[len(idx)-1] != n-1 {
		t.Errorf("sample drops an end: %d…%d", idx[0], idx[len(idx)-1])
	}
}

func TestNamesAreEscaped(t *testing.T) {
	s := states(map[string][]int{`<script>"x"&`: {1, 2}}, 2)
	s.Curve[0].Run = "</svg><b>"
	svg := SVG(s)
	if strings.Contains(svg, "<script>") || strings.Contains(svg, "</svg><b>") {
		t.Errorf("a name is not escaped:\n%s", svg)
	}
	if p := parse(t, svg); p.lines[`<script>"x"&`] != 2 {
		t.Errorf("lines %v", p.lines)
	}
}

func TestOneRunAndNone(t *testing.T) {
	p := parse(t, SVG(states(map[string][]int{"a": {3}}, 1)))
	if p.total != 1 || p.dots != 1 {
		t.Errorf("one run: %+v", p)
	}
	empty := formats.CoverStates{Nodes: []formats.NodeStates{}, Curve: []formats.GrowthPoint{}}
	if p := parse(t, SVG(empty)); p.total != 0 || !strings.Contains(SVG(empty), "no runs") {
		t.Errorf("no runs: %+v", p)
	}
}

func TestNiceStep(t *testing.T) {
	for _, c := range []struct{ v, want int }{{1, 1}, {5, 1}, {6, 2}, {10, 2}, {11, 5}, {25, 5}, {26, 10}, {1000, 200}, {1001, 500}} {
		if got := niceStep(c.v); got != c.want {
			t.Errorf("niceStep(%d) = %d, want %d", c.v, got, c.want)
		}
	}
}

// A states record from outside may say anything: the plot stays bounded.
func TestOutlandishValues(t *testing.T) {
	s := states(map[string][]int{"a": {-5, 1 << 62, 3}}, 3)
	s.Distinct = 1<<63 - 1
	s.FlatRuns = 1 << 40
	p := parse(t, SVG(s))
	if p.total != 3 || p.lines["a"] != 3 {
		t.Errorf("%+v", p)
	}
	if n := strings.Count(SVG(s), "<text"); n > 40 {
		t.Errorf("%d labels", n)
	}
}
