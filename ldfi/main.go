// Command ldfi is lineage-driven fault injection (Alvaro, Rosen,
// Hellerstein, SIGMOD'15): it reads the runs of one test so far — their
// traces and the oracle's verdicts — and a failure specification, and
// writes the next fault sets to try, smallest first, or says that the
// test is certified for that specification.
//
//	gen register | sched --seed 7 --exec sut-register > run.ndjson
//	check register run.ndjson >> run.ndjson
//	ldfi --eff 3s --crashes 1 run.ndjson | head -1 > faults.ndjson
//	gen register | sched --seed 7 --exec sut-register --faults faults.ndjson …
//
// scripts/explore runs that loop until a run fails or the test is
// certified. The work is done by ldfi/lineage (traces → the steps each
// goal rests on), ldfi/spec (the failure specification and its space) and
// ldfi/solve (the SAT problem, with gini).
package main

import (
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
	"github.com/detsys/detsys/ldfi/lineage"
	"github.com/detsys/detsys/ldfi/solve"
	"github.com/detsys/detsys/ldfi/spec"
)

type options struct {
	EOT       string        `long:"eot" value-name:"T" description:"end of time: crashes only before T (rounds, or a duration like 4ms; default: no bound)"`
	EFF       string        `long:"eff" value-name:"T" description:"end of finite failures: only messages sent before T may be lost (rounds or a duration; default: no bound)"`
	Round     time.Duration `long:"round" value-name:"D" description:"the length of a round, for bare numbers in --eot/--eff and for the space estimate" default:"1ms"`
	Crashes   int           `long:"crashes" value-name:"N" description:"at most N nodes crash (fail-stop)" default:"0"`
	MaxFaults int           `long:"max-faults" value-name:"N" description:"at most N faults in a set (0: no limit)" default:"0"`
	Next      int           `long:"next" value-name:"K" description:"write up to K fault sets, so that K runs can go in parallel" default:"1"`
	Goals     []string      `long:"goal" value-name:"GOAL" description:"what the lineage is traced back from (repeatable; default: ok and state): ok, ok:CLIENT, state, state:NODE, state:NODE.PATH, state:*.PATH, record:FIELD=VALUE,…"`
	Test      string        `long:"test" value-name:"ID" description:"only the runs of test ID (and, with --seed, of that seed): for a log that holds other tests' runs too, like the store's"`
	Seed      *uint64       `long:"seed" value-name:"N" description:"only the runs with seed N"`
	Random    *uint64       `long:"random" value-name:"SEED" description:"random search instead (the paper's baseline): fault sets drawn at random from the spec, seeded with SEED and the number of runs read"`
	Deps      string        `long:"deps" choice:"state" choice:"fields" default:"state" description:"what a step that changed its node's state rests on besides its message: state, the node's previous state change (safe); fields, the steps that last wrote the fields it changed (precise when states carry per-step bookkeeping, but blind to fields a step reads without writing)"`
	Quiet     bool          `long:"quiet" short:"q" description:"no summary line on stderr"`
}

const long = `
Reads runs of one test (traces, with the verdicts of check or ltl, in any
order, from the FILEs or stdin) and writes the next fault sets to try, one
{"type":"faults","faults":[…],…} record each, smallest first — or one
{"type":"certified","runs":N,…} record when no fault set within the
failure specification is left. sched --faults reads the faults records.

A run is good if all its verdicts are valid (a run without verdicts counts
as good, with a warning). From each good run ldfi takes the lineage of its
goals — by default every client reply (ok) and the final state of every
node; better, the fields the property reads (--goal state:*.log) — the
messages, timers and earlier steps each rests on, a later delivery of the
same message to the same node counting as an alternative (a retry), and
requires of the next fault set that it contain the run's own faults only if
it also breaks every derivation of one of its goals. Sets already tried are
never suggested again; sets of the same size come crashes first (the
latest first), then omissions (the earliest first).

Failure specification (the paper's ⟨EOT, EFF, Crashes⟩; bare numbers are
rounds of --round, 1ms by default, which with sched --latency fixed:1ms is
the paper's synchronous round):
  --eff T       messages sent at times < T may be lost (omissions); not at T
  --eot T       nodes may crash at times < T; a crash stops the node sending
                and receiving from then on (it keeps what it sent before)
  --crashes N   at most N nodes crash
  --max-faults N
Omissions on client links and self-sends are not faults ldfi suggests.

Each record says where the search stands: "space" is the size of the
specification's fault space (Molly's estimate, the paper's Combinations),
"ruled_out" how many of those sets are known not to fail (all sets smaller
than the next suggestion), "candidates" the admissible faults that touch
some run's lineage. A summary goes to stderr.

Examples:
  ldfi --eot 4 --eff 2 --crashes 1 runs.ndjson
  ldfi --eff 5s --round 1s --next 4 runs.ndjson verdicts.ndjson
  ldfi --eot 4 --eff 2 --goal 'state:*.log' runs.ndjson
  ldfi --test t-5c1e0a9b2d71 --seed 0 --eot 9 --eff 7 --crashes 1 detsys.jsonl
  scripts/explore --eot 4 --eff 2 --check delivery test.ndjson -- --exec sut-delivery --latency fixed:1ms

Exit codes:
  0  fault sets written, or certified
  2  usage
  3  malformed input (file:line in the message), or runs of different tests or seeds
  5  internal or I/O error`

func main() {
	var o options
	cli.Main(cli.Command{Name: "ldfi", Usage: "[OPTIONS] [FILE...]", Long: long, Opts: &o,
		Run: func(io *cli.IO, args []string) error { return run(io, &o, args) }})
}

func run(o *cli.IO, opt *options, args []string) error {
	if opt.Round <= 0 {
		return cli.Usagef("--round must be positive")
	}
	if opt.Next < 1 {
		return cli.Usagef("--next must be at least 1")
	}
	if opt.Crashes < 0 || opt.MaxFaults < 0 {
		return cli.Usagef("--crashes and --max-faults must not be negative")
	}
	sp := spec.Spec{Round: int64(opt.Round), Crashes: opt.Crashes, MaxFaults: opt.MaxFaults}
	var err error
	if sp.EOT, err = spec.ParseTime(opt.EOT, sp.Round); err != nil {
		return cli.Usagef("--eot: %v", err)
	}
	if sp.EFF, err = spec.ParseTime(opt.EFF, sp.Round); err != nil {
		return cli.Usagef("--eff: %v", err)
	}
	var goals []lineage.Goal
	for _, s := range opt.Goals {
		g, err := lineage.ParseGoal(s)
		if err != nil {
			return cli.Usagef("--goal: %v", err)
		}
		goals = append(goals, g)
	}

	rd := lineage.NewReader(goals)
	rd.FieldDeps = opt.Deps == "fields"
	rd.Test, rd.Seed = opt.Test, opt.Seed
	if err := cli.EachInput(o, args, func(in io.Reader, name string) error { return rd.Read(in, name) }); err != nil {
		return err
	}
	runs, err := rd.Runs()
	if err != nil {
		return err
	}
	st := formats.Search{Spec: formats.FailureSpec{Crashes: sp.Crashes, MaxFaults: sp.MaxFaults}}
	if sp.EOT != spec.Unbounded {
		st.Spec.EOT = &sp.EOT
	}
	if sp.EFF != spec.Unbounded {
		st.Spec.EFF = &sp.EFF
	}
	if len(runs) > 0 {
		first := runs[0]
		st.Test, st.Seed = first.Test, first.Seed
		for _, r := range runs[1:] {
			if r.Test != first.Test || r.Seed != first.Seed {
				return &formats.InputError{File: r.File, Line: r.Line, Field: "test",
					Msg: fmt.Sprintf("run %s is of test %s seed %d, but run %s (%s:%d) is of test %s seed %d: ldfi reasons about one test at one seed",
						r.ID, r.Test, r.Seed, first.ID, first.File, first.Line, first.Test, first.Seed)}
			}
		}
	}
	for _, r := range runs {
		if len(r.Verdicts) == 0 {
			o.Warnf("%s:%d: run %s has no verdict: taken as good", r.File, r.Line, r.ID)
		}
	}

	if opt.Random != nil {
		return random(o, opt, sp, rd, runs, st)
	}

	var progress solve.Progress
	if o.IsTerminal() && !opt.Quiet {
		progress = func(level, found int) {
			fmt.Fprintf(o.Stderr, "\rldfi: size %d: %d minimal sets   ", level, found)
		}
	}
	res := solve.Next(runs, sp, opt.Next, progress)
	if progress != nil {
		fmt.Fprint(o.Stderr, "\r\033[K")
	}

	st.Runs, st.Good, st.Candidates = res.Runs, res.Good, res.Faults
	space, ruled, haveSpace := estimate(nodesOf(rd, runs, opt.Test), sp, res)
	if haveSpace {
		setSpace(&st, space)
		if ruled != nil {
			if rf, rl := spec.Float(ruled); rl < 300 {
				st.RuledOut = &rf
			}
		}
	}

	w := formats.NewWriter(o.Stdout)
	if res.Certified {
		if err := w.Write(formats.Certified{Type: formats.TypeCertified, Search: st}); err != nil {
			return err
		}
	}
	for _, fs := range res.Suggestions {
		if fs == nil {
			fs = []formats.Fault{}
		}
		if err := w.Write(formats.Suggestion{Type: formats.TypeFaults, Faults: fs, Size: len(fs), Search: st}); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if !opt.Quiet {
		o.Warnf("%s", summary(sp, res, space, ruled, haveSpace))
	}
	return nil
}

// estimate is the size of the spec's space for the test's nodes and how
// much of it is ruled out (nil when the space is too big to count by size).
func estimate(nodes []string, sp spec.Spec, res solve.Result) (space, ruled *big.Int, ok bool) {
	s, ok := sp.Estimate(len(nodes))
	if !ok {
		return nil, nil, false
	}
	if res.Certified {
		return s.Total, s.Total, true
	}
	return s.Total, s.AtMost(res.Level - 1), true
}

// setSpace records the size of the spec's space in st: its log10, and
// the number itself while a float64 holds it.
func setSpace(st *formats.Search, space *big.Int) {
	f, l := spec.Float(space)
	st.SpaceLog10 = &l
	if l < 300 {
		st.Space = &f
	}
}

// nodesOf are the names of the test's nodes: from the runs, or from a
// test record in the input.
func nodesOf(rd *lineage.Reader, runs []*lineage.Run, test string) []string {
	if test == "" {
		test = rd.LastTest
	}
	specs := rd.Tests[test]
	if len(runs) > 0 {
		specs = runs[0].Nodes
	}
	var names []string
	for _, n := range specs {
		if !formats.IsClientName(n.Name) {
			names = append(names, n.Name)
		}
	}
	return names
}

// random writes --next fault sets drawn at random from the spec, none of
// them a set already tried.
func random(o *cli.IO, opt *options, sp spec.Spec, rd *lineage.Reader, runs []*lineage.Run, st formats.Search) error {
	nodes := nodesOf(rd, runs, opt.Test)
	if len(nodes) == 0 {
		return cli.Usagef("--random needs the test's nodes: give the test (gen's output) or a run as input")
	}
	tried := map[string]bool{}
	for _, r := range runs {
		st.Runs++
		if r.Good() {
			st.Good++
		}
		tried[faultKey(r.Faults)] = true
	}
	if s, ok := sp.Estimate(len(nodes)); ok {
		setSpace(&st, s.Total)
	}
	rng := rand.New(rand.NewPCG(*opt.Random, uint64(len(runs))))
	w := formats.NewWriter(o.Stdout)
	for n, draws := 0, 0; n < opt.Next && draws < 1000*opt.Next; draws++ {
		fs := sp.Draw(rng, nodes)
		if fs == nil {
			fs = []formats.Fault{}
		}
		if k := faultKey(fs); !tried[k] {
			tried[k] = true
			n++
			if err := w.Write(formats.Suggestion{Type: formats.TypeFaults, Faults: fs, Size: len(fs), Search: st}); err != nil {
				return err
			}
		}
	}
	return w.Flush()
}

func faultKey(fs []formats.Fault) string {
	keys := make([]string, len(fs))
	for i, f := range fs {
		b, _ := f.MarshalJSON()
		keys[i] = string(b)
	}
	sort.Strings(keys)
	return strings.Join(keys, "\n")
}

func summary(sp spec.Spec, res solve.Result, space, ruled *big.Int, haveSpace bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d runs (%d good), %d candidate faults", sp, res.Runs, res.Good, res.Faults)
	if res.Certified {
		fmt.Fprintf(&b, "; certified")
	} else {
		fmt.Fprintf(&b, "; next: %d sets of %d faults", len(res.Suggestions), res.Level)
		if res.Truncated {
			b.WriteString(" (a level had too many sets to sort; not in order)")
		}
	}
	if haveSpace {
		fmt.Fprintf(&b, "; space %s", spec.Format(space))
		if ruled != nil {
			pct := new(big.Float).Quo(new(big.Float).SetInt(ruled), new(big.Float).SetInt(space))
			p, _ := pct.Float64()
			fmt.Fprintf(&b, ", ruled out %s (%.3g%%)", spec.Format(ruled), 100*p)
		}
	}
	return b.String()
}
