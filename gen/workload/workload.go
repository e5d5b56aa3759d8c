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
	// Body draws the body of op i (a JSON object such as
	// {"type":"read"}) from rng. It must draw the same number of values
	// for the same Config and results, so that generation stays
	// reproducible. Values that must be unique (appends, set elements,
	// broadcast messages) are made from i, not drawn.
	Body func(cfg Config, rng *rand.Rand, i int) json.RawMessage
	// Spread sends client c's ops to node c mod len(Nodes) instead of
	// Target: a workload that reads every node (broadcast).
	Spread bool
	// Protocols is set for the LDFI protocol workloads (delivery,
	// commit), whose tests have no clients and no ops: gen --protocol
	// picks the protocol, and the nodes come from its Layout.
	Protocols *Protocols
}

// Workloads is the table of known workloads, in the order --help lists them.
var Workloads = []Workload{
	{
		Name:  "register",
		Doc:   "one read/write register; half reads, half writes of 1..--values",
		Nodes: "frontend=frontend1,register1=register,register2=register",
		Body:  registerBody,
	},
	{
		Name:  "kv",
		Doc:   "Maelstrom's lin-kv: read, write and cas on keys 0..4, values 1..--values",
		Nodes: "n1=lin-kv",
		Body:  kvBody,
	},
	{
		Name:  "list-append",
		Doc:   "Maelstrom's txn-list-append: 1-4 appends (unique values) and reads over keys 0..9",
		Nodes: "n1=txn-list-append",
		Body:  txnBody("append"),
	},
	{
		Name:  "rw-register",
		Doc:   "Maelstrom's txn-rw-register: 1-4 writes (unique values) and reads over keys 0..9",
		Nodes: "n1=txn-rw-register",
		Body:  txnBody("w"),
	},
	{
		Name:  "set",
		Doc:   "Maelstrom's g-set: adds of unique elements, one read in four",
		Nodes: "n1=g-set",
		Body:  addOrRead("add", "element", false),
	},
	{
		Name:  "counter",
		Doc:   "Maelstrom's pn-counter: adds of -2..5 (never 0), one read in four",
		Nodes: "n1=pn-counter",
		Body:  addOrRead("add", "delta", true),
	},
	{
		Name:   "broadcast",
		Doc:    "Maelstrom's broadcast: each client's first op the topology, unique messages, one read in four, and each client's last op a read; client c talks to node c mod the number of nodes (not --target)",
		Nodes:  "n1=broadcast,n2=broadcast,n3=broadcast",
		Body:   broadcastBody,
		Spread: true,
	},
	{
		Name:      "delivery",
		Doc:       "the LDFI paper's broadcast protocols (--protocol simple-deliv, retry-deliv, redun-deliv, ack-deliv, classic-deliv; --nodes N names them a, b, c, …; a broadcasts); no clients, no ops; run with sched --latency fixed:1ms --max-time EOTms",
		Nodes:     delivery.defaultNodes(),
		Protocols: delivery,
	},
	{
		Name:      "commit",
		Doc:       "the LDFI paper's commit protocols (--protocol 2pc, 2pc-ctp, 3pc; --agents N: coordinator C, agents a, b, d, …); no clients, no ops; run with sched --latency fixed:1ms --max-time EOTms",
		Nodes:     commit.defaultNodes(),
		Protocols: commit,
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
	if w.Protocols != nil {
		cfg.Clients, cfg.Ops = 0, 0
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, streamOf(w.Name)))
	ops := make([]formats.Op, cfg.Ops)
	for i := range ops {
		c := i % cfg.Clients
		node := cfg.Target
		if w.Spread {
			node = cfg.Nodes[c%len(cfg.Nodes)].Name
		}
		ops[i] = formats.Op{Type: formats.TypeOp, Client: c, Node: node, Body: w.Body(cfg, rng, i)}
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
func registerBody(cfg Config, rng *rand.Rand, _ int) json.RawMessage {
	if rng.IntN(2) == 0 {
		return json.RawMessage(`{"type":"read"}`)
	}
	return json.RawMessage(`{"type":"write","value":` + strconv.Itoa(1+rng.IntN(cfg.Values)) + `}`)
}

// kvBody draws a read, a write or a cas (even odds) of a key in 0..4;
// values come from 1..cfg.Values.
func kvBody(cfg Config, rng *rand.Rand, _ int) json.RawMessage {
	key := strconv.Itoa(rng.IntN(5))
	value := func() string { return strconv.Itoa(1 + rng.IntN(cfg.Values)) }
	switch rng.IntN(3) {
	case 0:
		return json.RawMessage(`{"type":"read","key":` + key + `}`)
	case 1:
		return json.RawMessage(`{"type":"write","key":` + key + `,"value":` + value() + `}`)
	}
	from := value()
	return json.RawMessage(`{"type":"cas","key":` + key + `,"from":` + from + `,"to":` + value() + `}`)
}

// txnBody draws a transaction of 1..4 micro-operations over keys 0..9,
// each a read or a write (append or w) with even odds. The value written
// by micro-operation j of op i is 4i+j+1: unique, as the checkers need.
func txnBody(write string) func(Config, *rand.Rand, int) json.RawMessage {
	return func(_ Config, rng *rand.Rand, i int) json.RawMessage {
		b := []byte(`{"type":"txn","txn":[`)
		for j := range 1 + rng.IntN(4) {
			if j > 0 {
				b = append(b, ',')
			}
			key := strconv.Itoa(rng.IntN(10))
			if rng.IntN(2) == 0 {
				b = append(b, `["r",`+key+`,null]`...)
				continue
			}
			b = append(b, `["`+write+`",`+key+`,`+strconv.Itoa(4*i+j+1)+`]`...)
		}
		return append(b, `]}`...)
	}
}

// addOrRead draws a read one time in four, else an add of field: the
// unique value i+1, or for a counter a delta of -2..5 other than 0.
func addOrRead(typ, field string, delta bool) func(Config, *rand.Rand, int) json.RawMessage {
	return func(_ Config, rng *rand.Rand, i int) json.RawMessage {
		if rng.IntN(4) == 0 {
			return json.RawMessage(`{"type":"read"}`)
		}
		v := i + 1
		if delta {
			if v = rng.IntN(7) - 2; v >= 0 {
				v++
			}
		}
		return json.RawMessage(`{"type":"` + typ + `","` + field + `":` + strconv.Itoa(v) + `}`)
	}
}

// broadcastBody: each client's first op gives its node the topology
// (every node a neighbour of every other), so that a node has had it
// before any broadcast it receives, whichever client sends it; each
// client's last op is a read, so that every node gets a final read when
// there are at least as many clients as nodes; otherwise a read one time
// in four, else a broadcast of the unique message i+1.
func broadcastBody(cfg Config, rng *rand.Rand, i int) json.RawMessage {
	if i < cfg.Clients {
		b := []byte(`{"type":"topology","topology":{`)
		for j, n := range cfg.Nodes {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, n.Name)
			b = append(b, ":["...)
			first := true
			for _, m := range cfg.Nodes {
				if m.Name != n.Name {
					if !first {
						b = append(b, ',')
					}
					first = false
					b = strconv.AppendQuote(b, m.Name)
				}
			}
			b = append(b, ']')
		}
		return append(b, "}}"...)
	}
	if i >= cfg.Ops-cfg.Clients || rng.IntN(4) == 0 {
		return json.RawMessage(`{"type":"read"}`)
	}
	return json.RawMessage(`{"type":"broadcast","message":` + strconv.Itoa(i+1) + `}`)
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
