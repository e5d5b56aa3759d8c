package exec

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/detsys/detsys/formats"
)

// DumpState returns the JSON of a node's state as recorded in the trace:
// like encoding/json, but unexported fields are included (a node's state
// is usually private), map keys are sorted, and a value that implements
// json.Marshaler or encoding.TextMarshaler is encoded by it.
func DumpState(v any) (json.RawMessage, error) {
	var e stateEncoder
	return e.encode(v)
}

// stateEncoder reuses one buffer between steps; the result is copied out.
type stateEncoder struct{ buf []byte }

func (e *stateEncoder) encode(v any) (out json.RawMessage, err error) {
	if m, ok := v.(json.Marshaler); ok {
		b, err := m.MarshalJSON()
		return append(json.RawMessage(nil), b...), err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	e.buf = appendValue(e.buf[:0], reflect.ValueOf(v), 0)
	return append(json.RawMessage(nil), e.buf...), nil
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

func appendValue(b []byte, v reflect.Value, depth int) []byte {
	if !v.IsValid() {
		return append(b, "null"...)
	}
	if depth > maxDepth {
		return append(b, `"…"`...)
	}
	t := v.Type()
	if t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface {
		if t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) && v.CanAddr() {
			if av, ok := accessible(v); ok {
				if !t.Implements(marshalerType) {
					av = av.Addr()
				}
				raw, err := av.Interface().(json.Marshaler).MarshalJSON()
				if err != nil {
					panic(err)
				}
				return append(b, raw...)
			}
		}
		if t.Implements(textMarshalerType) {
			if av, ok := accessible(v); ok {
				txt, err := av.Interface().(encoding.TextMarshaler).MarshalText()
				if err != nil {
					panic(err)
				}
				return appendString(b, string(txt))
			}
		}
	}
	switch v.Kind() {
	case reflect.Bool:
		return strconv.AppendBool(b, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(b, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.AppendUint(b, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(b, "null"...)
		}
		return strconv.AppendFloat(b, f, 'g', -1, t.Bits())
	case reflect.String:
		return appendString(b, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return appendValue(b, v.Elem(), depth+1)
	case reflect.Slice:
		if v.IsNil() {
			return append(b, "null"...)
		}
		if t.Elem().Kind() == reflect.Uint8 {
			b = append(b, '"')
			b = base64.StdEncoding.AppendEncode(b, v.Bytes())
			return append(b, '"')
		}
		fallthrough
	case reflect.Array:
		b = append(b, '[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendValue(b, v.Index(i), depth+1)
		}
		return append(b, ']')
	case reflect.Map:
		if v.IsNil() {
			return append(b, "null"...)
		}
		return appendMap(b, v, depth)
	case reflect.Struct:
		return appendStruct(b, v, depth)
	default: // chan, func, unsafe pointer: not state
		return append(b, "null"...)
	}
}

func appendMap(b []byte, v reflect.Value, depth int) []byte {
	type kv struct {
		k string
		v reflect.Value
	}
	entries := make([]kv, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		entries = append(entries, kv{mapKey(it.Key()), it.Value()})
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].k < entries[j].k })
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.k)
		b = append(b, ':')
		b = appendValue(b, e.v, depth+1)
	}
	return append(b, '}')
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
	name      string
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []field

func fieldsOf(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
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
		fs = append(fs, field{index: i, name: name, omitEmpty: strings.Contains(","+opts+",", ",omitempty,")})
	}
	fieldCache.Store(t, fs)
	return fs
}

func appendStruct(b []byte, v reflect.Value, depth int) []byte {
	b = append(b, '{')
	first := true
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if f.omitEmpty && isEmpty(fv) {
			continue
		}
		if kind := fv.Kind(); kind == reflect.Chan || kind == reflect.Func || kind == reflect.UnsafePointer {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, f.name)
		b = append(b, ':')
		b = appendValue(b, fv, depth+1)
	}
	return append(b, '}')
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
