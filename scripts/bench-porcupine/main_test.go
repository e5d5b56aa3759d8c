package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The two checkers agree on every history of the small sets (the
// benchmark checks the rest when it runs).
func TestVerdictsAgree(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/anishathalye/porcupine").Output()
	if err != nil {
		t.Skipf("Porcupine's module: %v", err)
	}
	*dataDir = strings.TrimSpace(string(out))
	if _, err := os.Stat(*dataDir + "/test_data"); err != nil {
		t.Skipf("no test_data in Porcupine's module: %v", err)
	}
	for _, set := range []string{"etcd", "kv", "register-10k", "kv-10k"} {
		t.Run(set, func(t *testing.T) {
			hs := load(set)
			d, _ := checkDetsys(hs)
			p, _ := checkPorcupine(hs)
			illegal := 0
			for i, h := range hs {
				if d[i] != p[i] {
					t.Errorf("%s: detsys says %s, Porcupine %s", h.name, d[i], p[i])
				}
				if d[i] == "illegal" {
					illegal++
				}
			}
			if illegal == 0 || illegal == len(hs) {
				t.Errorf("%d of %d histories illegal: the set should have both", illegal, len(hs))
			}
		})
	}
}
