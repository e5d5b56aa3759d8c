package main

import (
	"hash/maphash"
	"time"

	"github.com/detsys/detsys/check/linear"
)

// detsysKVStr is Porcupine's kv test model (get, put, append on strings,
// partitioned by key) as a detsys model, so that both checkers check the
// same specification of its kv logs.
var detsysKVStr = linear.Model{
	Init: func() linear.State { return "" },
	Step: func(s linear.State, input, output any) (bool, linear.State) {
		in := input.(op)
		st := s.(string)
		switch in.kind {
		case get:
			return output == nil || output.(string) == st, s
		case put:
			return true, in.sarg
		}
		return true, st + in.sarg
	},
	Hash:     func(s linear.State) uint64 { return maphash.String(seed, s.(string)) },
	ReadOnly: func(input any) bool { return input.(op).kind == get },
	Key:      func(input any) string { return input.(op).key },
}

var seed = maphash.MakeSeed()

// detsysOps converts a history to detsys operations and its model.
func detsysOps(h history) (linear.Model, []linear.Operation) {
	m := linear.CASRegister
	if h.model == "kvstr" {
		m = detsysKVStr
	} else {
		for _, o := range h.ops {
			if o.key != "" {
				m = linear.KV
				break
			}
		}
	}
	ops := make([]linear.Operation, len(h.ops))
	for i, o := range h.ops {
		lo := linear.Operation{Client: o.client, Call: int(o.call), Return: int(o.ret)}
		if o.unknown() {
			lo.Return = linear.Infinity
		}
		switch o.kind {
		case read:
			lo.Input = linear.KVOp{Kind: linear.Read, Key: o.key}
			lo.Output = linear.Null
			if o.outSet {
				lo.Output = linear.Int(o.outInt)
			}
		case write:
			lo.Input = linear.KVOp{Kind: linear.Write, Key: o.key, Value: linear.Int(o.arg)}
		case cas:
			lo.Input = linear.KVOp{Kind: linear.CAS, Key: o.key, From: o.arg, To: o.arg2}
			lo.Output = linear.CASRefused
			if o.outOk {
				lo.Output = linear.CASOk
			}
		default:
			lo.Input, lo.Output = o, o.outStr
		}
		if o.unknown() {
			lo.Output = nil
		}
		ops[i] = lo
	}
	return m, ops
}

// checkDetsys checks each history, returning verdicts and the time spent
// checking (conversion excluded).
func checkDetsys(hs []history) ([]string, time.Duration) {
	var total time.Duration
	var verdicts []string
	for _, h := range hs {
		m, ops := detsysOps(h)
		start := time.Now()
		res := linear.Check(m, ops, linear.Options{})
		total += time.Since(start)
		logf("detsys %s: %s in %v", h.name, res, time.Since(start))
		verdicts = append(verdicts, string(res))
	}
	return verdicts, total
}
