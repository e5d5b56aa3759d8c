package formats_test

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

// FuzzQuote: the hand-written string encoder (Quote, AppendString) writes
// exactly what Marshal, that is encoding/json without HTML escaping,
// writes for the same string.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", `a "quoted" \ path`, "a -> b <c> & d", "tab\tnl\ncr\rbs\bff\f\x00\x1f\x7f",
		"é ü 中文 🙂", "bad \xff utf-8 \xc3", "\u2028 and \u2029", "\ufffd"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := formats.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := formats.Quote(s); got != string(want) {
			t.Errorf("Quote(%q) = %s, encoding/json: %s", s, got, want)
		}
	})
}

// Marshal does not escape HTML, and ends without a newline.
func TestMarshal(t *testing.T) {
	got, err := formats.Marshal(map[string]any{"edge": "c0@1 -rw-> c1@2", "n": []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"edge":"c0@1 -rw-> c1@2","n":[1,2]}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// The reader's validation passes what encoding/json accepts and words the
// error of a line it does not as Decode does: file, line, byte.
func TestReaderValidate(t *testing.T) {
	r := formats.NewReader(strings.NewReader("{\"a\":[1,{\"b\":\"<>\"}]}\n\n{\"a\":1,}\n{\"a\":tru}\n"), "t.ndjson")
	var got []string
	for {
		_, err := r.Next()
		if err == io.EOF {
			break
		}
		var ie *formats.InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("%T, want an InputError", err)
		}
		got = append(got, fmt.Sprint(err))
	}
	want := []string{"<nil>", "t.ndjson:3: invalid JSON at byte 8", "t.ndjson:4: invalid JSON at byte 9"}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q…", got, want)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("got %q, want %q…", got[i], want[i])
		}
	}
}
