package detsys_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemo runs scripts/demo, the README's first command, with the
// binaries built for the tests (DETSYS_BIN), in a fresh directory
// (DEMO_OUT), in its quick mode (fewer seeds, a smaller ldfi
// certification), and requires exit 0 and the lines that say each step
// came out as the README says. The demo checks every outcome itself and
// exits 1 at the first that is not as expected; this test keeps it
// working as the tools change.
func TestDemo(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed (scripts/deps installs it)")
	}
	dir := filepath.Join(t.TempDir(), "demo-out")
	cmd := exec.Command("bash", filepath.Join(repoRoot, "scripts", "demo"))
	cmd.Env = append(os.Environ(), "DETSYS_BIN="+binDir, "DEMO_OUT="+dir, "DEMO_QUICK=1", "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scripts/demo: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		// 1. check, the same bytes, the cache
		`check: r-[0-9a-f]{12}: not linearizable: read → 4 by c0 .* fits no state`,
		`(?m)^identical$`,
		`sched: run r-[0-9a-f]{12} cached in ` + regexp.QuoteMeta(dir) + `/detsys\.jsonl`,
		// 2. ltl
		`(?m)^  FAILS   \[\] \(len\(state\.frontend\.pending\) == 0 -> state\.register1\.value == state\.register2\.value\)$`,
		`broke at step 24 \(deliver m21 register2→frontend write_ok`,
		// 3. debug --html
		`(?m)^open .*/frontend1\.html in a browser`,
		// 4. check-determinism and diverge
		`sched: not deterministic: run 2 of 5 differs from run 1`,
		`(?m)^diverged at step 4 \(record 6\)`,
		// (at the first write, step 4, unless Go's map order happened to
		// come out the same twice there: then at a later write)
		`"reason":"differ","step":[0-9]+,"fields":\["sends\[[0-9]+\]\.body\.shard"`,
		// 5. ldfi
		`explore: run 2 r-[0-9a-f]{12} \[omission a→b@1ms\]: FAILED`,
		`check: r-[0-9a-f]{12}: c logged "hello" but b, up at the end, did not`,
		`explore: run 2 r-[0-9a-f]{12} \[crash C@[0-9]+ms\]: FAILED`,
		`"anomaly":"no-termination"`,
		`explore: certified after [0-9]+ runs`,
		// 6. sweeps
		`seed 93: not valid: sched --seed 93 --exec sut-register --drop 0\.3`,
		`sweep: 20 seeds from 0: 20 valid, 0 not valid, 0 failed(?s:.*)sweep: 20 seeds from 0: 20 valid, 0 not valid, 0 failed`,
		// 7. cover
		`(?m)^growth over runs, in input order`,
		`(?m)^LDFI fault space \{"eot":5000000,"eff":4000000,"crashes":0\} of t-[0-9a-f]{12}: ([0-9]+) of ([0-9]+) fault sets ruled out \(100\.00%\), certified`,
		// 8. the store: 1 + 2 + 2 + 4 + 100 + 20 + 20 runs; sweep -l
		// stored frontend2's 100 runs and their verdicts (1 invalid)
		`"runs":1[0-9]{2},"tests":7`,
		`(?m)^│ t-[0-9a-f]{12} │ register +│ 3 +│ 3 +│ 20 +│ 100 +│ 1 +│$`,
		`(?m)^│ r-[0-9a-f]{12} │ t-[0-9a-f]{12} │ 93 +│ 0 +│ [0-9]+ +│ [0-9.]+s +│ quiescent │ check/register=false +│$`,
		`(?m)^All as expected, in [0-9]+ s`,
	} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("the demo's output has nothing matching %s", want)
		}
	}
	if t.Failed() {
		t.Logf("the demo's output:\n%s", text)
	}
	page, err := os.ReadFile(filepath.Join(dir, "frontend1.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "fits no state the register could have been in") {
		t.Errorf("frontend1.html does not carry check's witness")
	}
}
