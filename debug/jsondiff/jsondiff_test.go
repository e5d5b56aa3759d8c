package jsondiff

import (
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
