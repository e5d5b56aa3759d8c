package tui

import "github.com/gdamore/tcell/v2"

var helpText = []string{
	"debug: time-travel through one run (any key closes this help)",
	"",
	"j k ↓ ↑     next / previous step (in a text pane: scroll)",
	"← →         next / previous step, whatever the pane",
	"g G         first / last step (text pane: top / bottom)",
	"space PgDn  a page down;  PgUp  a page up",
	"TAB S-TAB   next / previous pane",
	"1-9  0      show node N's state / the current step's node",
	"f           from a message's arrival (or a timer's firing) to the",
	"            step that sent it (set it), and back;",
	"            on a step that sent messages, to where they went",
	"            (in the sent pane, j/k pick which one)",
	"/TEXT       search the records (e.g. /drop, /\"value\":3)",
	"n N         next / previous match",
	":STEP       go to step STEP",
	"q           quit",
	"",
	"State: ~ changed  + added  - removed by this step.",
	"Diagram: ● delivered  ✗ lost  ○ invoked  ✓ ok  ⊙ timer",
	"         ✖ crash  ↻ restart  ◆ start  ┆ node down",
}

func (a *App) drawHelp(s tcell.Screen, w, h int) {
	text := append([]string(nil), helpText...)
	nodes := "Nodes:"
	for k, l := range a.tr.Nodes() {
		if k < 9 {
			nodes += " " + itoa(k+1) + " " + a.tr.Name(l)
		}
	}
	text = append(text, nodes)
	bw := 0
	for _, l := range text {
		bw = max(bw, len([]rune(l)))
	}
	bw = min(bw+4, w)
	bh := min(len(text)+2, h)
	x0, y0 := max((w-bw)/2, 0), max((h-bh)/2, 0)
	for y := 0; y < bh; y++ {
		fill(s, x0, y0+y, x0+bw, stNormal)
		s.Put(x0, y0+y, "│", stBold)
		s.Put(x0+bw-1, y0+y, "│", stBold)
	}
	for x := x0; x < x0+bw; x++ {
		s.Put(x, y0, "─", stBold)
		s.Put(x, y0+bh-1, "─", stBold)
	}
	s.Put(x0, y0, "┌", stBold)
	s.Put(x0+bw-1, y0, "┐", stBold)
	s.Put(x0, y0+bh-1, "└", stBold)
	s.Put(x0+bw-1, y0+bh-1, "┘", stBold)
	for k, l := range text {
		if 1+k >= bh-1 {
			break
		}
		put(s, x0+2, y0+1+k, x0+bw-1, l, stNormal)
	}
}
