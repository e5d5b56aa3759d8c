// Package view is what store shows of a log: the runs and tests tables,
// and a run's client history and message trace (the views the original
// kept as SQL views), as NDJSON for tools or as tables for people.
package view

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/tidwall/gjson"

	"github.com/detsys/detsys/formats"
)

func newTable(w io.Writer, header ...any) *tablewriter.Table {
	t := tablewriter.NewTable(w,
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
	)
	t.Header(header...)
	return t
}

// Runs writes the runs as a table.
func Runs(w io.Writer, runs []formats.RunSummary) error {
	t := newTable(w, "run", "test", "seed", "faults", "steps", "simulated", "end", "verdicts")
	for _, r := range runs {
		steps, sim := "-", "-"
		if r.Steps != nil {
			steps = fmt.Sprint(*r.Steps)
		}
		if r.Time != nil {
			sim = time.Duration(*r.Time).String()
		}
		end := r.End
		if end == "" {
			end = "-"
		}
		t.Append(r.Run, orDash(r.Test), r.Seed, r.Faults, steps, sim, end, Verdicts(r.Verdicts))
	}
	return t.Render()
}

// Verdicts is the verdicts of a run in one cell: "check/register=false ltl=true".
func Verdicts(vs []formats.VerdictSummary) string {
	if len(vs) == 0 {
		return "-"
	}
	parts := make([]string, len(vs))
	for i, v := range vs {
		name := v.Checker
		if v.Model != "" {
			name += "/" + v.Model
		}
		parts[i] = fmt.Sprintf("%s=%v", name, v.Valid)
	}
	return strings.Join(parts, " ")
}

// Tests writes the tests as a table.
func Tests(w io.Writer, tests []formats.TestSummary) error {
	t := newTable(w, "test", "workload", "nodes", "clients", "ops", "runs", "invalid")
	for _, s := range tests {
		t.Append(s.Test, orDash(s.Workload), s.Nodes, s.Clients, s.Ops, s.Runs, s.Invalid)
	}
	return t.Render()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// IsHistory keeps a run's client history: its invoke, ok, fail and info
// records, as check reads them.
func IsHistory(typ string, _ []byte) bool {
	switch typ {
	case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
		return true
	}
	return false
}

// IsNetwork keeps a run's message trace: its deliver and drop records.
func IsNetwork(typ string, _ []byte) bool {
	return typ == formats.TypeDeliver || typ == formats.TypeDrop
}

// networkFields are the fields of a deliver or drop record the message
// trace keeps (the node's state and effects are left out), in this order.
const networkFields = `{type,run,step,at,id,from,to,sent_at,sent_step,reason,body}`

// Message is a deliver or drop record cut down to the message.
func Message(data []byte) []byte {
	return []byte(gjson.GetBytes(data, networkFields).Raw)
}

// Table lays out history or network records for people, one row each.
type Table struct {
	t       *tablewriter.Table
	network bool
}

// NewHistoryTable starts a table of a run's client history.
func NewHistoryTable(w io.Writer) *Table {
	return &Table{t: newTable(w, "step", "at", "client", "type", "op", "reply")}
}

// NewNetworkTable starts a table of a run's message trace.
func NewNetworkTable(w io.Writer) *Table {
	return &Table{t: newTable(w, "step", "at", "type", "id", "from", "to", "latency", "body"), network: true}
}

// Add adds one record.
func (t *Table) Add(data []byte) error {
	r := gjson.ParseBytes(data)
	at := time.Duration(r.Get("at").Int()).String()
	if t.network {
		lat := "-"
		if s := r.Get("sent_at"); s.Exists() {
			lat = time.Duration(r.Get("at").Int() - s.Int()).String()
		}
		typ := r.Get("type").Str
		if reason := r.Get("reason").Str; reason != "" {
			typ += " (" + reason + ")"
		}
		return t.t.Append(r.Get("step").Raw, at, typ, r.Get("id").Str, r.Get("from").Str, r.Get("to").Str, lat, orDash(r.Get("body").Raw))
	}
	reply := r.Get("reply").Raw
	if e := r.Get("error").Str; e != "" {
		reply = strings.TrimSpace(reply + " (" + e + ")")
	}
	return t.t.Append(r.Get("step").Raw, at, "c"+r.Get("client").Raw, r.Get("type").Str, r.Get("op").Raw, orDash(reply))
}

// Render writes the table.
func (t *Table) Render() error { return t.t.Render() }
