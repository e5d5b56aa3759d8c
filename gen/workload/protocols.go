package workload

import (
	"fmt"
	"slices"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Protocol workloads are the LDFI paper's protocols (exec/examples/delivery
// and exec/examples/commit): the test is the deployment alone, no clients
// and no ops, since the protocol starts by itself in round 1. They are
// meant for sched --latency fixed:1ms --max-time EOTms, where round r is
// r ms.
type Protocols struct {
	Kinds   []string // the protocols, for --protocol; the first is the default
	CountOf string   // the flag that counts the nodes: "nodes" or "agents"
	Count   int      // its default
	// Layout names the nodes of a protocol for a count.
	Layout func(protocol string, n int) ([]formats.NodeSpec, error)
	// EOT is the end of time of each protocol's specification in the
	// paper (Figures 12–13): the --max-time that reproduces it, in ms.
	EOT map[string]int
}

// The protocol workloads' rows of Workloads.
var (
	delivery = &Protocols{
		Kinds:   []string{"simple-deliv", "retry-deliv", "redun-deliv", "ack-deliv", "classic-deliv"},
		CountOf: "nodes", Count: 3,
		Layout: deliveryLayout,
		EOT:    map[string]int{"simple-deliv": 4, "retry-deliv": 4, "redun-deliv": 11, "ack-deliv": 8, "classic-deliv": 5},
	}
	commit = &Protocols{
		Kinds:   []string{"2pc", "2pc-ctp", "3pc"},
		CountOf: "agents", Count: 3,
		Layout: commitLayout,
		EOT:    map[string]int{"2pc": 5, "2pc-ctp": 8, "3pc": 9},
	}
)

// Nodes lays out the test for a protocol (default: the first) and a
// count (0: the default).
func (p *Protocols) Nodes(protocol string, n int) ([]formats.NodeSpec, error) {
	if protocol == "" {
		protocol = p.Kinds[0]
	}
	if !slices.Contains(p.Kinds, protocol) {
		return nil, fmt.Errorf("--protocol %q: unknown (protocols: %s)", protocol, strings.Join(p.Kinds, ", "))
	}
	if n == 0 {
		n = p.Count
	}
	return p.Layout(protocol, n)
}

// nodeNames are Molly's node names: a, b, c, … (the delivery family),
// and for the commit family the agents a, b, d, e, … (Molly's commit
// examples call the agents a, b and d, next to the coordinator C).
func nodeNames(n int, skip string) ([]string, error) {
	var names []string
	for c := 'a'; c <= 'z' && len(names) < n; c++ {
		if string(c) != skip {
			names = append(names, string(c))
		}
	}
	if len(names) < n {
		return nil, fmt.Errorf("at most %d nodes (named a to z)", len(names))
	}
	return names, nil
}

func deliveryLayout(protocol string, n int) ([]formats.NodeSpec, error) {
	if n < 2 {
		return nil, fmt.Errorf("--nodes %d: a broadcast needs at least 2 nodes", n)
	}
	names, err := nodeNames(n, "")
	if err != nil {
		return nil, fmt.Errorf("--nodes %d: %v", n, err)
	}
	out := make([]formats.NodeSpec, n)
	for i, name := range names {
		out[i] = formats.NodeSpec{Name: name, Kind: protocol}
	}
	return out, nil
}

// Coordinator is the commit family's coordinator node (Molly's C).
const Coordinator = "C"

func commitLayout(protocol string, n int) ([]formats.NodeSpec, error) {
	if n < 1 {
		return nil, fmt.Errorf("--agents %d: a transaction needs at least 1 agent", n)
	}
	names, err := nodeNames(n, "c")
	if err != nil {
		return nil, fmt.Errorf("--agents %d: %v", n, err)
	}
	out := []formats.NodeSpec{{Name: Coordinator, Kind: protocol + "-coord"}}
	for _, name := range names {
		out = append(out, formats.NodeSpec{Name: name, Kind: protocol + "-agent"})
	}
	return out, nil
}

// defaultNodes is the --help line of a protocol workload's default nodes.
func (p *Protocols) defaultNodes() string {
	nodes, _ := p.Nodes("", 0)
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = n.Name + "=" + n.Kind
	}
	return strings.Join(s, ",")
}

// ProtocolTest builds the test of a protocol workload ("delivery" or
// "commit") for a protocol and a count (0: the default), as gen does. For
// Go tests of the examples, in process.
func ProtocolTest(name, protocol string, n int) (formats.Test, error) {
	w, ok := Lookup(name)
	if !ok || w.Protocols == nil {
		return formats.Test{}, fmt.Errorf("%q is not a protocol workload", name)
	}
	nodes, err := w.Protocols.Nodes(protocol, n)
	if err != nil {
		return formats.Test{}, err
	}
	t, _, err := Generate(w, Config{Nodes: nodes, Target: nodes[0].Name, Values: 1})
	return t, err
}
