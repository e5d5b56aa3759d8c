// Package page writes what cover reports as one self-contained web page:
// the state-growth curve drawn (cover/plot), then every section as a
// table. No script and no network: the CSS is inside the page, the curve
// is inline SVG. The same report gives the same bytes.
//
//	cover --html coverage.html runs/*.ndjson
package page

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/detsys/detsys/cover/plot"
	"github.com/detsys/detsys/cover/report"
	"github.com/detsys/detsys/formats"
)

// MaxSets is the most fault sets listed (the most frequent ones), as the
// tables have it.
const MaxSets = 10

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.css
	pageCSS string

	pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
		"pct": func(p float64) string { return strconv.FormatFloat(p, 'f', 1, 64) + "%" },
		"num": func(f float64) string {
			if f < 1e15 {
				return strconv.FormatFloat(f, 'f', 0, 64)
			}
			return strconv.FormatFloat(f, 'g', 4, 64)
		},
		"share": func(f float64) string { return strconv.FormatFloat(100*f, 'f', 2, 64) + "%" },
		"log10": func(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) },
		"raw":   func(b []byte) string { return string(b) },
		"deref": func(p *float64) float64 { return *p },
	}).Parse(pageHTML))
)

// Options shape the page.
type Options struct {
	// Title is the page's title; "" means "detsys cover: N runs".
	Title string
}

// data is what the template shows.
type data struct {
	Title    string
	CSS      template.CSS
	Traces   bool
	Runs     formats.CoverRuns
	Messages formats.CoverMessages
	Faults   formats.CoverFaults
	Sets     []formats.FaultSetCount // the first MaxSets
	States   formats.CoverStates
	Plot     template.HTML
	Flat     bool
	Ops      formats.CoverOps
	Code     *formats.CoverCode
}

// Write writes the page for r (the trace sections; nil for none) and code
// (nil for none) to w.
func Write(w io.Writer, r *report.Report, code *formats.CoverCode, opts Options) error {
	d := data{CSS: template.CSS(pageCSS), Code: code, Traces: r != nil}
	if r != nil {
		d.Runs, d.Messages, d.Faults, d.States, d.Ops = r.Runs(), r.Messages(), r.Faults(), r.States(), r.Ops()
		d.Sets = d.Faults.Sets[:min(len(d.Faults.Sets), MaxSets)]
		d.Plot = template.HTML(plot.SVG(d.States)) // its names are escaped by plot
		d.Flat = plot.Flat(d.States)
	}
	d.Title = opts.Title
	if d.Title == "" {
		switch {
		case r != nil && d.Runs.Runs == 1:
			d.Title = "detsys cover: 1 run"
		case r != nil:
			d.Title = fmt.Sprintf("detsys cover: %d runs", d.Runs.Runs)
		default:
			d.Title = "detsys cover: code"
		}
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		return fmt.Errorf("rendering the page: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}
