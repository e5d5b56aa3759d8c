package formats

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/tidwall/gjson"
)

// InputError is malformed input: which file, which line, which field, and
// what was wrong. Binaries exit with ExitBadInput on it.
type InputError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *InputError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteByte(':')
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
	}
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ExitCode makes InputError carry its own exit code.
func (e *InputError) ExitCode() int { return ExitBadInput }

// Line is one record of an NDJSON stream and where it came from. Data is
// only valid until the next call to Reader.Next.
type Line struct {
	Data []byte
	File string
	No   int
}

// Errorf reports a problem with this line.
func (l Line) Errorf(field, format string, args ...any) *InputError {
	return &InputError{File: l.File, Line: l.No, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Type is the record's "type" field, or "" if it has none.
func (l Line) Type() string { return TypeOf(l.Data) }

// Decode unmarshals the line into v, turning JSON errors into an
// InputError that names the file, line and, where known, the field.
func (l Line) Decode(v any) error {
	err := json.Unmarshal(l.Data, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var fe *FieldError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &fe):
		return l.Errorf(fe.Field, "%s", fe.Msg)
	case errors.As(err, &te):
		return l.Errorf(te.Field, "expected %s, got JSON %s", te.Type, te.Value)
	case errors.As(err, &se):
		return l.Errorf("", "invalid JSON at byte %d: %v", se.Offset, se)
	}
	return l.Errorf("", "%v", err)
}

// TypeOf returns the "type" field of a JSON object without decoding the rest.
func TypeOf(data []byte) string { return gjson.GetBytes(data, "type").Str }

// Reader reads NDJSON records of any length. Blank lines are skipped; a
// line that is not a JSON object is an InputError naming file and line.
type Reader struct {
	r    *bufio.Reader
	file string
	no   int
	buf  []byte
	// Validate, when set (the default), checks that each line is valid
	// JSON, with gjson's validator, some three times faster than
	// encoding/json's on trace records (the two agree); a line it rejects
	// is decoded with encoding/json, which words the message.
	Validate bool
}

// NewReader reads from r; name is used in error messages ("-" for stdin).
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 64<<10), file: name, Validate: true}
}

// Next returns the next non-blank line, io.EOF at the end, an *InputError
// for a line that is not a JSON object, or the underlying read error.
func (r *Reader) Next() (Line, error) {
	for {
		r.buf = r.buf[:0]
		for {
			chunk, err := r.r.ReadSlice('\n')
			r.buf = append(r.buf, chunk...)
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(r.buf) > 0 {
				break
			}
			if err != nil {
				return Line{}, err
			}
			break
		}
		r.no++
		data := bytes.TrimSpace(r.buf)
		if len(data) == 0 {
			continue
		}
		l := Line{Data: data, File: r.file, No: r.no}
		if data[0] != '{' {
			return l, l.Errorf("", "not a JSON object (each line must be one record like {\"type\":...}): %.40q", data)
		}
		if r.Validate && !gjson.ValidBytes(data) {
			if err := l.Decode(new(any)); err != nil {
				return l, err
			}
			return l, l.Errorf("", "invalid JSON")
		}
		return l, nil
	}
}

// Writer writes NDJSON records through a buffer. Call Flush at the end.
type Writer struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewWriter buffers writes to w.
func NewWriter(w io.Writer) *Writer {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Writer{w: bw, enc: enc}
}

// Write encodes v as one line.
func (w *Writer) Write(v any) error { return w.enc.Encode(v) }

// WriteRaw writes one already-encoded record and a newline.
func (w *Writer) WriteRaw(line []byte) error {
	if _, err := w.w.Write(line); err != nil {
		return err
	}
	return w.w.WriteByte('\n')
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.w.Flush() }

// Buffered exposes the underlying buffer for code that appends JSON itself.
func (w *Writer) Buffered() *bufio.Writer { return w.w }

// Name is the name the reader was given (used in messages).
func (r *Reader) Name() string { return r.file }

// EachLine calls fn for each record of an NDJSON input (name is used in
// messages) until the input ends or fn or the reader returns an error.
func EachLine(in io.Reader, name string, fn func(Line) error) error {
	return NewReader(in, name).Each(fn)
}

// Each calls fn for each record left until the input ends or fn or the
// reader returns an error.
func (r *Reader) Each(fn func(Line) error) error {
	for {
		line, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}
