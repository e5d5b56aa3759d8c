package sim

import (
	"fmt"
	"io"

	"github.com/detsys/detsys/formats"
)

// Test is a test case as sched reads it: the test record and its ops.
type Test struct {
	formats.Test
	Ops []formats.Op
}

// ReadTest reads one test (a test record, then its op records) and checks
// it: every op names a known node and a client in range. Errors are
// *formats.InputError with file and line.
func ReadTest(r *formats.Reader) (*Test, error) {
	var t *Test
	nodes := map[string]bool{}
	for {
		line, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch typ := line.Type(); typ {
		case formats.TypeTest:
			if t != nil {
				return nil, line.Errorf("type", "a second test record: sched runs one test at a time")
			}
			t = &Test{}
			if err := line.Decode(&t.Test); err != nil {
				return nil, err
			}
			if len(t.Nodes) == 0 {
				return nil, line.Errorf("nodes", "the test has no nodes")
			}
			for i, n := range t.Nodes {
				if n.Name == "" || n.Kind == "" {
					return nil, line.Errorf(fmt.Sprintf("nodes[%d]", i), "a node needs a name and a kind")
				}
				if nodes[n.Name] {
					return nil, line.Errorf(fmt.Sprintf("nodes[%d]", i), "node %q named twice", n.Name)
				}
				if formats.IsClientName(n.Name) {
					return nil, line.Errorf(fmt.Sprintf("nodes[%d]", i), "node name %q is reserved for clients (c0, c1, …)", n.Name)
				}
				nodes[n.Name] = true
			}
			if t.Clients < 0 {
				return nil, line.Errorf("clients", "must not be negative")
			}
		case formats.TypeOp:
			if t == nil {
				return nil, line.Errorf("type", "op before the test record (gen writes the test record first)")
			}
			var op formats.Op
			if err := line.Decode(&op); err != nil {
				return nil, err
			}
			if !nodes[op.Node] {
				return nil, line.Errorf("node", "op for unknown node %q (nodes: %s)", op.Node, formats.NodeNames(t.Nodes))
			}
			if op.Client < 0 || op.Client >= t.Clients {
				return nil, line.Errorf("client", "client %d out of range: the test has %d clients (0..%d)", op.Client, t.Clients, t.Clients-1)
			}
			if len(op.Body) == 0 || op.Body[0] != '{' {
				return nil, line.Errorf("body", "an op body must be a JSON object like {\"type\":\"read\"}")
			}
			if op.At != nil && *op.At < 0 {
				return nil, line.Errorf("at", "must not be negative")
			}
			t.Ops = append(t.Ops, op)
		case "":
			return nil, line.Errorf("type", "record without a type (sched reads a test: a \"test\" record, then \"op\" records)")
		default:
			// Records sched does not own are ignored, so that a test
			// annotated by other tools still runs.
		}
	}
	if t == nil {
		return nil, &formats.InputError{File: r.Name(), Msg: "no test record in the input (try: gen register | sched --exec sut-register)"}
	}
	if t.Test.Test == "" {
		id, err := formats.TestID(t.Test, t.Ops)
		if err != nil {
			return nil, err
		}
		t.Test.Test = id
	}
	return t, nil
}
