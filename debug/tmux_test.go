package main

// The debugger tested for real: the debug binary runs in a tmux session
// of a given size on a trace made by the real gen and sched, the test
// sends keys with tmux send-keys and reads the screen with capture-pane
// (-e for the colours), polling until the expected text shows.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

var (
	binDir   string // debug, gen, sched and sut-register, built once
	runTrace string // a real run: drops, a crash and a restart, log lines
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "debug-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		for name, pkg := range map[string]string{"debug": ".", "gen": "../gen", "sched": "../sched",
			"check": "../check", "sut-register": "../exec/examples/register"} {
			if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput(); err != nil {
				fmt.Fprintf(os.Stderr, "building %s: %v\n%s", name, err, out)
				return 1
			}
		}
		binDir = dir
		runTrace = filepath.Join(dir, "run.ndjson")
		sh := fmt.Sprintf(`PATH=%s:$PATH; gen register --nodes frontend=frontend2,register1=register,register2=register --clients 3 --ops 30 |
			sched --quiet --seed 3 --exec sut-register --drop 0.2 --crash 1 --restart-after 1s > %s`, dir, runTrace)
		if out, err := exec.Command("sh", "-c", sh).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "making the trace: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

// rec is what a test needs of a trace record, read with encoding/json
// (not with the package under test).
type rec struct {
	Type     string `json:"type"`
	Step     int64  `json:"step"`
	Node     string `json:"node"`
	To       string `json:"to"`
	SentStep *int64 `json:"sent_step"`
	State    json.RawMessage
	Sends    []struct{ ID string } `json:"sends"`
}

func records(t *testing.T) []rec {
	t.Helper()
	f, err := os.Open(runTrace)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r rec
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type != "run" {
			out = append(out, r)
		}
	}
	return out
}

// tmuxTerm is one debug running in its own tmux server.
type tmuxTerm struct {
	t      *testing.T
	socket string
}

var sessions atomic.Int32

// start runs shell command cmd in a w×h tmux session (its own server, so
// tests never touch the user's tmux). When the command ends the pane
// shows "debug exited N".
func start(t *testing.T, w, h int, cmd string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (scripts/deps installs it)")
	}
	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("detsys-debug-%d-%d", os.Getpid(), sessions.Add(1))}
	script := fmt.Sprintf("cd %s && export LANG=C.UTF-8 PATH=%s:$PATH; %s; echo \"debug exited $?\"; sleep 600", filepath.Dir(runTrace), binDir, cmd)
	tm.tmux("new-session", "-d", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "sh", "-c", script)
	t.Cleanup(func() { exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	// -u and LANG: UTF-8 whatever the locale the tests run in.
	out, err := exec.Command("tmux", append([]string{"-u", "-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends keys as tmux names them: "j", "Enter", "Tab", "BTab".
func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...)
}

// typeText sends text literally.
func (tm *tmuxTerm) typeText(s string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", "0", "-l", s)
}

func (tm *tmuxTerm) screen(escapes bool) string {
	tm.t.Helper()
	args := []string{"capture-pane", "-p", "-t", "0"}
	if escapes {
		args = append(args, "-e")
	}
	return tm.tmux(args...)
}

// waitFor polls the screen until re matches it, for up to 10 s.
func (tm *tmuxTerm) waitFor(re string) string {
	tm.t.Helper()
	return tm.waitForScreen(re, false)
}

func (tm *tmuxTerm) waitForScreen(re string, escapes bool) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(10 * time.Second)
	var s string
	for {
		s = tm.screen(escapes)
		if rx.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen never showed %q; it shows:\n%s", re, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitGone polls the screen until text is no longer on it, for up to 10 s.
func (tm *tmuxTerm) waitGone(text string) {
	tm.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := tm.screen(false)
		if !strings.Contains(s, text) {
			return
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen still shows %q:\n%s", text, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// at is the title line's "step N (k of n)" for step number n.
func at(n int64) string { return fmt.Sprintf(`· step %d \(`, n) }

func TestStepListMoves(t *testing.T) {
	recs := records(t)
	tm := start(t, 80, 24, "debug run.ndjson")
	s := tm.waitFor(at(0) + `1 of ` + fmt.Sprint(len(recs)) + `(?s:.*)j/k step`)
	if !strings.Contains(s, "steps 0-") || !strings.Contains(s, "diagram") {
		t.Fatalf("no step list or diagram:\n%s", s)
	}
	tm.keys("j")
	tm.waitFor(at(1))
	tm.keys("j", "j", "Down")
	tm.waitFor(at(4))
	tm.keys("k", "Up")
	tm.waitFor(at(2))
	tm.keys("G")
	last := recs[len(recs)-1]
	// The list scrolled with it: the end record is on screen.
	tm.waitFor(at(last.Step) + fmt.Sprintf(`(?s:.*) %d end `, last.Step))
	tm.keys("g")
	tm.waitFor(at(0))
	tm.keys("q")
	tm.waitFor("debug exited 0")
}

func TestGoToStepAndStartAt(t *testing.T) {
	tm := start(t, 80, 24, "debug --at 40 run.ndjson")
	tm.waitFor(at(40))
	tm.typeText(":17")
	tm.waitFor("(?m)^:17")
	tm.keys("Enter")
	tm.waitFor(at(17) + `(?s:.*)\n. *[0-9.]+ +17 deliver`)
	tm.typeText(":99999")
	tm.keys("Enter")
	tm.waitFor("the run ends at step")
}

func TestFollowDeliveryToSendAndBack(t *testing.T) {
	recs := records(t)
	// A delivery whose send is a few steps back.
	var d rec
	for _, r := range recs {
		if r.Type == "deliver" && *r.SentStep < r.Step-2 {
			d = r
			break
		}
	}
	tm := start(t, 80, 24, fmt.Sprintf("debug --at %d run.ndjson", d.Step))
	tm.waitFor(at(d.Step))
	tm.keys("f")
	tm.waitFor(at(*d.SentStep))
	tm.waitFor(fmt.Sprintf("f: step %d sent the message delivered at step %d", *d.SentStep, d.Step))
	tm.keys("f")
	tm.waitFor(at(d.Step))
	// From a step that sent a message (and consumed none: an invoke) to
	// where the message arrived.
	var send rec
	for _, r := range recs {
		if r.Type == "invoke" && r.Step > d.Step {
			send = r
			break
		}
	}
	var recv int64 = -1
	for _, r := range recs {
		if r.Step > send.Step && (r.Type == "deliver" || r.Type == "drop") && r.SentStep != nil && *r.SentStep == send.Step {
			recv = r.Step
			break
		}
	}
	if recv < 0 {
		t.Fatal("no arrival of the invoke's message in the trace")
	}
	tm.typeText(fmt.Sprintf(":%d", send.Step))
	tm.keys("Enter")
	tm.waitFor(at(send.Step))
	tm.keys("f")
	tm.waitFor(at(recv))
	tm.waitFor(fmt.Sprintf("f: %s, sent at step %d, (arrived|was lost) at step %d", send.Sends[0].ID, send.Step, recv))
}

func TestSearch(t *testing.T) {
	recs := records(t)
	var drops []int64
	for _, r := range recs {
		if r.Type == "drop" {
			drops = append(drops, r.Step)
		}
	}
	if len(drops) < 2 {
		t.Fatal("the test trace has fewer than two drops")
	}
	tm := start(t, 80, 24, "debug run.ndjson")
	tm.waitFor(at(0))
	tm.typeText(`/"type":"drop"`)
	tm.keys("Enter")
	tm.waitFor(at(drops[0]))
	tm.waitFor(fmt.Sprintf(`/"type":"drop": step %d`, drops[0]))
	tm.keys("n")
	tm.waitFor(at(drops[1]))
	tm.keys("N")
	tm.waitFor(at(drops[0]))
	tm.keys("N")
	tm.waitFor(at(drops[len(drops)-1]))
	tm.waitFor("wrapped to the bottom")
	tm.typeText("/no such thing")
	tm.keys("Enter")
	tm.waitFor("/no such thing: not found")
}

// TestStateDiffHighlighted: at a step that changed register1's value, the
// state pane marks the line and colours it (capture-pane -e keeps the
// escape codes).
func TestStateDiffHighlighted(t *testing.T) {
	recs := records(t)
	var step int64 = -1
	var prev map[string]any
	for _, r := range recs {
		if r.Node != "register1" && r.To != "register1" || r.State == nil {
			continue
		}
		var st map[string]any
		json.Unmarshal(r.State, &st)
		if prev != nil && fmt.Sprint(prev["value"]) != fmt.Sprint(st["value"]) && r.Type == "deliver" {
			step = r.Step
			break
		}
		prev = st
	}
	if step < 0 {
		t.Fatal("register1's value never changes in the test trace")
	}
	tm := start(t, 80, 24, fmt.Sprintf("debug --at %d run.ndjson", step))
	tm.waitFor(`state of register1 after step ` + fmt.Sprint(step) + `(?s:.*)changed by this step(?s:.*)~ value: .*\(was `)
	// The changed line is in colour (yellow: SGR 33), the unchanged one is not.
	s := tm.waitForScreen(`\x1b\[[0-9;]*33[0-9;]*m~ value`, true)
	if regexp.MustCompile(`\x1b\[[0-9;]*33[0-9;]*m {2}version`).MatchString(s) {
		t.Fatalf("an unchanged line is highlighted:\n%q", s)
	}
	// 1-9 pick a node; 0 follows the step again.
	tm.keys("1")
	tm.waitFor(`state of frontend after step`)
	tm.keys("0")
	tm.waitFor(`state of register1 after step`)
}

func TestPanesHelpAndQuit(t *testing.T) {
	recs := records(t)
	var send rec
	for _, r := range recs {
		if len(r.Sends) > 1 {
			send = r
			break
		}
	}
	tm := start(t, 80, 24, fmt.Sprintf("debug --at %d run.ndjson", send.Step))
	tm.waitFor(at(send.Step))
	// TAB to the sent pane (steps, diagram, state, message, sent): j picks
	// the second message, and f follows that one.
	tm.keys("Tab", "Tab", "Tab", "Tab")
	tm.waitFor("▶ " + send.Sends[0].ID + " →")
	tm.keys("j")
	tm.waitFor("▶ " + send.Sends[1].ID + " →")
	tm.keys("BTab", "BTab", "BTab", "BTab")
	tm.keys("?")
	tm.waitFor("time-travel through one run")
	tm.waitFor("Nodes: 1 frontend 2 register1 3 register2")
	tm.keys("x")
	tm.waitFor(at(send.Step))
	tm.waitGone("time-travel through one run")
	tm.keys("q")
	tm.waitFor("debug exited 0")
}

// TestBigScreen: at 200×60 every pane gets more room: the four lower panes
// stand side by side and the list shows more steps.
func TestBigScreen(t *testing.T) {
	tm := start(t, 200, 60, "debug run.ndjson")
	s := tm.waitFor(at(0) + `(?s:.*)q quit`)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) < 59 || !strings.Contains(lines[len(lines)-1], "q quit") {
		t.Fatalf("the status line is not at the bottom of 60 rows (%d lines)", len(lines))
	}
	var lower string
	for _, l := range lines {
		if strings.Contains(l, "state of") {
			lower = l
		}
	}
	for _, p := range []string{"state of", "event", "sent", "logs of"} {
		if !strings.Contains(lower, p) {
			t.Fatalf("the lower panes are not side by side: %q", lower)
		}
	}
	if !regexp.MustCompile(`steps 0-[2-9][0-9] of`).MatchString(s) {
		t.Fatalf("the list does not use the height:\n%s", s)
	}
	if len([]rune(lines[0])) < 150 {
		t.Fatalf("the title does not span the width: %q", lines[0])
	}
}

// TestStdin: the trace on stdin, the keys from the terminal.
func TestStdin(t *testing.T) {
	tm := start(t, 80, 24, "cat run.ndjson | debug")
	tm.waitFor(`debug - · r-`)
	tm.keys("j")
	tm.waitFor(at(1))
	tm.keys("q")
	tm.waitFor("debug exited 0")
}

// TestReadmeExample runs the README's example as written there.
func TestReadmeExample(t *testing.T) {
	tm := start(t, 100, 30, `gen register --nodes frontend=frontend1,register1=register,register2=register --clients 3 --ops 20 \
  | sched --seed 9 --exec sut-register > readme.ndjson
debug readme.ndjson`)
	s := tm.waitFor(at(0) + `(?s:.*)j/k step`)
	for _, want := range []string{`debug readme\.ndjson`, `c0 +c1 +c2 +fron`, `state of frontend after step 0`} {
		if !regexp.MustCompile(want).MatchString(s) {
			t.Fatalf("no %q on the screen:\n%s", want, s)
		}
	}
	tm.typeText(":17")
	tm.keys("Enter")
	tm.waitFor(at(17))
	tm.keys("q")
	tm.waitFor("debug exited 0")

	// The run's verdict, appended to the trace, shows in the title.
	tm = start(t, 100, 30, `check register readme.ndjson > verdict.ndjson 2>/dev/null; cat readme.ndjson verdict.ndjson | debug`)
	tm.waitFor(`verdict: NOT VALID \(not linearizable\)`)
}

// TestResize: when the terminal grows, the screen is laid out again for
// the new size.
func TestResize(t *testing.T) {
	tm := start(t, 80, 24, "debug run.ndjson")
	tm.waitFor(at(0) + `(?s:.*)j/k step`)
	tm.tmux("resize-window", "-t", "0", "-x", "170", "-y", "50")
	s := tm.waitFor(`state of frontend after step 0 \(1-9: node\) +│ event +│ sent(?s:.*)q quit`)
	if n := len(strings.Split(strings.TrimRight(s, "\n"), "\n")); n < 49 {
		t.Fatalf("%d rows after resizing to 50:\n%s", n, s)
	}
}

// TestFollowTimer: f on a timer goes to the step that set it, and back.
func TestFollowTimer(t *testing.T) {
	tm := start(t, 100, 40, `gen register --nodes frontend=frontend3,register1=register,register2=register --ops 10 |
  sched --quiet --seed 4 --exec sut-register --drop 0.3 > timers.ndjson; debug timers.ndjson`)
	tm.waitFor(at(0))
	tm.typeText(`/"type":"timer"`)
	tm.keys("Enter")
	s := tm.waitFor(`/"type":"timer": step ([0-9]+)`)
	fired := regexp.MustCompile(`/"type":"timer": step ([0-9]+)`).FindStringSubmatch(s)[1]
	tm.waitFor(`timer "tick" fired at frontend(?s:.*)set at step [0-9]+`)
	tm.keys("f")
	s = tm.waitFor(`f: step ([0-9]+) set the timer that fired at step ` + fired)
	set := regexp.MustCompile(`f: step ([0-9]+) set the timer`).FindStringSubmatch(s)[1]
	tm.waitFor(`· step ` + set + ` \(`)
	tm.waitFor(`timer "tick" in `)
	tm.keys("f")
	tm.waitFor(`· step ` + fired + ` \(`)
}
