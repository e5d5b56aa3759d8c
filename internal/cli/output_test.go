package cli

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "page.html")
	var out bytes.Buffer
	o := &IO{Name: "t", Stdout: &out}
	write := func(s string, err error) func(io.Writer) error {
		return func(w io.Writer) error {
			io.WriteString(w, s)
			return err
		}
	}
	if err := o.WriteFile(path, write("old", nil)); err != nil {
		t.Fatal(err)
	}
	bad := errors.New("bad input")
	if err := o.WriteFile(path, write("half a new pa", bad)); err != bad {
		t.Fatalf("got %v, want write's own error", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Fatalf("a failed write changed the file: %q", b)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary files left: %v", ents)
	}
	if err := o.WriteFile("-", write("to stdout", nil)); err != nil || out.String() != "to stdout" {
		t.Fatalf("stdout: %q, %v", out.String(), err)
	}
	if err := o.WriteFile(filepath.Join(dir, "no", "such", "dir"), write("x", nil)); !isInternal(err) {
		t.Fatalf("unwritable path: %v, want exit 5", err)
	}
}

func isInternal(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == 5
}
