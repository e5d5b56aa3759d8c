package log

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// validSeeds are the corners of JSON's grammar where a hand-written
// validator could part from encoding/json.
var validSeeds = []string{
	`{}`, ` {} `, "\t{\r}\t", `{"a":1}`, `{"a":[1,2,{"b":null}]}`, `{"a":"\u00e9\ud800"}`, "{\"a\":\"\xff\"}",
	`{"a":1}x`, `{"a":01}`, `{"a":1,}`, `[1]`, `"s"`, `{"a":1e400}`, `{"a":-}`, `{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a":tru}`,
	`{"a":true,"b":false,"c":null}`, `{"a":fals}`, `{"a":nul}`, `{"a":-0.5e+10}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`,
	`{"a":1E-}`, `{"a":+1}`, `{"a":-01}`, `{"a":0x1}`, `{"a":[]}`, `{"a":[ ]}`, `{"a":[,]}`, `{"a":[1 2]}`, `{"a" 1}`,
	`{"a":{}}`, `{"a":{"b":{}}}`, `{1:2}`, `{"a":1 "b":2}`, `{"a":"\/\b\f\n\r\t\"\\"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`,
	`{"a":"abcdefghijklmnop\"qrstuvwxyz"}`, `{"abcdefgh":"ijklmnop","qrstuvwx":"yz\\u0041BCDEFGH"}`, "{\"a\":\"abcdefg\x01hij\"}",
	"{\"a\":\"abcdefgh\x7fij\"}", `{"a":"abc`, `{"a":"abcdefghijk\`, `{"a`, `{`, `}`, `{}}`, `{}{}`, `{"a":[}`, `{"a":{]}`,
	"{}\v", "\f{}", "{\"a\":1}\xc2\xa0", "{\n}", "{\"a\":\n1}", "\n", " \t\r", "{\"a\":1}\n{\"b\":2}", "{\"a\":1}\n\n{bad\n",
	strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999),
	strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000),
	strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
	`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + "}",
	`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "}",
}

// validRef is what append accepted before validObject, line by line: a
// line is blank after bytes.TrimSpace, or a record if it starts with '{'
// and encoding/json.Valid takes it.
func validRef(data []byte) (records, bad int) {
	for at := 0; at < len(data); {
		end := len(data)
		if i := bytes.IndexByte(data[at:], '\n'); i >= 0 {
			end = at + i
		}
		if t := bytes.TrimSpace(data[at:end]); len(t) > 0 {
			if t[0] != '{' || !json.Valid(t) {
				return records, at
			}
			records++
		}
		at = end + 1
	}
	return records, -1
}

// FuzzValid: validObject accepts exactly what encoding/json.Valid accepts
// as an object, and scanLines judges every line of any input as json.Valid
// does line by line (records counted, the first bad line found). Seeds:
// the corners above, the real trace and FuzzLog's corpus.
func FuzzValid(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	if real, err := os.ReadFile("testdata/run.ndjson"); err == nil {
		f.Add(real)
	}
	for _, d := range []any{fakeRun("r-1", "t-1", 3, 20), fakeTest("t-1", 2)} {
		f.Add(d.([]byte))
	}
	files, _ := filepath.Glob("testdata/fuzz/FuzzLog/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			if s, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte("); ok {
				f.Add([]byte(s)) // the quoted form: still arbitrary bytes for us
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		for i < len(data) && isBlank(data[i]) {
			i++
		}
		want := i < len(data) && data[i] == '{' && json.Valid(data)
		if got := validObject(data); got != want {
			t.Fatalf("validObject(%q) = %v, encoding/json %v", data, got, want)
		}
		n, bad := scanLines(data)
		wn, wbad := validRef(data)
		if bad != wbad || (bad < 0 && n != wn) {
			t.Fatalf("scanLines(%q) = %d records, bad at %d; line by line with encoding/json: %d, %d", data, n, bad, wn, wbad)
		}
	})
}

// TestCheckLinesLineNumber: the first bad line is named by its number,
// counted across pieces, and blank lines (Unicode spaces too) are kept.
func TestCheckLinesLineNumber(t *testing.T) {
	data := []byte("{\"a\":1}\n\n \v\n{\"b\":[1,2]}\r\n{\"c\":\"x\"} \xc2\xa0\n{\"d\":01}\n{}\n")
	_, err := checkLines(data, "in", 10)
	if err == nil || !strings.Contains(err.Error(), "in:16") {
		t.Fatalf("got %v, want an error at in:16", err)
	}
	n, err := checkLines(data[:bytes.Index(data, []byte(`{"d"`))], "in", 0)
	if err != nil || n != 3 {
		t.Fatalf("got %d records, %v; want 3", n, err)
	}
}

// TestValidStringsEveryPosition: a string of every length up to 40 with
// each kind of byte that needs a look (or none) at every position, as a
// key and as a value, at the end of the data and before more of it: the
// byte loop, its two-bytes-a-turn steps, skipString's eight-byte words and
// their tails all meet every case. Judged against encoding/json.Valid.
func TestValidStringsEveryPosition(t *testing.T) {
	specials := []string{`\"`, `\\`, `\/`, `\n`, `\u00e9`, `\u12`, `\x`, `\`, `"`, "\x01", "\x1f", "\x7f", "\xff", " "}
	for n := 0; n <= 40; n++ {
		for at := 0; at <= n; at++ {
			for _, sp := range specials {
				body := strings.Repeat("a", at) + sp + strings.Repeat("b", n-at)
				for _, doc := range []string{`{"` + body + `":1}`, `{"k":"` + body + `"}`, `{"k":"` + body + `","l":[2]}`, `{"k":"` + body} {
					if got, want := validObject([]byte(doc)), json.Valid([]byte(doc)); got != want {
						t.Fatalf("validObject(%q) = %v, encoding/json %v", doc, got, want)
					}
				}
			}
		}
	}
}

// TestValidNumbersAll: every word of up to five characters over the bytes
// numbers are made of, as a value, judged against encoding/json.Valid
// (leading zeros, lone signs and dots, exponents without digits...).
func TestValidNumbersAll(t *testing.T) {
	const alphabet = "019-+.eE"
	words := []string{""}
	for l := 1; l <= 5; l++ {
		var next []string
		for _, w := range words {
			if len(w) == l-1 {
				for _, c := range alphabet {
					next = append(next, w+string(c))
				}
			}
		}
		words = append(words, next...)
	}
	for _, w := range words {
		for _, doc := range []string{`{"n":` + w + `}`, `{"n":[` + w + `,` + w + `]}`, `{"n":` + w} {
			if got, want := validObject([]byte(doc)), json.Valid([]byte(doc)); got != want {
				t.Fatalf("validObject(%q) = %v, encoding/json %v", doc, got, want)
			}
		}
	}
}
