package tui

import (
	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/trace"
)

// The sequence diagram draws the same rows as the step list beside it: a
// column (lane) per client and node, and on each step's row what happened
// there. A message is an arrow from its sender's lane to its receiver's on
// the row where it arrived (the row where it was sent is highlighted with
// it when either is current); a lost message ends in ✗; a crashed node's
// lane is dotted until it restarts. Only the rows on screen are drawn.

// columns gives each lane its column; when the lanes are too many for the
// width, the clients share one column.
func (a *App) columns(w int) (col map[trace.Lane]int, names []string) {
	lanes := a.tr.Lanes()
	col = map[trace.Lane]int{}
	merge := false
	if len(lanes) > 0 && w/len(lanes) < 4 {
		for _, l := range lanes {
			merge = merge || a.tr.IsClient(l)
		}
	}
	for _, l := range lanes {
		if merge && a.tr.IsClient(l) {
			if len(names) == 0 || names[0] != "clients" {
				names = append(names, "clients")
			}
			col[l] = 0
			continue
		}
		col[l] = len(names)
		names = append(names, a.tr.Name(l))
	}
	return col, names
}

// glyph is the mark at the lane where a step happens.
func glyph(k trace.Kind) (string, tcell.Style) {
	switch k {
	case trace.KindDeliver:
		return "●", stNormal
	case trace.KindDrop:
		return "✗", stDrop
	case trace.KindInvoke:
		return "○", stNormal
	case trace.KindOk:
		return "✓", stRestart
	case trace.KindFail:
		return "✗", stChanged
	case trace.KindInfo:
		return "?", stChanged
	case trace.KindTimer:
		return "⊙", stTimer
	case trace.KindInit:
		return "◆", stNormal
	case trace.KindCrash, trace.KindPanic:
		return "✖", stCrash
	case trace.KindRestart:
		return "↻", stRestart
	}
	return "·", stNormal
}

func (a *App) drawDiagram(s tcell.Screen, r rect) {
	if r.h < 3 || r.w < 4 {
		return
	}
	header(s, r, "diagram (f: follow the message)", a.focus == paneDiagram)
	col, names := a.columns(r.w)
	lw := min(max(r.w/max(len(names), 1), 2), 14)
	cx := func(c int) int { return r.x + c*lw + lw/2 }
	right := r.x + len(names)*lw // where the lanes end: labels go after
	// Lane names.
	fill(s, r.x, r.y+1, r.x+r.w, stNormal)
	for c, n := range names {
		name := abbrev(n, lw-1)
		put(s, cx(c)-len([]rune(name))/2, r.y+1, r.x+r.w, name, stBold)
	}
	rows := r.h - 2
	rel := a.related()
	lanes := a.tr.Lanes()
	for k := 0; k < rows; k++ {
		i := a.top + k
		y := r.y + 2 + k
		fill(s, r.x, y, r.x+r.w, stNormal)
		if i >= len(a.tr.Steps) {
			continue
		}
		st := &a.tr.Steps[i]
		base := stNormal
		if i == a.cur {
			base = stCur
			fill(s, r.x, y, r.x+r.w, stCur)
		} else if rel[i] {
			base = stRelated
		}
		// The lanes: solid while the node is up.
		for _, l := range lanes {
			c, ok := col[l]
			if !ok || cx(c) >= r.x+r.w {
				continue
			}
			if a.tr.Alive(l, i) {
				s.Put(cx(c), y, "│", pick(base, stDim))
			} else {
				s.Put(cx(c), y, "┆", pick(base, stDrop.Dim(true)))
			}
		}
		if st.Kind == trace.KindEnd {
			for x := r.x; x < min(right, r.x+r.w); x++ {
				s.Put(x, y, "═", base)
			}
			put(s, right+1, y, r.x+r.w, "end "+a.tr.Label(i), pick(base, stDim))
			continue
		}
		g, gst := glyph(st.Kind)
		gst = pick(base, gst)
		where, ok := col[st.Node]
		if from, okFrom := col[st.From]; ok && okFrom && from != where && st.Kind.Consumes() {
			a.arrow(s, r, y, cx(from), cx(where), st.Kind, base)
		}
		if ok && cx(where) < r.x+r.w {
			s.Put(cx(where), y, g, gst)
		}
		if label := a.tr.Label(i); label != "" && right+7 <= r.x+r.w {
			put(s, right+1, y, r.x+r.w, label, pick(base, stDim))
		}
	}
}

// arrow draws a message from lane center x0 to x1 on row y.
func (a *App) arrow(s tcell.Screen, r rect, y, x0, x1 int, k trace.Kind, base tcell.Style) {
	st := stNormal
	if k == trace.KindDrop {
		st = stDrop
	}
	st = pick(base, st)
	step, head := 1, "▶"
	if x1 < x0 {
		step, head = -1, "◀"
	}
	for x := x0 + step; x != x1; x += step {
		if x < r.x || x >= r.x+r.w {
			continue
		}
		ch := "─"
		if str, _, _ := s.Get(x, y); str == "│" {
			ch = "┼"
		}
		if x+step == x1 {
			ch = head
		}
		s.Put(x, y, ch, st)
	}
	if x0 >= r.x && x0 < r.x+r.w {
		if step > 0 {
			s.Put(x0, y, "├", st)
		} else {
			s.Put(x0, y, "┤", st)
		}
	}
}

// pick is st, unless the row has a style of its own (current, related).
func pick(base, st tcell.Style) tcell.Style {
	if base != stNormal {
		return base
	}
	return st
}
