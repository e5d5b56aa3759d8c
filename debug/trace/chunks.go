package trace

import (
	"bytes"
	"errors"
	"runtime"
	"sync"

	"github.com/detsys/detsys/formats"
)

// The index is built in parts: the file after the run record is cut at
// line boundaries into one part per core (parts of at least 4 MB), each
// part is indexed by its own indexer at the same time, and the parts are
// merged in file order, which numbers lanes, labels and messages exactly
// as one pass from the top would. On two cores a million-step trace opens
// in about half the time.

// minPart and maxParts are variables so that tests can cut small traces
// into many parts.
var (
	minPart  = 4 << 20
	maxParts = func() int { return min(runtime.GOMAXPROCS(0), 8) }
)

// build indexes t.data.
func (t *Trace) build() error {
	t.lanes.ids = map[string]Lane{}
	t.labels = []string{""}
	data := t.data
	pos, line := 0, int32(0)
	for pos < len(data) {
		eol := bytes.IndexByte(data[pos:], '\n')
		next := pos + eol + 1
		if eol < 0 {
			eol, next = len(data)-pos, len(data)
		}
		line++
		rec := bytes.TrimSpace(data[pos : pos+eol])
		pos = next
		if len(rec) == 0 {
			continue
		}
		l := formats.Line{Data: rec, File: t.File, No: int(line)}
		if rec[0] != '{' {
			return l.Errorf("", "not a JSON object (each line must be one record like {\"type\":...}): %.40q", rec)
		}
		if err := t.readRun(l); err != nil {
			return err
		}
		return t.index(pos, line)
	}
	return &formats.InputError{File: t.File, Msg: "no records: a trace starts with a run record (write one with sched)"}
}

// index indexes the records from byte pos on (line is the line before).
func (t *Trace) index(pos int, line int32) error {
	parts := split(t.data, pos, maxParts())
	xs := make([]*indexer, len(parts))
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for k := range parts {
		xs[k] = newIndexer(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[k] = xs[k].scan(t.data, parts[k][0], parts[k][1])
		}()
	}
	wg.Wait()
	return t.merge(xs, errs, line)
}

// split cuts data[pos:] into at most n parts of at least minPart bytes,
// each starting at a line.
func split(data []byte, pos, n int) [][2]int {
	size := len(data) - pos
	n = max(min(n, size/minPart), 1)
	var parts [][2]int
	start := pos
	for k := 1; k < n; k++ {
		cut := pos + size*k/n
		if cut <= start {
			continue
		}
		eol := bytes.IndexByte(data[cut:], '\n')
		if eol < 0 {
			break
		}
		parts = append(parts, [2]int{start, cut + eol + 1})
		start = cut + eol + 1
	}
	return append(parts, [2]int{start, len(data)})
}

// merge joins the parts in file order: it renumbers their lanes, labels
// and messages into the trace's, links each consumed message to its send,
// and turns part-relative line numbers in errors into file lines. A part
// after one that met another run's record is not used.
func (t *Trace) merge(xs []*indexer, errs []error, line int32) error {
	total := 0
	for _, x := range xs {
		total += len(x.steps)
	}
	t.Steps = make([]Step, 0, total)
	labelID := map[string]uint16{"": 0}
	for k, x := range xs {
		// The first error in file order: this part's own, or its first
		// step going back from the last step before it.
		var order error
		if n := len(t.Steps); n > 0 && len(x.steps) > 0 && x.steps[0].Num <= t.Steps[n-1].Num {
			order = &formats.InputError{File: t.File, Line: int(x.steps[0].Line + line), Field: "step",
				Msg: errStepOrder(x.steps[0].Num, t.Steps[n-1].Num)}
		}
		if err := errs[k]; err != nil {
			var ie *formats.InputError
			if errors.As(err, &ie) && ie.Line > 0 {
				if order != nil && int(x.steps[0].Line) < ie.Line {
					return order
				}
				ie.Line += int(line)
			}
			return err
		}
		if order != nil {
			return order
		}
		lanes := make([]Lane, len(x.lanes.names))
		for i, name := range x.lanes.names {
			l, ok := t.lanes.intern([]byte(name))
			if !ok {
				return &formats.InputError{File: t.File, Msg: "more than 65535 node names"}
			}
			lanes[i] = l
		}
		labels := make([]uint16, len(x.labels))
		for i, s := range x.labels {
			id, ok := labelID[s]
			if !ok && len(t.labels) < 1<<16 {
				id = uint16(len(t.labels))
				t.labels = append(t.labels, s)
				labelID[s] = id
			}
			labels[i] = id
		}
		base := len(t.Steps)
		for _, st := range x.steps {
			st.Line += line
			for _, l := range []*Lane{&st.Node, &st.From, &st.To} {
				if *l != NoLane {
					*l = lanes[*l]
				}
			}
			st.Label = labels[st.Label]
			if st.Msg != -1 {
				if st.Msg >= 0 {
					st.Msg = t.msgs.numSlot(int(st.Msg))
				} else {
					st.Msg = t.msgs.slot([]byte(x.other[-2-st.Msg]), true)
				}
				if t.msgs.recv[st.Msg] < 0 {
					t.msgs.recv[st.Msg] = int32(len(t.Steps))
				}
			}
			t.Steps = append(t.Steps, st)
		}
		for _, r := range x.sent {
			i := base + int(r.i)
			if s := t.find(r.step, i); s < i && t.Steps[s].Num == r.step {
				t.Steps[i].Sent = int32(s)
			}
		}
		if x.verdict != nil {
			t.Verdict = x.verdict
		}
		line += x.lines
		if x.more {
			t.More = true
			break
		}
	}
	t.link()
	return nil
}
