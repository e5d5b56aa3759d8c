package cputime_test

import (
	"testing"

	"github.com/detsys/detsys/internal/cputime"
)

// Used grows with work done, and never goes back.
func TestUsedGrowsWithWork(t *testing.T) {
	before := cputime.Used()
	x := uint64(1)
	for i := 0; cputime.Used() == before; i++ {
		for range 1_000_000 {
			x = x*6364136223846793005 + 1442695040888963407
		}
		if i > 10_000 {
			t.Fatalf("no CPU time counted after %d million multiplications (%d)", i, x)
		}
	}
	if after := cputime.Used(); after <= before {
		t.Errorf("CPU time went from %v to %v", before, after)
	}
}
