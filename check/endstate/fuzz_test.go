package endstate

import (
	"errors"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// FuzzRead: any input either reads, or fails with an InputError naming the
// line; the checks on what was read return a result or an error, never
// panic.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		`{"type":"run","run":"r","nodes":[{"name":"a","kind":"k"}]}` + "\n" + `{"type":"init","run":"r","node":"a","state":{"broadcaster":true,"log":["hello"]}}`,
		`{"type":"deliver","run":"r","to":"b","state":{"log":[1]}}`,
		`{"type":"crash","run":"r","node":"a"}` + "\n" + `{"type":"restart","run":"r","node":"a","state":{"decision":"commit","role":"agent"}}`,
		`{"type":"timer","run":3}`,
		`{"type":"run","run":"r","nodes":[{"name":1}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := NewReader()
		if err := r.Read(strings.NewReader(in), "f"); err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an InputError", err)
			}
			return
		}
		for _, fin := range r.Finals() {
			Delivery(fin)
			Commit(fin)
		}
	})
}
