package spec

import (
	"math/rand/v2"

	"github.com/detsys/detsys/formats"
)

// Draw is one fault set drawn at random from the space, for the random
// search the paper compares LDFI with: up to Crashes distinct nodes crash,
// each at a round drawn uniformly from the rounds before EOT; every other
// (link, round) slot before EFF — and before the sender's crash — loses
// its messages with probability 1/2, which makes every subset of those
// slots equally likely, as in the space Estimate counts. An omission
// covers its whole round (at … until the next round), so it means the same
// whatever the latency. Draws come from rng in this order: the number of
// crashes, per crash its node and round, then the slots by round, sender
// and receiver.
func (s Spec) Draw(rng *rand.Rand, nodes []string) []formats.Fault {
	var out []formats.Fault
	crashAt := map[string]int64{}
	if s.Crashes > 0 && s.EOT != Unbounded && s.EOT > 0 {
		rounds := (s.EOT + s.Round - 1) / s.Round
		left := append([]string(nil), nodes...)
		for n := rng.IntN(min(s.Crashes, len(nodes)) + 1); n > 0; n-- {
			i := rng.IntN(len(left))
			node := left[i]
			left = append(left[:i], left[i+1:]...)
			at := rng.Int64N(rounds) * s.Round
			crashAt[node] = at
			out = append(out, formats.Fault{Kind: formats.FaultCrash, Node: node, At: at})
		}
	}
	if s.EFF == Unbounded {
		return out
	}
	for at := int64(0); at < s.EFF; at += s.Round {
		for _, from := range nodes {
			if c, ok := crashAt[from]; ok && at >= c {
				continue
			}
			for _, to := range nodes {
				if to == from || rng.IntN(2) == 0 {
					continue
				}
				until := at + s.Round - 1
				out = append(out, formats.Fault{Kind: formats.FaultOmission, From: from, To: to, At: at, Until: &until})
			}
		}
	}
	return out
}
