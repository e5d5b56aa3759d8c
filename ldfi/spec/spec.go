// Package spec is LDFI's failure specification ⟨EOT, EFF, Crashes⟩
// (Alvaro et al., SIGMOD'15, §3): which faults a fault set may contain,
// and how big the space of such fault sets is.
//
// Times are simulated nanoseconds. The paper's model is synchronous
// rounds t = 1, 2, …; the protocols of exec/examples (package exec/rounds)
// act in round t at simulated time t ms under `sched --latency fixed:1ms`,
// and EOT and EFF given as bare numbers count rounds of Round (1 ms by
// default).
//
// Decisions (the paper leaves the first open; Molly's code and its
// estimate disagree):
//
//   - An omission drops the messages from→to sent at one time; it is
//     admissible when that time is before EFF (at < EFF): rounds 1 … EFF−1,
//     as in Molly's code, not at EFF itself. (Estimate still counts the EFF
//     lossy rounds of Molly's estimate, so that it reproduces the paper's
//     Combinations.)
//   - A crash is fail-stop: from its time on the node neither sends nor
//     receives (sched drops messages to it, its timers are gone). It is
//     admissible when its time is before EOT. A crash at time 0 comes
//     after the nodes' init steps, so what a node sends in init can only
//     be lost by omission.
//   - Omissions on links to or from clients, and from a node to itself,
//     are not in the space (the clients are the test, not the system).
package spec

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/detsys/detsys/formats"
)

// Unbounded is the value of EOT or EFF when no bound was given.
const Unbounded = math.MaxInt64

// Spec is a failure specification.
type Spec struct {
	EOT       int64 // crashes only at times < EOT
	EFF       int64 // omissions only of messages sent at times < EFF
	Round     int64 // the length of a round, for the estimate (ns)
	Crashes   int   // at most this many nodes crash
	MaxFaults int   // at most this many faults in a set (0: no limit)
}

// ParseTime reads a time bound: a Go duration ("3ms", "1.5s") or a bare
// number of rounds ("3": 3 rounds of round ns).
func ParseTime(s string, round int64) (int64, error) {
	if s == "" {
		return Unbounded, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return n * round, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a number of rounds nor a duration like 3ms", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative", s)
	}
	return int64(d), nil
}

// Admissible reports whether fault f is in the space: an omission between
// two distinct nodes sent before EFF, or a crash of a node before EOT
// (when crashes are allowed at all).
func (s Spec) Admissible(f formats.Fault) bool {
	switch f.Kind {
	case formats.FaultOmission:
		return f.Until == nil && f.At < s.EFF && f.From != f.To &&
			!formats.IsClientName(f.From) && !formats.IsClientName(f.To)
	case formats.FaultCrash:
		return s.Crashes > 0 && f.At < s.EOT && !formats.IsClientName(f.Node)
	}
	return false
}

// String is the spec as the paper writes it, in rounds when they divide.
func (s Spec) String() string {
	t := func(v int64) string {
		if v == Unbounded {
			return "∞"
		}
		if s.Round > 0 && v%s.Round == 0 {
			return strconv.FormatInt(v/s.Round, 10)
		}
		return time.Duration(v).String()
	}
	return fmt.Sprintf("⟨%s,%s,%d⟩", t(s.EOT), t(s.EFF), s.Crashes)
}

// Space is the size of the fault space of a spec for n nodes, as Molly's
// FailureSpec.grossEstimate counts it (which reproduces every
// Combinations figure of the paper's Figures 12 and 13), broken down by
// the number of faults in a set so that "every set of at most k faults is
// ruled out" can be given as a share of it.
type Space struct {
	BySize []*big.Int // BySize[k]: fault sets with k faults
	Total  *big.Int
}

// Estimate counts the space for n nodes, in rounds of s.Round. With L =
// 2^(n−1) choices of lost outgoing links per node and round, a node that
// does not crash has L^EFF choices, one that may crash (at round ct in
// 1…EOT, or never) Σ_ct L^min(EFF, ct−1); Crashes of the n nodes may crash:
// C(n, Crashes) · (L^EFF)^(n−Crashes) · (crash-prone)^Crashes. It returns
// false when a bound the count needs is missing.
func (s Spec) Estimate(n int) (Space, bool) {
	if n <= 0 || s.Round <= 0 || s.EFF == Unbounded || (s.Crashes > 0 && s.EOT == Unbounded) {
		return Space{}, false
	}
	eff := int((s.EFF + s.Round - 1) / s.Round)
	eot := 0
	if s.Crashes > 0 {
		eot = int((s.EOT + s.Round - 1) / s.Round)
	}
	crashes := min(s.Crashes, n)
	if eff > 1_000_000 || eot > 1_000_000 {
		return Space{}, false
	}
	links := n - 1
	if links*eff*n > 3000 {
		return s.grossOnly(n, links, eff, eot, crashes), true
	}
	// Polynomials in z, the number of faults: a node that does not crash
	// loses any subset of links·EFF messages: (1+z)^(links·EFF).
	free := binomialRow(links * eff)
	prone := make(poly, len(free))
	copy(prone, free) // never crashes (Molly's ct = EOT+1)
	for ct := 1; ct <= eot; ct++ {
		row := binomialRow(links * min(eff, ct-1))
		prone = prone.add(row.shift(1)) // the crash itself is a fault
	}
	total := poly{big.NewInt(1)}
	for i := 0; i < n-crashes; i++ {
		total = total.mul(free)
	}
	for i := 0; i < crashes; i++ {
		total = total.mul(prone)
	}
	c := new(big.Int).Binomial(int64(n), int64(crashes))
	sp := Space{Total: new(big.Int)}
	for _, x := range total {
		x.Mul(x, c)
		sp.Total.Add(sp.Total, x)
	}
	sp.BySize = total
	return sp, true
}

// grossOnly is the total alone, for spaces too big to break down by size.
func (s Spec) grossOnly(n, links, eff, eot, crashes int) Space {
	pow := func(e int) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(links*e)) }
	free := pow(eff)
	prone := new(big.Int).Set(free)
	for ct := 1; ct <= eot; ct++ {
		prone.Add(prone, pow(min(eff, ct-1)))
	}
	total := new(big.Int).Binomial(int64(n), int64(crashes))
	total.Mul(total, new(big.Int).Exp(free, big.NewInt(int64(n-crashes)), nil))
	total.Mul(total, new(big.Int).Exp(prone, big.NewInt(int64(crashes)), nil))
	return Space{Total: total}
}

// AtMost is the number of fault sets with at most k faults (nil when the
// space is too big to break down by size).
func (sp Space) AtMost(k int) *big.Int {
	if sp.BySize == nil {
		return nil
	}
	n := new(big.Int)
	for i := 0; i <= k && i < len(sp.BySize); i++ {
		n.Add(n, sp.BySize[i])
	}
	return n
}

// Float is a big count as a float64 (+Inf beyond its range), and its log10.
func Float(n *big.Int) (float64, float64) {
	f, _ := new(big.Float).SetInt(n).Float64()
	if n.Sign() == 0 {
		return 0, math.Inf(-1)
	}
	// log10 from the bit length and the leading digits, valid beyond float64.
	bits := n.BitLen()
	shift := 0
	if bits > 60 {
		shift = bits - 60
	}
	lead, _ := new(big.Float).SetInt(new(big.Int).Rsh(n, uint(shift))).Float64()
	return f, math.Log10(lead) + float64(shift)*math.Log10(2)
}

// Format writes a count for people: exact below a million, else 4.10e3 style.
func Format(n *big.Int) string {
	if n.Cmp(big.NewInt(1_000_000)) < 0 {
		return n.String()
	}
	_, l := Float(n)
	e := math.Floor(l)
	m := math.Pow(10, l-e)
	if m >= 9.995 {
		m, e = 1, e+1
	}
	return strings.TrimSpace(fmt.Sprintf("%.2fe%d", m, int(e)))
}

type poly []*big.Int

func binomialRow(m int) poly {
	p := make(poly, m+1)
	for k := 0; k <= m; k++ {
		p[k] = new(big.Int).Binomial(int64(m), int64(k))
	}
	return p
}

func (p poly) shift(k int) poly {
	out := make(poly, len(p)+k)
	for i := range out {
		out[i] = new(big.Int)
	}
	for i, x := range p {
		out[i+k].Set(x)
	}
	return out
}

func (p poly) add(q poly) poly {
	n := max(len(p), len(q))
	out := make(poly, n)
	for i := range out {
		out[i] = new(big.Int)
		if i < len(p) {
			out[i].Add(out[i], p[i])
		}
		if i < len(q) {
			out[i].Add(out[i], q[i])
		}
	}
	return out
}

func (p poly) mul(q poly) poly {
	out := make(poly, len(p)+len(q)-1)
	for i := range out {
		out[i] = new(big.Int)
	}
	t := new(big.Int)
	for i, x := range p {
		if x.Sign() == 0 {
			continue
		}
		for j, y := range q {
			out[i+j].Add(out[i+j], t.Mul(x, y))
		}
	}
	return out
}
