package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
)

// Dist is a distribution of durations, written as
//
//	fixed:1ms            always 1ms
//	uniform:1ms-50ms     uniform in [1ms, 50ms]
//	exp:20ms             exponential with mean 20ms
//
// Every Sample takes exactly one draw from the generator, whatever the
// distribution, so that changing the distribution never shifts the draws
// that come after it.
type Dist struct {
	Kind     string
	Min, Max time.Duration // uniform; fixed uses Min
	Mean     time.Duration // exp
	text     string
}

// ParseDist reads a distribution (see Dist).
func ParseDist(s string) (Dist, error) {
	kind, arg, ok := strings.Cut(s, ":")
	if !ok {
		return Dist{}, fmt.Errorf("%q: want fixed:D, uniform:D1-D2 or exp:MEAN (D like 1ms, 20ms, 1s)", s)
	}
	d := Dist{Kind: kind, text: s}
	var err error
	switch kind {
	case "fixed":
		d.Min, err = time.ParseDuration(arg)
		d.Max = d.Min
	case "uniform":
		lo, hi, ok := strings.Cut(arg, "-")
		if !ok {
			return Dist{}, fmt.Errorf("%q: uniform needs a range like uniform:1ms-50ms", s)
		}
		if d.Min, err = time.ParseDuration(lo); err == nil {
			d.Max, err = time.ParseDuration(hi)
		}
		if err == nil && d.Max < d.Min {
			err = fmt.Errorf("upper bound below lower bound")
		}
	case "exp":
		d.Mean, err = time.ParseDuration(arg)
	default:
		return Dist{}, fmt.Errorf("%q: unknown distribution %q (fixed, uniform, exp)", s, kind)
	}
	if err != nil {
		return Dist{}, fmt.Errorf("%q: %v", s, err)
	}
	if d.Min < 0 || d.Mean < 0 {
		return Dist{}, fmt.Errorf("%q: durations must not be negative", s)
	}
	return d, nil
}

// MustDist is ParseDist for constants.
func MustDist(s string) Dist {
	d, err := ParseDist(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Dist) String() string { return d.text }

// Sample draws one duration (in ns) with exactly one call to r.
func (d Dist) Sample(r *rand.Rand) int64 {
	u := r.Float64()
	switch d.Kind {
	case "uniform":
		return int64(d.Min) + int64(u*float64(d.Max-d.Min+1))
	case "exp":
		return int64(-math.Log(1-u) * float64(d.Mean))
	default:
		return int64(d.Min)
	}
}
