package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
)

// A history in a form neither checker owns: each checker's side converts
// it to its own operations (see detsys.go, porcupine.go).
type history struct {
	name  string
	model string // register (cas, per key when keys are set), kvstr (Porcupine's get/put/append)
	ops   []op
}

type opKind uint8

const (
	read opKind = iota
	write
	cas
	get
	put
	appendOp
)

type op struct {
	client   int
	kind     opKind
	key      string
	arg      int64 // write: value; cas: from
	arg2     int64 // cas: to
	sarg     string
	call     int64
	ret      int64 // -1: unknown outcome (info)
	outSet   bool  // read: a value was read (not null)
	outInt   int64 // read: the value
	outOk    bool  // cas: it took effect
	outStr   string
	complete bool
}

func (o op) unknown() bool { return o.ret < 0 }

// jepsenEtcd reads one of Porcupine's Jepsen etcd logs the way Porcupine's
// own tests do (porcupine_test.go, parseJepsenLog): an invocation with no
// ok or fail (":info …", a timed-out read) has an unknown outcome.
func jepsenEtcd(path string) (history, error) {
	var (
		invRead  = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:read\s+nil$`)
		invWrite = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:write\s+(\d+)$`)
		invCas   = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:invoke\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
		okRead   = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:ok\s+:read\s+(nil|\d+)$`)
		okWrite  = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:ok\s+:write\s+(\d+)$`)
		retCas   = regexp.MustCompile(`^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(ok|fail)\s+:cas\s+\[(\d+)\s+(\d+)\]$`)
	)
	h := history{name: filepath.Base(path), model: "register"}
	inFlight := map[int]int{}
	var t int64
	err := eachLine(path, func(line string) {
		t++
		atoi := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
		invoke := func(a []string, o op) {
			o.client, o.call, o.ret = int(atoi(a[1])), t, -1
			inFlight[o.client] = len(h.ops)
			h.ops = append(h.ops, o)
		}
		complete := func(a []string) *op {
			i, ok := inFlight[int(atoi(a[1]))]
			if !ok {
				return nil
			}
			delete(inFlight, int(atoi(a[1])))
			h.ops[i].ret, h.ops[i].complete = t, true
			return &h.ops[i]
		}
		if a := invRead.FindStringSubmatch(line); a != nil {
			invoke(a, op{kind: read})
		} else if a := invWrite.FindStringSubmatch(line); a != nil {
			invoke(a, op{kind: write, arg: atoi(a[2])})
		} else if a := invCas.FindStringSubmatch(line); a != nil {
			invoke(a, op{kind: cas, arg: atoi(a[2]), arg2: atoi(a[3])})
		} else if a := okRead.FindStringSubmatch(line); a != nil {
			if o := complete(a); o != nil && a[2] != "nil" {
				o.outSet, o.outInt = true, atoi(a[2])
			}
		} else if a := okWrite.FindStringSubmatch(line); a != nil {
			complete(a)
		} else if a := retCas.FindStringSubmatch(line); a != nil {
			if o := complete(a); o != nil {
				o.outOk = a[2] == "ok"
			}
		}
	})
	for i := range h.ops {
		if !h.ops[i].complete {
			h.ops[i].ret = -1
		}
	}
	return h, err
}

// porcupineKV reads one of Porcupine's kv logs (porcupine_test.go,
// parseKvLog): get, put and append on string values, partitioned by key.
func porcupineKV(path string) (history, error) {
	var (
		inv = regexp.MustCompile(`{:process (\d+), :type :invoke, :f :(get|put|append), :key "(.*)", :value (nil|"(.*)")}`)
		ok  = regexp.MustCompile(`{:process (\d+), :type :ok, :f :(get|put|append), :key ".*", :value "(.*)"}`)
	)
	h := history{name: filepath.Base(path), model: "kvstr"}
	inFlight := map[int]int{}
	var t int64
	err := eachLine(path, func(line string) {
		t++
		if a := inv.FindStringSubmatch(line); a != nil {
			c, _ := strconv.Atoi(a[1])
			kind := map[string]opKind{"get": get, "put": put, "append": appendOp}[a[2]]
			inFlight[c] = len(h.ops)
			h.ops = append(h.ops, op{client: c, kind: kind, key: a[3], sarg: a[5], call: t, ret: -1})
		} else if a := ok.FindStringSubmatch(line); a != nil {
			c, _ := strconv.Atoi(a[1])
			if i, found := inFlight[c]; found {
				delete(inFlight, c)
				h.ops[i].ret, h.ops[i].complete, h.ops[i].outStr = t, true, a[3]
			}
		}
	})
	return h, err
}

func eachLine(path string, fn func(string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
	return sc.Err()
}

// generate simulates nClients clients of a correct store of integer
// registers (nKeys keys; 0: one register with no key) doing nOps reads,
// writes and compare-and-sets. Each operation takes effect at one moment
// while in flight; with probability info it times out instead (info),
// having taken effect or not. So the history is linearizable; corrupt
// then makes it not, by giving one read a value no operation ever wrote:
// a checker must exhaust every way of ordering the operations before it
// to say so. Without info operations that read comes late in the history;
// with them, early (the 200th operation): unknown writes pile up (each may take effect at any
// time, or never), and proving a long prefix illegal takes every checker,
// Porcupine included, exponential time in their number.
func generate(seed uint64, nOps, nClients, nKeys int, info float64, corrupt bool) history {
	r := rand.New(rand.NewPCG(seed, uint64(nOps)))
	h := history{model: "register"}
	h.name = fmt.Sprintf("%dops-%dclients-%dkeys-info%.2f", nOps, nClients, nKeys, info)
	if corrupt {
		h.name += "-corrupt"
	}
	type reg struct {
		set bool
		v   int64
	}
	store := map[string]*reg{}
	regOf := func(k string) *reg {
		if store[k] == nil {
			store[k] = &reg{}
		}
		return store[k]
	}
	type flight struct {
		i       int
		applied bool
	}
	busy := make([]*flight, nClients)
	invoked, done := 0, 0
	corrupted := -1
	var t int64
	for done < nOps {
		t++
		c := r.IntN(nClients)
		f := busy[c]
		if f == nil {
			if invoked == nOps {
				continue
			}
			o := op{client: c, call: t, ret: -1}
			if nKeys > 0 {
				o.key = strconv.Itoa(r.IntN(nKeys))
			}
			g := regOf(o.key)
			switch k := r.IntN(8); {
			case k < 4:
				o.kind = read
			case k < 6:
				o.kind, o.arg = write, r.Int64N(10)
			default:
				o.kind, o.arg, o.arg2 = cas, r.Int64N(10), r.Int64N(10)
				if r.IntN(2) == 0 {
					o.arg = g.v // often the current value, so that some succeed
				}
			}
			busy[c] = &flight{i: len(h.ops)}
			h.ops = append(h.ops, o)
			invoked++
			continue
		}
		o := &h.ops[f.i]
		g := regOf(o.key)
		apply := func() {
			f.applied = true
			switch o.kind {
			case read:
				o.outSet, o.outInt = g.set, g.v
			case write:
				g.set, g.v = true, o.arg
			case cas:
				if g.set && g.v == o.arg {
					g.v, o.outOk = o.arg2, true
				}
			}
		}
		switch {
		case r.Float64() < info:
			if !f.applied && r.IntN(2) == 0 {
				apply()
			}
			busy[c], done = nil, done+1 // info: ret stays -1
		case !f.applied:
			apply()
		default:
			o.ret, o.complete = t, true
			busy[c], done = nil, done+1
			at := nOps * 9 / 10
			if info > 0 {
				at = 200
			}
			if corrupt && corrupted < 0 && o.kind == read && invoked > at {
				corrupted = f.i
				o.outSet, o.outInt = true, 100
			}
		}
	}
	return h
}
