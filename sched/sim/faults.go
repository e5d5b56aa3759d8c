package sim

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"github.com/detsys/detsys/formats"
)

// ReadFaults reads a fault file: NDJSON with one fault a line, or ldfi's
// {"type":"faults","faults":[…]} records, checking each against the test.
// Errors are *formats.InputError with file, line and field.
func ReadFaults(r *formats.Reader, t *Test) ([]formats.Fault, error) {
	var out []formats.Fault
	for {
		line, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var batch []formats.Fault
		if line.Type() == formats.TypeFaults {
			var fs formats.FaultSet
			if err := line.Decode(&fs); err != nil {
				return nil, err
			}
			batch = fs.Faults
		} else {
			var one formats.Fault
			if err := line.Decode(&one); err != nil {
				return nil, err
			}
			batch = []formats.Fault{one}
		}
		for _, f := range batch {
			if fe := CheckFault(f, t); fe != nil {
				return nil, line.Errorf(fe.Field, "%s", fe.Msg)
			}
		}
		out = append(out, batch...)
	}
}

// CheckFault reports a fault that names a node the test does not have.
// Clients (c0, c1, …) may be named as message endpoints and in partitions.
func CheckFault(f formats.Fault, t *Test) *formats.FieldError {
	known := func(n string) bool {
		for _, s := range t.Nodes {
			if s.Name == n {
				return true
			}
		}
		return false
	}
	endpoint := func(n string) bool { return known(n) || formats.IsClientName(n) }
	bad := func(field, n string) *formats.FieldError {
		return &formats.FieldError{Field: field, Msg: fmt.Sprintf("unknown node %q (nodes: %s)", n, formats.NodeNames(t.Nodes))}
	}
	switch f.Kind {
	case formats.FaultCrash, formats.FaultRestart, formats.FaultSkew:
		if !known(f.Node) {
			return bad("node", f.Node)
		}
	case formats.FaultOmission, formats.FaultDuplicate, formats.FaultDelay:
		if !endpoint(f.From) {
			return bad("from", f.From)
		}
		if !endpoint(f.To) {
			return bad("to", f.To)
		}
	case formats.FaultPartition:
		for _, g := range f.Groups {
			for _, n := range g {
				if !endpoint(n) {
					return bad("groups", n)
				}
			}
		}
	}
	switch {
	case f.At < 0:
		return &formats.FieldError{Field: "at", Msg: "must not be negative"}
	case f.Kind == formats.FaultPartition && f.Until != nil && *f.Until < f.Start:
		return &formats.FieldError{Field: "until", Msg: fmt.Sprintf("%d is before \"from\" %d", *f.Until, f.Start)}
	case f.Kind != formats.FaultPartition && f.Until != nil && *f.Until < f.At:
		return &formats.FieldError{Field: "until", Msg: fmt.Sprintf("%d is before \"at\" %d", *f.Until, f.At)}
	case f.By < 0:
		return &formats.FieldError{Field: "by", Msg: "a delay must not be negative"}
	}
	return nil
}

// randomFaults draws the seeded random crashes (and restarts) of a sweep
// from the fault generator: for each crash, one draw for the node (among
// nodes not yet crashed) and one for the time.
func randomFaults(o Options, nodes []formats.NodeSpec, r *rand.Rand) []formats.Fault {
	var out []formats.Fault
	left := make([]string, len(nodes))
	for i, n := range nodes {
		left[i] = n.Name
	}
	for i := 0; i < o.Crash && len(left) > 0; i++ {
		k := r.IntN(len(left))
		node := left[k]
		left = slices.Delete(left, k, k+1)
		at := r.Int64N(int64(o.FaultWindow) + 1)
		out = append(out, formats.Fault{Kind: formats.FaultCrash, Node: node, At: at})
		if o.RestartAfter > 0 {
			out = append(out, formats.Fault{Kind: formats.FaultRestart, Node: node, At: at + int64(o.RestartAfter)})
		}
	}
	return out
}

// network holds the faults that act on messages, indexed by link.
type network struct {
	omit, dup, delay map[link][]formats.Fault
	partitions       []formats.Fault
}

type link struct{ from, to string }

func newNetwork(faults []formats.Fault) *network {
	n := &network{omit: map[link][]formats.Fault{}, dup: map[link][]formats.Fault{}, delay: map[link][]formats.Fault{}}
	for _, f := range faults {
		l := link{f.From, f.To}
		switch f.Kind {
		case formats.FaultOmission:
			n.omit[l] = append(n.omit[l], f)
		case formats.FaultDuplicate:
			n.dup[l] = append(n.dup[l], f)
		case formats.FaultDelay:
			n.delay[l] = append(n.delay[l], f)
		case formats.FaultPartition:
			n.partitions = append(n.partitions, f)
		}
	}
	return n
}

// matches reports whether a message fault applies to a message sent at t:
// at exactly its time, or within [at, until] when until is given.
func matches(f formats.Fault, t int64) bool {
	if f.Until != nil {
		return f.At <= t && t <= *f.Until
	}
	return f.At == t
}

func (n *network) find(m map[link][]formats.Fault, from, to string, t int64) (formats.Fault, bool) {
	for _, f := range m[link{from, to}] {
		if matches(f, t) {
			return f, true
		}
	}
	return formats.Fault{}, false
}

// partitioned reports whether a partition separates from and to at time t.
func (n *network) partitioned(from, to string, t int64) bool {
	for _, p := range n.partitions {
		if t < p.Start || p.Until != nil && t >= *p.Until {
			continue
		}
		gf, gt := group(p.Groups, from), group(p.Groups, to)
		if gf < 0 || gt < 0 || gf == gt {
			continue
		}
		if !p.OneWay || gf < gt {
			return true
		}
	}
	return false
}

func group(groups [][]string, node string) int {
	for i, g := range groups {
		if slices.Contains(g, node) {
			return i
		}
	}
	return -1
}
