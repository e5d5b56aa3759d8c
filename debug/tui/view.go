package tui

import (
	"fmt"
	"strconv"

	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/trace"
)

func itoa(n int) string { return strconv.Itoa(n) }

// layout is where each pane goes on a w×h screen. At 80×24 the step list
// and the diagram share the upper half, the state takes the lower left and
// the message, what was sent and the logs are stacked on the lower right;
// from 160 columns the four lower panes stand side by side.
type layout struct {
	title, status rect
	panes         [numPanes]rect
	seps          []rect // separator columns: x, y, h
}

func newLayout(w, h int) layout {
	var l layout
	l.title = rect{0, 0, w, 1}
	l.status = rect{0, h - 1, w, 1}
	bodyY, bodyH := 1, max(h-2, 0)
	topH := max(bodyH*11/20, min(bodyH, 5))
	botY, botH := bodyY+topH, bodyH-topH

	sw := min(max(w/2, min(w, 40)), 72)
	if w < 100 {
		sw = w * 58 / 100 // the list needs the room more than the lanes do
	}
	l.panes[paneSteps] = rect{0, bodyY, sw, topH}
	l.panes[paneDiagram] = rect{sw + 1, bodyY, max(w-sw-1, 0), topH}
	l.seps = append(l.seps, rect{sw, bodyY, 1, topH})

	if w >= 160 {
		stw := w * 2 / 5
		rest := (w - stw - 3) / 3
		l.panes[paneState] = rect{0, botY, stw, botH}
		x := stw + 1
		for i, p := range []pane{paneMessage, paneSent, paneLogs} {
			pw := rest
			if i == 2 {
				pw = w - x
			}
			l.seps = append(l.seps, rect{x - 1, botY, 1, botH})
			l.panes[p] = rect{x, botY, pw, botH}
			x += pw + 1
		}
		return l
	}
	stw := w / 2
	l.panes[paneState] = rect{0, botY, stw, botH}
	l.seps = append(l.seps, rect{stw, botY, 1, botH})
	rx, rw := stw+1, max(w-stw-1, 0)
	third := botH / 3
	l.panes[paneMessage] = rect{rx, botY, rw, botH - 2*third}
	l.panes[paneSent] = rect{rx, botY + botH - 2*third, rw, third}
	l.panes[paneLogs] = rect{rx, botY + botH - third, rw, third}
	return l
}

// Draw renders the whole screen.
func (a *App) Draw(s tcell.Screen) {
	w, h := s.Size()
	s.HideCursor()
	l := newLayout(w, h)
	a.drawTitle(s, l.title)
	if len(a.tr.Steps) == 0 {
		s.Clear()
		put(s, 0, 0, w, "debug: the run has no steps", stNormal)
		return
	}
	a.drawSteps(s, l.panes[paneSteps])
	a.drawDiagram(s, l.panes[paneDiagram])
	a.drawDetails(s, l)
	for _, sp := range l.seps {
		vline(s, sp.x, sp.y, sp.h)
	}
	a.drawStatus(s, l.status)
	if a.help {
		a.drawHelp(s, w, h)
	}
}

func (a *App) drawTitle(s tcell.Screen, r rect) {
	st := a.tr.Steps[min(a.cur, max(len(a.tr.Steps)-1, 0))]
	t := fmt.Sprintf(" debug %s · %s · step %d (%d of %d) · t=%ss", a.tr.File, a.tr.Run.Run,
		st.Num, a.cur+1, len(a.tr.Steps), seconds(st.At, 6))
	if v := a.tr.Verdict; v != nil {
		switch v.Valid {
		case true:
			t += " · verdict: valid"
		case false:
			t += " · verdict: NOT VALID (" + v.Anomaly + ")"
		default:
			t += " · verdict: unknown"
		}
	}
	x := put(s, r.x, r.y, r.w, t, stTitle)
	fill(s, x, r.y, r.w, stTitle)
	help := " ?:help "
	if x+len(help) < r.w {
		put(s, r.w-len(help), r.y, r.w, help, stTitle)
	}
}

func (a *App) drawStatus(s tcell.Screen, r rect) {
	var text string
	st := stNormal
	switch {
	case a.prompt != 0:
		text = string(a.prompt) + a.input
		x := put(s, r.x, r.y, r.w, text, stBold)
		fill(s, x, r.y, r.w, stNormal)
		s.ShowCursor(min(x, r.w-1), r.y)
		return
	case a.status != "":
		text = a.status
	default:
		text = "j/k step · f follow · /search · :N go · TAB pane · 1-9 node · ? help · q quit"
		st = stDim
	}
	x := put(s, r.x, r.y, r.w, text, st)
	fill(s, x, r.y, r.w, stNormal)
}

// seconds formats simulated nanoseconds as seconds with d decimals.
func seconds(ns int64, d int) string {
	return strconv.FormatFloat(float64(ns)/1e9, 'f', d, 64)
}

// scrollTo keeps the current step in the list's rows, a little away from
// the edges.
func (a *App) scrollTo(rows int) {
	n := len(a.tr.Steps)
	margin := min(2, rows/4)
	if a.cur < a.top+margin {
		a.top = a.cur - margin
	}
	if a.cur >= a.top+rows-margin {
		a.top = a.cur - rows + margin + 1
	}
	a.top = max(min(a.top, n-rows), 0)
}

// related are the steps linked to the current one: the send of the
// message it consumed and where the messages it sent arrived.
func (a *App) related() map[int]bool {
	rel := map[int]bool{}
	if s := a.tr.Sender(a.cur); s >= 0 {
		rel[s] = true
	}
	for _, snd := range a.tr.Sends(a.cur) {
		if snd.Recv >= 0 {
			rel[snd.Recv] = true
		}
	}
	return rel
}

// stepStyle is the colour of a step of this kind.
func stepStyle(k trace.Kind) tcell.Style {
	switch k {
	case trace.KindDrop:
		return stDrop
	case trace.KindCrash, trace.KindPanic:
		return stCrash
	case trace.KindRestart:
		return stRestart
	case trace.KindTimer:
		return stTimer
	}
	return stNormal
}

// ends is a step's "from → to" (or its node) for the list.
func (a *App) ends(st *trace.Step, short bool) string {
	name := a.tr.Name
	if short {
		name = func(l trace.Lane) string { return abbrev(a.tr.Name(l), 6) }
	}
	switch {
	case st.From != trace.NoLane && st.To != trace.NoLane && st.From != st.To:
		return name(st.From) + "→" + name(st.To)
	case st.Node != trace.NoLane:
		return name(st.Node)
	}
	return ""
}

func (a *App) drawSteps(s tcell.Screen, r rect) {
	if r.h < 3 {
		return
	}
	rows := r.h - 2
	a.rows = rows
	a.scrollTo(rows)
	header(s, r, fmt.Sprintf("steps %d-%d of %d", a.tr.Steps[a.top].Num,
		a.tr.Steps[min(a.top+rows, len(a.tr.Steps))-1].Num, len(a.tr.Steps)), a.focus == paneSteps)
	last := a.tr.Steps[len(a.tr.Steps)-1]
	sw := max(len(strconv.FormatInt(last.Num, 10)), 4)
	tw := max(len(seconds(last.At, 4)), 6)
	drawLine(s, r, r.y+1, styled("  "+padLeft("time", tw)+" "+padLeft("step", sw)+" event", stDim), stNormal)
	rel := a.related()
	lw := 0 // the label column fits the longest label on screen, up to 12
	for i := a.top; i < min(a.top+rows, len(a.tr.Steps)); i++ {
		lw = max(lw, min(len(a.tr.Label(i)), 12))
	}
	for k := 0; k < rows; k++ {
		i := a.top + k
		y := r.y + 2 + k
		if i >= len(a.tr.Steps) {
			drawLine(s, r, y, nil, stNormal)
			continue
		}
		st := &a.tr.Steps[i]
		mark := " "
		switch {
		case st.Kind == trace.KindDrop:
			mark = "✗"
		case st.Kind == trace.KindCrash || st.Kind == trace.KindPanic:
			mark = "✖"
		case rel[i]:
			mark = "•"
		}
		text := mark + " " + padLeft(seconds(st.At, 4), tw) + " " + padLeft(strconv.FormatInt(st.Num, 10), sw) + " " +
			pad(st.Kind.String(), 7) + " " + pad(a.tr.Label(i), lw) + " " + a.ends(st, r.w < 60)
		style := stepStyle(st.Kind)
		if rel[i] && style == stNormal {
			style = stRelated
		}
		if i == a.cur {
			style = stCur
		}
		drawLine(s, r, y, styled(text, style), style)
	}
}
