package history_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/detsys/detsys/check/history"
	"github.com/detsys/detsys/check/linear"
	"github.com/detsys/detsys/formats"
)

var register = history.Decoder{Input: linear.Register.ParseInput, Output: linear.Register.ParseOutput}

func read(t testing.TB, in string) ([]history.History, error) {
	t.Helper()
	return history.Read(strings.NewReader(in), "t.ndjson", register)
}

// describe prints a history compactly: one op per entry as
// client:status:input→output[call,return).
func describe(hs []history.History) string {
	var b strings.Builder
	for _, h := range hs {
		fmt.Fprintf(&b, "%q:", h.Run)
		for _, o := range h.Ops {
			ret := "inf"
			if o.Return != history.Infinity {
				ret = fmt.Sprint(o.Return)
			}
			fmt.Fprintf(&b, " c%d:%s:%s[%d,%s)", o.Client, o.Status, linear.Register.DescribeOp(o.Input, o.Output), o.Call, ret)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRead(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"run without operations", `{"type":"run","run":"r-1","test":"t","seed":1,"faults":[],"opts":{},"exec":{"build":"b"},"nodes":[]}`, `"r-1":` + "\n"},
		{"write and read", `
{"type":"invoke","run":"r-1","step":3,"at":100,"client":0,"op":{"type":"write","value":1},"sends":[{"id":"m1","to":"frontend","body":{"type":"write","value":1,"msg_id":1}}]}
{"type":"deliver","run":"r-1","step":4,"at":200,"id":"m1","from":"c0","to":"frontend","body":{}}
{"type":"ok","run":"r-1","step":9,"at":500,"client":0,"op":{"type":"write","value":1},"reply":{"type":"write_ok","in_reply_to":1},"id":"m7","from":"frontend"}
{"type":"invoke","run":"r-1","step":10,"client":1,"op":{"type":"read"}}
{"type":"ok","run":"r-1","step":11,"client":1,"op":{"type":"read"},"reply":{"type":"read_ok","value":1,"in_reply_to":5}}
`, `"r-1": c0:ok:write 1[0,1) c1:ok:read → 1[2,3)` + "\n"},
		{"read of never-written register: value absent or null", `
{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"ok","client":0,"reply":{"type":"read_ok"}}
{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"ok","client":0,"reply":{"type":"read_ok","value":null}}
`, `"": c0:ok:read → null[0,1) c0:ok:read → null[2,3)` + "\n"},
		{"fail is dropped, info returns at infinity, both free the client", `
{"type":"invoke","client":0,"op":{"type":"write","value":1}}
{"type":"fail","client":0,"error":"refused"}
{"type":"invoke","client":0,"op":{"type":"write","value":2}}
{"type":"info","client":0,"error":"timeout"}
{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"info","client":0,"reply":{"type":"read_ok","value":2}}
`, `"": c0:info:write 2[2,inf) c0:info:read → ?[4,inf)` + "\n"},
		{"in flight at the end counts as info", `
{"type":"invoke","client":0,"op":{"type":"write","value":1}}
{"type":"invoke","client":1,"op":{"type":"read"}}
{"type":"ok","client":1,"reply":{"type":"read_ok","value":1}}
`, `"": c0:info:write 1[0,inf) c1:ok:read → 1[1,2)` + "\n"},
		{"runs interleaved, kept in order of first appearance", `
{"type":"invoke","run":"r-b","client":0,"op":{"type":"read"}}
{"type":"invoke","run":"r-a","client":0,"op":{"type":"write","value":5}}
{"type":"ok","run":"r-a","client":0}
{"type":"ok","run":"r-b","client":0,"reply":{"type":"read_ok","value":5}}
`, `"r-b": c0:ok:read → 5[0,1)` + "\n" + `"r-a": c0:ok:write 5[0,1)` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs, err := read(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(hs); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"bad JSON", "\n\n{\"type\":\"invoke\",", `t.ndjson:3: invalid JSON`},
		{"not an object", `[1]`, `t.ndjson:1: not a JSON object`},
		{"completion without invocation", `{"type":"ok","run":"r-1","client":2}`, `t.ndjson:1: field "client": ok for client 2 of run "r-1", which has no operation in flight`},
		{"completion after completion", `{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"info","client":0}
{"type":"fail","client":0}`, `t.ndjson:3: field "client": fail for client 0, which has no operation in flight`},
		{"two operations in flight", `{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"invoke","client":0,"op":{"type":"read"}}`, `t.ndjson:2: field "client": client 0 invoked an operation while its previous one (t.ndjson:1) is still in flight`},
		{"missing client", `{"type":"invoke","op":{"type":"read"}}`, `t.ndjson:1: field "client": missing`},
		{"client of the wrong type", `{"type":"invoke","client":"c0","op":{"type":"read"}}`, `t.ndjson:1: field "client": expected int`},
		{"missing op", `{"type":"invoke","client":0}`, `t.ndjson:1: field "op": missing`},
		{"unknown op type", `{"type":"invoke","client":0,"op":{"type":"cas","from":1,"to":2}}`, `t.ndjson:1: field "op.type": unknown operation "cas" for model register (operations: read, write)`},
		{"write value of the wrong type", `{"type":"invoke","client":0,"op":{"type":"write","value":"3"}}`, `t.ndjson:1: field "op.value": expected an integer or null, got "3"`},
		{"write without value", `{"type":"invoke","client":0,"op":{"type":"write"}}`, `t.ndjson:1: field "op.value": missing`},
		{"read value of the wrong type", `{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"ok","client":0,"reply":{"type":"read_ok","value":1.5}}`, `t.ndjson:2: field "reply.value": expected an integer or null, got 1.5`},
		{"ok read without reply", `{"type":"invoke","client":0,"op":{"type":"read"}}
{"type":"ok","client":0}`, `t.ndjson:2: field "reply": missing`},
		{"op that is not an object", `{"type":"invoke","client":0,"op":7}`, `t.ndjson:1: field "op": not a JSON object`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := read(t, tt.in)
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *formats.InputError", err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %q\nwant prefix %q", err, tt.want)
			}
			if ie.ExitCode() != formats.ExitBadInput {
				t.Errorf("exit code %d", ie.ExitCode())
			}
		})
	}
}

// Lines longer than any buffer are read whole (DESIGN §2).
func TestLongLine(t *testing.T) {
	pad := strings.Repeat("x", 1<<20)
	in := `{"type":"invoke","client":0,"op":{"type":"write","value":1,"pad":"` + pad + `"}}` + "\n" + `{"type":"ok","client":0}`
	hs, err := read(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || len(hs[0].Ops) != 1 || hs[0].Ops[0].Status != formats.TypeOk {
		t.Errorf("got %s", describe(hs))
	}
}

// Several inputs read as one stream: a run may continue in the next file.
func TestReadSeveralInputs(t *testing.T) {
	r := history.NewReader(register)
	if err := r.Read(strings.NewReader(`{"type":"invoke","run":"r","client":0,"op":{"type":"read"}}`), "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Read(strings.NewReader(`{"type":"ok","run":"r","client":0,"reply":{"value":3}}`), "b"); err != nil {
		t.Fatal(err)
	}
	if got, want := describe(r.Histories()), `"r": c0:ok:read → 3[0,1)`+"\n"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// FuzzRead: any input either reads into well-formed histories or fails
// with an InputError; it never panics.
func FuzzRead(f *testing.F) {
	f.Add(`{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"write","value":1}}
{"type":"ok","run":"r","step":2,"client":0,"reply":{"type":"write_ok"}}
{"type":"invoke","run":"r","step":3,"client":1,"op":{"type":"read"}}
{"type":"info","run":"r","step":4,"client":1}
{"type":"invoke","run":"s","step":3,"client":1,"op":{"type":"read"}}
{"type":"ok","run":"s","step":4,"client":1,"reply":{"type":"read_ok","value":1}}`)
	f.Add(`{"type":"invoke","client":0,"op":{"type":"write","value":"x"}}`)
	f.Add(`{"type":"fail","client":0}`)
	f.Add("{\"type\":\"run\",\"run\":7}\n[]")
	f.Fuzz(func(t *testing.T, in string) {
		hs, err := read(t, in)
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v (%T), want *formats.InputError", err, err)
			}
			return
		}
		for _, h := range hs {
			for _, o := range h.Ops {
				if o.Call >= o.Return {
					t.Fatalf("op returns before it is invoked: %+v", o)
				}
				switch o.Status {
				case formats.TypeOk:
					if o.Complete == nil {
						t.Fatalf("ok op without completion: %+v", o)
					}
				case formats.TypeInfo:
					if o.Return != history.Infinity || o.Output != nil {
						t.Fatalf("info op with a return or an output: %+v", o)
					}
				default:
					t.Fatalf("status %q", o.Status)
				}
			}
		}
	})
}
