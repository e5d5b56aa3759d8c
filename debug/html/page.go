package html

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strconv"
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

// linesMark stands for the trace's lines in the rendered template. It holds
// a '<', which nothing else the template inserts can: the title is
// HTML-escaped and the JSON has every '<' escaped as \u003c.
const linesMark = "<!--detsys:lines-->"

// Write reads one run's trace from in (sched's output, with any verdicts
// about it appended, as in `cat run.ndjson verdicts.ndjson`) and writes the
// page to w. Malformed input is a *formats.InputError naming the line.
func Write(w io.Writer, in io.Reader, opts Options) error {
	if opts.Name == "" {
		opts.Name = "-"
	}
	t, err := readTrace(in, opts.Name)
	if err != nil {
		return err
	}
	at := 0
	switch {
	case opts.At >= 0:
		at = t.rowAtOrAfter(opts.At)
	case t.witness.focus >= 0:
		at = t.witness.focus
	}
	title := opts.Title
	if title == "" {
		title = "detsys debug: " + t.runID
		if t.runID == "" {
			title = "detsys debug: " + opts.Name
		}
	}
	meta, err := t.meta(title, at)
	if err != nil {
		return err
	}
	var shell bytes.Buffer
	err = pageTemplate.Execute(&shell, struct {
		Title string
		CSS   template.CSS
		JS    template.JS
		Meta  template.JS
		Lines template.HTML
	}{title, template.CSS(pageCSS), template.JS(pageJS), template.JS(meta), template.HTML(linesMark)})
	if err != nil {
		return fmt.Errorf("rendering the page: %w", err)
	}
	before, after, ok := bytes.Cut(shell.Bytes(), []byte(linesMark))
	if !ok || bytes.Contains(after, []byte(linesMark)) {
		return fmt.Errorf("rendering the page: the lines' mark is not there exactly once")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(before)
	for i, chunk := range chunks(t.lines, chunkSize) {
		if i > 0 {
			bw.WriteString("</script>\n" + `<script type="text/plain" class="lines">`)
		}
		bw.Write(chunk)
	}
	bw.Write(after)
	return bw.Flush()
}

// chunkSize bounds the text of one script element of lines: a browser
// holds an element's text as one string, and JavaScript's strings stop
// short of a gigabyte (V8: 512 MiB), which a million-step trace passes.
var chunkSize = 32 << 20

// chunks cuts lines at line ends into pieces of about size bytes (a
// single longer line is a piece of its own), dropping the line ends it
// cuts at.
func chunks(lines []byte, size int) [][]byte {
	var out [][]byte
	for len(lines) > size {
		cut := bytes.LastIndexByte(lines[:size+1], '\n')
		if cut < 0 {
			cut = bytes.IndexByte(lines, '\n')
			if cut < 0 {
				break
			}
		}
		out = append(out, lines[:cut])
		lines = lines[cut+1:]
	}
	return append(out, lines)
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
		if isClient(l) {
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
	}{title, t.name, run, kindNames, t.lanes, clients, t.labels, stepStride, t.steps, opStride, t.ops, verdicts, witness, t.otherRuns, at})
}
