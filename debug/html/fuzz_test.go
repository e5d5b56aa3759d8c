package html

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/detsys/detsys/formats"
)

// FuzzWrite feeds Write arbitrary input: it either says which line is
// wrong (an InputError) or writes a page whose data cannot close the
// script elements it sits in and whose every line is a JSON record.
func FuzzWrite(f *testing.F) {
	// Small seeds only: a whole run (70 kB) stalls the fuzzer's mutator;
	// the tests above read whole runs.
	f.Add([]byte(`{"type":"run","run":"r","nodes":[{"name":"a","kind":"k"}]}
{"type":"init","run":"r","step":0,"at":0,"node":"a","state":{"s":"</script>"},"timers":[{"name":"t","after":5}]}
{"type":"timer","run":"r","step":1,"at":5,"node":"a","timer":"t","state":{}}
{"type":"crash","run":"r","step":2,"at":6,"node":"a"}
{"type":"drop","run":"r","step":3,"at":7,"from":"a","to":"b","sent_step":0,"reason":"crash"}
{"type":"restart","run":"r","step":4,"at":8,"node":"a","state":{"s":1}}
{"type":"panic","run":"r","step":5,"at":9,"node":"a","panic":"boom","stack":"<"}
{"type":"end","run":"r","step":6,"at":9,"reason":"quiescent"}
{"type":"verdict","run":"r","valid":false,"witness":{"step":3,"ops":[{"invoke_step":1}]}}
`))
	f.Add([]byte(`{"type":"invoke","step":0,"at":0,"client":0,"op":{"type":"read"},"sends":[{"id":"m1","to":"n","body":{}}]}
{"type":"deliver","step":1,"at":1,"id":"m1","from":"c0","to":"n","sent_step":0,"sends":[{"id":"m2","to":"c0","body":{"type":"read_ok","value":"\u2028"}}]}
{"type":"ok","step":2,"at":2,"client":0,"id":"m2","from":"n","reply":{"type":"read_ok","value":"\u2028"}}
`))
	f.Add([]byte("{\"type\":\"init\",\"step\":1e400,\"at\":0}\n"))
	f.Add([]byte(`{"type":"init","run":"r","step":0,"at":0,"node":"</script>","state":{}}
{"type":"cover","section":"states","nodes":[{"node":"</script>","distinct":2,"records":3,"curve":[1,2,2]}],"distinct":2,"curve":[{"run":"r","new":1,"distinct":1},{"run":"</script>","new":1,"distinct":2},{"run":"x","new":0,"distinct":2}],"flat_runs":1}
`))
	f.Fuzz(func(t *testing.T, input []byte) {
		var out bytes.Buffer
		err := Write(&out, bytes.NewReader(input), Options{Name: "fuzz", At: AtAuto})
		if err != nil {
			var ie *formats.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error is not an InputError: %v", err)
			}
			return
		}
		p := out.Bytes()
		if n := bytes.Count(bytes.ToLower(p), []byte("</script")); n != 3 {
			t.Fatalf("%d </script in the page, want 3", n)
		}
		meta, lines := embedded(t, p)
		if meta["stride"] != float64(stepStride) {
			t.Fatalf("meta: %v", meta)
		}
		for i, l := range lines {
			if !json.Valid([]byte(l)) {
				t.Fatalf("line %d is not JSON: %q", i, l)
			}
		}
	})
}

// FuzzEscape checks appendEscaped against encoding/json's HTMLEscape.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{`{"a":"</script>"}`, "\u2028\u2029\xe2\x80\xe2\x80\xa8 & <!--", "\xe2", "\xe2\x80", `plain`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		var want bytes.Buffer
		json.HTMLEscape(&want, src)
		if got := appendEscaped(nil, src); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("appendEscaped(%q) = %q, want %q", src, got, want.Bytes())
		}
	})
}
