package log

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"io"
	"os"

	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

// MergeStats counts what Merge kept and dropped.
type MergeStats struct {
	Kept, Duplicates, Torn int
}

// Merge writes the records of the logs, in order, to w, each record once:
//   - a trace record (the "run" record, step -1, and every record with a
//     "step") is kept if its step is past the last step kept of its run:
//     the same run from two machines is the same trace (the run id covers
//     everything it depends on), so a partial copy followed by a complete
//     one gives the whole trace once;
//   - a "test" record is kept if its test id is new, and its "op" records
//     with it;
//   - any other record (verdicts, ldfi's records) if its canonical bytes
//     are new.
//
// Memory is one entry per run and test and one hash per other record. A
// log's torn tail is skipped (and counted); a line that is not a JSON
// object is an *formats.InputError.
func Merge(paths []string, w io.Writer) (MergeStats, error) {
	var st MergeStats
	lastStep := map[string]int64{}
	tests := map[string]bool{}
	seen := map[[sha256.Size]byte]bool{}
	bw := bufio.NewWriterSize(w, 256<<10)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return st, &formats.InputError{File: p, Msg: err.Error()}
		}
		var g grouper
		keepOps := false
		s := NewScanner(f, 0, 0)
		for s.Scan() {
			data := bytes.TrimSpace(s.Bytes())
			if len(data) == 0 {
				continue
			}
			if err := CheckLine(data, p, s.Line()); err != nil {
				f.Close()
				return st, err
			}
			owner, typ := g.owner(data)
			keep := false
			run := gjson.GetBytes(data, "run").Str
			step := gjson.GetBytes(data, "step")
			switch {
			case run != "" && (typ == formats.TypeRun || step.Exists()):
				n := int64(-1)
				if typ != formats.TypeRun {
					n = step.Int()
				}
				last, ok := lastStep[run]
				if keep = !ok || n > last; keep {
					lastStep[run] = n
				}
			case typ == formats.TypeTest && owner != "":
				keep = !tests[owner]
				tests[owner], keepOps = true, keep
			case typ == formats.TypeOp && owner != "":
				keep = keepOps
			default:
				c, err := formats.Canonical(json.RawMessage(data))
				if err != nil {
					f.Close()
					return st, (&formats.Line{Data: data, File: p, No: s.Line()}).Errorf("", "%v", err)
				}
				h := sha256.Sum256(c)
				keep = !seen[h]
				seen[h] = true
			}
			if keep {
				bw.Write(data)
				bw.WriteByte('\n')
				st.Kept++
			} else {
				st.Duplicates++
			}
		}
		if s.Tail() > 0 {
			st.Torn++
		}
		f.Close()
		if s.Err() != nil {
			return st, s.Err()
		}
	}
	return st, bw.Flush()
}
