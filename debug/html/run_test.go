package html

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/check/verdict"
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/sched/sim"
)

// registerRun runs the register example in process, as
// `gen register … | sched --seed SEED --exec sut-register` would, and
// returns the trace and, as `check register` writes it, the verdict.
func registerRun(tb testing.TB, frontend string, clients, ops int, seed uint64, tweak func(*sim.Options)) (trace, verdicts []byte) {
	tb.Helper()
	test, o, err := workload.RegisterTest(frontend, clients, ops)
	if err != nil {
		tb.Fatal(err)
	}
	opts := sim.DefaultOptions()
	opts.Seed = seed
	if tweak != nil {
		tweak(&opts)
	}
	var out bytes.Buffer
	if _, err := sim.Run(&sim.Test{Test: test, Ops: o}, exec.NewExecutor(nodes.Kinds, "html-test"), opts, &out); err != nil {
		tb.Fatal(err)
	}
	m := linear.Models["register"]
	hs, err := history.Read(bytes.NewReader(out.Bytes()), "trace", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput})
	if err != nil || len(hs) != 1 {
		tb.Fatalf("reading the history: %v (%d runs)", err, len(hs))
	}
	v, err := json.Marshal(verdict.Check("register", m, hs[0], linear.Options{}).Verdict)
	if err != nil {
		tb.Fatal(err)
	}
	return out.Bytes(), append(v, '\n')
}

// failingRun is the README's stale read: frontend1, three clients, seed 9.
func failingRun(tb testing.TB) (trace, verdicts []byte) {
	tb.Helper()
	trace, verdicts = registerRun(tb, "frontend1", 3, 20, 9, nil)
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

// embedded returns the page's #meta JSON and its #lines.
func embedded(tb testing.TB, page []byte) (meta map[string]any, lines []string) {
	tb.Helper()
	between := func(open string) string {
		_, rest, ok := strings.Cut(string(page), open)
		if !ok {
			tb.Fatalf("no %s in the page", open)
		}
		body, _, ok := strings.Cut(rest, "</script>")
		if !ok {
			tb.Fatalf("%s is not closed", open)
		}
		return body
	}
	if err := json.Unmarshal([]byte(between(`<script type="application/json" id="meta">`)), &meta); err != nil {
		tb.Fatalf("meta: %v", err)
	}
	return meta, strings.Split(between(`<script type="text/plain" id="lines">`), "\n")
}
