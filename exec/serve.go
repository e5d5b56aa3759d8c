package exec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"syscall"

	"github.com/detsys/detsys/formats"
)

// FIFO names inside a pipe directory (sched --pipe DIR, executor --pipe DIR):
// the scheduler writes requests to DIR/in and reads replies from DIR/out.
const (
	FIFOIn  = "in"
	FIFOOut = "out"
)

// MakeFIFOs creates DIR/in and DIR/out if they do not exist yet.
func MakeFIFOs(dir string) (in, out string, err error) {
	in, out = filepath.Join(dir, FIFOIn), filepath.Join(dir, FIFOOut)
	for _, p := range []string{in, out} {
		if err := syscall.Mkfifo(p, 0o600); err != nil && !errors.Is(err, os.ErrExist) {
			return "", "", fmt.Errorf("creating FIFO %s: %w", p, err)
		}
	}
	return in, out, nil
}

// Serve runs the executor side of the protocol (DESIGN §4): it reads
// requests from the FIFO at inPath and writes replies to the FIFO at
// outPath, one line each, until "bye" or the end of the input. It opens
// inPath first, then outPath, the same order sched uses, so that the two
// blocking opens cannot deadlock.
func Serve(kinds Kinds, inPath, outPath string) error {
	in, err := OpenFIFO(inPath, os.O_RDONLY)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := OpenFIFO(outPath, os.O_WRONLY)
	if err != nil {
		return err
	}
	defer out.Close()
	return ServeStreams(NewExecutor(kinds, ""), in, out, inPath)
}

// ServeStreams serves the protocol over any pair of streams.
func ServeStreams(x *Executor, in io.Reader, out io.Writer, name string) error {
	r := formats.NewReader(in, name)
	r.Validate = false // the decoder below reports bad JSON with the line
	w := formats.NewWriter(out)
	var req formats.StepRequest
	var buf []byte
	for {
		line, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch line.Type() {
		case formats.MsgStep:
			if err := formats.ParseStepRequest(line.Data, &req); err != nil {
				var fe *formats.FieldError
				errors.As(err, &fe)
				return line.Errorf(fe.Field, "%s", fe.Msg)
			}
			reply, err := x.Step(&req)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", line.File, line.No, err)
			}
			buf = reply.AppendJSON(buf[:0])
			if err := w.WriteRaw(buf); err != nil {
				return err
			}
		case formats.MsgSteps:
			var batch struct {
				Steps []formats.StepRequest `json:"steps"`
			}
			if err := line.Decode(&batch); err != nil {
				return err
			}
			// One reply line for the batch: the effects of each step, in order.
			buf = append(buf[:0], `{"type":"effects_batch","effects":[`...)
			for i := range batch.Steps {
				reply, err := x.Step(&batch.Steps[i])
				if err != nil {
					return fmt.Errorf("%s:%d: %w", line.File, line.No, err)
				}
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = reply.AppendJSON(buf)
			}
			if err := w.WriteRaw(append(buf, ']', '}')); err != nil {
				return err
			}
		case formats.MsgHello:
			var h formats.Hello
			if err := line.Decode(&h); err != nil {
				return err
			}
			reply, _ := x.Hello(h)
			if err := w.Write(reply); err != nil {
				return err
			}
		case formats.MsgBye:
			x.Close()
			return w.Flush()
		default:
			return line.Errorf("type", "unknown request type %q (expected hello, step, steps or bye)", line.Type())
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
}

// Main is the whole main function of an executor binary:
//
//	PROG IN OUT       serve over the FIFOs IN (requests) and OUT (replies), as sched --exec does
//	PROG --pipe DIR   create DIR/in and DIR/out if needed and serve there (for sched --pipe DIR)
//	PROG --kinds      list the node kinds, one a line
func Main(kinds Kinds) {
	prog := filepath.Base(os.Args[0])
	usage := func(code int) {
		fmt.Fprintf(os.Stderr, `usage: %[1]s IN OUT | %[1]s --pipe DIR | %[1]s --kinds

%[1]s is a detsys executor: it runs the nodes of a system under test, one
event at a time, for the scheduler. You rarely start it yourself:

  gen register | sched --seed 7 --exec %[1]s

starts it with the two FIFOs as arguments. To run it by hand (under a
debugger, say) and attach the scheduler to it:

  %[1]s --pipe /tmp/p &        # creates /tmp/p/in and /tmp/p/out
  gen register | sched --pipe /tmp/p

Exit codes: 0 ok, 2 usage, 3 malformed request, 5 I/O error.
`, prog)
		os.Exit(code)
	}
	args := os.Args[1:]
	var in, out string
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help"):
		usage(0)
	case len(args) == 1 && args[0] == "--kinds":
		for _, k := range NewExecutor(kinds, "").KindNames() {
			fmt.Println(k)
		}
		return
	case len(args) == 2 && args[0] == "--pipe":
		if err := os.MkdirAll(args[1], 0o700); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
			os.Exit(formats.ExitInternal)
		}
		var err error
		if in, out, err = MakeFIFOs(args[1]); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
			os.Exit(formats.ExitInternal)
		}
	case len(args) == 2:
		in, out = args[0], args[1]
	default:
		usage(formats.ExitUsage)
	}
	if path := os.Getenv("DETSYS_CPUPROFILE"); path != "" {
		// Profiling the executor's side of a run: DETSYS_CPUPROFILE=exec.prof sched --exec …
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: DETSYS_CPUPROFILE: %v (not profiling)\n", prog, err)
		} else {
			defer pprof.StopCPUProfile()
		}
	}
	if err := Serve(kinds, in, out); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintf(os.Stderr, "%s: %v\n", prog, err)
		var ie *formats.InputError
		if errors.As(err, &ie) {
			os.Exit(formats.ExitBadInput)
		}
		os.Exit(formats.ExitInternal)
	}
}
