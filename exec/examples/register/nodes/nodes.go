// Package nodes is the register system under test: two register replicas
// behind a frontend, in four versions of the frontend, three of them wrong
// in instructive ways. The kinds are:
//
//	register   a replica: keeps a value and its version, on disk too
//	frontend1  answers the client with the FIRST replica's answer:
//	           a read can miss a write that already completed (no faults needed)
//	frontend2  waits for two answers and retries on a tick, but counts a
//	           replica's duplicate answer twice (needs lost messages)
//	frontend3  correct: versions writes, tracks each replica's answer per
//	           operation, retries on a periodic tick
//	frontend4  frontend3 with one retry timer per operation
//
// Clients (c0, c1, …) talk to the frontend only:
//
//	c → frontend   {"type":"write","value":3,"msg_id":1}   {"type":"read","msg_id":2}
//	frontend → c   {"type":"write_ok","in_reply_to":1}      {"type":"read_ok","value":3,"in_reply_to":2}
//
// and the frontend to the replicas, with the operation's sequence number
// as msg_id (a retry resends the same message, so it keeps its msg_id) and,
// for frontends 2 to 4, as the write's version:
//
//	frontend → register   {"type":"write","value":3,"version":7,"msg_id":7}   {"type":"read","msg_id":8}
//	register → frontend   {"type":"write_ok","in_reply_to":7}                 {"type":"read_ok","value":3,"version":7,"in_reply_to":8}
//
// A read of a register never written answers "value":null (and no
// version). Requests a node does not understand are answered with a
// Maelstrom error: code 10 (not supported) or 12 (malformed request).
//
// The replicas are found by name: an Init event carries no node list, so
// a register test names its replicas as in Replicas, which is what gen's
// default --nodes does.
//
// The Go tests run these nodes in process with
// exec.NewExecutor(nodes.Kinds, "test"); the binary sut-register
// (exec/examples/register) serves them to sched.
package nodes

import "github.com/detsys/detsys/exec"

// Replicas are the names of the register nodes every frontend talks to.
var Replicas = []string{"register1", "register2"}

// Kinds are the node kinds of the register system under test.
var Kinds = exec.Kinds{
	"register":  func() exec.Node { return &Register{} },
	"frontend1": func() exec.Node { return newFrontend(frontend1) },
	"frontend2": func() exec.Node { return newFrontend(frontend2) },
	"frontend3": func() exec.Node { return newFrontend(frontend3) },
	"frontend4": func() exec.Node { return newFrontend(frontend4) },
}
