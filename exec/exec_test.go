package exec_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
)

type inner struct {
	hidden int
	Shown  string `json:"shown"`
}

type dur struct{ D time.Duration }

type stateful struct {
	Count   int
	private []string
	m       map[string]int
	im      map[int]bool
	p       *inner
	in      inner
	skip    func()
	Tagged  int `json:"tagged,omitempty"`
	Omitted int `json:"-"`
	raw     json.RawMessage
	iface   any
	d       dur
	bytes   []byte
	nested  map[string]map[int][]string
}

func TestDumpStateIncludesUnexported(t *testing.T) {
	s := &stateful{Count: 1, private: []string{"a\"b"}, m: map[string]int{"z": 1, "a": 2}, im: map[int]bool{10: true, 9: false},
		p: &inner{hidden: 3, Shown: "x"}, Omitted: 5, raw: json.RawMessage(`{"k":[1]}`), iface: 1.5, d: dur{time.Second}, bytes: []byte("hi"),
		nested: map[string]map[int][]string{"b": {2: {"x"}, 10: nil}, "a": {}}}
	got, err := exec.DumpState(s)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Count":1,"private":["a\"b"],"m":{"a":2,"z":1},"im":{"10":true,"9":false},"p":{"hidden":3,"shown":"x"},"in":{"hidden":0,"shown":""},"raw":{"k":[1]},"iface":1.5,"d":{"D":1000000000},"bytes":"aGk=","nested":{"a":{},"b":{"10":null,"2":["x"]}}}`
	if string(got) != want {
		t.Errorf("DumpState:\n got %s\nwant %s", got, want)
	}
	if !json.Valid(got) {
		t.Error("not valid JSON")
	}
}

type marshals struct{ X int }

func (m *marshals) MarshalJSON() ([]byte, error) { return []byte(`{"custom":true}`), nil }

func TestDumpStateUsesMarshaler(t *testing.T) {
	got, _ := exec.DumpState(&marshals{X: 1})
	if string(got) != `{"custom":true}` {
		t.Errorf("got %s", got)
	}
}

// counter keeps a count in memory and on disk and replies with both.
type counter struct{ Mem, Durable int }

func (c *counter) Receive(env exec.Env, ev exec.Event) {
	switch ev.Kind {
	case exec.Init, exec.Restart:
		env.Disk().Get("n", &c.Durable)
	case exec.Message:
		c.Mem++
		c.Durable++
		env.Disk().Put("n", c.Durable)
		env.Reply(ev, map[string]any{"type": "inc_ok", "mem": c.Mem, "durable": c.Durable, "r": env.Rand().IntN(1000)})
	}
}

func step(t *testing.T, x *exec.Executor, n int64, kind string, body string) *formats.EffectsReply {
	t.Helper()
	req := &formats.StepRequest{Type: "step", Step: n, At: n, Now: n, Node: "n1", Event: formats.Event{Kind: kind, ID: "m", From: "c0", Body: json.RawMessage(body)}}
	r, err := x.Step(req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDiskSurvivesRestartAndRandIsSeeded(t *testing.T) {
	replies := func(seed uint64) []string {
		x := exec.NewExecutor(exec.Kinds{"counter": func() exec.Node { return &counter{} }}, "t")
		h, _ := x.Hello(formats.Hello{Version: 1, Seed: seed, Nodes: []formats.NodeSpec{{Name: "n1", Kind: "counter"}}})
		if h.Error != "" {
			t.Fatal(h.Error)
		}
		step(t, x, 0, exec.Init, "")
		var out []string
		for i, k := range []string{exec.Message, exec.Message, exec.Restart, exec.Message} {
			r := step(t, x, int64(i+1), k, `{"type":"inc","msg_id":4}`)
			for _, s := range r.Sends {
				out = append(out, string(s.Body))
			}
		}
		return out
	}
	a := replies(1)
	if len(a) != 3 || !strings.Contains(a[2], `"mem":1`) || !strings.Contains(a[2], `"durable":3`) || !strings.Contains(a[2], `"in_reply_to":4`) {
		t.Errorf("after restart want mem 1 and durable 3: %v", a)
	}
	if b := replies(1); strings.Join(a, "") != strings.Join(b, "") {
		t.Errorf("same seed, different replies:\n%v\n%v", a, b)
	}
	if c := replies(2); strings.Join(a, "") == strings.Join(c, "") {
		t.Errorf("different seeds, same random draws: %v", c)
	}
}

func TestHelloRejectsUnknownKind(t *testing.T) {
	x := exec.NewExecutor(exec.Kinds{"a": func() exec.Node { return &counter{} }}, "t")
	h, _ := x.Hello(formats.Hello{Version: 1, Nodes: []formats.NodeSpec{{Name: "n", Kind: "b"}}})
	if !strings.Contains(h.Error, `unknown node kind for n=b (kinds: a)`) {
		t.Errorf("got %q", h.Error)
	}
}

// TestServeOverFIFOs runs the protocol over real named pipes.
func TestServeOverFIFOs(t *testing.T) {
	dir := t.TempDir()
	in, out, err := exec.MakeFIFOs(dir)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- exec.Serve(exec.Kinds{"counter": func() exec.Node { return &counter{} }}, in, out) }()
	w, err := os.OpenFile(filepath.Join(dir, "in"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	r, err := os.OpenFile(filepath.Join(dir, "out"), os.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	reqs := `{"type":"hello","version":1,"seed":3,"nodes":[{"name":"n1","kind":"counter"}]}
{"type":"step","step":0,"at":0,"now":0,"node":"n1","event":{"kind":"init"}}
{"type":"step","step":1,"at":5,"now":5,"node":"n1","event":{"kind":"message","id":"m1","from":"c0","body":{"type":"inc","msg_id":1}}}
{"type":"bye"}
`
	if _, err := w.WriteString(reqs); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fr := formats.NewReader(r, "out")
	var types []string
	for i := 0; i < 3; i++ {
		l, err := fr.Next()
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, l.Type())
		if i == 2 && !strings.Contains(string(l.Data), `"sends":[{"to":"c0","body":{"durable":1,"mem":1,"r":`) {
			t.Errorf("effects: %s", l.Data)
		}
	}
	if strings.Join(types, ",") != "hello,effects,effects" {
		t.Errorf("replies %v", types)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestServeBatch: a "steps" request is answered by one "effects_batch"
// line with the effects of each step, in order, as single steps would be.
func TestServeBatch(t *testing.T) {
	kinds := exec.Kinds{"counter": func() exec.Node { return &counter{} }}
	hello := `{"type":"hello","version":1,"seed":3,"nodes":[{"name":"n1","kind":"counter"},{"name":"n2","kind":"counter"}]}` + "\n"
	s0 := `{"type":"step","step":0,"at":0,"now":0,"node":"n1","event":{"kind":"init"}}`
	s1 := `{"type":"step","step":1,"at":0,"now":0,"node":"n2","event":{"kind":"init"}}`
	s2 := `{"type":"step","step":2,"at":5,"now":5,"node":"n1","event":{"kind":"message","id":"m1","from":"c0","body":{"type":"inc","msg_id":1}}}`
	var one, batch strings.Builder
	if err := exec.ServeStreams(exec.NewExecutor(kinds, "t"), strings.NewReader(hello+s0+"\n"+s1+"\n"+s2+"\n"), &one, "in"); err != nil {
		t.Fatal(err)
	}
	if err := exec.ServeStreams(exec.NewExecutor(kinds, "t"), strings.NewReader(hello+`{"type":"steps","steps":[`+s0+","+s1+","+s2+"]}\n"), &batch, "in"); err != nil {
		t.Fatal(err)
	}
	singles := strings.Split(strings.TrimSpace(one.String()), "\n")[1:]
	want := `{"type":"effects_batch","effects":[` + strings.Join(singles, ",") + "]}"
	if got := strings.Split(strings.TrimSpace(batch.String()), "\n")[1]; got != want {
		t.Errorf("batch:\n got %s\nwant %s", got, want)
	}
}

// FuzzServe: whatever a scheduler sends, an executor answers or stops
// with an error; it never panics.
func FuzzServe(f *testing.F) {
	f.Add([]byte(`{"type":"hello","version":1,"seed":3,"nodes":[{"name":"n1","kind":"counter"}]}
{"type":"step","step":0,"at":0,"now":0,"node":"n1","event":{"kind":"init"}}
{"type":"step","step":1,"at":5,"now":5,"node":"n1","event":{"kind":"message","id":"m1","from":"c0","body":{"type":"inc","msg_id":1}}}
{"type":"bye"}
`))
	f.Add([]byte(`{"type":"step","step":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x := exec.NewExecutor(exec.Kinds{"counter": func() exec.Node { return &counter{} }}, "t")
		var out strings.Builder
		_ = exec.ServeStreams(x, strings.NewReader(string(data)), &out, "in")
	})
}

// peers records the run's nodes it is told about at Init and Restart.
type peers struct{ Seen []string }

func (p *peers) Receive(env exec.Env, ev exec.Event) {
	for _, n := range ev.Nodes {
		p.Seen = append(p.Seen, n.Name+"="+n.Kind)
	}
}

func TestInitAndRestartCarryTheRunsNodes(t *testing.T) {
	x := exec.NewExecutor(exec.Kinds{"p": func() exec.Node { return &peers{} }, "q": func() exec.Node { return &peers{} }}, "t")
	x.Hello(formats.Hello{Version: 1, Nodes: []formats.NodeSpec{{Name: "n1", Kind: "p"}, {Name: "b", Kind: "q"}}})
	for i, kind := range []string{exec.Init, exec.Message, exec.Restart} {
		r := step(t, x, int64(i), kind, `{"type":"x"}`)
		if want := `{"Seen":["n1=p","b=q"]}`; string(r.State) != want {
			t.Errorf("after %s: state %s, want %s", kind, r.State, want)
		}
	}
}
