// Package workload generates test cases: a "test" record and the client
// "op" records that sched runs. Each workload is one row of the table
// Workloads (its name, its default nodes and how it draws one op body);
// Generate does the rest, the same way for every workload, so that adding
// kv or list-append is adding a row.
//
// Generation is deterministic: all choices come from one math/rand/v2 PCG
// seeded with (Config.Seed, FNV-1a hash of the workload's name), drawn in
// op order, and ops are dealt to clients round-robin (op i goes to client
// i mod Clients). Same Config, same bytes.
package workload

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Workload is one kind of test.
type Workload struct {
	Name  string
	Doc   string // one line, for --help
	Nodes string // default --nodes, NAME=KIND pairs
	// Body draws the body of one op (a JSON object such as
	// {"type":"read"}) from rng. It must draw the same number of values
	// for the same Config and results, so that generation stays
	// reproducible.
	Body func(cfg Config, rng *rand.Rand) json.RawMessage
}

// Workloads is the table of known workloads, in the order --help lists them.
var Workloads = []Workload{
	{
		Name:  "register",
		Doc:   "one read/write register; half reads, half writes of 1..--values",
		Nodes: "frontend=frontend1,register1=register,register2=register",
		Body:  registerBody,
	},
}

// Lookup finds a workload by name.
func Lookup(name string) (Workload, bool) {
	for _, w := range Workloads {
		if w.Name == name {
			return w, true
		}
	}
	return Workload{}, false
}

// Names lists the workloads' names.
func Names() []string {
	names := make([]string, len(Workloads))
	for i, w := range Workloads {
		names[i] = w.Name
	}
	return names
}

// Config is what a test is generated from.
type Config struct {
	Nodes   []formats.NodeSpec
	Clients int
	Ops     int    // total ops, dealt to clients round-robin
	Target  string // the node clients send their ops to
	Values  int    // writes draw values 1..Values
	Seed    uint64
}

// Check reports the first problem with cfg, as a message a person can act on.
func (cfg Config) Check() error {
	switch {
	case len(cfg.Nodes) == 0:
		return fmt.Errorf("no nodes")
	case cfg.Clients < 0 || cfg.Ops < 0:
		return fmt.Errorf("--clients and --ops must not be negative")
	case cfg.Ops > 0 && cfg.Clients == 0:
		return fmt.Errorf("%d ops but no clients to run them (--clients 0)", cfg.Ops)
	case cfg.Values < 1:
		return fmt.Errorf("--values %d: writes draw values 1..N, so N must be at least 1", cfg.Values)
	}
	for _, n := range cfg.Nodes {
		if n.Name == cfg.Target {
			return nil
		}
	}
	return fmt.Errorf("--target %q is not a node (nodes: %s)", cfg.Target, formats.NodeNames(cfg.Nodes))
}

// Generate builds the test: its record, with the content-hash id set, and
// its ops.
func Generate(w Workload, cfg Config) (formats.Test, []formats.Op, error) {
	if err := cfg.Check(); err != nil {
		return formats.Test{}, nil, err
	}
	// Each workload draws from its own PCG stream (the FNV-1a hash of its
	// name): PCG seeded (0, 0) starts with a run of low draws, which gave
	// the default register test only 4 reads in 20 ops.
	rng := rand.New(rand.NewPCG(cfg.Seed, streamOf(w.Name)))
	ops := make([]formats.Op, cfg.Ops)
	for i := range ops {
		ops[i] = formats.Op{Type: formats.TypeOp, Client: i % cfg.Clients, Node: cfg.Target, Body: w.Body(cfg, rng)}
	}
	t := formats.Test{Type: formats.TypeTest, Workload: w.Name, Nodes: cfg.Nodes, Clients: cfg.Clients}
	id, err := formats.TestID(t, ops)
	if err != nil {
		return formats.Test{}, nil, err
	}
	t.Test = id
	return t, ops, nil
}

// registerBody draws a read or a write, even odds; a write then draws its
// value from 1..cfg.Values.
func registerBody(cfg Config, rng *rand.Rand) json.RawMessage {
	if rng.IntN(2) == 0 {
		return json.RawMessage(`{"type":"read"}`)
	}
	return json.RawMessage(`{"type":"write","value":` + strconv.Itoa(1+rng.IntN(cfg.Values)) + `}`)
}

// ParseNodes parses NAME=KIND pairs separated by commas, as in
// "frontend=frontend1,register1=register". Names must be unique and must
// not look like client names (c0, c1, …), which sched reserves.
func ParseNodes(s string) ([]formats.NodeSpec, error) {
	var nodes []formats.NodeSpec
	seen := map[string]bool{}
	for _, pair := range strings.Split(s, ",") {
		name, kind, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || name == "" || kind == "" || strings.ContainsAny(kind, "= ") || strings.Contains(name, " ") {
			return nil, fmt.Errorf("--nodes %q: %q is not NAME=KIND (example: frontend=frontend1,register1=register)", s, pair)
		}
		if seen[name] {
			return nil, fmt.Errorf("--nodes %q: node %q named twice", s, name)
		}
		if formats.IsClientName(name) {
			return nil, fmt.Errorf("--nodes %q: node name %q is reserved for clients (c0, c1, …)", s, name)
		}
		seen[name] = true
		nodes = append(nodes, formats.NodeSpec{Name: name, Kind: kind})
	}
	return nodes, nil
}

func streamOf(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// RegisterTest builds a register test for the bundled register example:
// the given frontend kind in front of register1 and register2, clients
// doing ops between them (gen's defaults otherwise). For Go tests and
// benchmarks of the example, in process.
func RegisterTest(frontend string, clients, ops int) (formats.Test, []formats.Op, error) {
	w, _ := Lookup("register")
	nodes, err := ParseNodes("frontend=" + frontend + ",register1=register,register2=register")
	if err != nil {
		return formats.Test{}, nil, err
	}
	return Generate(w, Config{Nodes: nodes, Clients: clients, Ops: ops, Target: "frontend", Values: 5})
}
