package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/detsys/detsys/formats"
)

// Table lengths: the NDJSON records have every row; the tables show the
// first rows of the long lists and say how many there are.
const (
	maxSets  = 10 // fault sets
	maxCurve = 20 // growth-curve rows (sampled evenly, the last one always)
	barWidth = 40 // the growth curve's bars
)

// WriteTables lays the sections out for people, one titled table each.
// Either r (the trace sections) or code may be nil.
func WriteTables(w io.Writer, r *Report, code *formats.CoverCode) error {
	t := &tables{w: w}
	if r != nil {
		t.traces(r)
	}
	if code != nil {
		if r != nil {
			t.printf("\n")
		}
		t.code(code)
	}
	return t.err
}

func (t *tables) traces(r *Report) {
	runs := r.Runs()
	t.printf("runs: %d, tests: %d, seeds: %d, step records: %d\n", runs.Runs, runs.Tests, runs.Seeds, runs.Steps)

	m := r.Messages()
	t.printf("\nmessages (clients are %s):\n", ClientLabel)
	rows := [][]string{}
	for _, c := range m.Messages {
		rows = append(rows, []string{c.From, c.To, c.BodyType, itoa(c.Sent), itoa(c.Delivered), itoa(c.Dropped)})
	}
	t.table([]string{"from", "to", "body type", "sent", "delivered", "dropped"}, rows)
	t.printf("never delivered: %s\n", kindList(m.NeverDelivered))
	t.printf("never dropped: %s\n", kindList(m.NeverDropped))

	f := r.Faults()
	t.printf("\nfaults in the runs' fault sets:\n")
	rows = [][]string{}
	for _, k := range f.Kinds {
		rows = append(rows, []string{k.Kind, strconv.Itoa(k.Runs), strconv.Itoa(k.Faults)})
	}
	t.table([]string{"kind", "runs", "faults"}, rows)
	t.printf("fault events in the traces:\n")
	rows = [][]string{}
	for _, e := range f.Events {
		rows = append(rows, []string{e.Event, strconv.Itoa(e.Runs), itoa(e.Count)})
	}
	t.table([]string{"event", "runs", "count"}, rows)
	t.printf("distinct fault sets: %d%s\n", f.DistinctSets, more(len(f.Sets), maxSets, "the most frequent"))
	rows = [][]string{}
	for _, s := range f.Sets[:min(len(f.Sets), maxSets)] {
		rows = append(rows, []string{strconv.Itoa(s.Runs), string(s.Faults)})
	}
	t.table([]string{"runs", "faults"}, rows)
	t.printf("runs in which each node:\n")
	rows = [][]string{}
	for _, n := range f.Nodes {
		rows = append(rows, []string{n.Node, strconv.Itoa(n.Crashed), strconv.Itoa(n.Restarted), strconv.Itoa(n.Panicked), strconv.Itoa(n.Partitioned)})
	}
	t.table([]string{"node", "crashed", "restarted", "panicked", "partitioned"}, rows)
	if sp := f.Space; sp != nil {
		t.printf("LDFI fault space %s", sp.Spec)
		if sp.Test != "" {
			t.printf(" of %s", sp.Test)
		}
		switch {
		case sp.Space != nil && sp.RuledOut != nil:
			t.printf(": %s of %s fault sets ruled out (%.2f%%)", num(*sp.RuledOut), num(*sp.Space), 100**sp.Covered)
		case sp.SpaceLog10 != nil:
			t.printf(": about 10^%.1f fault sets", *sp.SpaceLog10)
		}
		if sp.Certified {
			t.printf(", certified")
		}
		t.printf(" (ldfi, after %d runs)\n", sp.Runs)
	}

	s := r.States()
	t.printf("\nstates: %d distinct in all\n", s.Distinct)
	rows = [][]string{}
	for _, n := range s.Nodes {
		rows = append(rows, []string{n.Node, strconv.Itoa(n.Distinct), itoa(n.Records)})
	}
	t.table([]string{"node", "distinct", "records"}, rows)
	t.printf("growth over runs, in input order (no new state in the last %d of %d runs)%s:\n",
		s.FlatRuns, len(s.Curve), more(len(s.Curve), maxCurve, "sampled"))
	rows = [][]string{}
	for _, i := range sample(len(s.Curve), maxCurve) {
		p := s.Curve[i]
		bar := 0
		if s.Distinct > 0 {
			bar = (p.Distinct*barWidth + s.Distinct - 1) / s.Distinct
		}
		rows = append(rows, []string{strconv.Itoa(i + 1), p.Run, strconv.Itoa(p.New), strconv.Itoa(p.Distinct), strings.Repeat("#", bar)})
	}
	t.table([]string{"#", "run", "new", "distinct", ""}, rows)

	o := r.Ops()
	t.printf("\nclient operations:\n")
	rows = [][]string{}
	for _, c := range o.Ops {
		rows = append(rows, []string{c.Op, itoa(c.Invoke), itoa(c.Ok), itoa(c.Fail), itoa(c.Info)})
	}
	t.table([]string{"op", "invoke", "ok", "fail", "info"}, rows)

}

func (t *tables) code(code *formats.CoverCode) {
	t.printf("code (go tool covdata, %s): %.1f%% of statements\n", strings.Join(code.Dirs, ", "), code.Total)
	rows := [][]string{}
	for _, p := range code.Packages {
		rows = append(rows, []string{p.Package, pct(p.Percent)})
	}
	t.table([]string{"package", "coverage"}, rows)
	rows = [][]string{}
	for _, fn := range code.Functions {
		rows = append(rows, []string{fmt.Sprintf("%s:%d", fn.File, fn.Line), fn.Function, pct(fn.Percent)})
	}
	t.table([]string{"file:line", "function", "coverage"}, rows)
}

// tables writes titles and tables, keeping the first error.
type tables struct {
	w   io.Writer
	err error
}

func (t *tables) printf(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

func (t *tables) table(header []string, rows [][]string) {
	if t.err != nil {
		return
	}
	if len(rows) == 0 {
		t.printf("  (none)\n")
		return
	}
	tab := tablewriter.NewTable(t.w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
	)
	h := make([]any, len(header))
	for i, x := range header {
		h[i] = x
	}
	tab.Header(h...)
	for _, r := range rows {
		if err := tab.Append(r); err != nil {
			t.err = err
			return
		}
	}
	t.err = tab.Render()
}

// num writes a count that ldfi gives as a float64 (it may be huge).
func num(f float64) string {
	if f < 1e15 {
		return strconv.FormatFloat(f, 'f', 0, 64)
	}
	return strconv.FormatFloat(f, 'g', 4, 64)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func pct(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" }

func kindList(ks []formats.MessageKind) string {
	if len(ks) == 0 {
		return "(none)"
	}
	l := make([]string, len(ks))
	for i, k := range ks {
		l[i] = fmt.Sprintf("%s→%s %s", k.From, k.To, k.BodyType)
	}
	return strings.Join(l, ", ")
}

func more(n, max int, what string) string {
	if n <= max {
		return ""
	}
	return fmt.Sprintf(" (%s %d shown)", what, max)
}

// sample picks at most k of the indexes 0..n-1, evenly, the last one
// always included.
func sample(n, k int) []int {
	if n <= k {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	idx := make([]int, 0, k)
	for j := 1; j <= k; j++ {
		idx = append(idx, j*n/k-1)
	}
	return idx
}
