package tui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
)

// Colours are the eight basic ones, which every terminal (and tmux's
// default TERM) shows the same way.
var (
	stNormal      = tcell.StyleDefault
	stTitle       = tcell.StyleDefault.Reverse(true).Bold(true)
	stHeader      = tcell.StyleDefault.Bold(true).Underline(true)
	stHeaderFocus = tcell.StyleDefault.Reverse(true).Bold(true)
	stDim         = tcell.StyleDefault.Dim(true)
	stBold        = tcell.StyleDefault.Bold(true)
	stCur         = tcell.StyleDefault.Reverse(true)
	stDrop        = tcell.StyleDefault.Foreground(tcell.ColorMaroon)
	stCrash       = tcell.StyleDefault.Foreground(tcell.ColorMaroon).Bold(true)
	stRestart     = tcell.StyleDefault.Foreground(tcell.ColorGreen)
	stTimer       = tcell.StyleDefault.Foreground(tcell.ColorTeal)
	stRelated     = tcell.StyleDefault.Foreground(tcell.ColorOlive).Bold(true)
	stChanged     = tcell.StyleDefault.Foreground(tcell.ColorOlive).Bold(true)
	stAdded       = tcell.StyleDefault.Foreground(tcell.ColorGreen).Bold(true)
	stRemoved     = tcell.StyleDefault.Foreground(tcell.ColorMaroon)
	stError       = tcell.StyleDefault.Foreground(tcell.ColorMaroon).Bold(true)
)

// rect is a region of the screen.
type rect struct{ x, y, w, h int }

// seg is a run of text in one style; a line is a few of them.
type seg struct {
	text string
	st   tcell.Style
}

type line []seg

func plain(s string) line                  { return line{{s, stNormal}} }
func styled(s string, st tcell.Style) line { return line{{s, st}} }

// put writes s at (x, y) in style st, clipped to the right edge xmax
// (exclusive); it returns the column after the text.
func put(s tcell.Screen, x, y, xmax int, text string, st tcell.Style) int {
	for text != "" && x < xmax {
		var w int
		if text[0] == '\t' {
			text, w = text[1:], 1
			s.Put(x, y, " ", st)
		} else {
			text, w = s.Put(x, y, text, st)
		}
		if w == 0 {
			w = 1
		}
		x += w
	}
	return x
}

// fill paints the row from x to xmax in style st.
func fill(s tcell.Screen, x, y, xmax int, st tcell.Style) {
	for ; x < xmax; x++ {
		s.Put(x, y, " ", st)
	}
}

// drawLine writes a line of segments in r's row y, clipped to r.
func drawLine(s tcell.Screen, r rect, y int, l line, base tcell.Style) {
	x := r.x
	for _, sg := range l {
		st := sg.st
		if base != stNormal {
			st = base
		}
		x = put(s, x, y, r.x+r.w, sg.text, st)
	}
	fill(s, x, y, r.x+r.w, base)
}

// header writes a pane's title row: reversed when the pane has the focus.
func header(s tcell.Screen, r rect, title string, focused bool) {
	st := stHeader
	if focused {
		st = stHeaderFocus
	}
	x := put(s, r.x, r.y, r.x+r.w, " "+title, st)
	fill(s, x, r.y, r.x+r.w, st)
}

// vline draws a separator column.
func vline(s tcell.Screen, x, y, h int) {
	for i := 0; i < h; i++ {
		s.Put(x, y+i, "│", stDim)
	}
}

// textPane draws a pane of lines with its title, scrolled by *scroll
// (clamped here), and says which lines show when not all do.
func textPane(s tcell.Screen, r rect, title string, focused bool, lines []line, scroll *int) {
	if r.h <= 0 || r.w <= 0 {
		return
	}
	rows := r.h - 1
	*scroll = min(*scroll, max(len(lines)-rows, 0))
	if len(lines) > rows && rows > 0 {
		title += " [" + itoa(*scroll+1) + "-" + itoa(min(*scroll+rows, len(lines))) + "/" + itoa(len(lines)) + "]"
	}
	header(s, r, title, focused)
	for i := 0; i < rows; i++ {
		var l line
		if k := *scroll + i; k < len(lines) {
			l = lines[k]
		}
		drawLine(s, r, r.y+1+i, l, stNormal)
	}
}

// abbrev shortens a lane name to w columns, keeping a trailing number
// (register1 → reg1) so that lanes stay told apart.
func abbrev(name string, w int) string {
	if w <= 0 {
		return ""
	}
	r := []rune(name)
	if len(r) <= w {
		return name
	}
	digits := 0
	for digits < len(r) && r[len(r)-1-digits] >= '0' && r[len(r)-1-digits] <= '9' {
		digits++
	}
	if digits == 0 || digits >= w {
		return string(r[:w])
	}
	return string(r[:w-digits]) + string(r[len(r)-digits:])
}

func pad(s string, w int) string {
	n := len([]rune(s))
	if n >= w {
		return string([]rune(s)[:w])
	}
	return s + strings.Repeat(" ", w-n)
}

func padLeft(s string, w int) string {
	n := len([]rune(s))
	if n >= w {
		return s
	}
	return strings.Repeat(" ", w-n) + s
}
