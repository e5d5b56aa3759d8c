package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

// verdicts writes the verdicts of the transactional and set-like
// checkers, says on stderr why a run fails (unless the table already
// does), and keeps the exit code: 1 if any run is not valid, else 4 if
// any is unknown.
type verdicts struct {
	o    *cli.IO
	w    *formats.Writer
	code int
}

func newVerdicts(o *cli.IO) *verdicts { return &verdicts{o: o, w: formats.NewWriter(o.Stdout)} }

// add writes one run's verdict; summary is its one-line explanation when
// it does not hold, notes are remarks for stderr.
func (vs *verdicts) add(v formats.Verdict, summary string, notes []string) error {
	if err := emit(vs.w, vs.o.Stdout, v, summary); err != nil {
		return err
	}
	for _, n := range notes {
		vs.o.Warnf("%s: %s", v.Run, n)
	}
	if summary != "" && opts.Format != "table" { // the table has it
		vs.o.Warnf("%s", summary)
	}
	switch {
	case v.Valid == false:
		vs.code = formats.ExitViolation
	case v.Valid != true && vs.code == formats.ExitOK:
		vs.code = formats.ExitInconclusive
	}
	return nil
}

// close flushes the records and returns the exit code as an error.
func (vs *verdicts) close() error {
	if err := vs.w.Flush(); err != nil {
		return err
	}
	if vs.code != formats.ExitOK {
		return cli.Exit(vs.code)
	}
	return nil
}

// emit writes one verdict of the transactional or set-like checkers: the
// record itself, or with --format table the same content laid out for
// people (summary is the one-line explanation of a run that fails).
func emit(w *formats.Writer, out io.Writer, v formats.Verdict, summary string) error {
	if opts.Format != "table" {
		return w.Write(v)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	status := "valid"
	switch {
	case v.Valid == false:
		status = "NOT VALID: " + v.Anomaly
	case v.Valid != true:
		status = "unknown: " + v.Anomaly
	}
	run := v.Run
	if run == "" {
		run = `run ""`
	}
	fmt.Fprintf(out, "%s: %s: %s\n", run, v.Model, status)
	if summary != "" {
		fmt.Fprintf(out, "  %s\n", summary)
	}
	// Transactional witnesses: each cycle, one transaction a line, with
	// the edge that leads from it to the next.
	var wit struct {
		Anomalies []struct {
			Name  string `json:"name"`
			Cycle []struct {
				Client       int             `json:"client"`
				InvokeStep   int64           `json:"invoke_step"`
				CompleteStep *int64          `json:"complete_step"`
				Txn          json.RawMessage `json:"txn"`
				Edge         string          `json:"edge"`
				Why          string          `json:"why"`
			} `json:"cycle"`
		} `json:"anomalies"`
	}
	if len(v.Witness) == 0 || json.Unmarshal(v.Witness, &wit) != nil {
		return nil
	}
	for _, a := range wit.Anomalies {
		if len(a.Cycle) == 0 {
			continue
		}
		fmt.Fprintf(out, "  %s cycle:\n", a.Name)
		tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    client\tinvoke\tcomplete\ttxn\tedge to next\twhy")
		for _, t := range a.Cycle {
			complete := "-"
			if t.CompleteStep != nil {
				complete = fmt.Sprint(*t.CompleteStep)
			}
			fmt.Fprintf(tw, "    c%d\t%d\t%s\t%s\t%s\t%s\n", t.Client, t.InvokeStep, complete, t.Txn, t.Edge, t.Why)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}
