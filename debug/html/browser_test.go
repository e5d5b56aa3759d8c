package html

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/formats"
)

// These tests load the page in a real headless Chromium (Debian's
// chromium, installed by scripts/deps), press keys as keyboard events over
// the DevTools protocol (cdp_test.go) and read back the DOM the page built.
// One test also goes through the page's address (#keys=…) with
// --dump-dom, as a person's link would. A screenshot and the page are kept
// in $DETSYS_ARTIFACTS (default testdata/artifacts/).

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Geteuid() == 0 {
		t.Fatal("chromium is not installed: run scripts/deps (make test does) to install it")
	}
	t.Skip("SKIP: chromium is not installed and this user is not root: run scripts/deps as root to install it; the browser tests did not run")
	return ""
}

func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DETSYS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// browse loads file#fragment in headless Chromium and returns the DOM
// after the page's script ran, or, with shot set, writes a screenshot.
func browse(t *testing.T, file, fragment, shot string) string {
	t.Helper()
	bin := chromiumPath(t)
	u := (&url.URL{Scheme: "file", Path: file}).String()
	if fragment != "" {
		u += "#" + url.PathEscape(fragment)
	}
	args := []string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--window-size=1280,900"}
	if shot != "" {
		args = append(args, "--screenshot="+shot)
	} else {
		args = append(args, "--dump-dom")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, u)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", u, err, stderr.String())
	}
	if m := regexp.MustCompile(`data-error="([^"]*)"`).FindStringSubmatch(stdout.String()); m != nil {
		t.Fatalf("chromium %s: the page's script failed: %s", u, m[1])
	}
	if shot == "" && !strings.Contains(stdout.String(), "data-step=") {
		t.Fatalf("chromium %s: the page's script did not run:\n%.2000s\n%s", u, stdout.String(), stderr.String())
	}
	return stdout.String()
}

var bodyStep = regexp.MustCompile(`<body data-step="(\d+)"`)

// shownStep is the step the page shows, from the body's data-step.
func shownStep(t *testing.T, dom string) int64 {
	t.Helper()
	m := bodyStep.FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no data-step on the body:\n%.1500s", dom)
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// section is the inner HTML of the element with that id.
func section(t *testing.T, dom, id string) string {
	t.Helper()
	_, rest, ok := strings.Cut(dom, `id="`+id+`"`)
	if !ok {
		t.Fatalf("no #%s in the DOM", id)
	}
	body, _, _ := strings.Cut(rest, "</section>")
	return body
}

// steps are a trace's step records, decoded.
func steps(t *testing.T, trace []byte) []formats.Step {
	t.Helper()
	var out []formats.Step
	for _, l := range bytes.Split(bytes.TrimSpace(trace), []byte("\n")) {
		if formats.TypeOf(l) == formats.TypeRun {
			continue
		}
		var s formats.Step
		if err := json.Unmarshal(l, &s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func TestBrowser(t *testing.T) {
	b := launch(t)
	trace, verdicts := failingRun(t)
	dir := artifacts(t)
	file := filepath.Join(dir, "register-stale-read.html")
	if err := os.WriteFile(file, writePage(t, append(trace, verdicts...), Options{At: AtAuto}), 0o644); err != nil {
		t.Fatal(err)
	}
	recs := steps(t, trace)
	for i, s := range recs {
		if s.Step != int64(i) {
			t.Fatalf("the test expects steps numbered from 0: row %d is step %d", i, s.Step)
		}
	}
	var w struct {
		Witness struct {
			PrefixEndStep int64 `json:"prefix_end_step"`
			Failed        struct {
				InvokeStep int64 `json:"invoke_step"`
			} `json:"failed"`
			Ops         []json.RawMessage `json:"ops"`
			Explanation string            `json:"explanation"`
		} `json:"witness"`
	}
	if err := json.Unmarshal(verdicts, &w); err != nil {
		t.Fatal(err)
	}

	t.Run("opens at the witness", func(t *testing.T) {
		dom := b.view(file, "")
		if got := shownStep(t, dom); got != w.Witness.PrefixEndStep {
			t.Errorf("opened at step %d, want %d, where the failing prefix ends", got, w.Witness.PrefixEndStep)
		}
		banner := section(t, dom, "verdicts")
		if !strings.Contains(banner, `class="verdict bad"`) || !strings.Contains(banner, "not linearizable") {
			t.Errorf("no failing verdict shown: %.500s", banner)
		}
		if !strings.Contains(banner, strings.ReplaceAll(w.Witness.Explanation, "→", "→")) {
			t.Errorf("the banner lacks the witness's explanation %q", w.Witness.Explanation)
		}
		hist := section(t, dom, "history")
		failed := regexp.MustCompile(`<g class="op (\w+) failed[^"]*" data-row="(\d+)"`).FindAllStringSubmatch(hist, -1)
		if len(failed) != 1 || failed[0][2] != strconv.FormatInt(w.Witness.Failed.InvokeStep, 10) {
			t.Errorf("failed operations in the history: %v, want the one invoked at step %d", failed, w.Witness.Failed.InvokeStep)
		}
		if named := strings.Count(hist, " named"); named != len(w.Witness.Ops)-1 {
			t.Errorf("%d operations outlined as the witness's, want %d", named, len(w.Witness.Ops)-1)
		}
		if !strings.Contains(hist, " faded") {
			t.Error("the operations outside the witness are not faded")
		}
		diagram := section(t, dom, "diagram")
		if !regexp.MustCompile(`<g class="row cur wit[^"]*" data-row="` + strconv.FormatInt(w.Witness.PrefixEndStep, 10) + `"`).MatchString(diagram) {
			t.Error("the current row of the diagram is not marked as a witness step")
		}
		if !strings.Contains(section(t, dom, "detail"), `badge wit`) {
			t.Error("the step detail does not say the step is the witness's")
		}
	})

	t.Run("f goes from a delivery to its send and back", func(t *testing.T) {
		row := -1
		for i, s := range recs {
			if s.Type == formats.TypeDeliver && s.SentStep != nil && *s.SentStep < s.Step-1 {
				row = i
				break
			}
		}
		keys := "g" + strings.Repeat("j", row)
		dom := b.view(file, keys+"f")
		if got := shownStep(t, dom); got != *recs[row].SentStep {
			t.Errorf("%s f: step %d, want %d, where step %d's message %s was sent", keys, got, *recs[row].SentStep, row, recs[row].ID)
		}
		if s := regexp.MustCompile(`id="status">([^<]*)<`).FindStringSubmatch(dom); s == nil || !strings.Contains(s[1], "sent at step") {
			t.Errorf("status %q", s)
		}
		if got := shownStep(t, b.view(file, keys+"ff")); got != int64(row) {
			t.Errorf("f f: step %d, want %d again", got, row)
		}
	})

	t.Run("state diff", func(t *testing.T) {
		// The first write a register takes: its value changes from null.
		row := -1
		for i, s := range recs {
			if s.Type == formats.TypeDeliver && strings.HasPrefix(s.To, "register") && bytes.Contains(s.Body, []byte(`"write"`)) {
				row = i
				break
			}
		}
		var st struct{ Value int }
		json.Unmarshal(recs[row].State, &st)
		dom := b.view(file, fmt.Sprintf(":%d\n", row))
		if got := shownStep(t, dom); got != int64(row) {
			t.Fatalf(":%d: step %d", row, got)
		}
		state := section(t, dom, "state")
		if !strings.Contains(state, `data-node="`+recs[row].To+`"`) {
			t.Errorf("the state shown is not %s's: %.300s", recs[row].To, state)
		}
		want := fmt.Sprintf(`<span class="key">"value"</span>: <span class="chg">%d</span> <span class="old">null</span>`, st.Value)
		if !strings.Contains(state, want) {
			t.Errorf("the state does not show value null → %d as changed:\n%s", st.Value, state)
		}
		if !strings.Contains(state, `<span class="tab on changed" data-lane=`) {
			t.Error("the node's tab is not marked changed")
		}
		// 1 pins the frontend, whose state the step did not change.
		b.press("1")
		state = section(t, b.dom(), "state")
		if !strings.Contains(state, `data-node="frontend"`) || !strings.Contains(state, "unchanged since step") || strings.Contains(state, `class="chg"`) {
			t.Errorf("1: want the frontend's state, unchanged:\n%.600s", state)
		}
	})

	t.Run("search", func(t *testing.T) {
		// The records that mention read_ok anywhere (a reply's body, a
		// step's sends), after the first.
		var rows []int
		for i, l := range bytes.Split(bytes.TrimSpace(trace), []byte("\n"))[1:] {
			if i > 0 && bytes.Contains(l, []byte(`read_ok`)) {
				rows = append(rows, i)
			}
		}
		if got := shownStep(t, b.view(file, "g/read_ok\n")); got != int64(rows[0]) {
			t.Errorf("/read_ok: step %d, want %d", got, rows[0])
		}
		b.press("n")
		if got := shownStep(t, b.dom()); got != int64(rows[1]) {
			t.Errorf("/read_ok n: step %d, want %d", got, rows[1])
		}
		b.press("N")
		if got := shownStep(t, b.dom()); got != int64(rows[0]) {
			t.Errorf("/read_ok n N: step %d, want %d", got, rows[0])
		}
		// The same through the address, as a link to the page would.
		if got := shownStep(t, browse(t, file, "keys=g/read_ok\nn", "")); got != int64(rows[1]) {
			t.Errorf("#keys=g/read_ok%%0An: step %d, want %d", got, rows[1])
		}
	})

	t.Run("w walks the witness's steps", func(t *testing.T) {
		tr, err := readTrace(bytes.NewReader(append(trace, verdicts...)), "run.ndjson")
		if err != nil {
			t.Fatal(err)
		}
		want := tr.stepNos[tr.witness.steps[1]]
		dom := b.view(file, "gww")
		if got := shownStep(t, dom); got != want {
			t.Errorf("g w w: step %d, want %d, the second step the witness names", got, want)
		}
		if !strings.Contains(dom, "witness: step "+strconv.FormatInt(want, 10)+" (2 of "+strconv.Itoa(len(tr.witness.steps))+")") {
			t.Error("the status line does not say which witness step this is")
		}
	})

	t.Run("clicks", func(t *testing.T) {
		// The failed operation's bar in the history: to its invoke.
		b.open(file, "")
		b.click(`#history g.op.failed rect`)
		if got := shownStep(t, b.dom()); got != w.Witness.Failed.InvokeStep {
			t.Errorf("clicked the failed operation: step %d, want its invoke, %d", got, w.Witness.Failed.InvokeStep)
		}
		// A row of the diagram: to that step.
		b.click(`#diagram g.row[data-row="` + strconv.FormatInt(w.Witness.Failed.InvokeStep+3, 10) + `"] text.kind`)
		if got := shownStep(t, b.dom()); got != w.Witness.Failed.InvokeStep+3 {
			t.Errorf("clicked row %d: step %d", w.Witness.Failed.InvokeStep+3, got)
		}
		// A node's tab: its state.
		b.click(`#state .tab[data-lane="5"]`)
		if !strings.Contains(section(t, b.dom(), "state"), `data-node="register2"`) {
			t.Error("clicked register2's tab: its state is not shown")
		}
	})

	t.Run("G, j past the end, help", func(t *testing.T) {
		dom := b.view(file, "Gjj?")
		if got := shownStep(t, dom); got != int64(len(recs)-1) {
			t.Errorf("G j j: step %d, want the last, %d", got, len(recs)-1)
		}
		if !strings.Contains(dom, `<div id="help">`) {
			t.Error("? did not open the help")
		}
	})

	t.Run("t draws the history by time", func(t *testing.T) {
		byStep := section(t, b.view(file, ""), "history")
		b.press("t")
		byTime := section(t, b.dom(), "history")
		if !strings.Contains(byTime, " simulated;") || !regexp.MustCompile(`class="tick"[^>]*>[0-9.]+ ms<`).MatchString(byTime) {
			t.Errorf("t: the history's axis is not in simulated time:\n%.600s", byTime)
		}
		bar := regexp.MustCompile(`data-op="5"><rect x="([0-9.]+)"`)
		if a, b := bar.FindStringSubmatch(byStep), bar.FindStringSubmatch(byTime); a == nil || b == nil || a[1] == b[1] {
			t.Errorf("operation 5's bar did not move: %v %v", a, b)
		}
	})

	t.Run("a bare client history", func(t *testing.T) {
		// No run record, no nodes: the history and the step list still work.
		var bare []byte
		for _, l := range bytes.SplitAfter(trace, []byte("\n")) {
			switch formats.TypeOf(l) {
			case formats.TypeInvoke, formats.TypeOk, formats.TypeFail, formats.TypeInfo:
				bare = append(bare, l...)
			}
		}
		f := filepath.Join(t.TempDir(), "bare.html")
		if err := os.WriteFile(f, writePage(t, append(bare, verdicts...), Options{At: AtAuto}), 0o644); err != nil {
			t.Fatal(err)
		}
		dom := b.view(f, "Gk")
		bareSteps := steps(t, bare)
		if got, want := shownStep(t, dom), bareSteps[len(bareSteps)-2].Step; got != want {
			t.Errorf("G k: step %d, want %d, the history's last but one", got, want)
		}
		if n := strings.Count(section(t, dom, "history"), `<g class="op`); n == 0 {
			t.Error("no operations in the history")
		}
		if !strings.Contains(section(t, dom, "state"), "no state recorded") {
			t.Error("the state pane does not say there is none")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		shot := filepath.Join(dir, "register-stale-read.png")
		b.open(file, "")
		b.screenshot(shot)
		t.Logf("page %s\nscreenshot %s", file, shot)
	})
}

// A run with message loss, a crash and a restart: the diagram marks them.
func TestBrowserFaults(t *testing.T) {
	b := launch(t)
	trace, verdicts := registerRun(t, "frontend3", 3, 10, 3, 0.2, 1, 0)
	recs := steps(t, trace)
	crash, drop := -1, -1
	for i, s := range recs {
		if s.Type == formats.TypeCrash && crash < 0 {
			crash = i
		}
		if s.Type == formats.TypeDrop && drop < 0 {
			drop = i
		}
	}
	if crash < 0 || drop < 0 {
		t.Fatalf("seed 3 no longer crashes (%d) and drops (%d)", crash, drop)
	}
	dir := artifacts(t)
	file := filepath.Join(dir, "register-faults.html")
	if err := os.WriteFile(file, writePage(t, append(trace, verdicts...), Options{At: AtAuto}), 0o644); err != nil {
		t.Fatal(err)
	}
	dom := b.view(file, fmt.Sprintf(":%d\n", crash))
	diagram := section(t, dom, "diagram")
	if !strings.Contains(diagram, `class="crash hot"`) || !strings.Contains(diagram, `class="lane down"`) {
		t.Errorf("the crash at step %d is not marked in the diagram", crash)
	}
	if !strings.Contains(section(t, dom, "state"), `class="badge down"`) {
		t.Error("the crashed node's state does not say it is down")
	}
	if !strings.Contains(section(t, dom, "verdicts"), `class="verdict good"`) {
		t.Error("the verdict that holds is not shown")
	}
	shot := filepath.Join(dir, "register-faults.png")
	b.screenshot(shot)
	dom = b.view(file, fmt.Sprintf(":%d\n", drop))
	if !strings.Contains(section(t, dom, "diagram"), `class="dropx"`) {
		t.Errorf("the drop at step %d is not marked", drop)
	}
	if !strings.Contains(section(t, dom, "detail"), "reason: "+recs[drop].Reason) {
		t.Error("the drop's reason is not shown")
	}
	t.Logf("page %s\nscreenshot %s", file, shot)
}

// A long trace: the diagram draws only the rows around the current step,
// and moving about stays right at both ends.
func TestBrowserLongTrace(t *testing.T) {
	b := launch(t)
	trace, verdicts := registerRun(t, "frontend3", 5, 3000, 2, 0.02, 0, 0)
	recs := steps(t, trace)
	if len(recs) < 20000 {
		t.Fatalf("only %d steps", len(recs))
	}
	// The lines in pieces of 1 MB, as a trace of gigabytes would have them
	// in pieces of 32 MB.
	defer func(n int) { chunkSize = n }(chunkSize)
	chunkSize = 1 << 20
	page := writePage(t, append(trace, verdicts...), Options{At: 10000})
	if n := bytes.Count(page, []byte(`class="lines"`)); n < 5 {
		t.Fatalf("%d pieces of lines", n)
	}
	file := filepath.Join(t.TempDir(), "long.html")
	if err := os.WriteFile(file, page, 0o644); err != nil {
		t.Fatal(err)
	}
	b.open(file, "")
	rows := func() int { return strings.Count(section(t, b.dom(), "diagram"), `<g class="row`) }
	if got := shownStep(t, b.dom()); got != recs[10000].Step {
		t.Fatalf("opened at step %d, want --at 10000", got)
	}
	if n := rows(); n < 10 || n > 100 {
		t.Errorf("%d rows drawn of %d: want only those on screen", n, len(recs))
	}
	b.press("G")
	if got, want := shownStep(t, b.dom()), recs[len(recs)-1].Step; got != want {
		t.Errorf("G: step %d, want %d", got, want)
	}
	b.press("gj")
	if got := shownStep(t, b.dom()); got != recs[1].Step {
		t.Errorf("g j: step %d, want %d", got, recs[1].Step)
	}
	// Every piece was read: the last step's record is there to show, and
	// the page knows as many records as steps.
	if n := b.eval(`document.querySelectorAll('script.lines').length`); n != float64(bytes.Count(page, []byte(`class="lines"`))) {
		t.Errorf("%v pieces in the browser", n)
	}
	b.press("G")
	if !strings.Contains(section(t, b.dom(), "detail"), "quiescent") && !strings.Contains(section(t, b.dom(), "detail"), recs[len(recs)-1].Type) {
		t.Error("the last step's record is not shown")
	}
	b.press(":" + strconv.FormatInt(recs[len(recs)/2].Step, 10) + "\n")
	if det := section(t, b.dom(), "detail"); !strings.Contains(det, ">"+recs[len(recs)/2].Type+"<") {
		t.Errorf("step %d's record (%s) is not shown: %.300s", recs[len(recs)/2].Step, recs[len(recs)/2].Type, det)
	}
	if n := rows(); n < 10 || n > 100 {
		t.Errorf("%d rows drawn at the top", n)
	}
	t.Logf("%d steps: the page's script took %v ms to read and draw", len(recs), b.eval(`document.body.dataset.readyMs`))
}
