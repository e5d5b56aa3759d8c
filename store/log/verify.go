package log

import (
	"bytes"
	"fmt"
	"os"
	"syscall"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// maxCorrupt is how many corrupt lines Verify lists (it counts them all).
const maxCorrupt = 100

// Verify reads the whole log and reports its records, runs and tests, the
// complete lines that are not JSON objects, and a torn tail. The scan takes
// no lock (appenders go on); a last line without its newline is then looked
// at again under the log's lock, so that a write in progress is not taken
// for a torn tail. With repair, a torn tail is truncated (nothing else is
// ever changed). corrupt is the number of corrupt lines.
func Verify(path string, repair bool) (rep formats.VerifyReport, corrupt int, err error) {
	rep = formats.VerifyReport{Type: formats.TypeVerify, File: path}
	lf, err := os.Open(path)
	if err != nil {
		return rep, 0, err
	}
	defer lf.Close()
	runs, tests := map[string]bool{}, map[string]bool{}
	s := NewScanner(lf, 0, 0)
	for s.Scan() {
		data := bytes.TrimSpace(s.Bytes())
		if len(data) == 0 {
			continue
		}
		if err := CheckLine(data, path, s.Line()); err != nil {
			corrupt++
			if len(rep.Corrupt) < maxCorrupt {
				rep.Corrupt = append(rep.Corrupt, formats.CorruptLine{Line: s.Line(), Offset: s.Offset(), Error: err.Error()})
			}
			continue
		}
		rep.Records++
		switch gjson.GetBytes(data, "type").Str {
		case formats.TypeRun:
			runs[gjson.GetBytes(data, "run").Str] = true
		case formats.TypeTest:
			tests[gjson.GetBytes(data, "test").Str] = true
		}
	}
	if s.Err() != nil {
		return rep, corrupt, s.Err()
	}
	rep.Lines, rep.Size, rep.Runs, rep.Tests = s.Line(), s.End(), len(runs), len(tests)
	if s.Tail() == 0 {
		return rep, corrupt, nil
	}
	torn, err := tornTail(path, repair)
	if err != nil {
		return rep, corrupt, err
	}
	if torn != nil {
		torn.Line = rep.Lines + 1
		rep.Torn, rep.Repaired = torn, repair
	}
	return rep, corrupt, nil
}

// tornTail looks at the end of the log under its lock: with no appender
// writing, bytes after the last newline are a torn tail.
func tornTail(path string, repair bool) (*formats.TornTail, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		if !repair {
			f, err = os.Open(path)
		}
		if err != nil {
			return nil, err
		}
	}
	defer f.Close()
	if err := lock(f, syscall.LOCK_EX); err != nil {
		return nil, fmt.Errorf("%s: lock: %w", path, err)
	}
	defer unlock(f)
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	end, err := lastNewline(f, st.Size())
	if err != nil || end == st.Size() {
		return nil, err
	}
	if repair {
		if err := f.Truncate(end); err != nil {
			return nil, fmt.Errorf("%s: truncating the torn tail: %w", path, err)
		}
	}
	return &formats.TornTail{Offset: end, Bytes: st.Size() - end}, nil
}
