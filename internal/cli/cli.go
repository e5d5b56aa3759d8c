// Package cli is the one piece of plumbing every detsys binary shares:
// go-flags parsing with usage text from one place, streams injected so
// that commands run in-process in tests, and one place that turns errors
// into messages ("name: …", printed once) and exit codes.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	flags "github.com/jessevdk/go-flags"

	"github.com/detsys/detsys/formats"
)

// Command is one binary: its name, usage line, long help (what it does,
// examples, exit codes), its options struct with go-flags tags, and Run.
type Command struct {
	Name  string
	Usage string // after the name, e.g. "[OPTIONS] MODEL [FILE...]"
	Long  string
	Opts  any
	Run   func(io *IO, args []string) error
	// Setup, if set, is called on the parser once Opts are added: a binary
	// with subcommands (store) adds them there with p.AddCommand, and finds
	// the one given in p.Active when Run is called.
	Setup func(p *flags.Parser)
}

// IO is the streams a command uses.
type IO struct {
	Name   string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Warnf prints a message on stderr, prefixed by the command's name.
func (o *IO) Warnf(format string, args ...any) {
	fmt.Fprintf(o.Stderr, "%s: %s\n", o.Name, fmt.Sprintf(format, args...))
}

// IsTerminal reports whether stderr is a terminal (progress is shown only then).
func (o *IO) IsTerminal() bool {
	f, ok := o.Stderr.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ExitCoder is an error that carries its own exit code.
type ExitCoder interface{ ExitCode() int }

// Error is an error with an exit code.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }
func (e *Error) ExitCode() int { return e.Code }

// Errorf returns an error with the given exit code.
func Errorf(code int, format string, args ...any) error {
	return &Error{Code: code, Err: fmt.Errorf(format, args...)}
}

// Usagef is a usage error (exit 2).
func Usagef(format string, args ...any) error { return Errorf(formats.ExitUsage, format, args...) }

// Exit is a result that is not an error message: the command already said
// what it had to say (a violation, say) and only the code remains.
type Exit int

func (e Exit) Error() string { return fmt.Sprintf("exit %d", int(e)) }
func (e Exit) ExitCode() int { return int(e) }

// Main runs the command on the process's arguments and streams and exits.
func Main(c Command) {
	// A closed stdout (| head) is a normal end: get EPIPE, not a signal.
	signal.Ignore(syscall.SIGPIPE)
	os.Exit(c.Exec(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Parser builds the go-flags parser for the command (used by Exec, and by
// tests that check the help text).
func (c Command) Parser() *flags.Parser {
	p := flags.NewNamedParser(c.Name, flags.HelpFlag|flags.PassDoubleDash)
	if c.Opts != nil {
		if _, err := p.AddGroup("Options", "", c.Opts); err != nil {
			panic(err)
		}
	}
	p.Usage = c.Usage
	if c.Setup != nil {
		c.Setup(p)
	}
	return p
}

// help puts the command's long text, verbatim, between go-flags' usage
// line and its option list (go-flags would re-wrap it and lose the
// indentation of examples).
func (c Command) help(generated string) string {
	long := strings.Trim(c.Long, "\n")
	if long == "" {
		return generated
	}
	usage, options, ok := strings.Cut(generated, "\n\n")
	if !ok {
		return generated + "\n\n" + long
	}
	return usage + "\n\n" + long + "\n\n" + options
}

// Exec parses args, runs the command and returns the exit code.
func (c Command) Exec(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	p := c.Parser()
	rest, err := p.ParseArgs(args)
	if err != nil {
		var fe *flags.Error
		if errors.As(err, &fe) && fe.Type == flags.ErrHelp {
			fmt.Fprintln(stdout, c.help(fe.Message))
			return formats.ExitOK
		}
		fmt.Fprintf(stderr, "%s: %v\nRun '%s --help' for usage.\n", c.Name, err, c.Name)
		return formats.ExitUsage
	}
	o := &IO{Name: c.Name, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	return c.report(o, c.Run(o, rest))
}

func (c Command) report(o *IO, err error) int {
	if err == nil || errors.Is(err, syscall.EPIPE) {
		return formats.ExitOK
	}
	var ex Exit
	if errors.As(err, &ex) {
		return int(ex)
	}
	code := formats.ExitInternal
	var ec ExitCoder
	if errors.As(err, &ec) {
		code = ec.ExitCode()
	}
	fmt.Fprintf(o.Stderr, "%s: %v\n", c.Name, err)
	if code == formats.ExitUsage {
		fmt.Fprintf(o.Stderr, "Run '%s --help' for usage.\n", c.Name)
	}
	return code
}

// EachInput calls fn for each input named in args ("-" or none: stdin),
// with the reader and the name to use in messages.
func EachInput(o *IO, args []string, fn func(r io.Reader, name string) error) error {
	if len(args) == 0 {
		args = []string{"-"}
	}
	for _, a := range args {
		if a == "-" {
			if err := fn(o.Stdin, "-"); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(a)
		if err != nil {
			return Errorf(formats.ExitBadInput, "%v", err)
		}
		err = fn(f, a)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
