package elle

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// txn builds a transaction from a compact notation: "a k v" appends v to
// k, "w k v" writes it, "r k [1,2]" / "r k 3" / "r k nil" reads. A status
// prefix "fail:" or "info:" marks the outcome (ok otherwise).
func txn(client int, spec string) Txn {
	t := Txn{Client: client, Status: formats.TypeOk}
	if s, ok := strings.CutPrefix(spec, "fail:"); ok {
		t.Status, spec = formats.TypeFail, s
	}
	if s, ok := strings.CutPrefix(spec, "info:"); ok {
		t.Status, spec = formats.TypeInfo, s
	}
	var body [][]any
	for _, m := range strings.Split(spec, ";") {
		f := strings.Fields(m)
		mop := Mop{F: f[0], Key: f[1]}
		if mop.F == "a" {
			mop.F = "append"
		}
		switch {
		case f[2] == "nil":
			mop.Nil = true
		case strings.HasPrefix(f[2], "["):
			mop.List = []int64{}
			json.Unmarshal([]byte(f[2]), &mop.List)
		default:
			mop.Value, _ = strconv.ParseInt(f[2], 10, 64)
		}
		t.Mops = append(t.Mops, mop)
		var v any = json.RawMessage(f[2])
		if f[2] == "nil" {
			v = nil
		}
		body = append(body, []any{mop.F, json.RawMessage(f[1]), v})
	}
	b, _ := json.Marshal(map[string]any{"type": "txn", "txn": body})
	t.Op, t.Reply = b, b
	return t
}

// hist builds a history. Concurrent: every transaction overlaps every
// other, so there is no real-time order. Sequential: each completes before
// the next is invoked.
func hist(sequential bool, specs ...string) History {
	h := History{Run: "r-1"}
	n := len(specs)
	for i, s := range specs {
		t := txn(i, s)
		t.InvokeStep = int64(i + 1)
		t.Call, t.Return = i, n+i
		if sequential {
			t.Call, t.Return = 2*i, 2*i+1
		}
		if t.Status == formats.TypeInfo {
			t.Return = Infinity
		} else {
			step := int64(t.Return + 1)
			t.CompleteStep = &step
		}
		h.Txns = append(h.Txns, t)
	}
	return h
}

// The anomalies of Elle §4 (Kingsbury & Alvaro, VLDB 2020), after Adya's
// definitions (Adya, "Weak Consistency", 1999, §4.4), each under every
// level: "" means valid there.
func TestListAppendAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sequential bool
		txns       []string
		// want: the anomalies under read-committed, snapshot-isolation,
		// serializable and strict-serializable.
		want [4]string
	}{
		{"serial", true, []string{"a 1 1;r 1 [1]", "a 1 2;r 2 []", "r 1 [1,2];r 2 []"}, [4]string{}},
		{"concurrent but serializable", false, []string{"a 1 1", "a 1 2", "r 1 [1]", "r 1 [1,2]"}, [4]string{}},
		// G0: x's order says T1 before T2, y's the opposite: a ww cycle.
		{"G0 write cycle", false, []string{"a 1 1;a 2 1", "a 1 2;a 2 2", "r 1 [1,2];r 2 [2,1]"},
			[4]string{"G0", "G0", "G0", "G0"}},
		// G1a: a failed transaction's append was read.
		{"G1a aborted read", false, []string{"fail:a 1 1", "r 1 [1]"},
			[4]string{"G1a", "G1a", "G1a", "G1a"}},
		// G1b: T1 appended 1 then 2 to x; T2 saw the state between.
		{"G1b intermediate read", false, []string{"a 1 1;a 1 2", "r 1 [1]"},
			[4]string{"G1b", "G1b", "G1b", "G1b"}},
		// G1c: each read the other's append: a wr cycle.
		{"G1c circular information flow", false, []string{"a 1 1;r 2 [1]", "a 2 1;r 1 [1]"},
			[4]string{"G1c", "G1c", "G1c", "G1c"}},
		// G-single (read skew): T2 sees T1's append to y but not to x.
		{"G-single read skew", false, []string{"a 1 1;a 2 1", "r 1 [];r 2 [1]", "r 1 [1]"},
			[4]string{"", "G-single", "G-single", "G-single"}},
		// G2 (write skew): each read the key the other appended to as empty.
		{"G2 write skew", false, []string{"a 1 1;r 2 []", "a 2 1;r 1 []", "r 1 [1];r 2 [1]"},
			[4]string{"", "", "G2", "G2"}},
		// Internal: a read that misses the transaction's own append.
		{"internal", false, []string{"a 1 1;r 1 []"},
			[4]string{"", "internal", "internal", "internal"}},
		// Its read of [2,1] also puts T2's append between its own read of
		// [] and its append: a G-single as well.
		{"internal after a read", false, []string{"r 1 [];a 1 1;r 1 [2,1]", "a 1 2"},
			[4]string{"", "internal,G-single", "internal,G-single", "internal,G-single"}},
		{"incompatible order", false, []string{"a 1 1", "a 1 2", "r 1 [1,2]", "r 1 [2,1]"},
			[4]string{"incompatible-order", "incompatible-order", "incompatible-order", "incompatible-order"}},
		{"duplicate elements", false, []string{"a 1 1", "r 1 [1,1]"},
			[4]string{"duplicate-elements", "duplicate-elements", "duplicate-elements", "duplicate-elements"}},
		// Stale read: T2 begins after T1's append completed, yet misses
		// it. Serializable (T2 before T1), not strict serializable.
		{"stale read", true, []string{"a 1 1", "r 1 []", "r 1 [1]"},
			[4]string{"", "", "", "G-single-realtime"}},
		// An info transaction's append may have happened: reading it is fine.
		{"info append read", false, []string{"info:a 1 1", "r 1 [1]"}, [4]string{}},
	} {
		for li, level := range Levels {
			t.Run(tc.name+"/"+level, func(t *testing.T) {
				res, err := CheckListAppend(hist(tc.sequential, tc.txns...), level)
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(res.Names(), ",")
				if got != tc.want[li] || res.Valid != (tc.want[li] == "") {
					t.Fatalf("%s: got %q (valid %v), want %q\n%+v", level, got, res.Valid, tc.want[li], res.Anomalies)
				}
			})
		}
	}
}

func TestRWRegisterAnomalies(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sequential bool
		txns       []string
		want       [4]string
	}{
		{"serial", true, []string{"w 1 1", "r 1 1;w 1 2", "r 1 2"}, [4]string{}},
		{"G1a aborted read", false, []string{"fail:w 1 1", "r 1 1"}, [4]string{"G1a", "G1a", "G1a", "G1a"}},
		{"G1b intermediate read", false, []string{"w 1 1;w 1 2", "r 1 1"}, [4]string{"G1b", "G1b", "G1b", "G1b"}},
		{"G1c circular information flow", false, []string{"w 1 1;r 2 1", "w 2 1;r 1 1"},
			[4]string{"G1c", "G1c", "G1c", "G1c"}},
		// (No G0 case: a register's ww edge is inferred only from a
		// transaction that read the previous version, which is a wr edge
		// along the same pair, so a ww cycle is always reported as G1c.)
		{"G2 write skew", false, []string{"r 1 nil;w 2 1", "r 2 nil;w 1 1"}, [4]string{"", "", "G2", "G2"}},
		{"G-single read skew", false, []string{"w 1 1;w 2 1", "r 1 nil;r 2 1"}, [4]string{"", "G-single", "G-single", "G-single"}},
		{"internal", false, []string{"w 1 1;r 1 2", "w 1 2"}, [4]string{"", "internal", "internal", "internal"}},
		{"stale read", true, []string{"w 1 1", "r 1 nil"}, [4]string{"", "", "", "G-single-realtime"}},
	} {
		for li, level := range Levels {
			t.Run(tc.name+"/"+level, func(t *testing.T) {
				res, err := CheckRWRegister(hist(tc.sequential, tc.txns...), level)
				if err != nil {
					t.Fatal(err)
				}
				got := strings.Join(res.Names(), ",")
				if got != tc.want[li] || res.Valid != (tc.want[li] == "") {
					t.Fatalf("%s: got %q, want %q\n%+v", level, got, tc.want[li], res.Anomalies)
				}
			})
		}
	}
}

// The witness of a cycle names each edge and why it is there.
func TestWitness(t *testing.T) {
	res, err := CheckListAppend(hist(false, "a 1 1;r 2 [1]", "a 2 1;r 1 [1]"), "serializable")
	if err != nil {
		t.Fatal(err)
	}
	v := res.Verdict("list-append")
	want := `{"anomalies":[{"name":"G1c","cycle":[` +
		`{"client":0,"status":"ok","invoke_step":1,"complete_step":3,"txn":[["append",1,1],["r",2,[1]]],"edge":"wr","why":"c1's txn at step 2 read key 1 as [1], whose last element c0's txn at step 1 appended"},` +
		`{"client":1,"status":"ok","invoke_step":2,"complete_step":4,"txn":[["append",2,1],["r",1,[1]]],"edge":"wr","why":"c0's txn at step 1 read key 2 as [1], whose last element c1's txn at step 2 appended"}],` +
		`"explanation":"G1c (circular information flow): a cycle of 2 transactions: c0@1 -wr-> c1@2 -wr-> c0@1"}]}`
	if string(v.Witness) != want || v.Anomaly != "G1c" || v.Valid != false {
		t.Fatalf("verdict %+v\nwitness %s\nwant    %s", v, v.Witness, want)
	}
}

func TestDuplicateValueIsBadInput(t *testing.T) {
	h := hist(false, "a 1 1", "a 1 1")
	h.Txns[1].File, h.Txns[1].Line = "h.ndjson", 7
	_, err := CheckListAppend(h, "serializable")
	var ie *formats.InputError
	if !asInputError(err, &ie) || ie.Line != 7 || ie.Field != "op.txn[0][2]" {
		t.Fatalf("err = %v, want an InputError at h.ndjson:7 field op.txn[0][2]", err)
	}
}

func asInputError(err error, ie **formats.InputError) bool {
	e, ok := err.(*formats.InputError)
	*ie = e
	return ok
}

func TestReader(t *testing.T) {
	in := `{"type":"run","run":"r-0"}
{"type":"invoke","run":"r-1","step":1,"client":0,"op":{"type":"txn","txn":[["append",1,1],["r","x",null]]}}
{"type":"deliver","run":"r-1","step":2}
{"type":"ok","run":"r-1","step":3,"client":0,"reply":{"type":"txn_ok","txn":[["append",1,1],["r","x",[2,3]]]}}
{"type":"invoke","run":"r-1","step":4,"client":1,"op":{"type":"txn","txn":[["append",1,2]]}}
{"type":"fail","run":"r-1","step":5,"client":1,"reply":{"type":"error","code":30}}
{"type":"invoke","run":"r-1","step":6,"client":1,"op":{"type":"txn","txn":[["r",1,null]]}}
`
	r := NewReader(ListAppend)
	if err := r.Read(strings.NewReader(in), "h"); err != nil {
		t.Fatal(err)
	}
	hs := r.Histories()
	if len(hs) != 2 || hs[0].Run != "r-0" || len(hs[0].Txns) != 0 {
		t.Fatalf("histories %+v", hs)
	}
	var got []string
	for _, x := range hs[1].Txns {
		var ms []string
		for _, m := range x.Mops {
			ms = append(ms, m.String())
		}
		got = append(got, fmt.Sprintf("c%d %s %d-%d %s", x.Client, x.Status, x.Call, x.Return, strings.Join(ms, " ")))
	}
	want := []string{
		`c0 ok 0-1 ["append",1,1] ["r","x",[2,3]]`,
		`c1 fail 2-3 ["append",1,2]`,
		fmt.Sprintf(`c1 info 4-%d ["r",1,null]`, Infinity),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReaderErrors(t *testing.T) {
	inv := `{"type":"invoke","run":"r","step":1,"client":0,"op":%s}`
	ok := `{"type":"ok","run":"r","step":2,"client":0,"reply":%s}`
	for _, tc := range []struct {
		name, in string
		kind     Kind
		err      string
	}{
		{"not a txn", fmt.Sprintf(inv, `{"type":"read"}`), ListAppend, `h:1: field "op.type": "read": the list-append workload's requests are typed "txn"`},
		{"no txn", fmt.Sprintf(inv, `{"type":"txn"}`), ListAppend, `h:1: field "op.txn": expected a list of micro-operations like ["r",1,null], got missing`},
		{"unknown f", fmt.Sprintf(inv, `{"type":"txn","txn":[["w",1,1]]}`), ListAppend, `h:1: field "op.txn[0][0]": unknown micro-operation "w" for list-append (micro-operations: r, append)`},
		{"bad key", fmt.Sprintf(inv, `{"type":"txn","txn":[["r",[1],null]]}`), ListAppend, `h:1: field "op.txn[0][1]": a key is an integer or a string`},
		{"string value", fmt.Sprintf(inv, `{"type":"txn","txn":[["append",1,"1"]]}`), ListAppend, `h:1: field "op.txn[0][2]": expected an integer, got "1"`},
		{"short mop", fmt.Sprintf(inv, `{"type":"txn","txn":[["r",1]]}`), ListAppend, `h:1: field "op.txn[0]": expected [F, KEY, VALUE]`},
		{"read value in a request", fmt.Sprintf(inv, `{"type":"txn","txn":[["r",1,[1]]]}`), ListAppend, `field "op.txn[0][2]": a read in a request is null`},
		{"bad list element", fmt.Sprintf(inv, `{"type":"txn","txn":[["r",1,null]]}`) + "\n" + fmt.Sprintf(ok, `{"type":"txn_ok","txn":[["r",1,[1,"x"]]]}`), ListAppend, `h:2: field "reply.txn[0][2][1]": expected an integer`},
		{"register read a list", fmt.Sprintf(inv, `{"type":"txn","txn":[["r",1,null]]}`) + "\n" + fmt.Sprintf(ok, `{"type":"txn_ok","txn":[["r",1,[1]]]}`), RWRegister, `h:2: field "reply.txn[0][2]": expected an integer or null`},
		{"reply differs", fmt.Sprintf(inv, `{"type":"txn","txn":[["append",1,1]]}`) + "\n" + fmt.Sprintf(ok, `{"type":"txn_ok","txn":[["append",1,2]]}`), ListAppend, `h:2: field "reply.txn[0]": ["append",1,2] differs from the invocation's ["append",1,1]`},
		{"reply shorter", fmt.Sprintf(inv, `{"type":"txn","txn":[["append",1,1]]}`) + "\n" + fmt.Sprintf(ok, `{"type":"txn_ok","txn":[]}`), ListAppend, `h:2: field "reply.txn": the reply has 0 micro-operations, the invocation 1`},
		{"no reply", fmt.Sprintf(inv, `{"type":"txn","txn":[["append",1,1]]}`) + "\n" + `{"type":"ok","run":"r","step":2,"client":0}`, ListAppend, `h:2: field "reply": missing`},
		{"orphan", fmt.Sprintf(ok, `{"type":"txn_ok","txn":[]}`), ListAppend, `h:1: field "client": ok for client 0 of run "r", which has no operation in flight`},
		{"twice", fmt.Sprintf(inv, `{"type":"txn","txn":[]}`) + "\n" + fmt.Sprintf(inv, `{"type":"txn","txn":[]}`), ListAppend, `h:2: field "client": client 0 invoked a transaction while its previous one (line 1) is still in flight`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NewReader(tc.kind).Read(strings.NewReader(tc.in), "h")
			if _, ok := err.(*formats.InputError); !ok || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tc.err)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add(`{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"txn","txn":[["append",1,1],["r",1,null]]}}
{"type":"ok","run":"r","step":2,"client":0,"reply":{"type":"txn_ok","txn":[["append",1,1],["r",1,[1]]]}}`, false)
	f.Add(`{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"txn","txn":[["w","x",1],["r",1,null]]}}
{"type":"info","run":"r","step":2,"client":0}`, true)
	f.Fuzz(func(t *testing.T, in string, register bool) {
		kind := ListAppend
		if register {
			kind = RWRegister
		}
		r := NewReader(kind)
		err := r.Read(strings.NewReader(in), "f")
		if err != nil {
			if _, ok := err.(*formats.InputError); !ok {
				t.Fatalf("not an InputError: %T %v", err, err)
			}
			return
		}
		// Whatever was read can be checked without panicking.
		for _, h := range r.Histories() {
			for _, l := range Levels {
				if _, err := Check(kind, h, l); err != nil {
					if _, ok := err.(*formats.InputError); !ok {
						t.Fatalf("not an InputError: %T %v", err, err)
					}
				}
			}
		}
	})
}

// intList must agree with the general parser on everything it accepts.
func FuzzIntList(f *testing.F) {
	for _, s := range []string{"[]", "[1]", "[1,2,3]", "[-1,0]", "[01]", "[1,]", "[,1]", "[ 1]", "[1e3]", "[+1]", "[-0]", "[9223372036854775808]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := intList(s)
		if !ok {
			return
		}
		if !json.Valid([]byte(s)) {
			t.Fatalf("intList accepted invalid JSON %q", s)
		}
		var want []int64
		if err := json.Unmarshal([]byte(s), &want); err != nil || len(want) != len(got) {
			t.Fatalf("intList(%q) = %v, encoding/json: %v %v", s, got, want, err)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("intList(%q) = %v, want %v", s, got, want)
			}
		}
	})
}

// A search that runs out of budget before naming any cycle gives an
// unknown verdict, not a valid one.
func TestBudgetRanOut(t *testing.T) {
	defer func(k, n int) { kindBudget, totalBudget = k, n }(kindBudget, totalBudget)
	kindBudget = 1
	// Write skew around three keys: a cycle of three rw edges.
	h := hist(false, "r 1 [];a 2 1", "r 2 [];a 3 1", "r 3 [];a 1 1", "r 1 [1];r 2 [1];r 3 [1]")
	res, err := CheckListAppend(h, "serializable")
	if err != nil {
		t.Fatal(err)
	}
	v := res.Verdict("list-append")
	if !res.Unknown || res.Valid || v.Valid != formats.Unknown || len(res.Notes) == 0 {
		t.Fatalf("result %+v, verdict %+v: want unknown", res, v)
	}
	kindBudget = 1_000_000
	if res, _ := CheckListAppend(h, "serializable"); res.Unknown || res.Valid || strings.Join(res.Names(), ",") != "G2" {
		t.Fatalf("with budget: %+v", res)
	}
}
