package verdict_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/check/verdict"
)

func histories(t *testing.T, in string) []history.History {
	t.Helper()
	m := linear.Register
	hs, err := history.Read(strings.NewReader(in), "t", history.Decoder{Input: m.ParseInput, Output: m.ParseOutput})
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

const stale = `{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"write","value":1}}
{"type":"ok","run":"r","step":2,"client":0,"reply":{"type":"write_ok"}}
{"type":"invoke","run":"r","step":3,"client":1,"op":{"type":"read"}}
{"type":"invoke","run":"r","step":4,"client":0,"op":{"type":"write","value":2}}
{"type":"ok","run":"r","step":5,"client":1,"reply":{"type":"read_ok","value":1}}
{"type":"ok","run":"r","step":6,"client":0,"reply":{"type":"write_ok"}}
{"type":"invoke","run":"r","step":7,"client":1,"op":{"type":"read"}}
{"type":"ok","run":"r","step":8,"client":1,"reply":{"type":"read_ok"}}
`

func TestStaleReadWitness(t *testing.T) {
	res := verdict.Check("register", linear.Register, histories(t, stale)[0], linear.Options{})
	if res.Valid() || res.Verdict.Valid != false || res.Verdict.Anomaly != verdict.NotLinearizable {
		t.Fatalf("verdict = %+v", res.Verdict)
	}
	var w verdict.Witness
	if err := json.Unmarshal(res.Verdict.Witness, &w); err != nil {
		t.Fatal(err)
	}
	// The read of null at step 8 is the first op that cannot be placed;
	// the register held 2 by then.
	if w.PrefixEndStep != 8 || w.Failed.Client != 1 || w.Failed.InvokeStep != 7 || len(w.Ops) != 4 {
		t.Errorf("witness = %s", res.Verdict.Witness)
	}
	if got, _ := json.Marshal(w.States); string(got) != "[2]" {
		t.Errorf("states = %s, want [2]", got)
	}
	want := "r: not linearizable: read → null by c1 (invoked at step 7, ok at step 8) fits no state the register could have been in just before it: 2 (smallest failing prefix: 4 operations up to step 8)"
	if res.Summary != want {
		t.Errorf("summary = %q\nwant      %q", res.Summary, want)
	}
	again := verdict.Check("register", linear.Register, histories(t, stale)[0], linear.Options{})
	if string(again.Verdict.Witness) != string(res.Verdict.Witness) {
		t.Error("the witness differs between two runs")
	}
}

func TestValidAndUnknown(t *testing.T) {
	h := histories(t, strings.Join(strings.Split(stale, "\n")[:6], "\n"))[0]
	if res := verdict.Check("register", linear.Register, h, linear.Options{}); !res.Valid() || res.Summary != "" || res.Verdict.Witness != nil {
		t.Errorf("verdict = %+v, summary %q", res.Verdict, res.Summary)
	}
	res := verdict.Check("register", linear.Register, histories(t, stale)[0], linear.Options{Budget: 1})
	if res.Verdict.Valid != "unknown" || res.Verdict.Anomaly != verdict.BudgetRanOut {
		t.Errorf("verdict = %+v", res.Verdict)
	}
}
