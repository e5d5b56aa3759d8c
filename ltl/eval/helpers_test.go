package eval

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/ltl/formula"
)

// A test trace is written compactly: positions separated by ';', each a
// list of the atoms true there (p, q, r), optionally v=N, and @TIME.
// "p q@0; p@5ms; @12ms" is three steps of node n. In a formula, $p, $q,
// $r and $v stand for state.n.p, state.n.q, state.n.r, state.n.v.

type tpos struct {
	p, q, r bool
	v       int
	at      int64
}

func parseTrace(t testing.TB, s string) []tpos {
	var out []tpos
	var at int64
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		var p tpos
		if i := strings.IndexByte(part, '@'); i >= 0 {
			d, err := time.ParseDuration(part[i+1:])
			if err != nil && part[i+1:] != "0" {
				t.Fatalf("bad time in %q", part)
			}
			at = int64(d)
			part = part[:i]
		}
		p.at = at
		for _, f := range strings.Fields(part) {
			switch {
			case f == "p":
				p.p = true
			case f == "q":
				p.q = true
			case f == "r":
				p.r = true
			case f == "_":
			case strings.HasPrefix(f, "v="):
				p.v, _ = strconv.Atoi(f[2:])
			default:
				t.Fatalf("bad atom %q", f)
			}
		}
		out = append(out, p)
	}
	return out
}

// records renders a test trace as a detsys trace of one run.
func records(run string, tr []tpos) []string {
	out := []string{fmt.Sprintf(`{"type":"run","run":%q,"test":"t","seed":1,"nodes":[{"name":"n","kind":"k"}]}`, run)}
	for i, p := range tr {
		out = append(out, fmt.Sprintf(`{"type":"deliver","run":%q,"step":%d,"at":%d,"id":"m%d","from":"c0","to":"n","body":{"type":"x"},"state":{"p":%v,"q":%v,"r":%v,"v":%d}}`,
			run, i, p.at, i, p.p, p.q, p.r, p.v))
	}
	return out
}

var atomWord = regexp.MustCompile(`\$([pqrv])\b`)

// expand turns the test shorthand into a formula.
func expand(f string) string { return atomWord.ReplaceAllString(f, "state.n.$1") }

// run evaluates a formula on records through the Checker, as ltl does.
func run(t testing.TB, src string, recs []string) []Verdict {
	e, err := formula.Parse(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	c := NewChecker([]Formula{{Src: src, Origin: "test", Expr: e}})
	for i, r := range recs {
		if err := c.Record(formats.Line{Data: []byte(r), File: "test", No: i + 1}); err != nil {
			t.Fatalf("%s: record %d: %v", src, i+1, err)
		}
	}
	return c.Verdicts()
}
