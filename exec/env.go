package exec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/detsys/detsys/formats"
	"github.com/tidwall/gjson"
)

// env collects the effects of one step. One env per node, reused.
type env struct {
	self string
	now  time.Duration
	rng  *rand.Rand
	disk *disk
	out  *formats.EffectsReply
}

func (e *env) Self() string            { return e.self }
func (e *env) Now() time.Duration      { return e.now }
func (e *env) Rand() *rand.Rand        { return e.rng }
func (e *env) Disk() Disk              { return e.disk }
func (e *env) CancelTimer(name string) { e.out.Cancel = append(e.out.Cancel, name) }

func (e *env) SetTimer(name string, after time.Duration) {
	if after < 0 {
		after = 0
	}
	e.out.Timers = append(e.out.Timers, formats.TimerSet{Name: name, After: int64(after)})
}

func (e *env) Logf(format string, args ...any) {
	e.out.Logs = append(e.out.Logs, fmt.Sprintf(format, args...))
}

func (e *env) Send(to string, body any) {
	e.out.Sends = append(e.out.Sends, formats.Send{To: to, Body: encodeBody(body)})
}

func (e *env) Reply(req Event, body any) {
	b := encodeBody(body)
	if id := gjson.GetBytes(req.Body, "msg_id"); id.Exists() && !gjson.GetBytes(b, "in_reply_to").Exists() {
		b = withField(b, "in_reply_to", id.Raw)
	}
	e.out.Sends = append(e.out.Sends, formats.Send{To: req.From, Body: b})
}

// encodeBody turns a body into JSON. Bodies must be JSON objects; a body
// that cannot be encoded is a bug in the node, reported as its panic.
func encodeBody(body any) json.RawMessage {
	var b []byte
	switch v := body.(type) {
	case json.RawMessage:
		b = append([]byte(nil), v...)
	case []byte:
		b = append([]byte(nil), v...)
	default:
		var err error
		b, err = json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("exec: cannot encode message body %T: %v", body, err))
		}
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		panic(fmt.Sprintf("exec: message body must be a JSON object, got %.40s", b))
	}
	return b
}

// withField appends "key":raw to a JSON object.
func withField(obj []byte, key, raw string) []byte {
	out := make([]byte, 0, len(obj)+len(key)+len(raw)+4)
	out = append(out, obj[:len(obj)-1]...)
	if len(bytes.TrimSpace(obj[1:len(obj)-1])) > 0 {
		out = append(out, ',')
	}
	out = strconv.AppendQuote(out, key)
	out = append(out, ':')
	out = append(out, raw...)
	return append(out, '}')
}

// disk is a node's durable state, kept by the executor across restarts.
type disk struct{ m map[string][]byte }

func (d *disk) Put(key string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("exec: Disk.Put(%q): %v", key, err))
	}
	if d.m == nil {
		d.m = map[string][]byte{}
	}
	d.m[key] = b
}

func (d *disk) Get(key string, v any) bool {
	b, ok := d.m[key]
	if !ok {
		return false
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("exec: Disk.Get(%q) into %T: %v", key, v, err))
	}
	return true
}

func (d *disk) Delete(key string) { delete(d.m, key) }

func (d *disk) Keys() []string {
	return slices.Sorted(maps.Keys(d.m))
}
