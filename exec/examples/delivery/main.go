// Sut-delivery is the executor of the LDFI paper's delivery protocols:
// simple-deliv, retry-deliv, redun-deliv, ack-deliv and classic-deliv,
// in synchronous rounds of 1 ms (see package nodes for each protocol and
// the fault that breaks it).
//
//	gen delivery --protocol simple-deliv --nodes 3 |
//		sched --latency fixed:1ms --max-time 4ms --exec sut-delivery | check delivery
package main

import (
	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/exec/examples/delivery/nodes"
)

func main() { exec.Main(nodes.Kinds) }
