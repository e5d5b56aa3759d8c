package exec

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/detsys/detsys/formats"
)

// DumpState returns the JSON of a node's state as recorded in the trace:
// like encoding/json, but unexported fields are included (a node's state
// is usually private), map keys are sorted, and a value that implements
// json.Marshaler or encoding.TextMarshaler is encoded by it.
func DumpState(v any) (json.RawMessage, error) {
	var e stateEncoder
	b, err := e.encode(v)
	return append(json.RawMessage(nil), b...), err
}

// stateEncoder reuses one buffer between steps (the result is copied
// out) and compiles one encoding function per type, so that the walk over
// a node's state at every step does no type look-ups but at interfaces.
// It is not safe for concurrent use; DumpState makes a fresh one.
type stateEncoder struct {
	buf      []byte
	fns      map[reflect.Type]encFn
	levels   []mapScratch // per map nesting level
	mapLevel int
}

type encFn func(e *stateEncoder, b []byte, v reflect.Value, depth int) []byte

func (e *stateEncoder) encode(v any) (out json.RawMessage, err error) {
	if m, ok := v.(json.Marshaler); ok {
		return m.MarshalJSON()
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	e.buf = e.appendValue(e.buf[:0], reflect.ValueOf(v), 0)
	return e.buf, nil // valid until the next encode: the executor's reply has the same lifetime
}

func (e *stateEncoder) appendValue(b []byte, v reflect.Value, depth int) []byte {
	if !v.IsValid() {
		return append(b, "null"...)
	}
	return e.encoder(v.Type())(e, b, v, depth)
}

const maxDepth = 64

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// accessible returns v in a form whose Interface() may be called, even
// when v was reached through unexported fields (reading only).
func accessible(v reflect.Value) (reflect.Value, bool) {
	if v.CanInterface() {
		return v, true
	}
	if v.CanAddr() {
		return reflect.NewAt(v.Type(), unsafe.Pointer(v.UnsafeAddr())).Elem(), true
	}
	return v, false
}

func (e *stateEncoder) encoder(t reflect.Type) encFn {
	if f, ok := e.fns[t]; ok {
		return f
	}
	if e.fns == nil {
		e.fns = map[reflect.Type]encFn{}
	}
	// A recursive type meets itself while being compiled: point it at the
	// function that is being built.
	var f encFn
	e.fns[t] = func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte { return f(e, b, v, d) }
	f = compile(e, t)
	e.fns[t] = f
	return f
}

func compile(e *stateEncoder, t reflect.Type) encFn {
	structural := compileKind(e, t)
	m := marshalersOf(t)
	if m == 0 {
		return structural
	}
	return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
		if out, ok := appendMarshaled(b, v, m); ok {
			return out
		}
		return structural(e, b, v, d)
	}
}

func compileKind(e *stateEncoder, t reflect.Type) encFn {
	switch t.Kind() {
	case reflect.Bool:
		return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte { return strconv.AppendBool(b, v.Bool()) }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte {
			return strconv.AppendInt(b, v.Int(), 10)
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte {
			return strconv.AppendUint(b, v.Uint(), 10)
		}
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte {
			f := v.Float()
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return append(b, "null"...)
			}
			return strconv.AppendFloat(b, f, 'g', -1, bits)
		}
	case reflect.String:
		return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte { return appendString(b, v.String()) }
	case reflect.Pointer:
		elem := e.encoder(t.Elem())
		return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
			if v.IsNil() {
				return append(b, "null"...)
			}
			if d > maxDepth {
				return append(b, `"…"`...)
			}
			return elem(e, b, v.Elem(), d+1)
		}
	case reflect.Interface:
		return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
			if v.IsNil() {
				return append(b, "null"...)
			}
			if d > maxDepth {
				return append(b, `"…"`...)
			}
			return e.appendValue(b, v.Elem(), d+1)
		}
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return func(_ *stateEncoder, b []byte, v reflect.Value, _ int) []byte {
				if v.IsNil() {
					return append(b, "null"...)
				}
				b = append(b, '"')
				b = base64.StdEncoding.AppendEncode(b, v.Bytes())
				return append(b, '"')
			}
		}
		elem := e.encoder(t.Elem())
		isSlice := t.Kind() == reflect.Slice
		return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
			if isSlice && v.IsNil() {
				return append(b, "null"...)
			}
			b = append(b, '[')
			for i := 0; i < v.Len(); i++ {
				if i > 0 {
					b = append(b, ',')
				}
				b = elem(e, b, v.Index(i), d+1)
			}
			return append(b, ']')
		}
	case reflect.Map:
		elem := e.encoder(t.Elem())
		return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
			if v.IsNil() {
				return append(b, "null"...)
			}
			return e.appendMap(b, v, elem, d)
		}
	case reflect.Struct:
		fields := fieldsOf(t)
		fns := make([]encFn, len(fields))
		for i, f := range fields {
			fns[i] = e.encoder(t.Field(f.index).Type)
		}
		return func(e *stateEncoder, b []byte, v reflect.Value, d int) []byte {
			b = append(b, '{')
			first := true
			for i, f := range fields {
				fv := v.Field(f.index)
				if f.omitEmpty && isEmpty(fv) {
					continue
				}
				if !first {
					b = append(b, ',')
				}
				first = false
				b = append(b, f.quoted...)
				b = fns[i](e, b, fv, d+1)
			}
			return append(b, '}')
		}
	}
	// chan, func, unsafe pointer: not state
	return func(_ *stateEncoder, b []byte, _ reflect.Value, _ int) []byte { return append(b, "null"...) }
}

// marshalers says how a type encodes itself, if it does; cached per type,
// because reflect's Implements is slow and a node's state is dumped at
// every step.
type marshalers uint8

const (
	jsonMarshaler    marshalers = 1 << iota // T implements json.Marshaler
	ptrJSONMarshaler                        // *T does
	textMarshaler                           // T implements encoding.TextMarshaler
)

func marshalersOf(t reflect.Type) marshalers {
	var m marshalers
	if k := t.Kind(); k != reflect.Pointer && k != reflect.Interface {
		if t.Implements(marshalerType) {
			m |= jsonMarshaler
		} else if reflect.PointerTo(t).Implements(marshalerType) {
			m |= ptrJSONMarshaler
		}
		if t.Implements(textMarshalerType) {
			m |= textMarshaler
		}
	}
	return m
}

// appendMarshaled encodes v with its own MarshalJSON or MarshalText, when
// the value can be reached for that (ok false: encode it structurally).
func appendMarshaled(b []byte, v reflect.Value, m marshalers) ([]byte, bool) {
	if m&(jsonMarshaler|ptrJSONMarshaler) != 0 && (m&jsonMarshaler != 0 || v.CanAddr()) {
		if av, ok := accessible(v); ok {
			if m&jsonMarshaler == 0 {
				av = av.Addr()
			}
			raw, err := av.Interface().(json.Marshaler).MarshalJSON()
			if err != nil {
				panic(err)
			}
			return append(b, raw...), true
		}
	}
	if m&textMarshaler != 0 {
		if av, ok := accessible(v); ok {
			txt, err := av.Interface().(encoding.TextMarshaler).MarshalText()
			if err != nil {
				panic(err)
			}
			return appendString(b, string(txt)), true
		}
	}
	return b, false
}

func (e *stateEncoder) appendMap(b []byte, v reflect.Value, elem encFn, depth int) []byte {
	// Each entry is encoded, key and value, into a scratch buffer of this
	// map's nesting level while the map is iterated (through reused
	// reflect.Values, so nothing is allocated per entry), then the entries
	// are sorted by key and copied out.
	lvl := e.mapLevel
	e.mapLevel++
	defer func() { e.mapLevel-- }()
	if lvl == len(e.levels) {
		e.levels = append(e.levels, mapScratch{})
	}
	sc := &e.levels[lvl]
	sc.buf, sc.entries = sc.buf[:0], sc.entries[:0]
	t := v.Type()
	av, reusable := accessible(v) // SetIterKey refuses maps read through unexported fields
	key, val := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
	it := av.MapRange()
	for it.Next() {
		if reusable {
			key.SetIterKey(it)
			val.SetIterValue(it)
		} else {
			key, val = it.Key(), it.Value()
		}
		ent := mapSpan{key: mapKey(key), v0: len(sc.buf)}
		buf := elem(e, sc.buf, val, depth+1)
		sc = &e.levels[lvl] // a nested map may have grown e.levels
		sc.buf = buf
		ent.v1 = len(sc.buf)
		sc.entries = append(sc.entries, ent)
	}
	slices.SortFunc(sc.entries, func(x, y mapSpan) int { return strings.Compare(x.key, y.key) })
	b = append(b, '{')
	for i, ent := range sc.entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, ent.key)
		b = append(b, ':')
		b = append(b, sc.buf[ent.v0:ent.v1]...)
	}
	return append(b, '}')
}

// mapSpan is one encoded entry: its key, and its value in the scratch buffer.
type mapSpan struct {
	key    string
	v0, v1 int
}

type mapScratch struct {
	buf     []byte
	entries []mapSpan
}

func mapKey(k reflect.Value) string {
	switch k.Kind() {
	case reflect.String:
		return k.String()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(k.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(k.Uint(), 10)
	}
	if k.Type().Implements(textMarshalerType) && k.CanInterface() {
		if txt, err := k.Interface().(encoding.TextMarshaler).MarshalText(); err == nil {
			return string(txt)
		}
	}
	return fmt.Sprint(k)
}

type field struct {
	index     int
	quoted    []byte // "name":
	omitEmpty bool
}

func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if k := sf.Type.Kind(); k == reflect.Chan || k == reflect.Func || k == reflect.UnsafePointer {
			continue // not state
		}
		quoted := append(appendString(nil, name), ':')
		fs = append(fs, field{index: i, quoted: quoted, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	return fs
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	}
	return v.IsZero()
}

// appendString writes s as a JSON string, as the records do.
func appendString(b []byte, s string) []byte { return formats.AppendString(b, s) }
