package formats

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the record as one line of JSON (no newline), exactly
// as encoding/json with SetEscapeHTML(false) would write it, but without
// reflection: the scheduler writes one of these per step, and this is its
// hot path. Raw fields (op, reply, body, state) are copied as they are; the
// scheduler gets them from the executor already compact. TestAppendJSON
// checks the equivalence.
func (s *Step) AppendJSON(b []byte) []byte {
	b = append(b, `{"type":`...)
	b = AppendString(b, s.Type)
	b = append(b, `,"run":`...)
	b = AppendString(b, s.Run)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, s.Step, 10)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, s.At, 10)
	b = appendStr(b, "node", s.Node)
	if s.Client != nil {
		b = append(b, `,"client":`...)
		b = strconv.AppendInt(b, int64(*s.Client), 10)
	}
	b = appendRaw(b, "op", s.Op)
	b = appendRaw(b, "reply", s.Reply)
	b = appendStr(b, "error", s.Error)
	b = appendStr(b, "id", s.ID)
	b = appendStr(b, "from", s.From)
	b = appendStr(b, "to", s.To)
	b = appendIntPtr(b, "sent_at", s.SentAt)
	b = appendIntPtr(b, "sent_step", s.SentStep)
	b = appendRaw(b, "body", s.Body)
	b = appendStr(b, "reason", s.Reason)
	b = appendStr(b, "timer", s.Timer)
	b = appendRaw(b, "state", s.State)
	if len(s.Sends) > 0 {
		b = append(b, `,"sends":[`...)
		for i, m := range s.Sends {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = AppendString(b, m.ID)
			b = append(b, `,"to":`...)
			b = AppendString(b, m.To)
			b = append(b, `,"body":`...)
			b = appendRawValue(b, m.Body)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = appendTimers(b, s.Timers)
	b = appendStrings(b, "cancel", s.Cancel)
	b = appendStrings(b, "logs", s.Logs)
	b = appendStr(b, "panic", s.Panic)
	b = appendStr(b, "stack", s.Stack)
	b = appendIntPtr(b, "steps", s.Steps)
	b = appendIntPtr(b, "time", s.Time)
	return append(b, '}')
}

func appendTimers(b []byte, timers []TimerSet) []byte {
	if len(timers) == 0 {
		return b
	}
	b = append(b, `,"timers":[`...)
	for i, t := range timers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"name":`...)
		b = AppendString(b, t.Name)
		b = append(b, `,"after":`...)
		b = strconv.AppendInt(b, t.After, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendStr(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return AppendString(b, v)
}

func appendRaw(b []byte, key string, v []byte) []byte {
	if len(v) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return append(b, v...)
}

func appendRawValue(b []byte, v []byte) []byte {
	if len(v) == 0 {
		return append(b, "null"...)
	}
	return append(b, v...)
}

func appendIntPtr(b []byte, key string, v *int64) []byte {
	if v == nil {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return strconv.AppendInt(b, *v, 10)
}

func appendStrings(b []byte, key string, v []string) []byte {
	if len(v) == 0 {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, `":[`...)
	for i, s := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string the way encoding/json does with
// HTML escaping off: invalid UTF-8 becomes U+FFFD, U+2028 and U+2029 are
// escaped.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
