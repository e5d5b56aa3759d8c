package sim_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/sched/sim"
)

const goodTest = `{"type":"test","workload":"register","nodes":[{"name":"frontend","kind":"frontend1"},{"name":"register1","kind":"register"}],"clients":2}
{"type":"op","client":0,"node":"frontend","body":{"type":"write","value":1}}
{"type":"op","client":1,"node":"frontend","body":{"type":"read"},"at":5}
`

// FuzzReadTest: any input gives a test or an *InputError, never a panic,
// and an accepted test only names its own nodes and clients.
func FuzzReadTest(f *testing.F) {
	f.Add([]byte(goodTest))
	f.Add([]byte(`{"type":"op","client":0}`))
	f.Add([]byte(`{"type":"test","nodes":[{"name":"c1","kind":"k"}],"clients":-1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tc, err := sim.ReadTest(formats.NewReader(bytes.NewReader(data), "f"))
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		names := map[string]bool{}
		for _, n := range tc.Nodes {
			names[n.Name] = true
		}
		for _, op := range tc.Ops {
			if !names[op.Node] || op.Client < 0 || op.Client >= tc.Clients || len(op.Body) == 0 || op.Body[0] != '{' {
				t.Fatalf("accepted a bad op %+v", op)
			}
		}
	})
}

// FuzzReadFaults: any fault file gives faults that CheckFault accepts, or
// an *InputError.
func FuzzReadFaults(f *testing.F) {
	f.Add([]byte(`{"kind":"omission","from":"frontend","to":"register1","at":1000000}
{"kind":"crash","node":"register1","at":2000000}
{"type":"faults","faults":[{"kind":"partition","groups":[["register1"],["frontend","c0"]],"from":0,"until":9}]}
`))
	f.Add([]byte(`{"kind":"delay","from":"c0","to":"frontend","at":1,"by":-5}`))
	tc, err := sim.ReadTest(formats.NewReader(bytes.NewReader([]byte(goodTest)), "t"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		faults, err := sim.ReadFaults(formats.NewReader(bytes.NewReader(data), "f"), tc)
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("not an InputError: %v", err)
			}
			return
		}
		for _, fl := range faults {
			if fe := sim.CheckFault(fl, tc); fe != nil {
				t.Fatalf("accepted %+v: %v", fl, fe)
			}
		}
	})
}
