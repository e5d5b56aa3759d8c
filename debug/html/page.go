package html

import (
	"bufio"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"

	"github.com/detsys/detsys/cover/plot"
	"github.com/detsys/detsys/formats"
)

// Options shape the page.
type Options struct {
	// Title is the page's title; "" means "detsys debug: RUN".
	Title string
	// Name names the input in error messages ("-" for stdin); "" means "-".
	Name string
	// At is the step to open at (the first step at or after it, the last
	// step if there is none, as debug --at has it). AtAuto opens where a
	// failing verdict's witness says the run went wrong, or at the first
	// step.
	At int64
}

// AtAuto is the value of Options.At that lets the page choose.
const AtAuto = -1

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.css
	pageCSS string
	//go:embed page.js
	pageJS string

	pageTemplate = template.Must(template.New("page").Parse(pageHTML))
)

// Write reads one run's trace from in (sched's output, with any verdicts
// about it appended, as in `cat run.ndjson verdicts.ndjson`) and writes the
// page to w. Malformed input is a *formats.InputError naming the line.
//
// The page is written as the trace is read, so that memory follows the
// number of steps, not the size of their states: bad input found after the
// first step leaves part of a page behind. Write to a temporary file and
// rename it into place (debug --html does).
func Write(w io.Writer, in io.Reader, opts Options) error {
	if opts.Name == "" {
		opts.Name = "-"
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	t := newTrace(opts.Name)
	title := func() string {
		switch {
		case opts.Title != "":
			return opts.Title
		case t.runID != "":
			return "detsys debug: " + t.runID
		}
		return "detsys debug: " + opts.Name
	}
	// The head goes out with the first step, once the run record (the
	// title's run id) has been read.
	t.out = &lineWriter{w: bw, head: func() error {
		return pageTemplate.ExecuteTemplate(bw, "head", struct {
			Title string
			CSS   template.CSS
		}{title(), template.CSS(pageCSS)})
	}}
	if err := t.read(in); err != nil {
		return err
	}
	at := 0
	switch {
	case opts.At >= 0:
		at = t.rowAtOrAfter(opts.At)
	case t.witness.focus >= 0:
		at = t.witness.focus
	}
	meta, err := t.meta(title(), at)
	if err != nil {
		return err
	}
	var growth growthPanel
	if g := t.growth; g != nil {
		growth = growthPanel{Runs: len(g.Curve), Distinct: g.Distinct, Note: plot.Note(*g), Flat: plot.Flat(*g),
			SVG: template.HTML(plot.SVG(*g))} // plot escapes the names in it
	}
	err = pageTemplate.ExecuteTemplate(bw, "tail", struct {
		Growth growthPanel
		Meta   template.JS
		JS     template.JS
	}{growth, template.JS(meta), template.JS(pageJS)})
	if err != nil {
		return fmt.Errorf("rendering the page: %w", err)
	}
	return bw.Flush()
}

// growthPanel is the state-growth curve of cover's states record, when the
// input has one (cat run.ndjson <(cover --format json runs.ndjson)).
type growthPanel struct {
	SVG      template.HTML // "": no panel
	Runs     int
	Distinct int
	Note     string
	Flat     bool
}

// chunkSize bounds the text of one script element of lines: a browser
// holds an element's text as one string, and JavaScript's strings stop
// short of a gigabyte (V8: 512 MiB), which a million-step trace passes.
var chunkSize = 32 << 20

// lineWriter writes the step records into the page as they are read: each
// escaped (appendEscaped), one per line, in script elements of at most
// chunkSize bytes (but for a longer record).
type lineWriter struct {
	w     *bufio.Writer
	head  func() error // writes the page up to the first line
	n     int          // lines written
	chunk int          // bytes in the current script element
	buf   []byte
}

func (lw *lineWriter) line(data []byte) error {
	if lw.n == 0 {
		if err := lw.head(); err != nil {
			return fmt.Errorf("rendering the page: %w", err)
		}
	}
	lw.buf = appendEscaped(lw.buf[:0], data)
	if lw.n > 0 {
		if lw.chunk+1+len(lw.buf) > chunkSize {
			lw.w.WriteString("</script>\n" + `<script type="text/plain" class="lines">`)
			lw.chunk = 0
		} else {
			lw.w.WriteByte('\n')
			lw.chunk++
		}
	}
	lw.n++
	lw.chunk += len(lw.buf)
	_, err := lw.w.Write(lw.buf)
	return err
}

// ints is a JSON array of integers, written without reflection (the step
// table of a long trace has millions).
type ints []int64

func (s ints) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(s)*4+2)
	b = append(b, '[')
	for i, v := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return append(b, ']'), nil
}

// meta is everything but the lines, as JSON safe inside a <script>
// (encoding/json escapes <, > and & in strings, raw messages included).
func (t *trace) meta(title string, at int) ([]byte, error) {
	clients := 0
	for _, l := range t.lanes {
		if formats.IsClientName(l) {
			clients++
		}
	}
	verdicts := t.verdicts
	if verdicts == nil {
		verdicts = []json.RawMessage{}
	}
	witness := make(ints, len(t.witness.steps))
	for i, r := range t.witness.steps {
		witness[i] = int64(r)
	}
	var run json.RawMessage = t.run
	if run == nil {
		run = json.RawMessage("null")
	}
	return json.Marshal(struct {
		Title    string            `json:"title"`
		Name     string            `json:"name"`
		Run      json.RawMessage   `json:"run"`
		Kinds    []string          `json:"kinds"`
		Lanes    []string          `json:"lanes"`
		Clients  int               `json:"clients"`
		Labels   []string          `json:"labels"`
		Stride   int               `json:"stride"`
		Steps    ints              `json:"steps"`
		OpStride int               `json:"op_stride"`
		Ops      ints              `json:"ops"`
		Verdicts []json.RawMessage `json:"verdicts"`
		Witness  ints              `json:"witness"`
		Others   int               `json:"other_runs"`
		At       int               `json:"at"`
	}{title, t.name, run, kindNames[:], t.lanes, clients, t.labels, stepStride, t.steps, opStride, t.ops, verdicts, witness, t.otherRuns, at})
}
