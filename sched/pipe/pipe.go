// Package pipe is the scheduler's side of the executor protocol (DESIGN
// §4): it starts an executor process on a fresh pair of FIFOs (or attaches
// to one that is already running) and exchanges one request line and one
// reply line per step. It never hangs: an executor that dies, closes its
// pipe, answers garbage or stops answering is reported as an error naming
// what went wrong.
package pipe

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/detsys/detsys/exec"
	"github.com/detsys/detsys/formats"
)

// Client talks to one executor over two FIFOs.
type Client struct {
	in       *os.File // requests, sched → executor
	out      *os.File // replies, executor → sched
	r        *bufio.Reader
	w        *bufio.Writer
	req      []byte
	line     []byte
	outPath  string
	watchdog *time.Timer
	timedOut atomic.Bool
	reply    formats.EffectsReply
	cmd      *osexec.Cmd
	exited   chan struct{} // closed when cmd has exited
	waitErr  error
	dir      string // temporary FIFO directory to remove, if we made it
	// Timeout bounds the wait for each reply (wall time); 0 waits forever.
	Timeout time.Duration
}

// Start creates two FIFOs in a new temporary directory and starts
// "sh -c CMD" with their paths appended as arguments (requests, replies),
// so CMD may be a binary or a command line. The executor's stdout and
// stderr go to stderr. connect bounds the wait for it to open the FIFOs.
func Start(command string, stderr io.Writer, connect time.Duration) (*Client, error) {
	dir, err := os.MkdirTemp("", "detsys-pipe-")
	if err != nil {
		return nil, err
	}
	in, out, err := exec.MakeFIFOs(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cmd := osexec.Command("/bin/sh", "-c", command+` "$@"`, "sh", in, out)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting executor %q: %w", command, err)
	}
	c := &Client{cmd: cmd, exited: make(chan struct{}), dir: dir}
	go func() { c.waitErr = cmd.Wait(); close(c.exited) }()
	if err := c.open(in, out, connect, connect); err != nil {
		c.kill()
		return nil, err
	}
	return c, nil
}

// Attach connects to an executor serving DIR/in and DIR/out (started
// with --pipe DIR). The executor may be starting at the same moment: the
// FIFOs are waited for, as the executor is, up to connect.
func Attach(dir string, connect time.Duration) (*Client, error) {
	in, out := filepath.Join(dir, exec.FIFOIn), filepath.Join(dir, exec.FIFOOut)
	deadline := time.Now().Add(connect)
	for _, p := range []string{in, out} {
		for {
			st, err := os.Stat(p)
			if err == nil && st.Mode()&os.ModeNamedPipe == 0 {
				return nil, fmt.Errorf("--pipe %s: %s is not a FIFO", dir, p)
			}
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return nil, fmt.Errorf("--pipe %s: no FIFO at %s after %v: start the executor first (e.g. sut-register --pipe %s)", dir, p, connect, dir)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	c := &Client{}
	if err := c.open(in, out, time.Until(deadline), connect); err != nil {
		return nil, err
	}
	return c, nil
}

// open opens the FIFOs in the order the executor does (requests first),
// giving up if the executor exits or does not attach in time.
func (c *Client) open(in, out string, connect, asked time.Duration) error {
	type result struct {
		in, out *os.File
		err     error
	}
	done := make(chan result, 1)
	go func() {
		fi, err := exec.OpenFIFO(in, os.O_WRONLY)
		if err != nil {
			done <- result{err: err}
			return
		}
		fo, err := exec.OpenFIFO(out, os.O_RDONLY)
		if err != nil {
			fi.Close()
			done <- result{err: err}
			return
		}
		done <- result{in: fi, out: fo}
	}()
	var timeout <-chan time.Time
	if connect > 0 {
		t := time.NewTimer(connect)
		defer t.Stop()
		timeout = t.C
	}
	opened := func(r result) error {
		if r.err != nil {
			return r.err
		}
		c.in, c.out, c.outPath = r.in, r.out, out
		c.r = bufio.NewReaderSize(c.out, 64<<10)
		c.w = bufio.NewWriterSize(c.in, 64<<10)
		return nil
	}
	var why error
	select {
	case r := <-done:
		return opened(r)
	case <-c.exited:
		// It may have opened its pipes (and left something behind that
		// answers) just before it exited: then what it answers says more.
		select {
		case r := <-done:
			return opened(r)
		case <-time.After(100 * time.Millisecond):
		}
		why = fmt.Errorf("the executor exited before opening its pipes (%v)", exitStatus(c.waitErr))
	case <-timeout:
		why = fmt.Errorf("no executor opened %s within %v", in, asked)
	}
	// Unblock the opener: a reader for in, then a writer for out (which
	// only succeeds once the opener waits on out), until it is done.
	var held []*os.File
	defer func() {
		for _, f := range held {
			f.Close()
		}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range []struct {
			path string
			flag int
		}{{in, os.O_RDONLY}, {out, os.O_WRONLY}} {
			if f, err := os.OpenFile(p.path, p.flag|syscall.O_NONBLOCK, 0); err == nil {
				held = append(held, f)
			}
		}
		select {
		case r := <-done:
			if r.err == nil {
				r.in.Close()
				r.out.Close()
			}
			return why
		case <-tick.C:
		}
	}
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// Hello exchanges hello messages.
func (c *Client) Hello(h formats.Hello) (formats.Hello, error) {
	var reply formats.Hello
	if err := c.roundTrip(h, &reply, formats.MsgHello); err != nil {
		return reply, err
	}
	return reply, nil
}

// Step sends one step request and reads its effects.
func (c *Client) Step(req *formats.StepRequest) (*formats.EffectsReply, error) {
	c.req = append(req.AppendJSON(c.req[:0]), '\n')
	line, err := c.exchange(c.req, formats.MsgEffects)
	if err != nil {
		return nil, err
	}
	if err := formats.ParseEffects(line, &c.reply); err != nil {
		return nil, fmt.Errorf("the executor answered garbage: %v in %.80q", err, line)
	}
	return &c.reply, nil
}

func (c *Client) roundTrip(req any, reply any, want string) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	line, err := c.exchange(append(b, '\n'), want)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(line, reply); err != nil {
		return fmt.Errorf("the executor answered garbage: %v in %.80q", err, line)
	}
	return nil
}

// exchange writes one request line and reads one reply line of type want.
func (c *Client) exchange(req []byte, want string) ([]byte, error) {
	if _, err := c.w.Write(req); err != nil {
		return nil, c.died(fmt.Errorf("writing request: %w", err))
	}
	if err := c.w.Flush(); err != nil {
		return nil, c.died(fmt.Errorf("writing request: %w", err))
	}
	if c.Timeout > 0 {
		c.arm()
	}
	line, err := c.readLine()
	if c.Timeout > 0 && c.disarm() {
		return nil, fmt.Errorf("the executor did not answer within %v (is a node looping?)", c.Timeout)
	}
	if err != nil {
		if err == io.EOF {
			return nil, c.died(errors.New("the executor closed its reply pipe"))
		}
		return nil, c.died(err)
	}
	if typ := formats.TypeOf(line); typ != want {
		return nil, fmt.Errorf("the executor answered garbage: expected a %q reply, got %.80q", want, line)
	}
	return line, nil
}

// The reply pipe is read with blocking reads (see exec.OpenFIFO), which
// cannot time out; a watchdog does instead: when the executor takes longer
// than Timeout it writes an empty line into our own reply pipe, which ends
// the read, and marks the step as timed out.
func (c *Client) arm() {
	if c.watchdog == nil {
		c.watchdog = time.AfterFunc(c.Timeout, c.bark)
		return
	}
	c.watchdog.Reset(c.Timeout)
}

func (c *Client) bark() {
	c.timedOut.Store(true)
	if f, err := os.OpenFile(c.outPath, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		f.Write([]byte("\n"))
		f.Close()
	}
}

// disarm stops the watchdog and reports whether it fired.
func (c *Client) disarm() bool {
	if !c.watchdog.Stop() && c.timedOut.Load() {
		return true
	}
	return false
}

// readLine reads one reply line of any length.
func (c *Client) readLine() ([]byte, error) {
	c.line = c.line[:0]
	for {
		chunk, err := c.r.ReadSlice('\n')
		c.line = append(c.line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(c.line) > 0 {
				return bytes.TrimSpace(c.line), nil
			}
			return nil, err
		}
		return bytes.TrimSpace(c.line), nil
	}
}

// died adds the executor's exit status to an I/O error, if it exited.
func (c *Client) died(err error) error {
	if c.cmd == nil {
		return err
	}
	select {
	case <-c.exited:
		return fmt.Errorf("%v: the executor exited (%s)", err, exitStatus(c.waitErr))
	case <-time.After(2 * time.Second):
		return err
	}
}

// Close says bye, closes the pipes and waits for a started executor to
// exit (killing it if it does not within a few seconds).
func (c *Client) Close() error {
	if c.w != nil {
		c.w.WriteString(`{"type":"bye"}` + "\n")
		c.w.Flush()
		c.in.Close()
		c.out.Close()
	}
	var err error
	if c.cmd != nil {
		select {
		case <-c.exited:
			if c.waitErr != nil {
				err = fmt.Errorf("executor: %v", c.waitErr)
			}
		case <-time.After(3 * time.Second):
			c.kill()
		}
	}
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
	return err
}

// Abort stops a started executor at once, without the goodbye: for when
// it has already failed.
func (c *Client) Abort() {
	if c.in != nil {
		c.in.Close()
		c.out.Close()
	}
	c.kill()
}

func (c *Client) kill() {
	if c.cmd != nil && c.cmd.Process != nil {
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.exited
	}
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}
