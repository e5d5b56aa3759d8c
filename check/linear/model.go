package linear

import (
	"encoding/json"
	"maps"
	"slices"
)

// State is a model's state. States must be comparable with Model.Equal
// (or ==, when Equal is nil) and should marshal to JSON, which is how a
// witness shows them.
type State = any

// Model is a sequential specification: what a single copy of the object
// would do, one operation at a time. Only Init and Step are required.
type Model struct {
	// Init returns the initial state.
	Init func() State
	// Step applies an operation with its observed output. It reports
	// whether the output is one the object could have given in state s,
	// and the state after. Output is nil when the outcome is unknown (an
	// info operation): Step must then accept and return the state the
	// operation would leave if it took effect.
	Step func(s State, input, output any) (bool, State)
	// Equal compares states; nil means ==.
	Equal func(a, b State) bool
	// Hash hashes a state consistently with Equal; nil puts every state in
	// one bucket (correct, slower).
	Hash func(s State) uint64
	// ReadOnly reports whether an operation never changes the state. An
	// info operation that is read-only constrains nothing and is dropped
	// before the search. Nil means no operation is read-only.
	ReadOnly func(input any) bool
	// Key, when set, names the independent part of the object an operation
	// touches (a key of a key-value store). Linearizability is local
	// (Herlihy & Wing 1990, §3.3: a history is linearizable if and only if
	// each object's subhistory is), so the history is split by key and
	// each part checked on its own, from Init: Init and Step then describe
	// one key's value.
	Key func(input any) string

	// DescribeOp and DescribeState are for people: "read → 2", "null".
	DescribeOp    func(input, output any) string
	DescribeState func(s State) string

	// ParseInput and ParseOutput decode request and reply bodies of a
	// trace and reject what the model does not understand with a
	// *formats.FieldError (see history.Decoder).
	ParseInput  func(op json.RawMessage) (any, error)
	ParseOutput func(input any, reply json.RawMessage) (any, error)
	// ParseFailure decodes the reply of a fail record, an operation that
	// definitely did not take effect. Most failures say nothing more and
	// the operation is dropped (ok false); some are an observation of the
	// state, like a compare-and-set refused because the value differs:
	// then the operation stays in the history, as one that took effect
	// without changing anything, with the output ParseFailure returns. Nil
	// drops every failed operation.
	ParseFailure func(input any, reply json.RawMessage) (out any, ok bool, err error)
}

// Models are the models check knows, by name.
var Models = map[string]Model{
	"register":     Register,
	"cas-register": CASRegister,
	"kv":           KV,
	"lin-kv":       KV,
}

// ModelNames returns the names of Models, sorted.
func ModelNames() []string {
	return slices.Sorted(maps.Keys(Models))
}

func (m Model) equal(a, b State) bool {
	if m.Equal == nil {
		return a == b
	}
	return m.Equal(a, b)
}

func (m Model) hash(s State) uint64 {
	if m.Hash == nil {
		return 0
	}
	return m.Hash(s)
}

func (m Model) key(in any) string {
	if m.Key == nil {
		return ""
	}
	return m.Key(in)
}

func (m Model) readOnly(in any) bool { return m.ReadOnly != nil && m.ReadOnly(in) }
