package log

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// headerLen is the fixed size of the index's first line (a JSON object
// padded with spaces), rewritten in place each time the index grows.
const headerLen = 256

// hashWindow is how many bytes at each end of the indexed part of the log
// the header hashes: a log that was replaced or rewritten fails the check.
const hashWindow = 4096

type header struct {
	V       int    `json:"v"`
	Size    int64  `json:"size"`    // log bytes indexed: up to the end of a complete line
	Lines   int    `json:"lines"`   // log lines indexed
	Entries int64  `json:"entries"` // bytes of entries after the header
	Head    string `json:"head"`    // FNV-64a of the first hashWindow bytes indexed
	Tail    string `json:"tail"`    // and of the last
	Test    string `json:"test,omitempty"`
}

// Index is the log's index sidecar, loaded: the entries, one JSON array a
// line. Memory is the index's size, not the log's.
type Index struct {
	LogPath string
	Size    int64 // log bytes covered
	entries []byte
	// Rebuilt is set when the index had to be rebuilt from scratch (it was
	// missing, stale or wrong), for messages and tests.
	Rebuilt bool
	// InMemory is set when the sidecar could not be written: the index was
	// built by a scan and lives only in memory.
	InMemory bool
}

// Entry kinds.
const (
	entExtent  = "x" // ["x",id,offset,length,records]: id's records in [offset, offset+length)
	entRun     = "r" // ["r",run,test,seed,faults]
	entEnd     = "e" // ["e",run,steps,time,reason]
	entVerdict = "v" // ["v",run,checker,model,valid]
	entTest    = "t" // ["t",test,workload,nodes,clients,ops]
)

// IndexPath is where the index of the log at path lives.
func IndexPath(path string) string { return path + ".idx" }

// OpenIndex brings the index of the log at path up to date, under a lock
// on the index file, and loads it: a missing, unreadable or stale index is
// rebuilt, one that covers a prefix of the log is extended. force rebuilds
// it whatever its state. If the sidecar cannot be written, the index is
// built in memory.
func OpenIndex(path string, force bool) (*Index, error) {
	lf, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	st, err := lf.Stat()
	if err != nil {
		return nil, err
	}
	xf, err := os.OpenFile(IndexPath(path), os.O_RDWR|os.O_CREATE, 0o666)
	if err != nil {
		return memIndex(lf, path)
	}
	defer xf.Close()
	if err := lock(xf, syscall.LOCK_EX); err != nil {
		return memIndex(lf, path)
	}
	defer unlock(xf)

	idx := &Index{LogPath: path}
	h, ok := readHeader(xf)
	if ok && !force {
		ok = h.Size <= st.Size() && h.Head == hashAt(lf, 0, min(h.Size, hashWindow)) &&
			h.Tail == hashAt(lf, max(0, h.Size-hashWindow), h.Size)
	}
	if !ok || force {
		h = header{V: 1}
		idx.Rebuilt = true
	}
	if err := xf.Truncate(headerLen + h.Entries); err != nil {
		return nil, err
	}
	if h.Size < st.Size() {
		w := bufio.NewWriterSize(io.NewOffsetWriter(xf, headerLen+h.Entries), 256<<10)
		cw := &countWriter{w: w}
		b := &builder{w: cw, g: grouper{test: h.Test}}
		s := NewScanner(lf, h.Size, h.Lines)
		for s.Scan() {
			b.line(s.Offset(), s.Bytes())
		}
		if s.Err() != nil {
			return nil, s.Err()
		}
		b.close()
		if err := w.Flush(); err != nil {
			return nil, fmt.Errorf("%s: %w", IndexPath(path), err)
		}
		h.Size, h.Lines, h.Entries, h.Test = s.End(), s.Line(), h.Entries+cw.n, b.g.test
		h.Head, h.Tail = hashAt(lf, 0, min(h.Size, hashWindow)), hashAt(lf, max(0, h.Size-hashWindow), h.Size)
		if len(h.Test) > 100 {
			h.Test = ""
		}
		if err := writeHeader(xf, h); err != nil {
			return nil, err
		}
	}
	idx.Size = h.Size
	idx.entries = make([]byte, h.Entries)
	if _, err := xf.ReadAt(idx.entries, headerLen); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return idx, nil
}

// ScanIndex indexes the log at path by a scan, in memory, without reading
// or writing the sidecar (store --no-index).
func ScanIndex(path string) (*Index, error) {
	lf, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	return memIndex(lf, path)
}

// memIndex indexes the whole log into memory.
func memIndex(lf *os.File, path string) (*Index, error) {
	var buf bytes.Buffer
	b := &builder{w: &countWriter{w: &buf}}
	s := NewScanner(lf, 0, 0)
	for s.Scan() {
		b.line(s.Offset(), s.Bytes())
	}
	if s.Err() != nil {
		return nil, s.Err()
	}
	b.close()
	return &Index{LogPath: path, Size: s.End(), entries: buf.Bytes(), Rebuilt: true, InMemory: true}, nil
}

func readHeader(xf *os.File) (header, bool) {
	var h header
	buf := make([]byte, headerLen)
	if _, err := xf.ReadAt(buf, 0); err != nil {
		return h, false
	}
	if json.Unmarshal(bytes.TrimSpace(buf), &h) != nil || h.V != 1 {
		return h, false
	}
	st, err := xf.Stat()
	if err != nil || st.Size() < headerLen+h.Entries || h.Size < 0 || h.Entries < 0 {
		return h, false
	}
	return h, true
}

func writeHeader(xf *os.File, h header) error {
	b, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if len(b) > headerLen-1 {
		return fmt.Errorf("index header too long")
	}
	b = append(b, strings.Repeat(" ", headerLen-1-len(b))...)
	b = append(b, '\n')
	_, err = xf.WriteAt(b, 0)
	return err
}

// hashAt hashes f's bytes [from, to).
func hashAt(f *os.File, from, to int64) string {
	h := fnv.New64a()
	if to > from {
		io.Copy(h, io.NewSectionReader(f, from, to-from))
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// builder turns log lines, in order, into index entries.
type builder struct {
	w     *countWriter
	g     grouper
	buf   []byte
	owner string // the open extent
	start int64
	end   int64
	n     int
	test  []byte // the open test's entry, waiting for its op count
	ops   int
}

func (b *builder) line(off int64, data []byte) {
	if len(bytes.TrimSpace(data)) == 0 {
		return
	}
	owner, typ := b.g.owner(data)
	if owner != b.owner || owner == "" || off != b.end {
		b.flush()
	}
	if typ != formats.TypeOp && b.test != nil {
		b.flushTest()
	}
	if owner != "" {
		if b.owner == "" {
			b.owner, b.start = owner, off
		}
		b.end = off + int64(len(data)) + 1
		b.n++
	}
	switch {
	case owner == "":
	case typ == formats.TypeRun:
		r := gjson.GetManyBytes(data, "test", "seed", "faults.#")
		b.entry(entRun, owner, str(r[0].Str), r[1].Raw, r[2].Raw)
	case typ == formats.TypeEnd:
		r := gjson.GetManyBytes(data, "steps", "time", "reason")
		b.entry(entEnd, owner, r[0].Raw, r[1].Raw, str(r[2].Str))
	case typ == formats.TypeVerdict:
		r := gjson.GetManyBytes(data, "checker", "model", "valid")
		b.entry(entVerdict, owner, str(r[0].Str), str(r[1].Str), r[2].Raw)
	case typ == formats.TypeTest:
		r := gjson.GetManyBytes(data, "workload", "nodes.#", "clients")
		b.test = appendEntry(nil, entTest, owner, str(r[0].Str), r[1].Raw, r[2].Raw)
		b.ops = 0
	case typ == formats.TypeOp:
		b.ops++
	}
}

// str marks a value as a string for appendEntry.
type str string

func (b *builder) entry(kind, id string, vals ...any) {
	b.buf = appendEntry(b.buf[:0], kind, id, vals...)
	b.buf = append(b.buf, "]\n"...)
	b.w.Write(b.buf)
}

// appendEntry appends an entry without its closing "]\n": strings (str)
// quoted, anything else as raw JSON ("null" when empty).
func appendEntry(b []byte, kind, id string, vals ...any) []byte {
	b = append(b, '[')
	b = formats.AppendString(b, kind)
	b = append(b, ',')
	b = formats.AppendString(b, id)
	for _, v := range vals {
		b = append(b, ',')
		switch v := v.(type) {
		case str:
			b = formats.AppendString(b, string(v))
		case string:
			if v == "" {
				v = "null"
			}
			b = append(b, v...)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		}
	}
	return b
}

func (b *builder) flushTest() {
	b.test = strconv.AppendInt(append(b.test, ','), int64(b.ops), 10)
	b.w.Write(append(b.test, "]\n"...))
	b.test = nil
}

// flush closes the open extent (and the open test, at the end).
func (b *builder) flush() {
	if b.owner != "" {
		b.entry(entExtent, b.owner, b.start, b.end-b.start, b.n)
	}
	b.owner, b.n = "", 0
}

// close ends the last extent and test: called at the end of a scan.
func (b *builder) close() {
	b.flush()
	if b.test != nil {
		b.flushTest()
	}
}
