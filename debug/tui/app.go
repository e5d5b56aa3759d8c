package tui

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/trace"
	"github.com/detsys/detsys/formats"
)

// pane is one of the six panes, in TAB order.
type pane int

const (
	paneSteps pane = iota
	paneDiagram
	paneState
	paneMessage
	paneSent
	paneLogs
	numPanes
)

// App is the debugger's state: where the user is, what they look at.
type App struct {
	tr    *trace.Trace
	cur   int        // index of the current step
	top   int        // first step shown in the list and the diagram
	focus pane       // the pane that j/k act on
	node  trace.Lane // the node whose state is shown; NoLane: the current step's
	sel   int        // the selected send in the sent pane

	scroll [numPanes]int // first line shown in the text panes

	back, backAt int // after f from a delivery (back) to its send (backAt), f returns

	prompt  rune   // ':' or '/' while a line is typed, 0 otherwise
	input   string // what was typed
	search  string // the last search
	status  string // a message for the status line
	help    bool
	records map[int]*record // decoded records, by step index
	rows    int             // rows of the step list at the last draw (for paging)
}

// record is a decoded step record (or why it could not be decoded).
type record struct {
	rec *formats.Step
	err error
}

// New starts at the first step at or after step number at (at < 0: the first step).
func New(tr *trace.Trace, at int64) *App {
	a := &App{tr: tr, node: trace.NoLane, back: -1, backAt: -1, records: map[int]*record{}}
	if at >= 0 && len(tr.Steps) > 0 {
		a.cur = min(tr.Find(at), len(tr.Steps)-1)
		if tr.Steps[a.cur].Num != at {
			a.status = fmt.Sprintf("no step %d: at step %d", at, tr.Steps[a.cur].Num)
		}
	}
	if tr.More {
		more := "the input holds more than one run: showing the first, " + tr.Run.Run
		if a.status != "" {
			more += "; " + a.status
		}
		a.status = more
	}
	return a
}

// Current is the index of the current step.
func (a *App) Current() int { return a.cur }

// record decodes step i, keeping a few hundred decoded records.
func (a *App) record(i int) *record {
	if r, ok := a.records[i]; ok {
		return r
	}
	if len(a.records) > 512 {
		clear(a.records)
	}
	rec, err := a.tr.Record(i)
	r := &record{rec, err}
	a.records[i] = r
	return r
}

// goTo makes step i current.
func (a *App) goTo(i int) {
	if len(a.tr.Steps) == 0 {
		return
	}
	i = min(max(i, 0), len(a.tr.Steps)-1)
	if i != a.cur {
		a.cur = i
		a.sel = 0
		for p := paneState; p < numPanes; p++ {
			a.scroll[p] = 0
		}
		a.scroll[paneState] = -1 // at the first change, when drawn
	}
}

// Key handles one key; it returns true when the user quits.
func (a *App) Key(ev *tcell.EventKey) bool {
	if a.prompt != 0 {
		a.promptKey(ev)
		return false
	}
	if a.help {
		a.help = false
		return ev.Key() == tcell.KeyCtrlC
	}
	a.status = ""
	steps := a.focus == paneSteps || a.focus == paneDiagram
	page := max(a.rows-1, 1)
	switch ev.Key() {
	case tcell.KeyCtrlC:
		return true
	case tcell.KeyTab:
		a.focus = (a.focus + 1) % numPanes
	case tcell.KeyBacktab:
		a.focus = (a.focus + numPanes - 1) % numPanes
	case tcell.KeyDown:
		a.move(1, steps)
	case tcell.KeyUp:
		a.move(-1, steps)
	case tcell.KeyRight:
		a.goTo(a.cur + 1)
	case tcell.KeyLeft:
		a.goTo(a.cur - 1)
	case tcell.KeyPgDn, tcell.KeyCtrlF:
		a.move(page, steps)
	case tcell.KeyPgUp, tcell.KeyCtrlB:
		a.move(-page, steps)
	case tcell.KeyHome:
		a.goTo(0)
	case tcell.KeyEnd:
		a.goTo(len(a.tr.Steps) - 1)
	case tcell.KeyEsc:
		a.status = ""
	case tcell.KeyEnter:
		if a.focus == paneSent {
			a.follow()
		}
	case tcell.KeyRune:
		return a.runeKey(ev.Rune(), steps, page)
	}
	return false
}

func (a *App) runeKey(r rune, steps bool, page int) bool {
	switch r {
	case 'q':
		return true
	case 'j':
		a.move(1, steps)
	case 'k':
		a.move(-1, steps)
	case ' ':
		a.move(page, steps)
	case 'g':
		if steps {
			a.goTo(0)
		} else {
			a.scroll[a.focus] = 0
		}
	case 'G':
		if steps {
			a.goTo(len(a.tr.Steps) - 1)
		} else {
			a.scroll[a.focus] = 1 << 30 // clamped when drawn
		}
	case 'f':
		a.follow()
	case '/', ':':
		a.prompt, a.input = r, ""
	case 'n':
		a.find(true)
	case 'N':
		a.find(false)
	case '?':
		a.help = true
	case '0':
		a.node = trace.NoLane
		a.status = "state: the current step's node"
	default:
		if r >= '1' && r <= '9' {
			nodes := a.tr.Nodes()
			if k := int(r - '1'); k < len(nodes) {
				a.node = nodes[k]
				a.status = "state: " + a.tr.Name(a.node) + " (0: follow the current step)"
			} else {
				a.status = fmt.Sprintf("no node %c: the run has %d nodes", r, len(nodes))
			}
		}
	}
	return false
}

// move goes n steps, or scrolls the focused text pane n lines.
func (a *App) move(n int, steps bool) {
	if steps {
		a.goTo(a.cur + n)
		return
	}
	if a.focus == paneSent {
		a.sel = max(a.sel+n, 0) // clamped when drawn
		return
	}
	a.scroll[a.focus] = max(a.scroll[a.focus]+n, 0)
}

// follow jumps from a message's arrival to the step that sent it and back;
// on a step that sent messages (and was not reached by f), to where the
// selected one arrived.
func (a *App) follow() {
	i := a.cur
	if a.backAt == i && a.back >= 0 && a.focus != paneSent {
		b := a.back
		a.back, a.backAt = -1, -1
		a.goTo(b)
		a.status = fmt.Sprintf("f: back at step %d", a.tr.Steps[b].Num)
		return
	}
	st := a.tr.Steps[i]
	if st.Kind == trace.KindTimer && a.focus != paneSent {
		s := a.tr.TimerSetter(i)
		if s < 0 {
			a.status = "f: no step before this one set this timer for this time"
			return
		}
		a.goTo(s)
		a.back, a.backAt = i, s
		a.status = fmt.Sprintf("f: step %d set the timer that fired at step %d (f: back)", a.tr.Steps[s].Num, st.Num)
		return
	}
	if st.Kind.Consumes() && a.focus != paneSent {
		s := a.tr.Sender(i)
		if s < 0 {
			a.status = "f: the trace does not say which step sent this message"
			return
		}
		a.goTo(s)
		a.back, a.backAt = i, s
		a.status = fmt.Sprintf("f: step %d sent the message delivered at step %d (f: back)", a.tr.Steps[s].Num, st.Num)
		return
	}
	sends := a.tr.Sends(i)
	if len(sends) == 0 {
		a.status = "f: this step neither received nor sent a message"
		return
	}
	if a.focus == paneSent && a.sel >= len(sends) {
		a.status = "f: that is a timer; pick a message"
		return
	}
	s := sends[min(a.sel, len(sends)-1)]
	if s.Recv < 0 {
		a.status = "f: " + s.ID + " to " + s.To + " never arrived (the run ended first)"
		return
	}
	a.goTo(s.Recv)
	a.back, a.backAt = -1, -1
	what := "arrived"
	if a.tr.Steps[s.Recv].Kind == trace.KindDrop {
		what = "was lost"
	}
	a.status = fmt.Sprintf("f: %s, sent at step %d, %s at step %d (f: back to the send)", s.ID, st.Num, what, a.tr.Steps[s.Recv].Num)
}

// find repeats the last search forwards or backwards.
func (a *App) find(forward bool) {
	if a.search == "" {
		a.status = "no search yet: / to search"
		return
	}
	i, wrapped := a.tr.Search([]byte(a.search), a.cur, forward)
	if i < 0 {
		a.status = "/" + a.search + ": not found"
		return
	}
	a.goTo(i)
	a.status = "/" + a.search + ": step " + strconv.FormatInt(a.tr.Steps[i].Num, 10)
	if wrapped {
		if forward {
			a.status += " (wrapped to the top)"
		} else {
			a.status += " (wrapped to the bottom)"
		}
	}
}

// promptKey edits the : or / line.
func (a *App) promptKey(ev *tcell.EventKey) {
	switch ev.Key() {
	case tcell.KeyEsc, tcell.KeyCtrlC:
		a.prompt = 0
	case tcell.KeyBackspace, tcell.KeyBackspace2:
		if a.input == "" {
			a.prompt = 0
		} else {
			r := []rune(a.input)
			a.input = string(r[:len(r)-1])
		}
	case tcell.KeyEnter:
		p, in := a.prompt, strings.TrimSpace(a.input)
		a.prompt = 0
		if p == '/' {
			if in != "" {
				a.search = in
			}
			a.find(true)
			return
		}
		a.gotoStep(in)
	case tcell.KeyRune:
		a.input += string(ev.Rune())
	}
}

// gotoStep goes to the step numbered s (":45"), or the first after it.
func (a *App) gotoStep(s string) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		a.status = fmt.Sprintf(":%s: give a step number, like :45", s)
		return
	}
	i := a.tr.Find(n)
	if i >= len(a.tr.Steps) {
		a.status = fmt.Sprintf(":%d: the run ends at step %d", n, a.tr.Steps[len(a.tr.Steps)-1].Num)
		i = len(a.tr.Steps) - 1
	} else if a.tr.Steps[i].Num != n {
		a.status = fmt.Sprintf(":%d: no such step; at the next one, %d", n, a.tr.Steps[i].Num)
	}
	a.goTo(i)
}
