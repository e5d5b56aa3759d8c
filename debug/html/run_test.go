package html

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/check/verdict"
	"github.com/detsys/detsys/debug/internal/testrun"
)

// registerRun runs the register example in process (debug's testrun: the
// trace `gen register … | sched --seed SEED --exec sut-register` writes)
// and returns the trace and, as `check register` writes it, the verdict.
func registerRun(tb testing.TB, frontend string, clients, ops int, seed uint64, drop float64, crash int, maxSteps int64) (trace, verdicts []byte) {
	tb.Helper()
	trace = testrun.Register(tb, frontend, clients, ops, seed, drop, crash, maxSteps)
	m := linear.Models["register"]
	hs, err := history.Read(bytes.NewReader(trace), "trace", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput})
	if err != nil || len(hs) != 1 {
		tb.Fatalf("reading the history: %v (%d runs)", err, len(hs))
	}
	v, err := json.Marshal(verdict.Check("register", m, hs[0], linear.Options{}).Verdict)
	if err != nil {
		tb.Fatal(err)
	}
	return trace, append(v, '\n')
}

// failingRun is the README's stale read: frontend1, three clients, seed 9.
func failingRun(tb testing.TB) (trace, verdicts []byte) {
	tb.Helper()
	trace, verdicts = registerRun(tb, "frontend1", 3, 20, 9, 0, 0, 0)
	if !bytes.Contains(verdicts, []byte(`"valid":false`)) {
		tb.Fatalf("seed 9 of frontend1 no longer fails: %s", verdicts)
	}
	return trace, verdicts
}

// writePage writes the page for input and returns it.
func writePage(tb testing.TB, input []byte, opts Options) []byte {
	tb.Helper()
	var out bytes.Buffer
	if err := Write(&out, bytes.NewReader(input), opts); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// embedded returns the page's #meta JSON and its lines (from every
// .lines script element).
func embedded(tb testing.TB, page []byte) (meta map[string]any, lines []string) {
	tb.Helper()
	const open = `<script type="text/plain" class="lines">`
	_, rest, ok := strings.Cut(string(page), `<script type="application/json" id="meta">`)
	if !ok {
		tb.Fatal("no #meta in the page")
	}
	body, _, ok := strings.Cut(rest, "</script>")
	if !ok {
		tb.Fatal("#meta is not closed")
	}
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		tb.Fatalf("meta: %v", err)
	}
	rest = string(page)
	for {
		_, after, ok := strings.Cut(rest, open)
		if !ok {
			break
		}
		body, rest, ok = strings.Cut(after, "</script>")
		if !ok {
			tb.Fatal("lines are not closed")
		}
		lines = append(lines, strings.Split(body, "\n")...)
	}
	if lines == nil {
		tb.Fatal("no lines in the page")
	}
	return meta, lines
}
