// Gen writes a test case for sched: a "test" record naming the workload,
// the nodes (name and kind, which the executor builds) and the number of
// clients, then one "op" record per client operation. The test id is the
// content hash of the test, so the same flags always give the same id and
// byte-identical output.
package main

import (
	"fmt"
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
}

func long() string {
	var b strings.Builder
	b.WriteString(`
Writes a test case on stdout: a "test" record, then the ops.

Workloads:
`)
	for _, w := range workload.Workloads {
		fmt.Fprintf(&b, "  %s: %s\n    default nodes: %s\n", w.Name, w.Doc, w.Nodes)
	}
	b.WriteString(`
Examples:
  gen register | sched --seed 7 --exec sut-register | check register
  gen register --seed 3 --clients 5 --ops 100 --values 2 > test.ndjson
  gen register --nodes frontend=frontend3,register1=register,register2=register

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
	spec := opt.Nodes
	if spec == "" {
		spec = w.Nodes
	}
	nodes, err := workload.ParseNodes(spec)
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
