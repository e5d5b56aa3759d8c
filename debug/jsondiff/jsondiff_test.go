package jsondiff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func render(lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(string(l.Mark) + " " + strings.Repeat("  ", l.Depth) + l.Text)
		if l.Was != "" {
			b.WriteString("  (was " + l.Was + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestLines(t *testing.T) {
	for _, c := range []struct{ name, before, after, want string }{
		{"no before", ``, `{"value":3,"version":0}`, "  value: 3\n  version: 0\n"},
		{"scalar changed", `{"value":null,"version":0}`, `{"value":3,"version":0}`,
			"~ value: 3  (was null)\n  version: 0\n"},
		{"member added and removed", `{"a":1,"gone":"x"}`, `{"a":1,"new":{"k":[1,2]}}`,
			"  a: 1\n+ new:\n+   k:\n+     - 1\n+     - 2\n- gone: \"x\"\n"},
		{"array grows", `{"pending":[{"seq":1}]}`, `{"pending":[{"seq":1},{"seq":2,"client":"c0"}]}`,
			"~ pending:\n    - seq: 1\n+   - seq: 2\n+     client: \"c0\"\n"},
		{"queue loses its head", `{"q":[{"seq":1},{"seq":2},{"seq":3}]}`, `{"q":[{"seq":2},{"seq":3},{"seq":4}]}`,
			"~ q:\n-   - seq: 1\n    - seq: 2\n    - seq: 3\n+   - seq: 4\n"},
		{"element edited and one added", `[1,2,3]`, `[1,5,3,4]`, "  - 1\n~ - 5  (was 2)\n  - 3\n+ - 4\n"},
		{"shape changes", `{"read":null}`, `{"read":{"value":1}}`, "- read: null\n+ read:\n+   value: 1\n"},
		{"nested change marks its parents", `{"clients":{"c0":1,"c1":1}}`, `{"clients":{"c0":2,"c1":1}}`,
			"~ clients:\n~   c0: 2  (was 1)\n    c1: 1\n"},
		{"gone", `{"a":1}`, ``, "- a: 1\n"},
		{"odd keys quoted", ``, `{"a b":"",":":[]}`, "  \"a b\": \"\"\n  \":\": []\n"},
		{"big numbers kept", `{"n":12345678901234567890}`, `{"n":12345678901234567891}`, "~ n: 12345678901234567891  (was 12345678901234567890)\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, err := Lines([]byte(c.before), []byte(c.after))
			if err != nil {
				t.Fatal(err)
			}
			if got := render(lines); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
			marked := strings.Contains("\n"+c.want, "\n~") || strings.Contains("\n"+c.want, "\n+") || strings.Contains("\n"+c.want, "\n-")
			if AnyChange(lines) != marked {
				t.Fatalf("AnyChange = %v", !marked)
			}
		})
	}
}

func TestBadJSON(t *testing.T) {
	for _, in := range []string{`{"a":`, `{"a":1} 2`, `]`} {
		if _, err := Lines(nil, []byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestNestedArrays(t *testing.T) {
	lines, err := Lines(nil, []byte(`{"m":[[1,2],{"a":{"b":1}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "  m:\n    - - 1\n      - 2\n    - a:\n        b: 1\n"
	if got := render(lines); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

// FuzzLines: no input panics; valid JSON always lays out, and a value
// compared with itself shows no change.
func FuzzLines(f *testing.F) {
	f.Add([]byte(`{"seq":1,"pending":[{"a":1},{"b":[1,2]}]}`), []byte(`{"seq":2,"pending":[{"b":[1,3]}],"new":null}`))
	f.Add([]byte(`[1,2,3]`), []byte(`[2,3,4]`))
	f.Add([]byte(`"x"`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		lines, err := Lines(a, b)
		if err == nil && json.Valid(b) && json.Valid(a) && len(lines) == 0 && len(bytes.TrimSpace(b)) > 0 {
			t.Fatalf("no lines for %q", b)
		}
		if json.Valid(b) {
			same, err := Lines(b, b)
			if err != nil {
				t.Fatalf("valid JSON %q: %v", b, err)
			}
			if AnyChange(same) {
				t.Fatalf("%q compared with itself changed", b)
			}
		}
	})
}
