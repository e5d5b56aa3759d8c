package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/debug/jsondiff"
	"github.com/detsys/detsys/debug/trace"
)

func (a *App) drawDetails(s tcell.Screen, l layout) {
	node := a.stateNode()
	title, lines := a.stateLines(node)
	if a.scroll[paneState] < 0 {
		// Show what the step changed: from a line above the first change.
		a.scroll[paneState] = 0
		for k, l := range lines {
			if k > 0 && len(l) > 0 && l[0].st != stNormal && l[0].st != stDim {
				a.scroll[paneState] = max(k-2, 0)
				break
			}
		}
	}
	textPane(s, l.panes[paneState], title, a.focus == paneState, lines, &a.scroll[paneState])
	title, lines = a.messageLines()
	textPane(s, l.panes[paneMessage], title, a.focus == paneMessage, lines, &a.scroll[paneMessage])
	lines = a.sentLines()
	if rows := l.panes[paneSent].h - 1; a.focus == paneSent && rows > 0 {
		// Keep the picked line in view.
		a.scroll[paneSent] = min(a.scroll[paneSent], a.sel)
		a.scroll[paneSent] = max(a.scroll[paneSent], a.sel-rows+1)
	}
	textPane(s, l.panes[paneSent], "sent (f/enter: follow)", a.focus == paneSent, lines, &a.scroll[paneSent])
	lines = a.logLines(node, max(l.panes[paneLogs].h-1, 1)+a.scroll[paneLogs])
	textPane(s, l.panes[paneLogs], "logs of "+a.tr.Name(node), a.focus == paneLogs, lines, &a.scroll[paneLogs])
}

// stateNode is the node whose state is shown: the one picked with 1–9, or
// the node where the current step happens (for a client's step, the node
// it talks to).
func (a *App) stateNode() trace.Lane {
	if a.node != trace.NoLane {
		return a.node
	}
	st := a.tr.Steps[a.cur]
	for _, l := range []trace.Lane{st.Node, st.From, st.To} {
		if l != trace.NoLane && !a.tr.IsClient(l) {
			return l
		}
	}
	if nodes := a.tr.Nodes(); len(nodes) > 0 {
		return nodes[0]
	}
	return trace.NoLane
}

func (a *App) errLine(err error) line { return styled(err.Error(), stError) }

// stateLines is the node's state after the current step, marked against
// its state before the step.
func (a *App) stateLines(node trace.Lane) (string, []line) {
	name := a.tr.Name(node)
	i := a.cur
	cur, prev := a.tr.StateAt(node, i)
	title := "state of " + name
	if cur < 0 {
		return title, []line{styled("no state yet: "+name+" has not started", stDim)}
	}
	cs := &a.tr.Steps[cur]
	if cs.Kind == trace.KindCrash || cs.Kind == trace.KindPanic {
		return title, []line{styled(fmt.Sprintf("%s is down: %s at step %d", name, cs.Kind, cs.Num), stCrash)}
	}
	rc := a.record(cur)
	if rc.err != nil {
		return title, []line{a.errLine(rc.err)}
	}
	var before []byte
	note := ""
	if cur == i {
		note = "changed by this step"
		if prev >= 0 && a.tr.Steps[prev].Kind.HasState() {
			if rp := a.record(prev); rp.err == nil {
				before = rp.rec.State
			}
		}
		if prev < 0 || cs.Kind == trace.KindInit {
			note = "its first state"
		}
	} else {
		note = fmt.Sprintf("unchanged since step %d", cs.Num)
	}
	dl, err := jsondiff.Lines(before, rc.rec.State)
	if err != nil {
		return title, []line{a.errLine(fmt.Errorf("%s:%d: state: %v", a.tr.File, cs.Line, err))}
	}
	if cur == i && before != nil && !jsondiff.AnyChange(dl) {
		note = "this step changed nothing"
	}
	out := []line{styled(note, stDim)}
	for _, d := range dl {
		out = append(out, diffLine(d))
	}
	return title + " after step " + itoa(int(a.tr.Steps[i].Num)) + " (1-9: node)", out
}

// diffLine shows one line of a state: a gutter mark, the text, and for a
// changed value what it was.
func diffLine(d jsondiff.Line) line {
	st := stNormal
	switch d.Mark {
	case jsondiff.Changed:
		st = stChanged
	case jsondiff.Added:
		st = stAdded
	case jsondiff.Removed:
		st = stRemoved
	}
	l := line{{string(d.Mark) + " " + strings.Repeat("  ", d.Depth) + d.Text, st}}
	if d.Was != "" {
		l = append(l, seg{"  (was " + d.Was + ")", stDim})
	}
	return l
}

// body lays out a JSON message body, indented under a first line.
func body(raw []byte) []line {
	if len(raw) == 0 {
		return nil
	}
	dl, err := jsondiff.Lines(nil, raw)
	if err != nil {
		return []line{plain(string(raw))}
	}
	out := make([]line, 0, len(dl))
	for _, d := range dl {
		out = append(out, plain("  "+strings.Repeat("  ", d.Depth)+d.Text))
	}
	return out
}

func dur(ns int64) string { return time.Duration(ns).String() }

// messageLines is what the current step consumed: the message delivered
// or lost, the operation invoked or completed, the timer that fired.
func (a *App) messageLines() (string, []line) {
	i := a.cur
	st := &a.tr.Steps[i]
	r := a.record(i)
	if r.err != nil {
		return "message", []line{a.errLine(r.err)}
	}
	rec := r.rec
	name := a.tr.Name
	var out []line
	add := func(s string, args ...any) { out = append(out, plain(fmt.Sprintf(s, args...))) }
	sentAt := func() {
		if rec.SentStep != nil && rec.SentAt != nil {
			add("sent at step %d, %s before (f: go there)", *rec.SentStep, dur(rec.At-*rec.SentAt))
		} else if s := a.tr.Sender(i); s >= 0 {
			add("sent at step %d, %s before (f: go there)", a.tr.Steps[s].Num, dur(rec.At-a.tr.Steps[s].At))
		}
	}
	switch st.Kind {
	case trace.KindDeliver:
		add("%s %s → %s", rec.ID, rec.From, rec.To)
		sentAt()
		out = append(out, body(rec.Body)...)
		return "message delivered", out
	case trace.KindDrop:
		out = append(out, styled(fmt.Sprintf("%s %s → %s lost: %s", rec.ID, rec.From, rec.To, rec.Reason), stDrop))
		sentAt()
		if s := a.tr.Sender(i); s >= 0 {
			for _, snd := range a.tr.Sends(s) {
				if snd.ID == rec.ID {
					out = append(out, body(snd.Body)...)
				}
			}
		}
		return "message lost", out
	case trace.KindInvoke:
		add("%s invokes", name(st.Node))
		out = append(out, body(rec.Op)...)
		return "operation invoked", out
	case trace.KindOk, trace.KindFail, trace.KindInfo:
		add("%s: %s", name(st.Node), st.Kind)
		out = append(out, body(rec.Op)...)
		if rec.Reply != nil {
			add("reply %s from %s", rec.ID, rec.From)
			sentAt()
			out = append(out, body(rec.Reply)...)
		}
		if rec.Error != "" {
			add("error: %s", rec.Error)
		}
		return "operation completed", out
	case trace.KindTimer:
		out = append(out, styled(fmt.Sprintf("timer %q fired at %s", rec.Timer, rec.Node), stTimer))
		if s := a.tr.TimerSetter(i); s >= 0 {
			add("set at step %d, %s before (f: go there)", a.tr.Steps[s].Num, dur(st.At-a.tr.Steps[s].At))
		}
		return "timer", out
	case trace.KindInit:
		add("%s starts", rec.Node)
	case trace.KindCrash:
		out = append(out, styled(rec.Node+" crashes: its volatile state is lost", stCrash))
	case trace.KindRestart:
		out = append(out, styled(rec.Node+" restarts with what it kept on disk", stRestart))
	case trace.KindPanic:
		out = append(out, styled(rec.Node+" panicked: "+rec.Panic, stCrash))
		for _, s := range strings.Split(rec.Stack, "\n") {
			out = append(out, styled(s, stDim))
		}
	case trace.KindEnd:
		add("the run ends: %s", rec.Reason)
		if rec.Steps != nil && rec.Time != nil {
			add("%d steps, %s simulated", *rec.Steps, dur(*rec.Time))
		}
		if rec.Error != "" {
			add("error: %s", rec.Error)
		}
	default:
		out = append(out, body(a.tr.Raw(i))...)
	}
	return "event", out
}

// sentLines is what the current step sent, and where each message went;
// timers it set and cancelled.
func (a *App) sentLines() []line {
	i := a.cur
	sends := a.tr.Sends(i)
	var out []line
	for k, snd := range sends {
		mark := "  "
		if k == a.sel && a.focus == paneSent {
			mark = "▶ "
		}
		fate, st := "never arrived", stDim
		if snd.Recv >= 0 {
			rs := &a.tr.Steps[snd.Recv]
			switch rs.Kind {
			case trace.KindDrop:
				fate, st = fmt.Sprintf("lost at step %d (%s)", rs.Num, a.tr.Label(snd.Recv)), stDrop
			default:
				fate, st = fmt.Sprintf("arrived at step %d", rs.Num), stNormal
			}
		}
		typ := gjson.GetBytes(snd.Body, "type").Str
		l := line{{mark + snd.ID + " → " + snd.To + " " + typ + ": ", stNormal}, {fate, st}}
		if k == a.sel && a.focus == paneSent {
			l = line{{mark + snd.ID + " → " + snd.To + " " + typ + ": " + fate, stCur}}
		}
		out = append(out, l)
	}
	raw := a.tr.Raw(i)
	gjson.GetBytes(raw, "timers").ForEach(func(_, v gjson.Result) bool {
		out = append(out, styled(fmt.Sprintf("  timer %q in %s", v.Get("name").Str, dur(v.Get("after").Int())), stTimer))
		return true
	})
	gjson.GetBytes(raw, "cancel").ForEach(func(_, v gjson.Result) bool {
		out = append(out, styled(fmt.Sprintf("  timer %q cancelled", v.Str), stTimer))
		return true
	})
	if len(out) == 0 {
		out = append(out, styled("nothing sent", stDim))
	}
	a.sel = min(a.sel, len(out)-1)
	if a.focus == paneSent && a.sel >= len(sends) {
		out[a.sel] = styled("▶"+out[a.sel][0].text[1:], stCur)
	}
	return out
}

// logLines are the node's log lines up to the current step, newest first.
func (a *App) logLines(node trace.Lane, n int) []line {
	var out []line
	steps := a.tr.LogSteps(node, a.cur, n)
	for k := len(steps) - 1; k >= 0 && len(out) < n; k-- {
		i := steps[k]
		st := stNormal
		if i == a.cur {
			st = stBold
		}
		num := a.tr.Steps[i].Num
		gjson.GetBytes(a.tr.Raw(i), "logs").ForEach(func(_, v gjson.Result) bool {
			out = append(out, styled(fmt.Sprintf("%d: %s", num, v.Str), st))
			return true
		})
	}
	if len(out) == 0 {
		out = append(out, styled("no log lines up to this step", stDim))
	}
	return out
}
