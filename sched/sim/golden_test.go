package sim_test

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/register/nodes"
	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/sched/sim"
)

var update = flag.Bool("update", false, "rewrite the golden traces in testdata/")

// TestGoldenTraces pins whole traces: the order of events, the documented
// order of random draws, the record shapes. A change that alters any of
// them shows up here as a diff; if it is meant, rerun with -update and
// say so in the commit (stored runs no longer replay to the same trace).
func TestGoldenTraces(t *testing.T) {
	cases := []struct {
		name     string
		frontend string
		opts     func(*sim.Options)
	}{
		{"frontend1-seed9", "frontend1", func(o *sim.Options) { o.Seed = 9 }},
		{"frontend3-faults", "frontend3", func(o *sim.Options) {
			o.Seed, o.Drop, o.Crash, o.RestartAfter = 4, 0.2, 1, 300*time.Millisecond
			o.FaultWindow = 200 * time.Millisecond
			o.Faults = []formats.Fault{
				{Kind: formats.FaultPartition, Groups: [][]string{{"register1"}, {"frontend", "register2"}}, Start: 0, Until: ptr(int64(50_000_000))},
				{Kind: formats.FaultSkew, Node: "frontend", Offset: -1000, DriftPPM: 100},
			}
		}},
		{"frontend4-fixed-latency", "frontend4", func(o *sim.Options) {
			o.Latency, o.Think = sim.MustDist("fixed:1ms"), sim.MustDist("fixed:0ms")
			o.Faults = []formats.Fault{
				{Kind: formats.FaultOmission, From: "frontend", To: "register2", At: 1_000_000},
				{Kind: formats.FaultDuplicate, From: "register1", To: "frontend", At: 2_000_000},
				{Kind: formats.FaultDelay, From: "c0", To: "frontend", At: 0, By: 3_000_000},
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := sim.DefaultOptions()
			c.opts(&o)
			var trace strings.Builder
			if _, err := sim.Run(registerTest(t, c.frontend, 3, 8), exec.NewExecutor(nodes.Kinds, "golden"), o, &trace); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", c.name+".ndjson")
			if *update {
				if err := os.WriteFile(path, []byte(trace.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got := trace.String(); got != string(want) {
				t.Errorf("trace differs from %s (rerun with -update if that is meant):\n%s", path, firstDifference(got, string(want)))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n got " + al[i] + "\nwant " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { return strconv.Itoa(i) }
