// Sut-faulty is an executor that misbehaves on request, to show (and test)
// what sched does when a system under test goes wrong. Its one node kind,
// "faulty", answers {"type":"echo"} with echo_ok and on
//
//	{"type":"panic"}  panics (the node counts as crashed, the executor goes on)
//	{"type":"exit"}   exits the whole executor process with status 7
//	{"type":"hang"}   never returns (sched's --exec-timeout catches it)
//
//	gen register --nodes n=faulty --clients 1 --ops 1 | sched --exec sut-faulty
package main

import (
	"os"
	"time"

	"github.com/detsys/detsys/exec"
)

type faulty struct{ Echoed int }

func (f *faulty) Receive(env exec.Env, ev exec.Event) {
	if ev.Kind != exec.Message {
		return
	}
	switch ev.Type() {
	case "panic":
		panic("asked to panic")
	case "exit":
		os.Exit(7)
	case "hang":
		time.Sleep(24 * time.Hour)
	default:
		f.Echoed++
		env.Reply(ev, map[string]any{"type": ev.Type() + "_ok"})
	}
}

func main() {
	exec.Main(exec.Kinds{"faulty": func() exec.Node { return &faulty{} }})
}
