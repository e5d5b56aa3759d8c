package log

import (
	"context"
	"io"
	"os"
	"time"
)

// Tail writes the last n complete records of the log to w. With follow it
// then writes each complete record appended after them, polling every
// poll, until ctx is done (then it writes what was appended last and
// stops). A log that shrinks below what was written (it
// was replaced) is followed again from its start.
func Tail(ctx context.Context, path string, n int, follow bool, poll time.Duration, w io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	end, err := lastNewline(f, st.Size())
	if err != nil {
		return err
	}
	start, err := backLines(f, end, n)
	if err != nil {
		return err
	}
	if err := copyRange(f, start, end, w); err != nil {
		return err
	}
	for done := false; follow && !done; {
		select {
		case <-ctx.Done():
			done = true // one last look, then stop
		case <-time.After(poll):
		}
		st, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !os.SameFile(st, mustStat(f)) || st.Size() < end {
			f.Close()
			if f, err = os.Open(path); err != nil {
				return err
			}
			end = 0
		}
		next, err := lastNewline(f, st.Size())
		if err != nil {
			return err
		}
		if next > end {
			if err := copyRange(f, end, next, w); err != nil {
				return err
			}
			end = next
		}
	}
	return nil
}

func mustStat(f *os.File) os.FileInfo {
	st, _ := f.Stat()
	return st
}

// backLines returns the offset of the start of the last n lines before end
// (which is just past a newline, or 0).
func backLines(f *os.File, end int64, n int) (int64, error) {
	if n <= 0 {
		return end, nil
	}
	buf := make([]byte, 64<<10)
	seen := 0
	for pos := end; pos > 0; {
		from := max(0, pos-int64(len(buf)))
		b := buf[:pos-from]
		if _, err := f.ReadAt(b, from); err != nil && err != io.EOF {
			return 0, err
		}
		for i := len(b) - 1; i >= 0; i-- {
			if b[i] != '\n' || from+int64(i) == end-1 {
				continue
			}
			if seen++; seen == n {
				return from + int64(i) + 1, nil
			}
		}
		pos = from
	}
	return 0, nil
}

func copyRange(f *os.File, from, to int64, w io.Writer) error {
	if to <= from {
		return nil
	}
	_, err := io.Copy(w, io.NewSectionReader(f, from, to-from))
	if err == nil {
		if fl, ok := w.(interface{ Flush() error }); ok {
			err = fl.Flush()
		}
	}
	return err
}
