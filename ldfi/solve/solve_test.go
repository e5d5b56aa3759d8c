package solve

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/ldfi/lineage"
	"github.com/detsys/detsys/ldfi/spec"
)

func readRuns(t *testing.T, file string) []*lineage.Run {
	t.Helper()
	in, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	r := lineage.NewReader(nil)
	if err := r.Read(in, file); err != nil {
		t.Fatal(err)
	}
	runs, err := r.Runs()
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// The paper's retry-deliv (SIGMOD'15 §6.1, Figure 12: ⟨4,2,1⟩): b's log
// rests on a's first send and its retry, so breaking it takes the loss of
// the first and a crash of a before the retry (or the loss of both).
func TestRetryDeliv(t *testing.T) {
	runs := readRuns(t, "../lineage/testdata/retry.ndjson")
	ms := int64(time.Millisecond)
	for _, c := range []struct {
		sp   spec.Spec
		want []string
	}{
		{spec.Spec{EOT: 4 * ms, EFF: 2 * ms, Round: ms, Crashes: 1}, []string{
			"{C(a,1000000) O(a,b,0)}", "{C(a,1000000) O(a,c,0)}", "{O(a,b,0) O(a,b,1000000)}", "{O(a,c,0) O(a,c,1000000)}"}},
		// EFF 1 round: the retry cannot be lost, only prevented by a crash.
		{spec.Spec{EOT: 4 * ms, EFF: 1 * ms, Round: ms, Crashes: 1}, []string{
			"{C(a,1000000) O(a,b,0)}", "{C(a,1000000) O(a,c,0)}"}},
		// No crashes and EFF 1: certified.
		{spec.Spec{EOT: 4 * ms, EFF: 1 * ms, Round: ms}, nil},
		// The paper's simple-deliv spec without the retry's lineage would
		// not be certified; with at most one fault it is.
		{spec.Spec{EOT: 4 * ms, EFF: 2 * ms, Round: ms, Crashes: 1, MaxFaults: 1}, nil},
	} {
		res := Next(runs, c.sp, 100, nil)
		var got []string
		for _, s := range res.Suggestions {
			got = append(got, setString(s))
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%s max %d:\n got %v\nwant %v", c.sp, c.sp.MaxFaults, got, c.want)
		}
		if res.Certified != (len(c.want) == 0) {
			t.Errorf("%s: certified %v", c.sp, res.Certified)
		}
		if len(c.want) > 0 && res.Level != 2 {
			t.Errorf("%s: level %d, want 2", c.sp, res.Level)
		}
	}
}

// No runs yet: the first run to make is the one without faults.
func TestNoRunsSuggestsNoFaults(t *testing.T) {
	res := Next(nil, spec.Spec{EOT: spec.Unbounded, EFF: spec.Unbounded, Round: 1}, 3, nil)
	if len(res.Suggestions) != 1 || len(res.Suggestions[0]) != 0 || res.Certified {
		t.Fatalf("%+v", res)
	}
}

// classic-deliv (Molly's classic_rb.ded) in exec/rounds, fault-free at
// ⟨5,3,0⟩: each node counts its receipts in its state ("got") and logs the
// round after one; every receipt is forwarded to everyone. The log is a
// grow-only set, derived again by any later copy of the payload; b's log
// step also sends (what b received that round: c's forward, which armed the
// same round as b's own timer), and a's forward in round 3 follows b's and
// c's forwards in round 2, c's an alternative of b's (the same body, and
// nothing changed in between). With --deps fields the lineage is then the
// program's: b's log is broken only by losing a→b in round 1 and c's
// forwards to b and to a (or a→c, and with it everything), so the minimal
// sets are exactly the paper's counterexample, its mirror image, and the
// vacuous {a→b, a→c}. With the whole state as a step's premise, more sets
// look like they break a log, but no single omission does.
func TestClassicDelivDeps(t *testing.T) {
	ms := int64(time.Millisecond)
	sp := spec.Spec{EOT: 5 * ms, EFF: 3 * ms, Round: ms}
	for _, c := range []struct {
		fields bool
		want   string
	}{
		{false, "{O(a,b,1000000) O(a,c,1000000)} {O(a,b,1000000) O(c,a,2000000)} {O(a,c,1000000) O(b,a,2000000)} " +
			"{O(b,a,2000000) O(b,c,2000000) O(c,a,2000000) O(c,b,2000000)}"},
		{true, "{O(a,b,1000000) O(a,c,1000000)} {O(a,b,1000000) O(c,a,2000000) O(c,b,2000000)} {O(a,c,1000000) O(b,a,2000000) O(b,c,2000000)}"},
	} {
		g, _ := lineage.ParseGoal("state:*.log")
		r := lineage.NewReader([]lineage.Goal{g})
		r.FieldDeps = c.fields
		in, err := os.Open("../lineage/testdata/classic.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Read(in, "classic.ndjson"); err != nil {
			t.Fatal(err)
		}
		in.Close()
		runs, _ := r.Runs()
		var got []string
		for _, s := range Next(runs, sp, 100, nil).Suggestions {
			got = append(got, setString(s))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("fields %v: minimal sets\n%v\nwant\n%s", c.fields, got, c.want)
		}
	}
}
