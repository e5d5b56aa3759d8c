// Gen writes a test case for sched: a "test" record naming the workload,
// the nodes (name and kind, which the executor builds) and the number of
// clients, then one "op" record per client operation. The test id is the
// content hash of the test, so the same flags always give the same id and
// byte-identical output.
package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/gen/workload"
	"github.com/detsys/detsys/internal/cli"
)

type options struct {
	Nodes   string `long:"nodes" value-name:"NAME=KIND,..." description:"the nodes and their kinds (default: the workload's, listed above)"`
	Clients int    `long:"clients" value-name:"N" description:"number of clients (c0 … cN-1); each runs its ops one at a time" default:"3"`
	Ops     int    `long:"ops" value-name:"N" description:"total number of ops, dealt to the clients round-robin" default:"20"`
	Seed    uint64 `long:"seed" value-name:"N" description:"gen's own seed (math/rand/v2 PCG): which ops, which values" default:"0"`
	Target  string `long:"target" value-name:"NODE" description:"the node clients send their ops to (default: the first of --nodes)"`
	Values  int    `long:"values" value-name:"N" description:"writes draw their values from 1..N" default:"5"`

	Protocol string `long:"protocol" value-name:"NAME" description:"delivery, commit: the protocol (default: the workload's first)"`
	Agents   *int   `long:"agents" value-name:"N" description:"commit: the number of agents besides the coordinator C (default 3)"`
}

func long() string {
	var b strings.Builder
	b.WriteString(`
Writes a test case on stdout: a "test" record, then the ops.

Workloads:
`)
	for _, w := range workload.Workloads {
		fmt.Fprintf(&b, "  %s: %s\n    default nodes: %s\n", w.Name, w.Doc, w.Nodes)
		if p := w.Protocols; p != nil {
			eots := make([]string, len(p.Kinds))
			for i, k := range p.Kinds {
				eots[i] = fmt.Sprintf("%s %dms", k, p.EOT[k])
			}
			fmt.Fprintf(&b, "    the paper's EOT, as sched --max-time: %s\n", strings.Join(eots, ", "))
		}
	}
	b.WriteString(`
Examples:
  gen register | sched --seed 7 --exec sut-register | check register
  gen register --seed 3 --clients 5 --ops 100 --values 2 > test.ndjson
  gen register --nodes frontend=frontend3,register1=register,register2=register
  gen delivery --protocol retry-deliv --nodes 3 |
    sched --latency fixed:1ms --max-time 4ms --exec sut-delivery | check delivery
  gen commit --protocol 3pc --agents 3 |
    sched --latency fixed:1ms --max-time 9ms --exec sut-commit | check commit

The protocol workloads (delivery, commit) write the deployment alone: the
protocol starts by itself in round 1, and round r is r ms under sched
--latency fixed:1ms. For them --nodes is a count (delivery) or NAME=KIND
pairs, and --clients, --ops, --seed, --values and --target do not apply.

Exit codes: 0 ok · 2 usage (bad workload, --nodes or --target) · 5 I/O error.`)
	return b.String()
}

func main() {
	var o options
	cli.Main(cli.Command{Name: "gen", Usage: "WORKLOAD [OPTIONS]", Long: long(), Opts: &o,
		Run: func(io *cli.IO, args []string) error { return run(io, &o, args) }})
}

func run(o *cli.IO, opt *options, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("give one workload (workloads: %s)", strings.Join(workload.Names(), ", "))
	}
	w, ok := workload.Lookup(args[0])
	if !ok {
		return cli.Usagef("unknown workload %q (workloads: %s)", args[0], strings.Join(workload.Names(), ", "))
	}
	nodes, err := nodesFor(w, opt)
	if err != nil {
		return cli.Usagef("%v", err)
	}
	cfg := workload.Config{Nodes: nodes, Clients: opt.Clients, Ops: opt.Ops, Target: opt.Target, Values: opt.Values, Seed: opt.Seed}
	if cfg.Target == "" {
		cfg.Target = nodes[0].Name
	}
	if err := cfg.Check(); err != nil {
		return cli.Usagef("%v", err)
	}
	test, ops, err := workload.Generate(w, cfg)
	if err != nil {
		return err
	}
	out := formats.NewWriter(o.Stdout)
	if err := out.Write(test); err != nil {
		return err
	}
	for _, op := range ops {
		if err := out.Write(op); err != nil {
			return err
		}
	}
	return out.Flush()
}

// nodesFor is the test's nodes: --nodes as NAME=KIND pairs, or for a
// protocol workload the layout of --protocol for a count (--nodes N for
// delivery, --agents N for commit).
func nodesFor(w workload.Workload, opt *options) ([]formats.NodeSpec, error) {
	p := w.Protocols
	if p == nil {
		if opt.Protocol != "" || opt.Agents != nil {
			return nil, fmt.Errorf("--protocol and --agents are for the protocol workloads (delivery, commit), not %s", w.Name)
		}
		spec := opt.Nodes
		if spec == "" {
			spec = w.Nodes
		}
		return workload.ParseNodes(spec)
	}
	n := 0
	switch {
	case p.CountOf == "nodes" && opt.Agents != nil:
		return nil, fmt.Errorf("--agents is for the commit workload; %s counts --nodes", w.Name)
	case p.CountOf == "agents" && opt.Agents != nil:
		if n = *opt.Agents; n < 1 {
			return nil, fmt.Errorf("--agents %d: a transaction needs at least 1 agent", n)
		}
	}
	if opt.Nodes != "" {
		if c, err := strconv.Atoi(opt.Nodes); err == nil && p.CountOf == "nodes" {
			n = c
		} else if opt.Protocol != "" || opt.Agents != nil {
			return nil, fmt.Errorf("--nodes %q: give either NAME=KIND pairs or --protocol (and a count), not both", opt.Nodes)
		} else {
			return workload.ParseNodes(opt.Nodes)
		}
	}
	return p.Nodes(opt.Protocol, n)
}
