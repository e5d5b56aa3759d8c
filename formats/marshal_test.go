package formats_test

import (
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
