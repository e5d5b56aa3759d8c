package spec

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/detsys/detsys/formats"
)

// The paper's Combinations (SIGMOD'15, Figures 12 and 13), recomputed with
// Molly's grossEstimate (see ../shared/background/ldfi-paper-and-molly.md).
func TestEstimateReproducesThePaper(t *testing.T) {
	ms := int64(time.Millisecond)
	for _, c := range []struct {
		name              string
		nodes             int
		eot, eff, crashes int64
		want              string
	}{
		{"simple-deliv", 3, 4, 2, 0, "4096"},
		{"retry-deliv", 3, 4, 2, 1, "40704"},
		{"classic-deliv", 3, 5, 3, 0, "262144"},
		{"2pc", 4, 5, 0, 1, "24"},
		{"2pc-ctp", 4, 8, 0, 1, "36"},
		{"3pc", 4, 9, 7, 1, "2.43e26"},
		{"kafka", 5, 6, 4, 1, "1.85e25"},
		{"redun-deliv", 3, 11, 10, 1, "8.07e18"},
		{"ack-deliv", 3, 8, 7, 1, "3.08e13"},
		{"paxos-synod", 3, 7, 6, 1, "4.81e11"},
		{"flux", 4, 22, 21, 1, "6.20e76"},
	} {
		s := Spec{EOT: c.eot * ms, EFF: c.eff * ms, Round: ms, Crashes: int(c.crashes)}
		sp, ok := s.Estimate(c.nodes)
		if !ok {
			t.Fatalf("%s: no estimate", c.name)
		}
		if got := Format(sp.Total); got != c.want {
			t.Errorf("%s %s: %s fault sets, want %s", c.name, s, got, c.want)
		}
		if sp.BySize != nil && sp.AtMost(len(sp.BySize)).Cmp(sp.Total) != 0 {
			t.Errorf("%s: the sizes add up to %s, not %s", c.name, sp.AtMost(len(sp.BySize)), sp.Total)
		}
	}
}

func TestEstimateBySize(t *testing.T) {
	// 2 nodes, EFF 1 round, no crashes: each node may lose its one
	// message: {}, {a}, {b}, {a,b}.
	sp, _ := Spec{EOT: Unbounded, EFF: 1, Round: 1}.Estimate(2)
	want := []int64{1, 2, 1}
	for k, w := range want {
		if sp.BySize[k].Int64() != w {
			t.Errorf("size %d: %d sets, want %d", k, sp.BySize[k].Int64(), w)
		}
	}
	if sp.AtMost(1).Int64() != 3 {
		t.Errorf("at most 1: %d, want 3", sp.AtMost(1).Int64())
	}
}

func TestParseTime(t *testing.T) {
	ms := int64(time.Millisecond)
	for in, want := range map[string]int64{"3": 3 * ms, "3ms": 3 * ms, "1.5s": 1500 * ms, "0": 0, "": Unbounded} {
		got, err := ParseTime(in, ms)
		if err != nil || got != want {
			t.Errorf("ParseTime(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"-1", "3x", "-2ms"} {
		if _, err := ParseTime(in, ms); err == nil {
			t.Errorf("ParseTime(%q): no error", in)
		}
	}
}

func TestDraw(t *testing.T) {
	s := Spec{EOT: 4, EFF: 2, Round: 1, Crashes: 1}
	nodes := []string{"a", "b", "c"}
	crashes, omissions := 0, 0
	for seed := uint64(0); seed < 1000; seed++ {
		fs := s.Draw(rand.New(rand.NewPCG(seed, 0)), nodes)
		again := s.Draw(rand.New(rand.NewPCG(seed, 0)), nodes)
		if len(fs) != len(again) {
			t.Fatalf("seed %d: %d faults, then %d", seed, len(fs), len(again))
		}
		down := map[string]int64{}
		for _, f := range fs {
			switch f.Kind {
			case "crash":
				crashes++
				down[f.Node] = f.At
				if f.At >= s.EOT {
					t.Fatalf("crash at %d, EOT %d", f.At, s.EOT)
				}
			case "omission":
				omissions++
				if !s.Admissible(formats.Fault{Kind: "omission", From: f.From, To: f.To, At: f.At}) {
					t.Fatalf("inadmissible %+v", f)
				}
				if c, ok := down[f.From]; ok && f.At >= c {
					t.Fatalf("omission from %s at %d after its crash at %d", f.From, f.At, c)
				}
			}
		}
		if len(down) > s.Crashes {
			t.Fatalf("%d crashes", len(down))
		}
	}
	// About half the crash draws crash a node; about half the slots lose.
	if crashes < 400 || crashes > 600 || omissions < 4000 || omissions > 6000 {
		t.Errorf("%d crashes and %d omissions in 1000 draws", crashes, omissions)
	}
}
