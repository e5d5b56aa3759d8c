package formula

import (
	"strings"
	"testing"
)

// TestParsePrint: each formula parses, and prints back in canonical form
// (which parses to the same tree, checked by printing again).
func TestParsePrint(t *testing.T) {
	cases := []struct{ in, want string }{
		{"[] (state.register1.value == state.register2.value)", "[] (state.register1.value == state.register2.value)"},
		{"[](event.type==\"invoke\"-><>[<=10s]event.type==\"ok\")", `[] (event.type == "invoke" -> <>[<=10s] (event.type == "ok"))`},
		{"[][<5s] at < 1m30s", "[][<5s] (at < 1m30s)"},
		{"forall n: [] (state[n].x >= 0 && len(state[n].log) < 3)", "forall n: [] (state[n].x >= 0 && len(state[n].log) < 3)"},
		{"exists i in 0..3: <> state.a.b[i] == [1, 2, {\"a\": null}]", `exists i in 0..3: <> (state.a.b[i] == [1,2,{"a":null}])`},
		{"forall x in crashed: x != \"n1\"", `forall x in crashed: x != "n1"`},
		{"state.x.0.1 + -2 * (3 - at) > 5s # a comment", "state.x.0.1 + -2 * (3 - at) > 5s"},
		{"state.n.log.# == 0 && state.n.log.#.id == []", "state.n.log.# == 0 && state.n.log.#.id == []"},
		{`state."node-1"."a.b" == 1`, `state."node-1"."a.b" == 1`},
		{"!(X state.n.x == 1) W (WX state.n.y) R state.n.z", "!X (state.n.x == 1) W WX state.n.y R state.n.z"},
		{"(event.type == \"a\" U event.type == \"b\") U step > 3", `(event.type == "a" U event.type == "b") U step > 3`},
		{"a_is_not_a_root_but_in_is == 1", ""}, // error, see TestParseErrors
		{"true -> false <-> true", "true -> false <-> true"},
		{"(true -> false) -> true", "(true -> false) -> true"},
		{"[] <> X WX !true", "[] <> X WX !true"},
		{"- -1 == 1 && -(at) < 0 && - - at == at", "- -1 == 1 && -at < 0 && - -at == at"},
		{"step % 2 == 0 || step / 2 * 2 == step - 0", "step % 2 == 0 || step / 2 * 2 == step - 0"},
		{"\"c\" in [\"a\",\"c\"] && \"k\" in {\"k\":1} && \"ell\" in \"hello\"", `"c" in ["a","c"] && "k" in {"k":1} && "ell" in "hello"`},
		{"state.n.x\n&& # comment\nstate.n.y", "state.n.x && state.n.y"},
		{"forall n: forall m: state[n].v == state[m].v", "forall n: forall m: state[n].v == state[m].v"},
		{"(forall n: state[n].v) && true", "(forall n: state[n].v) && true"},
		{"event.body.in == 1 && event.X.U == 2", "event.body.in == 1 && event.X.U == 2"},
	}
	for _, c := range cases {
		if c.want == "" {
			continue
		}
		t.Run(c.in, func(t *testing.T) {
			e, err := Parse(c.in)
			if err != nil {
				t.Fatal(err)
			}
			got := String(e)
			if got != c.want {
				t.Fatalf("printed\n  %s\nwant\n  %s", got, c.want)
			}
			e2, err := Parse(got)
			if err != nil {
				t.Fatalf("reparse %q: %v", got, err)
			}
			if again := String(e2); again != got {
				t.Fatalf("not a fixed point: %q then %q", got, again)
			}
		})
	}
}

// TestPrecedence pins how operators group, by the canonical print of
// the explicit parenthesization.
func TestPrecedence(t *testing.T) {
	same := [][2]string{
		{"[] true -> false", "([] true) -> false"},
		{"true -> false -> true", "true -> (false -> true)"},
		{"true || false && true", "true || (false && true)"},
		{"true && false U true", "true && (false U true)"},
		{"true U false U true", "true U (false U true)"},
		{"!true U false", "(!true) U false"},
		{"X true && false", "(X true) && false"},
		{"step + 1 * 2 == 3", "(step + (1 * 2)) == 3"},
		{"step - 1 - 2 == 3", "((step - 1) - 2) == 3"},
		{"forall n: true && false", "forall n: (true && false)"},
		{"true && exists n: true || false", "true && (exists n: (true || false))"},
		{"<>[<=1s] true U false", "(<>[<=1s] true) U false"},
	}
	for _, c := range same {
		a, b := MustParse(c[0]), MustParse(c[1])
		if String(a) != String(b) {
			t.Errorf("%q parsed as %q, want %q", c[0], String(a), String(b))
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in        string
		line, col int
		msg       string
	}{
		{"", 1, 1, "empty formula"},
		{"# only a comment", 1, 17, "empty formula"},
		{"[] (state.r.v == 1", 1, 19, "expected ')' to close the '(' at column 4, got end of formula"},
		{"[] (a == 1)", 1, 5, `unknown name "a"`},
		{"state.r.v = 1", 1, 11, "equality is '=='"},
		{"state.r.v == 1 & true", 1, 16, "'and' is '&&'"},
		{"state.r.v == 1 | true", 1, 16, "'or' is '||'"},
		{"1 < step < 3", 1, 10, "comparisons do not chain"},
		{"(true && false) + 1", 1, 17, "left operand of + is a formula"},
		{"step + (true && false) == 1", 1, 8, "right operand of + is a formula"},
		{"<>[<=10] true", 1, 6, "expected a duration"},
		{"<>[10s] true", 1, 4, "expected '<=' or '<'"},
		{"<>[<=10s true", 1, 10, "expected ']' to close the time bound"},
		{"at < 10parsecs", 1, 6, `bad duration "10parsecs"`},
		{"forall : true", 1, 8, "expected a variable name after forall"},
		{"forall state: true", 1, 8, `"state" cannot be a variable`},
		{"forall n true", 1, 10, "expected ':' after the quantified variable"},
		{"forall n: state[m].x", 1, 17, `unknown name "m"`},
		{"(forall n: true) && state[n].x", 1, 27, `unknown name "n"`},
		{"state == 1", 1, 1, "state needs a node"},
		{"at.x == 1", 1, 1, "at is a number"},
		{"state.r.", 1, 9, "expected a field name"},
		{"state.r.v == \"abc", 1, 14, "string not closed"},
		{`state.r.v == "\x41"`, 1, 14, "bad string"},
		{"step == 01", 1, 9, "no leading zeros"},
		{"true\n&& (false ||\n   )", 3, 4, "expected a formula or value"},
		{"true false", 1, 6, "expected an operator (&&, ||, ->, U, W, R) or the end of the formula, got \"false\""},
		{"len(step, 1) == 1", 1, 9, "expected ')' to close len"},
		{"state.r.v == [1, step]", 1, 18, "expected a JSON literal"},
		{"step @ 1", 1, 6, "unexpected character '@'"},
		{"X", 1, 2, "expected a formula or value"},
		{"<> U true", 1, 4, "unexpected keyword \"U\""},
		{"état.x == 1", 1, 1, "unknown name \"état\""},
		{"true && état == 1", 1, 9, "unknown name"},
		{strings.Repeat("(", 600) + "true" + strings.Repeat(")", 600), 1, 0, "nested too deeply"},
		{strings.Repeat("!", 600) + "true", 1, 0, "nested too deeply"},
		{strings.Repeat("[", 600), 1, 0, "nested too deeply"},
	}
	for _, c := range cases {
		name := c.in
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			_, err := Parse(c.in)
			if err == nil {
				t.Fatal("parsed")
			}
			fe, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v, want *Error", err, err)
			}
			if fe.Line != c.line || (c.col != 0 && fe.Col != c.col) || !strings.Contains(fe.Msg, c.msg) {
				t.Fatalf("got %d:%d: %s\nwant %d:%d: …%s…\n%s", fe.Line, fe.Col, fe.Msg, c.line, c.col, c.msg, fe.Caret())
			}
		})
	}
}

func TestStripComments(t *testing.T) {
	cases := [][2]string{
		{"[] p  # agreement", "[] p"},
		{"  a == \"#x\" # c\n && b.# > 1 # d ", "a == \"#x\"\n && b.# > 1"},
		{"# only", ""},
		{"a\t\n\n# c\nb", "a\n\n\nb"},
	}
	for _, c := range cases {
		if got := StripComments(c[0]); got != c[1] {
			t.Errorf("StripComments(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestCaret(t *testing.T) {
	_, err := Parse("true &&\n\t[] (state.r.v == 1")
	want := "\t\t[] (state.r.v == 1\n\t\t                  ^"
	if got := err.(*Error).Caret(); got != want {
		t.Fatalf("caret\n%s\nwant\n%s", got, want)
	}
	if got := err.Error(); got != "2:20: expected ')' to close the '(' at column 5, got end of formula" {
		t.Fatal(got)
	}
}

// FuzzParse: Parse never panics, and a formula that parses prints to a
// fixed point of Parse∘String.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"[] (state.register1.value == state.register2.value)",
		`[] (event.type == "invoke" -> <>[<=10s] event.type == "ok")`,
		"forall n: [] (state[n].x >= 0 && len(state[n].log) < 3)",
		`exists i in 0..3: <> (state.a.b[i] == [1,2,{"a":null}])`,
		"state.x.0.1 + -2 * (3 - at) > 5s # c",
		"!(X p == 1) W (WX q) R r",
		`state."n-1".#.id == [] <-> "x" in crashed`,
		"- - -1.5e3 % 2 == -0",
		"[][<1ms] <>[<=2h0m0s] X true",
		"forall x in nodes: exists y in prev[x].peers: y != x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T, want *Error", err)
			}
			return
		}
		s1 := String(e)
		e2, err := Parse(s1)
		if err != nil {
			t.Fatalf("%q printed as %q, which does not parse: %v", src, s1, err)
		}
		if s2 := String(e2); s2 != s1 {
			t.Fatalf("%q printed as %q, then as %q", src, s1, s2)
		}
	})
}
