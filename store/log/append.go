package log

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"github.com/detsys/detsys/formats"
)

// MemLimit is the size up to which a batch read from a pipe is held in
// memory; a bigger one is spooled to a temporary file next to the log and
// copied in under the lock. A batch from a regular file is mapped, never
// copied.
var MemLimit int64 = 64 << 20

// Batch is one validated input, ready to append: its lines, byte for byte
// (blank lines are kept, readers skip them), with a newline added to a
// last line that had none.
type Batch struct {
	Name    string // where it came from, for messages
	Records int
	parts   [][]byte // in memory, or mapped (then mapped is set)
	at      []int    // where each part starts in its mapping (parts[0] or arena), or -1
	mapped  bool
	spill   *os.File
	newline bool   // data (or the spill) lacks its last newline
	arena   []byte // the anonymous mapping a stream is read into, if any
	// appended: Append has dropped pages of the arena or mapping behind
	// its writes, so the batch cannot be appended again.
	appended bool
}

// Close releases the batch: its mapping or its spool file.
func (b *Batch) Close() {
	if b.mapped {
		syscall.Munmap(b.parts[0])
		b.mapped = false
	}
	if b.arena != nil {
		syscall.Munmap(b.arena)
		b.arena = nil
	}
	b.parts, b.at = nil, nil
	if b.spill != nil {
		b.spill.Close()
		os.Remove(b.spill.Name())
		b.spill = nil
	}
}

// ReadBatch reads and validates one input (name is used in messages). Every
// non-blank line must be a JSON object; the first that is not is an
// *formats.InputError naming name:line, and nothing of the batch is kept.
// A regular file is mapped; a pipe is read into memory, and spooled to a
// temporary file in dir beyond MemLimit.
func ReadBatch(r io.Reader, name, dir string) (*Batch, error) {
	b := &Batch{Name: name}
	var err error
	if f, ok := r.(*os.File); ok {
		if st, serr := f.Stat(); serr == nil && st.Mode().IsRegular() {
			err = b.mapFile(f, st.Size())
			if err == nil || !errors.Is(err, errNoMap) {
				return b.done(err)
			}
		}
	}
	if f, ok := r.(*os.File); ok {
		growPipe(f)
	}
	return b.done(b.readStream(r, name, dir))
}

// pipeSize is what growPipe asks for: Linux's default limit for an
// unprivileged process (/proc/sys/fs/pipe-max-size).
const pipeSize = 1 << 20

// growPipe makes a pipe's buffer pipeSize bytes, if f is a pipe (errors
// are ignored: it is only slower). With the default 64 KiB, reading a big
// batch from `cat FILE |` wakes each side up every 64 KiB: for 64 MiB,
// strace counts 1051 reads with it and 146 with 1 MiB.
func growPipe(f *os.File) {
	if st, err := f.Stat(); err == nil && st.Mode()&os.ModeNamedPipe != 0 {
		if c, err := f.SyscallConn(); err == nil {
			c.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETPIPE_SZ, pipeSize) })
		}
	}
}

func (b *Batch) done(err error) (*Batch, error) {
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

var errNoMap = errors.New("cannot map")

// mapFile maps the rest of a regular file and validates it in place.
func (b *Batch) mapFile(f *os.File, size int64) error {
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil || off != 0 {
		return errNoMap // stdin part-read, or not seekable: read it as a stream
	}
	if size == 0 {
		return nil
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return errNoMap
	}
	b.parts, b.at, b.mapped = [][]byte{data}, []int{0}, true
	n, err := checkAll(data, b.Name, 0)
	b.Records = n
	b.newline = data[len(data)-1] != '\n'
	return err
}

// readStream reads r to its end in streamChunk pieces cut at line ends,
// each checked in the background while the next is read (one goroutine
// per CPU), so that checking keeps up with reading.
func (b *Batch) readStream(r io.Reader, name, dir string) error {
	type piece struct {
		records, lines int
		bad            bool
	}
	var (
		pieces  []*piece
		wg      sync.WaitGroup
		sem     = make(chan struct{}, runtime.GOMAXPROCS(0))
		lineNo  int   // lines in the pieces already spilled
		held    int64 // bytes in b.parts
		checked = 0   // pieces counted into lineNo and Records
	)
	check := func(data []byte) {
		p := &piece{}
		pieces = append(pieces, p)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := checkLines(data, name, 0)
			p.records, p.bad, p.lines = n, err != nil, bytes.Count(data, []byte{'\n'})
		}()
	}
	// settle waits for the checks and counts them; the first bad piece is
	// checked again, alone, for its line number.
	settle := func() error {
		wg.Wait()
		for _, p := range pieces[checked:] {
			if p.bad {
				_, err := checkLines(b.parts[len(b.parts)-(len(pieces)-checked)], name, lineNo)
				return err
			}
			b.Records += p.records
			lineNo += p.lines
			checked++
		}
		return nil
	}
	// The pieces are read one after the other into an anonymous mapping
	// that holds MemLimit and two pieces more: the rest of a piece after
	// its last line is already where the next piece starts, and Append
	// can give the pages back behind its writes (dropBehind) instead of
	// the exit doing it after them. Without the mapping (or past its end),
	// the heap. (Not in huge pages: on the 2-CPU VM this was measured on,
	// clearing them cost more than the 4 KiB page faults they save,
	// clear_page 4% -> 19% of the CPU.)
	b.arena = newArena(MemLimit + 2*checkChunk)
	base := 0 // where cur starts in b.arena, or -1: cur is on the heap
	if b.arena == nil {
		base = -1
	}
	window := func(at, length, size int) []byte {
		if at < 0 || at+size > len(b.arena) {
			return nil
		}
		return b.arena[at : at+length : at+size]
	}
	cur := window(base, 0, streamChunk)
	if cur == nil {
		base, cur = -1, make([]byte, 0, streamChunk)
	}
	populated := 0 // b.arena[:populated] has its pages
	for {
		for end := base + cap(cur); base > 0 && populated < end; populated += populateStep {
			populate(b.arena[populated:min(len(b.arena), populated+populateStep)])
		}
		n, err := r.Read(cur[len(cur):cap(cur)])
		cur = cur[:len(cur)+n]
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return fmt.Errorf("%s: %w", name, err)
		}
		if !eof && len(cur) < cap(cur) {
			continue
		}
		cut := len(cur)
		if !eof {
			cut = bytes.LastIndexByte(cur, '\n') + 1
			if cut == 0 { // one line longer than the piece: grow it
				if next := window(base, len(cur), 2*cap(cur)); next != nil {
					cur = next
				} else {
					base, cur = -1, append(cur, make([]byte, cap(cur))...)[:len(cur)]
				}
				continue
			}
		}
		if cut > 0 {
			b.parts, b.at = append(b.parts, cur[:cut]), append(b.at, base)
			held += int64(cut)
			check(cur[:cut])
		}
		if eof {
			b.newline = cut > 0 && cur[cut-1] != '\n'
			if err := settle(); err != nil {
				return err
			}
			if b.spill != nil {
				return b.spillParts(dir)
			}
			return nil
		}
		rest := cur[cut:]
		size := max(streamChunk, 2*len(rest))
		if held > MemLimit {
			if err := settle(); err != nil {
				return err
			}
			if err := b.spillParts(dir); err != nil {
				return err
			}
			held = 0
			if next := window(0, len(rest), size); next != nil {
				copy(next, rest) // the arena is free again: the rest to its start
				base, cur = 0, next
				continue
			}
		}
		if base >= 0 {
			base += cut
		}
		if next := window(base, len(rest), size); next != nil {
			cur = next // the rest is already there
		} else {
			base, cur = -1, make([]byte, len(rest), size)
			copy(cur, rest)
		}
	}
}

// newArena maps size bytes of anonymous memory (reserved only: pages
// come as they are touched); nil if it cannot.
func newArena(size int64) []byte {
	if size <= 0 || size > 1<<40 {
		return nil
	}
	m, err := syscall.Mmap(-1, 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return nil
	}
	return m
}

// populate gives the pages of a part of the arena before a read fills
// them (madvise MADV_POPULATE_WRITE, Linux 5.14; errors are ignored: the
// reads then fault them in): one call for populateStep bytes instead of a
// page fault every 4 KiB. It cuts the CPU time of `cat FILE | store
// append` by 3 to 8% (17,000 page faults to 500 for 64 MiB). Not for the
// first piece: a small batch would pay for pages it does not use.
func populate(p []byte) { syscall.Madvise(p, madvPopulateWrite) }

const (
	madvPopulateWrite = 23 // not in package syscall
	populateStep      = 2 << 20
)

// checkChunk is the size of the pieces checkAll checks in parallel.
const checkChunk = 4 << 20

// streamChunk is the size of the pieces readStream checks while it reads:
// a piece is checked while it is still in the cache the pipe's copy put
// it in, and the last, checked after the end of the input, is short. With
// 4 MiB pieces, `cat FILE | store append` took 0.093 s of wall time and
// 0.160 s of CPU for 64 MiB; with 1 MiB, 0.088 s and 0.153 s (512 KiB:
// 0.090 s).
const streamChunk = 1 << 20

// checkAll validates every line of data (the last may lack its newline)
// and returns how many records there were: big inputs in pieces, one
// goroutine per CPU, so that checking keeps up with the write.
func checkAll(data []byte, name string, lineNo int) (int, error) {
	if len(data) < 2*checkChunk || runtime.GOMAXPROCS(0) == 1 {
		n, err := checkLines(data, name, lineNo)
		return n, err
	}
	var bounds []int // piece i is data[bounds[i]:bounds[i+1]]
	for at := 0; at < len(data); {
		bounds = append(bounds, at)
		next := at + checkChunk
		if next >= len(data) {
			break
		}
		if i := bytes.IndexByte(data[next:], '\n'); i >= 0 {
			at = next + i + 1
		} else {
			break
		}
	}
	bounds = append(bounds, len(data))
	recs := make([]int, len(bounds)-1)
	bad := make([]bool, len(bounds)-1)
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range recs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := checkLines(data[bounds[i]:bounds[i+1]], name, 0)
			recs[i], bad[i] = n, err != nil
		}()
	}
	wg.Wait()
	total := 0
	for i, n := range recs {
		if bad[i] { // again, alone, with the right line numbers
			base := lineNo + bytes.Count(data[:bounds[i]], []byte{'\n'})
			_, err := checkLines(data[bounds[i]:bounds[i+1]], name, base)
			return 0, err
		}
		total += n
	}
	return total, nil
}

// checkLines validates the lines of data (the last may lack its newline)
// and returns how many records there were; line numbers start after
// lineNo.
func checkLines(data []byte, name string, lineNo int) (int, error) {
	records, bad := scanLines(data)
	if bad < 0 {
		return records, nil
	}
	line := data[bad:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	no := lineNo + bytes.Count(data[:bad], []byte{'\n'}) + 1
	if err := CheckLine(bytes.TrimSpace(line), name, no); err != nil {
		return 0, err
	}
	return 0, &formats.InputError{File: name, Line: no, Msg: "invalid JSON"} // cannot happen: CheckLine is scanLines's judge
}

// CheckLine checks that data (one line, trimmed) is a JSON object, and
// otherwise says why, naming name:no.
func CheckLine(data []byte, name string, no int) error {
	if len(data) > 0 && data[0] == '{' && validObject(data) {
		return nil
	}
	l := formats.Line{Data: data, File: name, No: no}
	if len(data) == 0 || data[0] != '{' {
		return l.Errorf("", "not a JSON object (each line must be one record like {\"type\":...}): %.40q", data)
	}
	if err := l.Decode(new(any)); err != nil {
		return err
	}
	// validObject and encoding/json disagree (they must not): trust the stricter.
	return l.Errorf("", "invalid JSON")
}

// spillParts moves the parts held in memory to the spool file.
func (b *Batch) spillParts(dir string) error {
	if b.spill == nil {
		f, err := os.CreateTemp(dir, ".store-spool-*")
		if err != nil {
			return err
		}
		b.spill = f
	}
	for _, p := range b.parts {
		if _, err := b.spill.Write(p); err != nil {
			return err
		}
	}
	b.parts, b.at = nil, nil
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
// nil the batch is in the log (and on disk, with Sync). A batch is
// appended once: Append gives its memory back as it writes it.
func (l *Log) Append(b *Batch) error {
	if b.Records == 0 {
		return nil
	}
	if b.appended {
		return fmt.Errorf("%s: %s appended twice", l.Path, b.Name)
	}
	_, serr := os.Stat(l.Path)
	created := errors.Is(serr, os.ErrNotExist)
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
	// In writeChunk pieces: the lock keeps them together, and the kernel
	// takes one huge write(2) from a mapping slower than many small ones.
	if b.spill == nil {
		var behind chan []byte // the written pages of the mapping
		done := make(chan struct{})
		region := b.arena
		if b.mapped {
			region = b.parts[0]
		}
		dropped, page, total := 0, os.Getpagesize(), 0 // region[:dropped] is gone
		for _, p := range b.parts {
			total += len(p)
		}
		if total >= 4*writeChunk {
			behind = make(chan []byte, 2*len(region)/writeChunk+len(b.parts)+1)
			go dropBehind(behind, done)
		}
		b.appended = behind != nil
		for k, p := range b.parts {
			for i := 0; i < len(p) && err == nil; i += writeChunk {
				j := min(len(p), i+writeChunk)
				_, err = f.Write(p[i:j])
				if end := (b.at[k] + j) / page * page; behind != nil && b.at[k] >= 0 && end > dropped {
					behind <- region[dropped:end]
					dropped = end
				}
			}
		}
		if behind != nil {
			close(behind)
			<-done
		}
	} else if _, err = b.spill.Seek(0, io.SeekStart); err == nil {
		_, err = io.CopyBuffer(onlyWriter{f}, onlyReader{b.spill}, make([]byte, writeChunk))
	}
	if err == nil && b.newline {
		_, err = f.Write([]byte{'\n'})
	}
	if err != nil {
		return fmt.Errorf("%s: %w", l.Path, err)
	}
	if l.Sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("%s: fsync: %w", l.Path, err)
		}
		if created { // the new file's name must survive too
			if d, err := os.Open(filepath.Dir(l.Path)); err == nil {
				err = d.Sync()
				d.Close()
				if err != nil {
					return fmt.Errorf("%s: fsync of its directory: %w", l.Path, err)
				}
			}
		}
	}
	return nil
}

// dropBehind unmaps the pages of a mapping that Append has written
// (madvise MADV_DONTNEED: the mapping stays, the pages go), on the other
// CPU while the next pieces are written: taking down the page table of a
// 64 MiB mapping at once (munmap, or the exit) costs 3.5 ms, 7% of
// `store append FILE`'s wall time, after its last write; this saves 2 to
// 3 ms of it. Nothing reads a written page again (one of a file would
// come back from the file, one of the arena as zeros).
func dropBehind(pieces <-chan []byte, done chan<- struct{}) {
	for p := range pieces {
		syscall.Madvise(p, syscall.MADV_DONTNEED) // only faster: errors ignored
	}
	close(done)
}

// writeChunk is the size of the writes Append makes.
const writeChunk = 1 << 20

type onlyReader struct{ io.Reader }

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
