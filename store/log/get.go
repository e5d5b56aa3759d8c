package log

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// Extent is a span of the log holding N records of one run or test.
type Extent struct {
	Off, Len int64
	N        int
}

// Extents lists where the records of run or test id are, in log order.
func (x *Index) Extents(id string) []Extent {
	pat := appendEntry(nil, entExtent, id)
	pat = append(pat, ',')
	var out []Extent
	for i := 0; ; {
		j := bytes.Index(x.entries[i:], pat)
		if j < 0 {
			return out
		}
		at := i + j
		i = at + len(pat)
		if at > 0 && x.entries[at-1] != '\n' {
			continue
		}
		end := bytes.IndexByte(x.entries[at:], '\n')
		if end < 0 {
			end = len(x.entries) - at
		}
		a := gjson.ParseBytes(x.entries[at : at+end]).Array()
		if len(a) == 5 {
			out = append(out, Extent{Off: a[2].Int(), Len: a[3].Int(), N: int(a[4].Int())})
		}
	}
}

// errWrongIndex is an index that points at records of something else.
var errWrongIndex = errors.New("the index does not match the log")

// Visit is called with each record of a run or test, in log order; data
// is valid only during the call.
type Visit func(typ string, data []byte) error

// each calls fn with the records of run or test id, reading them through
// the index; each record read must belong to id, or it returns
// errWrongIndex (before any call, if the first record of an extent is
// wrong). It returns how many records it visited.
func (x *Index) each(id string, fn Visit) (int, error) {
	var exts []ownedExtent
	for _, e := range x.Extents(id) {
		exts = append(exts, ownedExtent{id, e})
	}
	return x.read(exts, fn)
}

// ownedExtent is an extent with the run or test its records belong to.
type ownedExtent struct {
	id string
	Extent
}

// read calls fn with the records of the extents, in order; each record
// must belong to its extent's owner, or it returns errWrongIndex (before
// any call) or an error naming the byte.
func (x *Index) read(exts []ownedExtent, fn Visit) (int, error) {
	lf, err := os.Open(x.LogPath)
	if err != nil {
		return 0, err
	}
	defer lf.Close()
	// First, every extent must be within the log, start and end at line
	// boundaries and start with a record of its owner: an index found wrong
	// there is rebuilt (errWrongIndex) before anything is visited.
	var head [4096]byte
	for _, e := range exts {
		if e.Off < 0 || e.Len <= 0 || e.Off+e.Len > x.Size {
			return 0, errWrongIndex
		}
		var edge [1]byte
		if e.Off > 0 {
			if _, err := lf.ReadAt(edge[:], e.Off-1); err != nil || edge[0] != '\n' {
				return 0, errWrongIndex
			}
		}
		if _, err := lf.ReadAt(edge[:], e.Off+e.Len-1); err != nil || edge[0] != '\n' {
			return 0, errWrongIndex
		}
		// The owner is named at the start of a record ("type", "run" or
		// "test" come first), so the line's first bytes are enough.
		b := head[:min(e.Len, int64(len(head)))]
		if _, err := lf.ReadAt(b, e.Off); err != nil {
			return 0, errWrongIndex
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		var g grouper
		if owner, _ := g.owner(b); owner != e.id {
			return 0, errWrongIndex
		}
	}
	// One scanner buffer for all extents, no bigger than they need.
	var size int64 = 4096
	for _, e := range exts {
		size = max(size, min(e.Len+1, 1<<20))
	}
	buf := make([]byte, size)
	n := 0
	for _, e := range exts {
		var g grouper
		s := &Scanner{r: io.NewSectionReader(lf, e.Off, e.Len), buf: buf}
		for s.Scan() {
			data := s.Bytes()
			if len(bytes.TrimSpace(data)) == 0 {
				continue
			}
			owner, typ := g.owner(data)
			if owner != e.id {
				if n == 0 {
					return 0, errWrongIndex
				}
				return n, fmt.Errorf("%s: the index was wrong at byte %d, after %d records: run store verify", x.LogPath, e.Off+s.Offset(), n)
			}
			n++
			if err := fn(typ, data); err != nil {
				return n, err
			}
		}
		if s.Err() != nil {
			return n, s.Err()
		}
		buf = s.buf
	}
	return n, nil
}

// eachOfTest calls fn with the records of test and of its runs (with seed
// *seed, if seed is set), in log order, reading only their extents.
func (x *Index) eachOfTest(test string, seed *uint64, fn Visit) (int, error) {
	ids := map[string]bool{test: true}
	for _, r := range x.Runs(test) {
		if seed == nil || r.Seed == *seed {
			ids[r.Run] = true
		}
	}
	var exts []ownedExtent
	x.entriesEach(func(a []gjson.Result) {
		if a[0].Str == entExtent && len(a) == 5 && ids[a[1].Str] {
			exts = append(exts, ownedExtent{a[1].Str, Extent{Off: a[2].Int(), Len: a[3].Int(), N: int(a[4].Int())}})
		}
	})
	sort.SliceStable(exts, func(i, j int) bool { return exts[i].Off < exts[j].Off })
	return x.read(exts, fn)
}

// EachOfTest calls fn with the records of test (the test and its ops) and
// of every run of it — with seed *seed only, if seed is set — trace and
// verdicts, in log order, and returns how many there were. With the index
// it reads only their extents (the cost is the test's runs, not the log);
// an index found wrong is rebuilt and tried once more, then given up for a
// scan. Without, it scans the log twice: for the runs, then their records.
func EachOfTest(path, test string, seed *uint64, useIndex bool, fn Visit) (int, error) {
	if test == "" {
		return 0, nil
	}
	if useIndex {
		n, err := viaIndex(path, func(x *Index) (int, error) { return x.eachOfTest(test, seed, fn) })
		if err != errWrongIndex {
			return n, err
		}
	}
	ids := map[string]bool{test: true}
	if _, err := scan(path, func(owner, typ string, data []byte) error {
		if typ == formats.TypeRun {
			r := gjson.GetManyBytes(data, "test", "seed")
			if r[0].Str == test && (seed == nil || r[1].Uint() == *seed) {
				ids[owner] = true
			}
		}
		return nil
	}); err != nil {
		return 0, err
	}
	return scan(path, func(owner, typ string, data []byte) error {
		if ids[owner] {
			return fn(typ, data)
		}
		return errSkip
	})
}

// Each calls fn with the records of run or test id, in log order, and
// returns how many there were. With the index (useIndex) it reads only
// id's extents; an index found wrong is rebuilt and tried once more, then
// given up for a scan. Without, it scans the log.
func Each(path, id string, useIndex bool, fn Visit) (int, error) {
	if id == "" {
		return 0, nil
	}
	if useIndex {
		n, err := viaIndex(path, func(x *Index) (int, error) { return x.each(id, fn) })
		if err != errWrongIndex {
			return n, err
		}
	}
	return scanEach(path, id, fn)
}

// viaIndex calls read with the log's index; an index read finds wrong
// (errWrongIndex) is rebuilt and read tried once more. errWrongIndex
// again says to give the index up for a scan.
func viaIndex(path string, read func(*Index) (int, error)) (int, error) {
	for _, force := range []bool{false, true} {
		x, err := OpenIndex(path, force)
		if err != nil {
			return 0, err
		}
		if n, err := read(x); err != errWrongIndex {
			return n, err
		}
	}
	return 0, errWrongIndex
}

// Get writes the records of run or test id that keep accepts (nil: all) to
// w, and returns how many records id has.
func Get(path, id string, useIndex bool, keep func(typ string, data []byte) bool, w io.Writer) (int, error) {
	return write(w, keep, func(fn Visit) (int, error) { return Each(path, id, useIndex, fn) })
}

// GetOfTest writes the records of test and of its runs (see EachOfTest)
// that keep accepts (nil: all) to w, and returns how many records there
// were.
func GetOfTest(path, test string, seed *uint64, useIndex bool, keep func(typ string, data []byte) bool, w io.Writer) (int, error) {
	return write(w, keep, func(fn Visit) (int, error) { return EachOfTest(path, test, seed, useIndex, fn) })
}

func write(w io.Writer, keep func(typ string, data []byte) bool, each func(Visit) (int, error)) (int, error) {
	bw := bufio.NewWriterSize(w, 256<<10)
	n, err := each(func(typ string, data []byte) error {
		if keep == nil || keep(typ, data) {
			bw.Write(data)
			return bw.WriteByte('\n')
		}
		return nil
	})
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

// scanEach is Each without the index: one streaming pass over the log.
func scanEach(path, id string, fn Visit) (int, error) {
	return scan(path, func(owner, typ string, data []byte) error {
		if owner == id {
			return fn(typ, data)
		}
		return errSkip
	})
}

// errSkip, from scan's fn, says the record was not visited.
var errSkip = errors.New("skip")

// scan calls fn with every record of the log, its owner and type, in one
// streaming pass, and returns how many records fn visited (did not return
// errSkip for).
func scan(path string, fn func(owner, typ string, data []byte) error) (int, error) {
	lf, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer lf.Close()
	var g grouper
	n := 0
	s := NewScanner(lf, 0, 0)
	for s.Scan() {
		data := s.Bytes()
		if len(bytes.TrimSpace(data)) == 0 {
			continue
		}
		owner, typ := g.owner(data)
		switch err := fn(owner, typ, data); err {
		case errSkip:
		case nil:
			n++
		default:
			return n + 1, err
		}
	}
	return n, s.Err()
}

// Trace keeps the records of a run's trace, once each (see Once): the
// "run" record and the step records, not the verdicts checkers added.
func Trace() func(typ string, data []byte) bool {
	once := Once()
	return func(typ string, data []byte) bool {
		return (typ == formats.TypeRun || gjson.GetBytes(data, "step").Exists()) && once(typ, data)
	}
}

// Runs lists the runs of the index, in the order they first appear in the
// log, with the test, seed, fault count, steps, simulated time and the
// verdicts of every checker that looked at them. test, if set, keeps only
// the runs of that test.
func (x *Index) Runs(test string) []formats.RunSummary {
	byID := map[string]int{}
	var out []formats.RunSummary
	at := func(id string) *formats.RunSummary {
		i, ok := byID[id]
		if !ok {
			i = len(out)
			byID[id] = i
			out = append(out, formats.RunSummary{Type: formats.TypeRunSummary, Run: id, Verdicts: []formats.VerdictSummary{}})
		}
		return &out[i]
	}
	x.entriesEach(func(a []gjson.Result) {
		switch a[0].Str {
		case entRun:
			if len(a) == 5 {
				r := at(a[1].Str)
				r.Test, r.Seed, r.Faults = a[2].Str, a[3].Uint(), int(a[4].Int())
			}
		case entEnd:
			if len(a) == 5 {
				r := at(a[1].Str)
				steps, t := a[2].Int(), a[3].Int()
				r.Steps, r.Time, r.End = &steps, &t, a[4].Str
			}
		case entVerdict:
			if len(a) == 5 {
				r := at(a[1].Str)
				v := formats.VerdictSummary{Checker: a[2].Str, Model: a[3].Str, Valid: a[4].Value()}
				if !hasVerdict(r.Verdicts, v) {
					r.Verdicts = append(r.Verdicts, v)
				}
			}
		}
	})
	// Runs with verdicts but no trace in this log are listed too (test "").
	kept := out[:0]
	for _, r := range out {
		if test == "" || r.Test == test {
			kept = append(kept, r)
		}
	}
	return kept
}

func hasVerdict(vs []formats.VerdictSummary, v formats.VerdictSummary) bool {
	for _, w := range vs {
		if w.Checker == v.Checker && w.Model == v.Model && fmt.Sprint(w.Valid) == fmt.Sprint(v.Valid) {
			return true
		}
	}
	return false
}

// Tests lists the tests of the index in log order, with how many runs
// each has and how many of them some checker found invalid.
func (x *Index) Tests() []formats.TestSummary {
	byID := map[string]int{}
	var out []formats.TestSummary
	x.entriesEach(func(a []gjson.Result) {
		if a[0].Str == entTest && len(a) == 6 {
			if _, ok := byID[a[1].Str]; !ok {
				byID[a[1].Str] = len(out)
				out = append(out, formats.TestSummary{Type: formats.TypeTestSummary, Test: a[1].Str, Workload: a[2].Str,
					Nodes: int(a[3].Int()), Clients: int(a[4].Int()), Ops: int(a[5].Int())})
			}
		}
	})
	for _, r := range x.Runs("") {
		i, ok := byID[r.Test]
		if !ok {
			continue
		}
		out[i].Runs++
		for _, v := range r.Verdicts {
			if v.Valid == false {
				out[i].Invalid++
				break
			}
		}
	}
	return out
}

// Has reports whether the log holds the whole trace of run: its "run"
// record and an "end" record whose reason is not "error".
func (x *Index) Has(run string) bool {
	for _, r := range x.Runs("") {
		if r.Run == run {
			return r.Test != "" && r.End != "" && r.End != formats.EndError
		}
	}
	return false
}

func (x *Index) entriesEach(fn func([]gjson.Result)) {
	for rest := x.entries; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		a := gjson.ParseBytes(line).Array()
		if len(a) >= 2 {
			fn(a)
		}
	}
}

// Once returns a filter that keeps each record of a run or test once, for
// a log that holds it twice (two sched --log of the same run at once, an
// interrupted append and its retry, a test appended again): trace records
// by step (the "run" record is step -1; each step is kept once, in order),
// a test by its id (its ops with it), other records (verdicts) by their
// exact bytes.
func Once() func(typ string, data []byte) bool {
	last := map[string]int64{}
	tests := map[string]bool{}
	keepOps := false
	seen := map[[sha256.Size]byte]bool{}
	return func(typ string, data []byte) bool {
		switch typ {
		case formats.TypeTest:
			id := gjson.GetBytes(data, "test").Str
			keepOps = !tests[id]
			tests[id] = true
			return keepOps
		case formats.TypeOp:
			return keepOps
		}
		run := gjson.GetBytes(data, "run").Str
		step := gjson.GetBytes(data, "step")
		if run != "" && (typ == formats.TypeRun || step.Exists()) {
			n := int64(-1)
			if typ != formats.TypeRun {
				n = step.Int()
			}
			if l, ok := last[run]; ok && n <= l {
				return false
			}
			last[run] = n
			return true
		}
		h := sha256.Sum256(data)
		if seen[h] {
			return false
		}
		seen[h] = true
		return true
	}
}
