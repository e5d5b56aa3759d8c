package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/detsys/detsys/formats"
	"github.com/detsys/detsys/internal/cli"
)

func TestExitCodesAndMessages(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		err    error
		code   int
		stderr string
		stdout string
	}{
		{"ok", nil, nil, 0, "", ""},
		{"violation is a result, not a message", nil, cli.Exit(1), 1, "", ""},
		{"bad input", nil, &formats.InputError{File: "t.ndjson", Line: 3, Field: "node", Msg: "unknown"}, 3, "x: t.ndjson:3: field \"node\": unknown\n", ""},
		{"usage", nil, cli.Usagef("missing MODEL"), 2, "x: missing MODEL\nRun 'x --help' for usage.\n", ""},
		{"closed stdout", nil, fmt.Errorf("writing: %w", syscall.EPIPE), 0, "", ""},
		{"anything else is internal", nil, errors.New("disk on fire"), 5, "x: disk on fire\n", ""},
		{"unknown flag", []string{"--nope"}, nil, 2, "x: unknown flag `nope'\nRun 'x --help' for usage.\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var opts struct {
				N int `long:"n" description:"a number"`
			}
			cmd := cli.Command{Name: "x", Usage: "[OPTIONS]", Opts: &opts, Run: func(*cli.IO, []string) error { return c.err }}
			var out, errb bytes.Buffer
			if got := cmd.Exec(c.args, nil, &out, &errb); got != c.code {
				t.Errorf("exit %d, want %d", got, c.code)
			}
			if errb.String() != c.stderr || out.String() != c.stdout {
				t.Errorf("stdout %q stderr %q, want %q %q", out.String(), errb.String(), c.stdout, c.stderr)
			}
		})
	}
}

func TestHelpKeepsLongTextVerbatim(t *testing.T) {
	var opts struct {
		N int `long:"n" description:"a number"`
	}
	long := "Does x.\n\nExamples:\n  x --n 3 | y\n  x < in"
	cmd := cli.Command{Name: "x", Usage: "[OPTIONS] FILE", Long: long, Opts: &opts, Run: func(*cli.IO, []string) error { return nil }}
	var out bytes.Buffer
	if code := cmd.Exec([]string{"--help"}, nil, &out, &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := out.String()
	if !strings.HasPrefix(got, "Usage:\n  x [OPTIONS] FILE\n\n"+long+"\n\n") || !strings.Contains(got, "--n=") {
		t.Errorf("help:\n%s", got)
	}
}
