//go:build unix

package tui

import (
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/detsys/detsys/debug/internal/testrun"
	"github.com/detsys/detsys/debug/trace"
	"github.com/detsys/detsys/internal/cputime"
)

// BenchmarkStepFrame moves one step (j) in the middle of a 1,000,000-step
// trace and renders the frame, into tcell's SimulationScreen at 80×24 and
// 200×60: what a key press costs, against the 16 ms a frame may take at 60
// frames a second (frame/16ms: the fraction of that used; cpu-ms/frame is
// the CPU time, which other work on a shared machine does not inflate). The
// decoded-record cache is emptied every frame, so every frame decodes the
// records it shows afresh, as the first look at a step does.
func BenchmarkStepFrame(b *testing.B) {
	tr, err := trace.Open(testrun.Million(b))
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	j := tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModNone)
	for _, size := range []struct{ w, h int }{{80, 24}, {200, 60}} {
		b.Run(itoa(size.w)+"x"+itoa(size.h), func(b *testing.B) {
			s := tcell.NewSimulationScreen("UTF-8")
			if err := s.Init(); err != nil {
				b.Fatal(err)
			}
			defer s.Fini()
			s.SetSize(size.w, size.h)
			a := New(tr, tr.Steps[len(tr.Steps)/2].Num)
			a.Draw(s)
			s.Show()
			b.ResetTimer()
			start, cpu0 := time.Now(), cputime.Used()
			for i := 0; i < b.N; i++ {
				clear(a.records)
				a.Key(j)
				a.Draw(s)
				s.Show()
			}
			per := time.Since(start) / time.Duration(b.N)
			cpu := (cputime.Used() - cpu0) / time.Duration(b.N)
			b.ReportMetric(float64(per.Microseconds())/1000, "ms/frame")
			b.ReportMetric(float64(cpu.Microseconds())/1000, "cpu-ms/frame")
			b.ReportMetric(float64(per)/float64(16*time.Millisecond), "frame/16ms")
		})
	}
}
