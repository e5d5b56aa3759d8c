package formats

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Canonical returns the canonical bytes of a JSON value: object keys
// sorted, no insignificant whitespace, numbers as written, no HTML
// escaping. Two values that mean the same JSON have the same canonical
// bytes, which is what content hashes are taken over.
func Canonical(v any) ([]byte, error) {
	raw, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	// encoding/json sorts map keys, and json.Number keeps the text.
	return Marshal(generic)
}

// ContentID hashes the canonical bytes of the parts, in order, and returns
// prefix + the first 12 hex digits of the SHA-256.
func ContentID(prefix string, parts ...any) (string, error) {
	h := sha256.New()
	for _, p := range parts {
		c, err := Canonical(p)
		if err != nil {
			return "", err
		}
		h.Write(c)
		h.Write([]byte{'\n'})
	}
	return prefix + hex.EncodeToString(h.Sum(nil))[:12], nil
}

// TestID is the content hash of a test: its record (with the id field
// empty) and its ops, in order.
func TestID(t Test, ops []Op) (string, error) {
	t.Test = ""
	t.Type = TypeTest
	parts := make([]any, 0, 1+len(ops))
	parts = append(parts, t)
	for _, op := range ops {
		op.Type = TypeOp
		parts = append(parts, op)
	}
	return ContentID("t-", parts...)
}

// RunID is the content hash of everything a run depends on: the test,
// the seed, the faults, the scheduler options and the executor build.
func RunID(test string, seed uint64, faults []Fault, opts json.RawMessage, build string) (string, error) {
	if faults == nil {
		faults = []Fault{}
	}
	if len(opts) == 0 {
		opts = json.RawMessage("{}")
	}
	return ContentID("r-", test, seed, faults, opts, build)
}
