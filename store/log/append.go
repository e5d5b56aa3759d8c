package log

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// MemLimit is the size up to which a batch is held in memory and written
// in one write(2); a bigger batch is spooled to a temporary file next to
// the log and copied in under the lock (still never interleaved, but a
// kill -9 can then leave more of it behind as complete lines).
var MemLimit int64 = 64 << 20

// Batch is one validated input, ready to append: its records, each ending
// in a newline (blank lines dropped, a missing last newline added).
type Batch struct {
	Name    string // where it came from, for messages
	Records int
	Size    int64
	mem     []byte
	spill   *os.File
}

// Close removes the batch's spool file, if it has one.
func (b *Batch) Close() {
	if b.spill != nil {
		b.spill.Close()
		os.Remove(b.spill.Name())
		b.spill = nil
	}
}

// ReadBatch reads and validates one input (name is used in messages). Every
// non-blank line must be a JSON object; the first that is not is an
// *formats.InputError naming name:line, and nothing of the batch is kept.
// A batch bigger than MemLimit is spooled to a temporary file in dir.
func ReadBatch(r io.Reader, name, dir string) (*Batch, error) {
	b := &Batch{Name: name}
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte
	no := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			b.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line := chunk
		if len(long) > 0 {
			long = append(long, chunk...)
			line = long
		}
		if len(line) > 0 {
			no++
			if verr := b.add(line, name, no); verr != nil {
				b.Close()
				return nil, verr
			}
			long = long[:0]
			if int64(len(b.mem)) > MemLimit {
				if serr := b.spillOut(dir); serr != nil {
					b.Close()
					return nil, serr
				}
			}
		}
		if err != nil { // io.EOF
			break
		}
	}
	if b.spill != nil {
		if err := b.spillOut(dir); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// add validates one line (with its newline, if it had one) and keeps it.
func (b *Batch) add(line []byte, name string, no int) error {
	data := bytes.TrimSpace(line)
	if len(data) == 0 {
		return nil
	}
	if err := CheckLine(data, name, no); err != nil {
		return err
	}
	b.mem = append(b.mem, bytes.TrimRight(line, "\n")...)
	b.mem = append(b.mem, '\n')
	b.Records++
	b.Size += int64(len(bytes.TrimRight(line, "\n"))) + 1
	return nil
}

// CheckLine checks that data (one line, trimmed) is a JSON object, and
// otherwise says why, naming name:no.
func CheckLine(data []byte, name string, no int) error {
	if len(data) > 0 && data[0] == '{' && gjson.ValidBytes(data) {
		return nil
	}
	l := formats.Line{Data: data, File: name, No: no}
	if len(data) == 0 || data[0] != '{' {
		return l.Errorf("", "not a JSON object (each line must be one record like {\"type\":...}): %.40q", data)
	}
	if err := l.Decode(new(any)); err != nil {
		return err
	}
	// gjson and encoding/json disagree (they should not): trust the stricter.
	return l.Errorf("", "invalid JSON")
}

func (b *Batch) spillOut(dir string) error {
	if b.spill == nil {
		f, err := os.CreateTemp(dir, ".store-spool-*")
		if err != nil {
			return err
		}
		b.spill = f
	}
	if _, err := b.spill.Write(b.mem); err != nil {
		return err
	}
	b.mem = b.mem[:0]
	return nil
}

// Log is an append-only JSONL file.
type Log struct {
	Path string
	// Sync makes Append fsync the log before it returns.
	Sync bool
	// Warn, if set, hears about torn tails that Append truncated.
	Warn func(format string, args ...any)
}

// Append writes the batch at the end of the log, under an exclusive lock,
// after truncating a torn tail left by a killed appender. When it returns
// nil the batch is in the log (and on disk, with Sync).
func (l *Log) Append(b *Batch) error {
	if b.Records == 0 {
		return nil
	}
	f, err := os.OpenFile(l.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lock(f, syscall.LOCK_EX); err != nil {
		return fmt.Errorf("%s: lock: %w", l.Path, err)
	}
	defer unlock(f)
	if err := l.repairLocked(f); err != nil {
		return err
	}
	if b.spill == nil {
		_, err = f.Write(b.mem)
	} else {
		if _, err = b.spill.Seek(0, io.SeekStart); err == nil {
			_, err = io.Copy(onlyWriter{f}, b.spill)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", l.Path, err)
	}
	if l.Sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("%s: fsync: %w", l.Path, err)
		}
	}
	return nil
}

// onlyWriter hides ReadFrom, so that io.Copy uses plain read/write (the
// kernel's copy_file_range refuses an O_APPEND destination).
type onlyWriter struct{ io.Writer }

// repairLocked truncates a torn tail; the caller holds the lock, so no
// appender is in the middle of a write.
func (l *Log) repairLocked(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	rf, err := os.Open(l.Path)
	if err != nil {
		return err
	}
	defer rf.Close()
	end, err := lastNewline(rf, size)
	if err != nil {
		return err
	}
	if end == size {
		return nil
	}
	if err := f.Truncate(end); err != nil {
		return fmt.Errorf("%s: truncating a torn tail: %w", l.Path, err)
	}
	if l.Warn != nil {
		l.Warn("%s: truncated a torn tail of %d bytes at byte %d (left by a killed appender)", l.Path, size-end, end)
	}
	return nil
}
