package workload

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/detsys/detsys/formats"
)

func TestParseNodes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []formats.NodeSpec
		err  string
	}{
		{in: "frontend=frontend1,register1=register", want: []formats.NodeSpec{{Name: "frontend", Kind: "frontend1"}, {Name: "register1", Kind: "register"}}},
		{in: " n = faulty ", err: "not NAME=KIND"},
		{in: "n=faulty", want: []formats.NodeSpec{{Name: "n", Kind: "faulty"}}},
		{in: "frontend", err: `"frontend" is not NAME=KIND`},
		{in: "a=x,", err: `"" is not NAME=KIND`},
		{in: "=x", err: "not NAME=KIND"},
		{in: "a=x=y", err: "not NAME=KIND"},
		{in: "a=x,a=y", err: `node "a" named twice`},
		{in: "c0=register", err: "reserved for clients"},
		{in: "c=register,cx=register", want: []formats.NodeSpec{{Name: "c", Kind: "register"}, {Name: "cx", Kind: "register"}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseNodes(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseNodes(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ParseNodes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func registerConfig() Config {
	nodes, _ := ParseNodes(Workloads[0].Nodes)
	return Config{Nodes: nodes, Clients: 3, Ops: 1000, Target: "frontend", Values: 5, Seed: 1}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		err  string
	}{
		{"ok", func(*Config) {}, ""},
		{"unknown target", func(c *Config) { c.Target = "frontnd" }, `--target "frontnd" is not a node (nodes: frontend, register1, register2)`},
		{"ops without clients", func(c *Config) { c.Clients = 0 }, "no clients"},
		{"no ops, no clients", func(c *Config) { c.Clients, c.Ops = 0, 0 }, ""},
		{"no values", func(c *Config) { c.Values = 0 }, "at least 1"},
		{"negative ops", func(c *Config) { c.Ops = -1 }, "must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := registerConfig()
			tc.edit(&cfg)
			err := cfg.Check()
			if (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("Check() = %v, want %q", err, tc.err)
			}
		})
	}
}

func TestGenerateRegister(t *testing.T) {
	cfg := registerConfig()
	w, _ := Lookup("register")
	test, ops, err := Generate(w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := formats.TestID(test, ops); id != test.Test {
		t.Errorf("test id %s, but TestID gives %s", test.Test, id)
	}
	reads := 0
	for i, op := range ops {
		if op.Client != i%cfg.Clients || op.Node != "frontend" || op.Type != formats.TypeOp {
			t.Fatalf("op %d: %+v, want client %d, node frontend", i, op, i%cfg.Clients)
		}
		var body struct {
			Type  string `json:"type"`
			Value *int   `json:"value"`
		}
		if err := json.Unmarshal(op.Body, &body); err != nil {
			t.Fatal(err)
		}
		switch {
		case body.Type == "read" && body.Value == nil:
			reads++
		case body.Type == "write" && body.Value != nil && *body.Value >= 1 && *body.Value <= cfg.Values:
		default:
			t.Fatalf("op %d: body %s", i, op.Body)
		}
	}
	if reads < 400 || reads > 600 {
		t.Errorf("%d reads of %d ops; want about half", reads, len(ops))
	}

	test2, ops2, _ := Generate(w, cfg)
	if test2.Test != test.Test || !reflect.DeepEqual(ops2, ops) {
		t.Error("the same config generated a different test")
	}
	cfg.Seed++
	if test3, _, _ := Generate(w, cfg); test3.Test == test.Test {
		t.Error("another seed generated the same test")
	}
}

// The Maelstrom workloads: the bodies their checkers read, values unique
// where the checkers need them, the same bytes from the same config.
func TestGenerateMaelstromWorkloads(t *testing.T) {
	for _, tc := range []struct {
		name  string
		types []string // the body types it may draw
		// unique extracts the values that must be unique in a body.
		unique func(body []byte) []string
	}{
		{"kv", []string{"read", "write", "cas"}, nil},
		{"list-append", []string{"txn"}, txnWrites},
		{"rw-register", []string{"txn"}, txnWrites},
		{"set", []string{"add", "read"}, field("element")},
		{"counter", []string{"add", "read"}, nil},
		{"broadcast", []string{"topology", "broadcast", "read"}, field("message")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, ok := Lookup(tc.name)
			if !ok {
				t.Fatalf("no workload %q", tc.name)
			}
			nodes, _ := ParseNodes(w.Nodes)
			cfg := Config{Nodes: nodes, Clients: 4, Ops: 500, Target: nodes[0].Name, Values: 5, Seed: 1}
			test, ops, err := Generate(w, cfg)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for i, op := range ops {
				var body struct {
					Type string `json:"type"`
				}
				if err := json.Unmarshal(op.Body, &body); err != nil || !slices.Contains(tc.types, body.Type) {
					t.Fatalf("op %d: body %s (types: %v)", i, op.Body, tc.types)
				}
				if tc.unique != nil {
					for _, v := range tc.unique(op.Body) {
						if seen[v] {
							t.Fatalf("op %d: value %s drawn twice", i, v)
						}
						seen[v] = true
					}
				}
				want := cfg.Target
				if w.Spread {
					want = nodes[op.Client%len(nodes)].Name
				}
				if op.Node != want {
					t.Fatalf("op %d of client %d goes to %s, want %s", i, op.Client, op.Node, want)
				}
			}
			_, again, _ := Generate(w, cfg)
			if !reflect.DeepEqual(again, ops) {
				t.Error("the same config generated a different test")
			}
			cfg.Seed++
			if other, _, _ := Generate(w, cfg); other.Test == test.Test {
				t.Error("another seed generated the same test")
			}
		})
	}
}

// Broadcast: each node gets the topology first and a read last.
func TestBroadcastTopologyAndFinalReads(t *testing.T) {
	w, _ := Lookup("broadcast")
	nodes, _ := ParseNodes(w.Nodes)
	_, ops, err := Generate(w, Config{Nodes: nodes, Clients: 3, Ops: 30, Target: "n1", Values: 5})
	if err != nil {
		t.Fatal(err)
	}
	for c := range 3 {
		first, last := ops[c], ops[len(ops)-3+c]
		if !strings.Contains(string(first.Body), `"type":"topology"`) || string(last.Body) != `{"type":"read"}` {
			t.Errorf("client %d: first op %s, last %s", c, first.Body, last.Body)
		}
	}
}

func txnWrites(body []byte) []string {
	var b struct{ Txn [][3]json.RawMessage }
	json.Unmarshal(body, &b)
	var out []string
	for _, m := range b.Txn {
		if string(m[0]) != `"r"` {
			out = append(out, string(m[1])+"="+string(m[2]))
		}
	}
	return out
}

func field(name string) func([]byte) []string {
	return func(body []byte) []string {
		var b map[string]json.RawMessage
		json.Unmarshal(body, &b)
		if v, ok := b[name]; ok {
			return []string{string(v)}
		}
		return nil
	}
}

// The protocol workloads: Molly's node names, no clients, no ops, and the
// same bytes from the same flags.
func TestProtocolWorkloads(t *testing.T) {
	for _, tc := range []struct {
		workload, protocol string
		n                  int
		want               string
	}{
		{"delivery", "", 0, "a=simple-deliv b=simple-deliv c=simple-deliv"},
		{"delivery", "classic-deliv", 4, "a=classic-deliv b=classic-deliv c=classic-deliv d=classic-deliv"},
		{"commit", "", 0, "C=2pc-coord a=2pc-agent b=2pc-agent d=2pc-agent"},
		{"commit", "3pc", 2, "C=3pc-coord a=3pc-agent b=3pc-agent"},
	} {
		test, err := ProtocolTest(tc.workload, tc.protocol, tc.n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, n := range test.Nodes {
			got = append(got, n.Name+"="+n.Kind)
		}
		if strings.Join(got, " ") != tc.want || test.Clients != 0 {
			t.Errorf("%s %s %d: %v, %d clients; want %s, no clients", tc.workload, tc.protocol, tc.n, got, test.Clients, tc.want)
		}
		again, _ := ProtocolTest(tc.workload, tc.protocol, tc.n)
		if again.Test != test.Test {
			t.Errorf("%s: two ids for the same test", tc.workload)
		}
	}
	if _, err := ProtocolTest("delivery", "3pc", 3); err == nil || !strings.Contains(err.Error(), `--protocol "3pc": unknown`) {
		t.Errorf("got %v", err)
	}
	if _, err := ProtocolTest("commit", "2pc", 26); err == nil || !strings.Contains(err.Error(), "at most 25 nodes") {
		t.Errorf("got %v", err)
	}
	if _, err := ProtocolTest("register", "", 0); err == nil {
		t.Error("register is not a protocol workload")
	}
}
