package main

import (
	"fmt"
	"hash/maphash"
	"math"
	"time"

	"github.com/anishathalye/porcupine"
)

// The models below are Porcupine's own test models (porcupine_test.go:
// etcdModel, kvModel), with the register's partitioned by key for the
// generated kv histories.

type etcdOutput struct {
	ok, exists, unknown bool
	value               int64
}

const nilValue = math.MinInt64 // the register's null

var porcupineRegister = porcupine.Model{
	Init: func() any { return int64(nilValue) },
	Step: func(state, input, output any) (bool, any) {
		st := state.(int64)
		in := input.(op)
		out := output.(etcdOutput)
		switch in.kind {
		case read:
			ok := out.unknown || !out.exists && st == nilValue || out.exists && st == out.value
			return ok, state
		case write:
			return true, in.arg
		}
		ok := out.unknown || in.arg == st && out.ok || in.arg != st && !out.ok
		if in.arg == st {
			return ok, in.arg2
		}
		return ok, state
	},
	Hash: func(state any) uint64 { return uint64(state.(int64)) * 0xff51afd7ed558ccd },
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		return partition(h, func(o porcupine.Operation) string { return o.Input.(op).key })
	},
}

var porcupineKVStr = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in := input.(op)
		st := state.(string)
		switch in.kind {
		case get:
			return output == nil || output.(string) == st, state
		case put:
			return true, in.sarg
		}
		return true, st + in.sarg
	},
	Hash: func(state any) uint64 { return maphash.String(seed, state.(string)) },
	Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
		return partition(h, func(o porcupine.Operation) string { return o.Input.(op).key })
	},
}

func partition(h []porcupine.Operation, key func(porcupine.Operation) string) [][]porcupine.Operation {
	m := map[string][]porcupine.Operation{}
	var keys []string
	for _, o := range h {
		k := key(o)
		if _, ok := m[k]; !ok {
			keys = append(keys, k)
		}
		m[k] = append(m[k], o)
	}
	out := make([][]porcupine.Operation, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}

// porcupineOps converts a history to Porcupine operations and its model.
// An operation of unknown outcome returns after everything else, as in
// Porcupine's own Jepsen tests, with an output every state accepts.
func porcupineOps(h history) (porcupine.Model, []porcupine.Operation) {
	m := porcupineRegister
	if h.model == "kvstr" {
		m = porcupineKVStr
	}
	end := int64(0)
	for _, o := range h.ops {
		end = max(end, o.call, o.ret)
	}
	ops := make([]porcupine.Operation, len(h.ops))
	for i, o := range h.ops {
		po := porcupine.Operation{ClientId: o.client, Input: o, Call: o.call, Return: o.ret}
		if o.unknown() {
			end++
			po.Return = end
		}
		switch {
		case h.model == "kvstr" && o.unknown():
			po.Output = nil
		case h.model == "kvstr":
			po.Output = o.outStr
		default:
			po.Output = etcdOutput{ok: o.outOk, exists: o.outSet, value: o.outInt, unknown: o.unknown()}
		}
		ops[i] = po
	}
	return m, ops
}

func checkPorcupine(hs []history) ([]string, time.Duration) {
	var total time.Duration
	var verdicts []string
	for _, h := range hs {
		m, ops := porcupineOps(h)
		start := time.Now()
		res := porcupine.CheckOperationsTimeout(m, ops, 0)
		total += time.Since(start)
		logf("porcupine %s: %v in %v", h.name, res, time.Since(start))
		verdicts = append(verdicts, map[porcupine.CheckResult]string{porcupine.Ok: "ok", porcupine.Illegal: "illegal"}[res])
		if verdicts[len(verdicts)-1] == "" {
			panic(fmt.Sprintf("porcupine: %s: %v", h.name, res))
		}
	}
	return verdicts, total
}
