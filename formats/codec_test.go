package formats_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/detsys/detsys/formats"
)

// TestProtocolCodecs: the hand-written protocol codecs write what
// encoding/json writes and read back what they wrote.
func TestProtocolCodecs(t *testing.T) {
	reqs := []formats.StepRequest{
		{Type: "step", Step: 0, At: 0, Now: 0, Node: "n", Event: formats.Event{Kind: "init"}},
		{Type: "step", Step: 4, At: 2013000, Now: 2013100, Node: "register1", Event: formats.Event{Kind: "message", ID: "m2", From: "frontend", Body: json.RawMessage(`{"type":"write","value":"<é>"}`)}},
		{Type: "step", Step: 9, At: 5, Now: 5, Node: "a\"b", Event: formats.Event{Kind: "timer", Timer: "retry-1"}},
	}
	for _, r := range reqs {
		want, _ := json.Marshal(r)
		got := r.AppendJSON(nil)
		if string(got) != string(want) && !jsonEqual(got, want) {
			t.Errorf("StepRequest:\n got %s\nwant %s", got, want)
		}
		var back formats.StepRequest
		if err := formats.ParseStepRequest(got, &back); err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("ParseStepRequest(%s) = %+v, %v", got, back, err)
		}
	}
	replies := []formats.EffectsReply{
		{Type: "effects", Step: 1, State: json.RawMessage(`{}`)},
		{Type: "effects", Step: 2, Sends: []formats.Send{{To: "a", Body: json.RawMessage(`{"type":"x"}`)}, {To: "c0", Body: json.RawMessage(`{"type":"y","in_reply_to":1}`)}},
			Timers: []formats.TimerSet{{Name: "tick", After: 1000}}, Cancel: []string{"old"}, State: json.RawMessage(`{"v":[1,2]}`), Logs: []string{"hi\n"}},
		{Type: "effects", Step: 3, Panic: "boom", Stack: "main.f\n\tx.go:1"},
	}
	for _, r := range replies {
		want, _ := json.Marshal(r)
		got := r.AppendJSON(nil)
		if !jsonEqual(got, want) {
			t.Errorf("EffectsReply:\n got %s\nwant %s", got, want)
		}
		var back formats.EffectsReply
		if err := formats.ParseEffects(got, &back); err != nil {
			t.Fatal(err)
		}
		again := back.AppendJSON(nil)
		if string(again) != string(got) {
			t.Errorf("ParseEffects round trip:\n got %s\nwant %s", again, got)
		}
	}
}

func TestParseEffectsRejects(t *testing.T) {
	for _, bad := range []string{
		`{"type":"effects","step":"one"}`,
		`{"type":"effects","step":1,"sends":[{"to":"a","body":3}]}`,
		`{"type":"effects","step":1,"timers":[{"name":"t"}]}`,
		`{"type":"effects","step":1,"sends":{}}`,
		`{"type":"effects","step":1`,
	} {
		var r formats.EffectsReply
		if err := formats.ParseEffects([]byte(bad), &r); err == nil {
			t.Errorf("ParseEffects(%s) accepted it", bad)
		}
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

func FuzzParseEffects(f *testing.F) {
	f.Add([]byte(`{"type":"effects","step":2,"sends":[{"to":"a","body":{"type":"x"}}],"timers":[{"name":"t","after":1}],"state":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r formats.EffectsReply
		if formats.ParseEffects(data, &r) != nil {
			return
		}
		out := r.AppendJSON(nil)
		if !json.Valid(out) {
			t.Fatalf("accepted %q and wrote invalid JSON %q", data, out)
		}
	})
}
