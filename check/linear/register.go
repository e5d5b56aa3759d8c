package linear

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/detsys/detsys/formats"
)

// Value is a register's value: an integer, or null before the first write.
type Value struct {
	Set bool
	Int int64
}

// Null is the value of a register that was never written.
var Null = Value{}

// Int returns the value v.
func Int(v int64) Value { return Value{Set: true, Int: v} }

func (v Value) String() string {
	if !v.Set {
		return "null"
	}
	return strconv.FormatInt(v.Int, 10)
}

// MarshalJSON writes null or the integer.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(v.String()), nil }

// RegisterOp is a register operation: a write of Value, or a read.
type RegisterOp struct {
	Write bool
	Value Value // written value; unused for reads
}

// Register is a single read/write register holding an integer, initially
// null. A write sets the value; a read returns it. Outputs are a Value for
// reads and nil for writes (and for reads of unknown outcome).
var Register = Model{
	Init: func() State { return Null },
	Step: func(s State, input, output any) (bool, State) {
		op := input.(RegisterOp)
		if op.Write {
			return true, box(op.Value)
		}
		if output == nil {
			return true, s
		}
		return output.(Value) == s.(Value), s
	},
	Hash:     hashValue,
	ReadOnly: func(input any) bool { return !input.(RegisterOp).Write },
	DescribeOp: func(input, output any) string {
		op := input.(RegisterOp)
		if op.Write {
			return "write " + op.Value.String()
		}
		if output == nil {
			return "read → ?"
		}
		return "read → " + output.(Value).String()
	},
	DescribeState: func(s State) string { return s.(Value).String() },
	ParseInput:    parseRegisterInput,
	ParseOutput:   parseRegisterOutput,
}

type registerBody struct {
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

func parseRegisterInput(raw json.RawMessage) (any, error) {
	var b registerBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, &formats.FieldError{Msg: fmt.Sprintf("not a JSON object: %s", raw)}
	}
	switch b.Type {
	case "write":
		v, err := parseValue(b.Value)
		if err != nil {
			return nil, err
		}
		if !v.Set {
			return nil, &formats.FieldError{Field: "value", Msg: "missing: a write needs an integer value"}
		}
		return RegisterOp{Write: true, Value: v}, nil
	case "read":
		return RegisterOp{}, nil
	}
	return nil, &formats.FieldError{Field: "type", Msg: fmt.Sprintf("unknown operation %q for model register (operations: read, write)", b.Type)}
}

func parseRegisterOutput(input any, raw json.RawMessage) (any, error) {
	if input.(RegisterOp).Write {
		return nil, nil
	}
	if len(raw) == 0 {
		return nil, &formats.FieldError{Msg: "missing: an ok read carries the reply with the value read"}
	}
	var b registerBody
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, &formats.FieldError{Msg: fmt.Sprintf("not a JSON object: %s", raw)}
	}
	return parseValue(b.Value)
}

// parseValue accepts null, absent or an integer.
func parseValue(raw json.RawMessage) (Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return Null, nil
	}
	// Not json.Number: it would also take the string "3".
	if i, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
		return Int(i), nil
	}
	return Null, &formats.FieldError{Field: "value", Msg: fmt.Sprintf("expected an integer or null, got %s", raw)}
}
