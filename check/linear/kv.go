package linear

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/detsys/detsys/formats"
)

// KVOp is an operation of the cas-register and kv models: a read, a write
// of Value, or a compare-and-set from From to To. Key is the key's JSON
// text for kv, and empty for cas-register.
type KVOp struct {
	Kind     OpKind
	Key      string
	Value    Value // written value
	From, To int64 // cas
}

// OpKind is what a KVOp does.
type OpKind uint8

const (
	Read OpKind = iota
	Write
	CAS
)

// CASResult is the outcome of a compare-and-set: the output of a cas.
type CASResult uint8

const (
	// CASOk: the value was From and is now To.
	CASOk CASResult = iota + 1
	// CASMismatch: refused with Maelstrom error 22, precondition-failed:
	// there was a value, and it was not From.
	CASMismatch
	// CASMissing: refused with Maelstrom error 20, key-does-not-exist:
	// there was no value (null).
	CASMissing
	// CASRefused: refused because the value was not From, null or not:
	// for histories that do not say which (Jepsen's etcd tests).
	CASRefused
)

// Maelstrom error codes that are observations of the state.
const (
	errKeyDoesNotExist    = 20
	errPreconditionFailed = 22
)

// CASRegister is one integer register, initially null, with read, write
// and compare-and-set. Outputs are a Value for reads, a CASResult for cas,
// and nil for writes and for operations of unknown outcome.
//
// A failed operation did not take effect, and is dropped, except where
// the failure is an observation of the state: a cas refused with error 22
// (precondition-failed) saw a value other than From, one refused with
// error 20 (key-does-not-exist) saw null, and a read refused with error 20
// read null. Those stay in the history as operations that took effect
// without changing the value, which is what Maelstrom's lin-kv service
// means by them.
var CASRegister = Model{
	Init:          func() State { return Null },
	Step:          stepKV,
	Hash:          hashValue,
	ReadOnly:      func(input any) bool { return input.(KVOp).Kind == Read },
	DescribeOp:    describeKV,
	DescribeState: func(s State) string { return s.(Value).String() },
	ParseInput:    func(raw json.RawMessage) (any, error) { return parseKVInput(raw, false) },
	ParseOutput:   parseKVOutput,
	ParseFailure:  parseKVFailure,
}

// KV is Maelstrom's lin-kv: a map from keys to integer registers with
// read, write and compare-and-set, each key initially absent (null). The
// history is checked key by key (see Model.Key); the operations and the
// failures that count are CASRegister's, with a "key" field.
var KV = func() Model {
	m := CASRegister
	m.Key = func(input any) string { return input.(KVOp).Key }
	m.ParseInput = func(raw json.RawMessage) (any, error) { return parseKVInput(raw, true) }
	return m
}()

// boxed holds null and the small integers as States, so that a step to
// one of them allocates nothing (the runtime does the same for small
// integers in interfaces, but not for a struct like Value).
var boxed = func() (b [257]State) {
	b[256] = Null
	for i := range 256 {
		b[i] = Int(int64(i))
	}
	return b
}()

// box returns v as a State.
func box(v Value) State {
	switch {
	case !v.Set:
		return boxed[256]
	case v.Int >= 0 && v.Int < 256:
		return boxed[v.Int]
	}
	return v
}

func stepKV(s State, input, output any) (bool, State) {
	op := input.(KVOp)
	v := s.(Value)
	switch op.Kind {
	case Write:
		return true, box(op.Value)
	case Read:
		if output == nil {
			return true, s
		}
		return output.(Value) == v, s
	}
	match := v.Set && v.Int == op.From
	switch output {
	case nil: // unknown: if it took effect, it did what the value says
		if match {
			return true, box(Int(op.To))
		}
		return true, s
	case CASOk:
		if match {
			return true, box(Int(op.To))
		}
		return false, s
	case CASMismatch:
		return v.Set && !match, s
	case CASMissing:
		return !v.Set, s
	default: // CASRefused
		return !match, s
	}
}

func hashValue(s State) uint64 {
	v := s.(Value)
	if !v.Set {
		return 0x9e3779b97f4a7c15
	}
	return uint64(v.Int) * 0xff51afd7ed558ccd
}

func describeKV(input, output any) string {
	op := input.(KVOp)
	key := ""
	if op.Key != "" {
		key = " " + op.Key
	}
	switch op.Kind {
	case Write:
		return fmt.Sprintf("write%s %s", key, op.Value)
	case Read:
		if output == nil {
			return fmt.Sprintf("read%s → ?", key)
		}
		return fmt.Sprintf("read%s → %s", key, output.(Value))
	}
	what := fmt.Sprintf("cas%s %d→%d", key, op.From, op.To)
	switch output {
	case nil:
		return what + " → ?"
	case CASOk:
		return what + " → ok"
	case CASMismatch:
		return what + " → refused: value differs"
	case CASMissing:
		return what + " → refused: no value"
	}
	return what + " → refused"
}

type kvBody struct {
	Type  string          `json:"type"`
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
	From  json.RawMessage `json:"from"`
	To    json.RawMessage `json:"to"`
	Code  *int            `json:"code"`
}

func decodeKVBody(raw json.RawMessage) (kvBody, error) {
	var b kvBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, &formats.FieldError{Msg: fmt.Sprintf("not a JSON object: %s", raw)}
	}
	return b, nil
}

func parseKVInput(raw json.RawMessage, keyed bool) (any, error) {
	b, err := decodeKVBody(raw)
	if err != nil {
		return nil, err
	}
	model := "cas-register"
	var op KVOp
	if keyed {
		model = "kv"
		if len(b.Key) == 0 || string(b.Key) == "null" {
			return nil, &formats.FieldError{Field: "key", Msg: "missing: every kv operation names its key"}
		}
		var key any
		json.Unmarshal(b.Key, &key)
		switch key.(type) {
		case string, float64:
		default:
			return nil, &formats.FieldError{Field: "key", Msg: fmt.Sprintf("expected a string or a number, got %s", b.Key)}
		}
		var compact bytes.Buffer
		json.Compact(&compact, b.Key)
		op.Key = compact.String()
	}
	switch b.Type {
	case "read":
		op.Kind = Read
	case "write":
		op.Kind = Write
		if op.Value, err = parseValue(b.Value); err != nil {
			return nil, err
		}
		if !op.Value.Set {
			return nil, &formats.FieldError{Field: "value", Msg: "missing: a write needs an integer value"}
		}
	case "cas":
		op.Kind = CAS
		for _, f := range []struct {
			name string
			raw  json.RawMessage
			to   *int64
		}{{"from", b.From, &op.From}, {"to", b.To, &op.To}} {
			v, err := parseValue(f.raw)
			if err != nil {
				err.(*formats.FieldError).Field = f.name
				return nil, err
			}
			if !v.Set {
				return nil, &formats.FieldError{Field: f.name, Msg: "missing: a cas needs integers from and to"}
			}
			*f.to = v.Int
		}
	default:
		return nil, &formats.FieldError{Field: "type", Msg: fmt.Sprintf("unknown operation %q for model %s (operations: read, write, cas)", b.Type, model)}
	}
	return op, nil
}

func parseKVOutput(input any, raw json.RawMessage) (any, error) {
	switch input.(KVOp).Kind {
	case Write:
		return nil, nil
	case CAS:
		return CASOk, nil
	}
	if len(raw) == 0 {
		return nil, &formats.FieldError{Msg: "missing: an ok read carries the reply with the value read"}
	}
	b, err := decodeKVBody(raw)
	if err != nil {
		return nil, err
	}
	return parseValue(b.Value)
}

func parseKVFailure(input any, raw json.RawMessage) (any, bool, error) {
	if len(raw) == 0 {
		return nil, false, nil
	}
	b, err := decodeKVBody(raw)
	if err != nil || b.Code == nil {
		return nil, false, err
	}
	switch kind := input.(KVOp).Kind; {
	case kind == Read && *b.Code == errKeyDoesNotExist:
		return Null, true, nil
	case kind == CAS && *b.Code == errKeyDoesNotExist:
		return CASMissing, true, nil
	case kind == CAS && *b.Code == errPreconditionFailed:
		return CASMismatch, true, nil
	}
	return nil, false, nil
}
