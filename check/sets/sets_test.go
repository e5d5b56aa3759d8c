package sets

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// trace builds NDJSON from a compact notation, one event per element:
// "i0 add 3" (client 0 invokes an add of 3; for broadcast the message),
// "i1 read n2" (client 1 reads node n2), "ok0 [1,2]" / "ok0 5" (client 0's
// op completes with that read value), "ok0", "fail0", "info0",
// "crash n2", "restart n2".
func trace(w Workload, events ...string) string {
	var b strings.Builder
	for step, e := range events {
		f := strings.Fields(e)
		var c int
		switch {
		case f[0] == "crash" || f[0] == "restart":
			fmt.Fprintf(&b, `{"type":%q,"run":"r","step":%d,"node":%q}`+"\n", f[0], step, f[1])
		case f[0][0] == 'i' && f[0] != "info0" && !strings.HasPrefix(f[0], "info"):
			fmt.Sscanf(f[0], "i%d", &c)
			if f[1] == "read" {
				fmt.Fprintf(&b, `{"type":"invoke","run":"r","step":%d,"client":%d,"op":{"type":"read"},"sends":[{"id":"m","to":%q,"body":{}}]}`+"\n", step, c, f[2])
			} else {
				fmt.Fprintf(&b, `{"type":"invoke","run":"r","step":%d,"client":%d,"op":{"type":%q,%q:%s},"sends":[{"id":"m","to":"n1","body":{}}]}`+"\n", step, c, w.Add, w.Field, f[2])
			}
		default:
			typ := strings.TrimRight(f[0], "0123456789")
			fmt.Sscanf(f[0][len(typ):], "%d", &c)
			reply := ""
			if len(f) > 1 {
				reply = fmt.Sprintf(`,"reply":{"type":"read_ok",%q:%s}`, w.ReadField, f[1])
			}
			fmt.Fprintf(&b, `{"type":%q,"run":"r","step":%d,"client":%d%s}`+"\n", typ, step, c, reply)
		}
	}
	return b.String()
}

func run(t *testing.T, w Workload, check func(History) Result, events []string) Result {
	t.Helper()
	r := NewReader(w)
	if err := r.Read(strings.NewReader(trace(w, events...)), "t"); err != nil {
		t.Fatal(err)
	}
	return check(r.Histories()[0])
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		w      Workload
		check  func(History) Result
		events []string
		want   string // the anomalies, "" for valid
	}{
		{"set: reads hold acknowledged adds", Set, CheckSet, []string{"i0 add 1", "ok0", "i0 read n1", "ok0 [1]"}, ""},
		{"set: a concurrent add may or may not show", Set, CheckSet, []string{"i0 add 1", "i1 read n1", "ok1 []", "ok0", "i1 read n1", "ok1 [1]"}, ""},
		{"set: an info add may show", Set, CheckSet, []string{"i0 add 1", "info0", "i1 read n1", "ok1 [1]"}, ""},
		{"set: lost", Set, CheckSet, []string{"i0 add 1", "ok0", "i0 read n1", "ok0 []"}, "lost"},
		{"set: a failed add read", Set, CheckSet, []string{"i0 add 1", "fail0", "i0 read n1", "ok0 [1]"}, "unexpected"},
		{"set: never added", Set, CheckSet, []string{"i0 read n1", "ok0 [9]"}, "unexpected"},

		{"counter: exact", Counter, CheckCounter, []string{"i0 add 2", "ok0", "i0 add 3", "ok0", "i1 read n1", "ok1 5"}, ""},
		{"counter: concurrent add either way", Counter, CheckCounter, []string{"i0 add 2", "i1 read n1", "ok1 2", "i1 read n1", "ok1 0", "ok0"}, ""},
		{"counter: missed an acknowledged add", Counter, CheckCounter, []string{"i0 add 2", "ok0", "i1 read n1", "ok1 0"}, "out-of-bounds"},
		{"counter: more than was added", Counter, CheckCounter, []string{"i0 add 2", "ok0", "i1 read n1", "ok1 3"}, "out-of-bounds"},
		{"counter: failed add counted", Counter, CheckCounter, []string{"i0 add 2", "fail0", "i1 read n1", "ok1 2"}, "out-of-bounds"},
		{"pn-counter: a concurrent decrement lowers the floor", Counter, CheckCounter, []string{"i0 add 5", "ok0", "i0 add -3", "i1 read n1", "ok1 2", "info0"}, ""},
		{"pn-counter: below the floor", Counter, CheckCounter, []string{"i0 add 5", "ok0", "i0 add -3", "i1 read n1", "ok1 1", "info0"}, "out-of-bounds"},

		{"broadcast: every node has it", Broadcast, CheckBroadcast, []string{"i0 broadcast 1", "ok0", "i1 read n1", "ok1 [1]", "i1 read n2", "ok1 [1]"}, ""},
		{"broadcast: an early read may miss it, the final may not", Broadcast, CheckBroadcast, []string{"i1 read n2", "ok1 []", "i0 broadcast 1", "ok0", "i1 read n2", "ok1 [1]"}, ""},
		{"broadcast: lost on one node", Broadcast, CheckBroadcast, []string{"i0 broadcast 1", "ok0", "i1 read n1", "ok1 [1]", "i1 read n2", "ok1 []"}, "lost"},
		{"broadcast: a crashed node is excused", Broadcast, CheckBroadcast, []string{"i0 broadcast 1", "ok0", "i1 read n2", "ok1 []", "crash n2"}, ""},
		{"broadcast: a restarted node is not", Broadcast, CheckBroadcast, []string{"i0 broadcast 1", "ok0", "crash n2", "restart n2", "i1 read n2", "ok1 []"}, "lost"},
		{"broadcast: unexpected", Broadcast, CheckBroadcast, []string{"i1 read n2", "ok1 [4]"}, "unexpected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.w, tc.check, tc.events)
			if res.Anomalies() != tc.want || res.Valid != (tc.want == "") {
				t.Fatalf("got %q (valid %v), want %q\n%+v", res.Anomalies(), res.Valid, tc.want, res.Witness)
			}
		})
	}
}

// A correct implementation, whatever the interleaving, is never faulted;
// the same history with one read corrupted is.
func TestRandomHistories(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 500 {
		for _, wc := range []struct {
			w     Workload
			check func(History) Result
		}{{Set, CheckSet}, {Counter, CheckCounter}, {Broadcast, CheckBroadcast}} {
			events, corrupt := randomHistory(rng, wc.w)
			if res := run(t, wc.w, wc.check, events); !res.Valid {
				t.Fatalf("%s history %d: a correct store was faulted: %s\n%s", wc.w.Name, i, res.Witness.Explanation, strings.Join(events, "\n"))
			}
			if corrupt == nil {
				continue
			}
			if res := run(t, wc.w, wc.check, corrupt); res.Valid {
				t.Fatalf("%s history %d: a corrupted read was not noticed\n%s", wc.w.Name, i, strings.Join(corrupt, "\n"))
			}
		}
	}
}

// randomHistory interleaves three clients against an atomic store: each
// op takes effect at one random point between its invoke and its ok. The
// corrupted copy makes the last read return a value it cannot have.
func randomHistory(rng *rand.Rand, w Workload) (events, corrupt []string) {
	var state []int64
	sum := int64(0)
	type pending struct {
		read   bool
		value  int64
		done   bool // took effect
		result string
	}
	inflight := map[int]*pending{}
	next := int64(1)
	lastRead := -1
	for len(events) < 40 {
		c := rng.IntN(3)
		p := inflight[c]
		switch {
		case p == nil:
			p = &pending{read: rng.IntN(2) == 0}
			if p.read {
				events = append(events, fmt.Sprintf("i%d read n1", c))
			} else {
				p.value = next
				if w.Scalar && rng.IntN(2) == 0 {
					p.value = -next
				}
				next++
				events = append(events, fmt.Sprintf("i%d add %d", c, p.value))
			}
			inflight[c] = p
		case !p.done:
			p.done = true
			if p.read {
				if w.Scalar {
					p.result = fmt.Sprint(sum)
				} else {
					p.result = listString(state)
				}
			} else {
				state = append(state, p.value)
				sum += p.value
			}
		default:
			delete(inflight, c)
			if p.read {
				lastRead = len(events)
				events = append(events, fmt.Sprintf("ok%d %s", c, p.result))
			} else {
				events = append(events, fmt.Sprintf("ok%d", c))
			}
		}
	}
	if lastRead < 0 {
		return events, nil
	}
	corrupt = append([]string(nil), events...)
	f := strings.Fields(corrupt[lastRead])
	if w.Scalar {
		corrupt[lastRead] = f[0] + " " + fmt.Sprint(sum+1000)
	} else {
		corrupt[lastRead] = f[0] + " " + listString(append(append([]int64(nil), state...), 999))
	}
	return events, corrupt
}

func listString(l []int64) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = fmt.Sprint(v)
	}
	return "[" + strings.Join(s, ",") + "]"
}

func TestReaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		w        Workload
		err      string
	}{
		{"unknown op", `{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"cas"}}`, Set, `t:1: field "op.type": unknown operation "cas" for model set (operations: read, add)`},
		{"string element", `{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"add","element":"x"}}`, Set, `t:1: field "op.element": expected an integer, got "x"`},
		{"missing delta", `{"type":"invoke","run":"r","step":1,"client":0,"op":{"type":"add"}}`, Counter, `t:1: field "op.delta": expected an integer, got nothing`},
		{"read not a list", "{\"type\":\"invoke\",\"run\":\"r\",\"step\":1,\"client\":0,\"op\":{\"type\":\"read\"}}\n{\"type\":\"ok\",\"run\":\"r\",\"step\":2,\"client\":0,\"reply\":{\"type\":\"read_ok\",\"messages\":3}}", Broadcast, `t:2: field "reply.messages": expected a list of integers, got 3`},
		{"bad element", "{\"type\":\"invoke\",\"run\":\"r\",\"step\":1,\"client\":0,\"op\":{\"type\":\"read\"}}\n{\"type\":\"ok\",\"run\":\"r\",\"step\":2,\"client\":0,\"reply\":{\"type\":\"read_ok\",\"value\":[1,null]}}", Set, `t:2: field "reply.value[1]": expected an integer, got null`},
		{"counter value", "{\"type\":\"invoke\",\"run\":\"r\",\"step\":1,\"client\":0,\"op\":{\"type\":\"read\"}}\n{\"type\":\"ok\",\"run\":\"r\",\"step\":2,\"client\":0,\"reply\":{\"type\":\"read_ok\",\"value\":[1]}}", Counter, `t:2: field "reply.value": expected an integer, got [1]`},
		{"orphan", `{"type":"ok","run":"r","step":2,"client":0}`, Set, `t:1: field "client": ok for client 0 of run "r", which has no operation in flight`},
		{"crash without node", `{"type":"crash","run":"r","step":2}`, Broadcast, `t:1: field "node": expected the node's name, got nothing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := NewReader(tc.w).Read(strings.NewReader(tc.in), "t")
			if _, ok := err.(*formats.InputError); !ok || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want an InputError containing %q", err, tc.err)
			}
		})
	}
}

func FuzzReader(f *testing.F) {
	f.Add(trace(Set, "i0 add 1", "ok0", "i0 read n1", "ok0 [1]"), 0)
	f.Add(trace(Counter, "i0 add 1", "info0", "i0 read n1", "ok0 1"), 1)
	f.Add(trace(Broadcast, "i0 broadcast 1", "ok0", "crash n1", "i0 read n1", "ok0 [1]"), 2)
	f.Fuzz(func(t *testing.T, in string, which int) {
		wc := []struct {
			w     Workload
			check func(History) Result
		}{{Set, CheckSet}, {Counter, CheckCounter}, {Broadcast, CheckBroadcast}}[uint(which)%3]
		r := NewReader(wc.w)
		if err := r.Read(strings.NewReader(in), "f"); err != nil {
			if _, ok := err.(*formats.InputError); !ok {
				t.Fatalf("not an InputError: %T %v", err, err)
			}
			return
		}
		for _, h := range r.Histories() {
			wc.check(h)
		}
	})
}
