package log

import (
	"bytes"
	"errors"
	"io"
	"os"
)

// Scanner reads the complete lines of a log from an offset: a torn tail
// (bytes after the last newline) is never returned. Lines may be of any
// length.
type Scanner struct {
	r    io.ReaderAt
	off  int64 // file offset of buf[0]
	buf  []byte
	pos  int // next unread byte in buf
	end  int // valid bytes in buf
	eof  bool
	err  error
	line []byte
	at   int64
	no   int
}

// NewScanner reads r from offset off; lineNo is the number of lines before
// off (0 when off is 0), so that Line numbers are the file's.
func NewScanner(r io.ReaderAt, off int64, lineNo int) *Scanner {
	return &Scanner{r: r, off: off, buf: make([]byte, 1<<20), no: lineNo}
}

// Scan advances to the next complete line (blank lines included, so that
// line numbers stay right). It returns false at the end of the complete
// lines or on a read error (see Err).
func (s *Scanner) Scan() bool {
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.end], '\n'); i >= 0 {
			s.line = s.buf[s.pos : s.pos+i]
			s.at = s.off + int64(s.pos)
			s.pos += i + 1
			s.no++
			return true
		}
		if s.eof || s.err != nil {
			return false
		}
		s.fill()
	}
}

// fill moves the unread bytes to the front, growing the buffer for a long
// line, and reads more.
func (s *Scanner) fill() {
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.pos, s.end = 0, n
	}
	if s.end == len(s.buf) {
		s.buf = append(s.buf, make([]byte, len(s.buf))...)
	}
	n, err := s.r.ReadAt(s.buf[s.end:], s.off+int64(s.end))
	s.end += n
	if errors.Is(err, io.EOF) {
		s.eof = true
	} else if err != nil {
		s.err = err
	}
}

// Bytes is the current line, without its newline; valid until the next Scan.
func (s *Scanner) Bytes() []byte { return s.line }

// Offset is the file offset of the current line.
func (s *Scanner) Offset() int64 { return s.at }

// Line is the 1-based line number of the current line.
func (s *Scanner) Line() int { return s.no }

// End is the offset just past the last complete line read so far: where a
// torn tail, if any, starts once Scan has returned false.
func (s *Scanner) End() int64 { return s.off + int64(s.pos) }

// Tail is the number of bytes after the last complete line (a torn tail,
// or a line being written right now), once Scan has returned false.
func (s *Scanner) Tail() int64 { return int64(s.end - s.pos) }

// Err is the read error that stopped the scan, if any.
func (s *Scanner) Err() error { return s.err }

// lastNewline returns the offset just past the last newline in f's first
// size bytes (0 if there is none), reading backwards in blocks.
func lastNewline(f *os.File, size int64) (int64, error) {
	buf := make([]byte, 64<<10)
	for end := size; end > 0; {
		start := max(0, end-int64(len(buf)))
		b := buf[:end-start]
		if _, err := f.ReadAt(b, start); err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}
