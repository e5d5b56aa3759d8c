package verdict

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints a result for people: one line for a run that holds;
// for one that does not, the explanation and the witness's operations as
// a table, the one that could not be placed marked with "→". The NDJSON
// verdict carries the same content for tools.
func WriteTable(w io.Writer, res Result, wit *Witness) error {
	v := res.Verdict
	status := "linearizable"
	switch {
	case v.Valid == false:
		status = "NOT LINEARIZABLE"
	case !res.Valid():
		status = "unknown (" + v.Anomaly + ")"
	}
	fmt.Fprintf(w, "%s: %s: %s\n", runName(v.Run), v.Model, status)
	if wit == nil {
		return nil
	}
	if len(wit.Key) > 0 {
		fmt.Fprintf(w, "  key %s\n", wit.Key)
	}
	fmt.Fprintf(w, "  %s\n", wit.Explanation)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  \tinvoke\tcomplete\tclient\tstatus\top\treply")
	for _, o := range wit.Ops {
		mark := ""
		if o.InvokeStep == wit.Failed.InvokeStep && o.Client == wit.Failed.Client {
			mark = "→"
		}
		complete := "-"
		if o.CompleteStep != nil {
			complete = fmt.Sprint(*o.CompleteStep)
		}
		reply := string(o.Reply)
		if reply == "" && o.Error != "" {
			reply = "(" + o.Error + ")"
		}
		fmt.Fprintf(tw, "  %s\t%d\t%s\tc%d\t%s\t%s\t%s\n", mark, o.InvokeStep, complete, o.Client, o.Status, o.Op, reply)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	states := make([]string, len(wit.States))
	for i, s := range wit.States {
		states[i] = fmt.Sprint(s)
	}
	_, err := fmt.Fprintf(w, "  states just before →: %s\n", strings.Join(states, ", "))
	return err
}
