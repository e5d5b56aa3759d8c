package compare

import (
	"fmt"
	"io"
	"strings"

	"github.com/detsys/detsys/formats"
)

// WriteText lays a result out for people: where the traces part, which
// fields differ, the records before it, both records, and the debug
// command lines that open either run there. Exactly one of d and same is
// non-nil.
func WriteText(w io.Writer, d *formats.Divergence, same *formats.Identical) error {
	var b strings.Builder
	if same != nil {
		fmt.Fprintf(&b, "identical: %d records", same.Records)
		if len(same.Ignored) > 0 {
			fmt.Fprintf(&b, " (ignoring %s)", strings.Join(same.Ignored, ", "))
		}
		b.WriteString("\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	where := fmt.Sprintf("record %d", d.Record)
	if d.Step != nil {
		where = fmt.Sprintf("step %d (record %d)", *d.Step, d.Record)
	}
	switch d.Reason {
	case formats.DivergeAEnded:
		fmt.Fprintf(&b, "diverged at %s: %s ended at line %d, %s goes on\n", where, d.A.File, d.A.Line, d.B.File)
	case formats.DivergeBEnded:
		fmt.Fprintf(&b, "diverged at %s: %s ended at line %d, %s goes on\n", where, d.B.File, d.B.Line, d.A.File)
	default:
		fmt.Fprintf(&b, "diverged at %s: %s:%d and %s:%d\n", where, d.A.File, d.A.Line, d.B.File, d.B.Line)
		fmt.Fprintf(&b, "fields that differ: %s\n", fieldList(d.Fields))
	}
	if len(d.Ignored) > 0 {
		fmt.Fprintf(&b, "ignored (they name the run): %s\n", strings.Join(d.Ignored, ", "))
	}
	if len(d.Context) > 0 {
		fmt.Fprintf(&b, "\nbefore it, the same in both (from %s):\n", d.A.File)
		for _, r := range d.Context {
			fmt.Fprintf(&b, "  %s\n", r)
		}
	}
	b.WriteString("\n")
	for _, t := range []formats.TraceAt{d.A, d.B} {
		if t.Ended {
			fmt.Fprintf(&b, "%s: (ended)\n", t.File)
		} else {
			fmt.Fprintf(&b, "%s:%d:\n  %s\n", t.File, t.Line, t.Record)
		}
	}
	if len(d.Debug) > 0 {
		b.WriteString("\nopen either run there:\n")
		for _, c := range d.Debug {
			fmt.Fprintf(&b, "  %s\n", c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// textFields is how many field paths the text report shows (the NDJSON
// record has them all).
const textFields = 12

func fieldList(fields []string) string {
	if len(fields) <= textFields {
		return strings.Join(fields, ", ")
	}
	return fmt.Sprintf("%s, … (%d in all)", strings.Join(fields[:textFields], ", "), len(fields))
}
