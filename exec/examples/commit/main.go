// Sut-commit is the executor of the LDFI paper's commit protocols: 2pc,
// 2pc-ctp (cooperative termination) and 3pc, each as a coordinator kind
// (P-coord) and agent kinds (P-agent, P-agent-no), in synchronous rounds
// of 1 ms (see package nodes for each protocol and the fault that breaks
// it).
//
//	gen commit --protocol 2pc --agents 3 |
//		sched --latency fixed:1ms --max-time 5ms --exec sut-commit | check commit
package main

import (
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/commit/nodes"
)

func main() { exec.Main(nodes.Kinds) }
