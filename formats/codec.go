package formats

import (
	"fmt"
	"strconv"

	"github.com/tidwall/gjson"
)

// The executor protocol is the hot path of a FIFO run: one request and one
// reply per step, each encoded on one side and parsed on the other. These
// codecs do it without reflection; TestProtocolCodecs checks that they
// agree with encoding/json.

// AppendJSON appends the request as one line of JSON (no newline).
func (r *StepRequest) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = AppendString(b, r.Type)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, r.Step, 10)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, r.At, 10)
	b = append(b, `,"now":`...)
	b = strconv.AppendInt(b, r.Now, 10)
	b = append(b, `,"node":`...)
	b = AppendString(b, r.Node)
	b = append(b, `,"event":{"kind":`...)
	b = AppendString(b, r.Event.Kind)
	b = appendStr(b, "id", r.Event.ID)
	b = appendStr(b, "from", r.Event.From)
	b = appendRaw(b, "body", r.Event.Body)
	b = appendStr(b, "timer", r.Event.Timer)
	return append(b, '}', '}')
}

// AppendJSON appends the reply as one line of JSON (no newline).
func (r *EffectsReply) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = AppendString(b, r.Type)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, r.Step, 10)
	if len(r.Sends) > 0 {
		b = append(b, `,"sends":[`...)
		for i, m := range r.Sends {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"to":`...)
			b = AppendString(b, m.To)
			b = append(b, `,"body":`...)
			b = appendRawValue(b, m.Body)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendTimers(b, r.Timers)
	b = appendStrings(b, "cancel", r.Cancel)
	b = appendRaw(b, "state", r.State)
	b = appendStrings(b, "logs", r.Logs)
	b = appendStr(b, "panic", r.Panic)
	b = appendStr(b, "stack", r.Stack)
	return append(b, '}')
}

// ParseStepRequest reads a step request. Unknown fields are ignored;
// a field of the wrong type is a *FieldError.
func ParseStepRequest(data []byte, r *StepRequest) error {
	*r = StepRequest{}
	return eachField(data, func(k string, v gjson.Result) (err error) {
		switch k {
		case "type":
			r.Type, err = str(v, "type")
		case "step":
			r.Step, err = integer(v, "step")
		case "at":
			r.At, err = integer(v, "at")
		case "now":
			r.Now, err = integer(v, "now")
		case "node":
			r.Node, err = str(v, "node")
		case "event":
			if !v.IsObject() {
				return &FieldError{"event", "expected an object"}
			}
			v.ForEach(func(k, v gjson.Result) bool {
				switch k.Str {
				case "kind":
					r.Event.Kind, err = str(v, "event.kind")
				case "id":
					r.Event.ID, err = str(v, "event.id")
				case "from":
					r.Event.From, err = str(v, "event.from")
				case "timer":
					r.Event.Timer, err = str(v, "event.timer")
				case "body":
					r.Event.Body = raw(v)
				}
				return err == nil
			})
		}
		return err
	})
}

// ParseEffects reads an effects reply. Unknown fields are ignored; a field
// of the wrong type is a *FieldError.
func ParseEffects(data []byte, r *EffectsReply) error {
	*r = EffectsReply{Sends: r.Sends[:0], Timers: r.Timers[:0], Cancel: r.Cancel[:0], Logs: r.Logs[:0]}
	return eachField(data, func(k string, v gjson.Result) (err error) {
		switch k {
		case "type":
			r.Type, err = str(v, "type")
		case "step":
			r.Step, err = integer(v, "step")
		case "state":
			r.State = raw(v)
		case "panic":
			r.Panic, err = str(v, "panic")
		case "stack":
			r.Stack, err = str(v, "stack")
		case "sends":
			err = each(v, "sends", func(i int, m gjson.Result) error {
				var s Send
				var err error
				if s.To, err = str(m.Get("to"), fmt.Sprintf("sends[%d].to", i)); err != nil {
					return err
				}
				body := m.Get("body")
				if !body.IsObject() {
					return &FieldError{fmt.Sprintf("sends[%d].body", i), "a message body must be a JSON object"}
				}
				s.Body = raw(body)
				r.Sends = append(r.Sends, s)
				return nil
			})
		case "timers":
			err = each(v, "timers", func(i int, t gjson.Result) error {
				name, err := str(t.Get("name"), fmt.Sprintf("timers[%d].name", i))
				if err != nil {
					return err
				}
				after, err := integer(t.Get("after"), fmt.Sprintf("timers[%d].after", i))
				r.Timers = append(r.Timers, TimerSet{Name: name, After: after})
				return err
			})
		case "cancel", "logs":
			err = each(v, k, func(i int, s gjson.Result) error {
				x, err := str(s, fmt.Sprintf("%s[%d]", k, i))
				if k == "cancel" {
					r.Cancel = append(r.Cancel, x)
				} else {
					r.Logs = append(r.Logs, x)
				}
				return err
			})
		}
		return err
	})
}

// eachField checks that data is JSON and calls fn for each top-level
// field until fn returns an error.
func eachField(data []byte, fn func(k string, v gjson.Result) error) error {
	if !gjson.ValidBytes(data) {
		return &FieldError{Msg: "invalid JSON"}
	}
	var err error
	gjson.ParseBytes(data).ForEach(func(k, v gjson.Result) bool {
		err = fn(k.Str, v)
		return err == nil
	})
	return err
}

func str(v gjson.Result, field string) (string, error) {
	if v.Type != gjson.String {
		return "", &FieldError{field, fmt.Sprintf("expected a string, got %.40s", OrMissing(v))}
	}
	return v.Str, nil
}

func integer(v gjson.Result, field string) (int64, error) {
	if v.Type != gjson.Number {
		return 0, &FieldError{field, fmt.Sprintf("expected an integer, got %.40s", OrMissing(v))}
	}
	n, err := strconv.ParseInt(v.Raw, 10, 64)
	if err != nil {
		return 0, &FieldError{field, fmt.Sprintf("expected an integer, got %.40s", v.Raw)}
	}
	return n, nil
}

// OrMissing is v's JSON for an error message, or "nothing" where the field
// is absent ("expected an integer, got nothing").
func OrMissing(v gjson.Result) string {
	if !v.Exists() {
		return "nothing"
	}
	return v.Raw
}

func each(v gjson.Result, field string, fn func(int, gjson.Result) error) error {
	if !v.IsArray() {
		return &FieldError{field, "expected an array"}
	}
	var err error
	i := 0
	v.ForEach(func(_, x gjson.Result) bool {
		err = fn(i, x)
		i++
		return err == nil
	})
	return err
}

// raw copies a value's JSON out of the line it was parsed from.
func raw(v gjson.Result) []byte { return []byte(v.Raw) }
