package tui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/internal/testrun"
	"github.com/detsys/detsys/debug/trace"
)

func screenText(s tcell.SimulationScreen) string {
	cells, w, h := s.GetContents()
	var b strings.Builder
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r := cells[y*w+x].Runes
			if len(r) == 0 {
				b.WriteByte(' ')
			} else {
				b.WriteString(string(r))
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestAnySize: every key on every step at screen sizes from 1×1 up draws
// without panicking, and the same keys draw the same screen twice.
func TestAnySize(t *testing.T) {
	tr, err := trace.FromBytes(testrun.Register(t, "frontend2", 3, 10, 3, 0.2, 1, 0), "run.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	keys := "jjjjfff/drop\rnNN:5\r12301\t\tjjjfk\t\tjG?xg\t\t\tjjgG\t\x1bq"
	for _, size := range [][2]int{{1, 1}, {20, 5}, {40, 10}, {80, 24}, {120, 40}, {300, 100}} {
		var screens [2]string
		for round := range screens {
			s := tcell.NewSimulationScreen("UTF-8")
			if err := s.Init(); err != nil {
				t.Fatal(err)
			}
			s.SetSize(size[0], size[1])
			a := New(tr, -1)
			for _, k := range keys {
				var ev *tcell.EventKey
				switch k {
				case '\r':
					ev = tcell.NewEventKey(tcell.KeyEnter, 0, tcell.ModNone)
				case '\t':
					ev = tcell.NewEventKey(tcell.KeyTab, 0, tcell.ModNone)
				case '\x1b':
					ev = tcell.NewEventKey(tcell.KeyEsc, 0, tcell.ModNone)
				default:
					ev = tcell.NewEventKey(tcell.KeyRune, k, tcell.ModNone)
				}
				a.Key(ev)
				a.Draw(s)
				s.Show()
			}
			screens[round] = screenText(s)
			s.Fini()
		}
		if screens[0] != screens[1] {
			t.Fatalf("%v: the same keys drew different screens", size)
		}
	}
}

// TestStatusKeepsBoth: a trace with more runs and an --at past its steps
// says both on the status line, not only the last.
func TestStatusKeepsBoth(t *testing.T) {
	run := testrun.Register(t, "frontend2", 1, 2, 1, 0, 0, 0)
	tr, err := trace.FromBytes(append(append([]byte{}, run...), testrun.Register(t, "frontend1", 1, 2, 2, 0, 0, 0)...), "run.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	a := New(tr, 1<<40)
	if !strings.Contains(a.status, "more than one run") || !strings.Contains(a.status, "no step 1099511627776") {
		t.Fatalf("status %q", a.status)
	}
}
