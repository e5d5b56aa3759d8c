// Package plot draws cover's state-growth curve (its states section) as
// inline SVG, for the pages of cover --html and debug --html: x is the
// runs in input order, y the distinct states found so far, one line per
// node and a thicker one for all nodes together. When the tail of the curve
// is flat (Flat), the runs of the tail are shaded and a note says that more
// seeds of the same kind will not help.
//
// The SVG carries its own colours and fonts (attributes, no CSS), so that
// it looks the same in any page; the same states give the same bytes.
package plot

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Limits that keep the SVG small for large sweeps.
const (
	// MaxPoints is the most points a line has: longer curves are sampled
	// evenly, the first and last run always kept.
	MaxPoints = 400
	// MaxNodes is the most node lines drawn: the nodes with the most
	// distinct states (then by name); the others are counted in a note.
	MaxNodes = 12
	// MaxDots is the most runs that get a dot (with a tooltip) on the
	// total line.
	MaxDots = 100
	// MinFlat is the fewest runs of a flat tail that Flat calls flat.
	MinFlat = 3
	// maxValue bounds the y axis (a states record read from outside may
	// say anything): values above it are drawn at the top.
	maxValue = 1_000_000_000_000
)

// Flat reports whether the curve ends flat enough to say that more runs of
// the same kind will not find new states: no new state in the last
// s.FlatRuns runs, at least MinFlat of them and at least a quarter of all
// runs, and some state found at all.
func Flat(s formats.CoverStates) bool {
	return s.Distinct > 0 && s.FlatRuns >= MinFlat && 4*s.FlatRuns >= len(s.Curve)
}

// Note is the sentence the plot shows under the curve: whether its tail
// is flat (Flat), or how many runs found nothing new at the end.
func Note(s formats.CoverStates) string {
	n := len(s.Curve)
	switch {
	case n == 0:
		return "no runs"
	case s.Distinct == 0:
		return fmt.Sprintf("no state recorded in %s", plural(n, "run"))
	case Flat(s):
		return fmt.Sprintf("flat: no new state in the last %d of %s, more seeds will not help", s.FlatRuns, plural(n, "run"))
	case s.FlatRuns == 0:
		return fmt.Sprintf("still growing: the last of %s found new states", plural(n, "run"))
	}
	return fmt.Sprintf("no new state in the last %d of %s: not flat yet (a flat tail is %d runs and a quarter of them)",
		s.FlatRuns, plural(n, "run"), max(MinFlat, (n+3)/4))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// palette colours the node lines in turn; the total is drawn in ink.
var palette = []string{"#2f6fdf", "#2e9d5b", "#d64545", "#8a4fd6", "#e0a526", "#1b9aaa",
	"#c26d00", "#d6458f", "#5b6b86", "#7a9d2e", "#a0522d", "#4a4ae0"}

const (
	ink    = "#1d2330"
	dim    = "#6b7385"
	grid   = "#e3e6ec"
	font   = `font-family="system-ui, 'DejaVu Sans', sans-serif" font-size="11"`
	width  = 760
	height = 260
	left   = 52  // y axis labels
	right  = 190 // legend
	top    = 14
	bottom = 34 // x axis labels
)

// SVG is the curve as an <svg> element (with a <p> note after it), to put
// inside a page as it is.
func SVG(s formats.CoverStates) string {
	var b strings.Builder
	n := len(s.Curve)
	flat := Flat(s)
	fmt.Fprintf(&b, `<svg class="growth" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" data-runs="%d" data-distinct="%d" data-flat="%d" %s>`,
		width, height, width, height, n, s.Distinct, s.FlatRuns, font)
	fmt.Fprintf(&b, "<title>distinct states after each run (%s, %d distinct)</title>", plural(n, "run"), s.Distinct)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	ymax := max(s.Distinct, 1)
	for _, p := range s.Curve { // cover's curve ends at s.Distinct, but a record may come from elsewhere
		ymax = max(ymax, p.Distinct)
	}
	ymax = min(ymax, maxValue)
	yStep := niceStep(ymax)
	ytop := (ymax + yStep - 1) / yStep * yStep
	x := func(i int) float64 { // run index 0..n-1
		if n <= 1 {
			return float64(left) + pw/2
		}
		return float64(left) + pw*float64(i)/float64(n-1)
	}
	y := func(v int) float64 { return float64(top) + ph - ph*float64(min(max(v, 0), ytop))/float64(ytop) }

	// The flat tail, shaded behind everything.
	if flat && n > 1 {
		x0 := x(n - 1 - min(s.FlatRuns, n-1))
		fmt.Fprintf(&b, `<rect class="flat" x="%s" y="%d" width="%s" height="%s" fill="#fdf4dc"><title>no new state in the last %d runs</title></rect>`,
			f(x0), top, f(x(n-1)-x0), f(ph), s.FlatRuns)
	}
	// Grid and axes.
	for v := 0; v <= ytop; v += yStep {
		fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, left, f(y(v)), f(float64(left)+pw), f(y(v)), grid)
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" fill="%s">%d</text>`, left-6, f(y(v)+4), dim, v)
	}
	if n > 0 {
		xs := niceStep(n)
		ticks := []int{1}
		for r := xs; r < n; r += xs {
			if r > 1 && float64(n-r) >= float64(n)/12 {
				ticks = append(ticks, r)
			}
		}
		if n > 1 {
			ticks = append(ticks, n)
		}
		for _, r := range ticks {
			fmt.Fprintf(&b, `<text x="%s" y="%s" text-anchor="middle" fill="%s">%d</text>`, f(x(r-1)), f(float64(top)+ph+15), dim, r)
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, left, f(float64(top)+ph), f(float64(left)+pw), f(float64(top)+ph), dim)
	fmt.Fprintf(&b, `<text x="%s" y="%d" text-anchor="middle" fill="%s">runs, in input order</text>`, f(float64(left)+pw/2), height-4, dim)
	fmt.Fprintf(&b, `<text transform="translate(12 %s) rotate(-90)" text-anchor="middle" fill="%s">distinct states</text>`, f(float64(top)+ph/2), dim)

	idx := sample(n, MaxPoints)
	line := func(class, node, color string, width float64, value func(int) int) {
		fmt.Fprintf(&b, `<polyline class="%s" data-node="%s" fill="none" stroke="%s" stroke-width="%s" stroke-linejoin="round" points="`,
			class, html.EscapeString(node), color, f(width))
		for k, i := range idx {
			if k > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(f(x(i)) + "," + f(y(value(i))))
		}
		fmt.Fprintf(&b, `"><title>%s</title></polyline>`, html.EscapeString(node))
	}
	// The nodes with the most states, drawn under the total.
	nodes := slices.Clone(s.Nodes)
	slices.SortStableFunc(nodes, func(a, b formats.NodeStates) int {
		return cmp.Or(cmp.Compare(b.Distinct, a.Distinct), cmp.Compare(a.Node, b.Node))
	})
	drawn := nodes[:min(len(nodes), MaxNodes)]
	for k, ns := range drawn {
		if len(ns.Curve) != n {
			continue // a record from before per-node curves: the total only
		}
		line("node", ns.Node, palette[k%len(palette)], 1.5, func(i int) int { return ns.Curve[i] })
	}
	if n > 0 {
		line("total", "all nodes", ink, 2.5, func(i int) int { return s.Curve[i].Distinct })
	}
	if n <= MaxDots {
		for i, p := range s.Curve {
			fmt.Fprintf(&b, `<circle class="run" cx="%s" cy="%s" r="2.5" fill="%s"><title>run %d (%s): %d distinct, %d new</title></circle>`,
				f(x(i)), f(y(p.Distinct)), ink, i+1, html.EscapeString(p.Run), p.Distinct, p.New)
		}
	}

	// The legend: the total, then the nodes drawn.
	lx := float64(width - right + 14)
	ly := top + 6
	legend := func(color string, w float64, label string) {
		fmt.Fprintf(&b, `<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s" stroke-width="%s"/>`, f(lx), ly, f(lx+18), ly, color, f(w))
		fmt.Fprintf(&b, `<text x="%s" y="%d" fill="%s">%s</text>`, f(lx+24), ly+4, ink, html.EscapeString(label))
		ly += 16
	}
	legend(ink, 2.5, fmt.Sprintf("all nodes (%d)", s.Distinct))
	for k, ns := range drawn {
		legend(palette[k%len(palette)], 1.5, fmt.Sprintf("%s (%d)", clip(ns.Node, 18), ns.Distinct))
	}
	if rest := len(nodes) - len(drawn); rest > 0 {
		fmt.Fprintf(&b, `<text x="%s" y="%d" fill="%s">and %s not drawn</text>`, f(lx), ly+4, dim, plural(rest, "other node"))
	}
	b.WriteString("</svg>")
	class := "growth-note"
	if flat {
		class += " flat"
	}
	fmt.Fprintf(&b, `<p class="%s">%s</p>`, class, html.EscapeString(Note(s)))
	return b.String()
}

// niceStep is 1, 2 or 5 times a power of ten, so that 0..v has at most
// five steps.
func niceStep(v int) int {
	for p := 1; ; p *= 10 {
		for _, m := range []int{1, 2, 5} {
			if v <= 5*m*p {
				return m * p
			}
		}
	}
}

// sample picks at most k of the indexes 0..n-1, evenly, the first and the
// last always.
func sample(n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, k)
	for j := range idx {
		idx[j] = j * (n - 1) / (k - 1)
	}
	return idx
}

// f writes a coordinate with one decimal, the same on every machine.
func f(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
