package formats

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes v as encoding/json does, but without HTML escaping
// ("a -> b" keeps its ">") and without a newline: the form detsys writes
// JSON in.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Quote is s as a JSON string, exactly as Marshal writes it.
func Quote(s string) string { return string(AppendString(nil, s)) }
