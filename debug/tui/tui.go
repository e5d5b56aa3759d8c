// Package tui is the debugger's full-screen terminal interface over one
// indexed run (package trace): the step list and, beside it, a sequence
// diagram of the same steps (a lane per node and client, an arrow per
// message, drops, crashes and timers marked); below them the chosen node's
// state after the step with what the step changed highlighted, the message
// the step consumed, what it sent and the node's log lines.
//
// It draws into a tcell cell buffer itself: the diagram is a custom
// drawing, and only the visible rows of a million-step run are ever
// looked at. The App (state and keys) is separate from the screen, so
// that tests and benchmarks drive it on tcell's SimulationScreen.
//
//	tr, _ := trace.Open("run.ndjson")
//	err := tui.Run(tr, tui.Options{At: 45})
package tui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/trace"
)

// Options for Run.
type Options struct {
	At     int64        // the step to start at (the first step at or after it); -1: the first step
	Screen tcell.Screen // the screen to use; nil: the terminal (/dev/tty, so stdin may carry the trace)
}

// Run shows the trace until the user quits.
func Run(tr *trace.Trace, o Options) error {
	s := o.Screen
	if s == nil {
		var err error
		if s, err = tcell.NewScreen(); err != nil {
			return err
		}
	}
	if err := s.Init(); err != nil {
		return err
	}
	defer s.Fini()
	a := New(tr, o.At)
	for {
		a.Draw(s)
		s.Show()
		switch ev := s.PollEvent().(type) {
		case nil:
			return nil // the screen was finalized
		case *tcell.EventResize:
			s.Sync()
		case *tcell.EventKey:
			if a.Key(ev) {
				return nil
			}
		}
	}
}
