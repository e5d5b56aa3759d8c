package html

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// browser is one headless Chromium driven over the DevTools protocol on
// the pipe it opens with --remote-debugging-pipe (fd 3 in, fd 4 out,
// messages ended by NUL): one browser for many page loads, and key
// presses that are real keyboard events, not the page's #keys= replay.
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      *os.File // its fd 3
	out     *bufio.Reader
	outFile *os.File // its fd 4
	id      int
	session string
	loads   int
}

func launch(t *testing.T) *browser {
	t.Helper()
	bin := chromiumPath(t)
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
		"--hide-scrollbars", "--remote-debugging-pipe", "--user-data-dir="+t.TempDir(), "about:blank")
	cmd.ExtraFiles = []*os.File{inR, outW}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	b := &browser{t: t, cmd: cmd, in: inW, out: bufio.NewReader(outR), outFile: outR}
	t.Cleanup(func() {
		inW.Close() // Chromium exits when its pipe closes
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		outR.Close()
		if t.Failed() {
			t.Logf("chromium's stderr:\n%s", stderr.String())
		}
	})
	target := b.call("Target.createTarget", map[string]any{"url": "about:blank"})
	var tg struct{ TargetID string }
	json.Unmarshal(target, &tg)
	attached := b.call("Target.attachToTarget", map[string]any{"targetId": tg.TargetID, "flatten": true})
	var at struct{ SessionID string }
	json.Unmarshal(attached, &at)
	b.session = at.SessionID
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": false})
	return b
}

// call sends one command and returns its result, skipping the events
// that come before the answer.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	b.id++
	msg := map[string]any{"id": b.id, "method": method, "params": params}
	if b.session != "" {
		msg["sessionId"] = b.session
	}
	data, _ := json.Marshal(msg)
	if _, err := b.in.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	b.outFile.SetReadDeadline(time.Now().Add(60 * time.Second))
	for {
		line, err := b.out.ReadBytes(0)
		if err != nil {
			b.t.Fatalf("%s: reading Chromium's answer: %v", method, err)
		}
		var reply struct {
			ID     int
			Result json.RawMessage
			Error  *struct{ Message string }
		}
		if err := json.Unmarshal(line[:len(line)-1], &reply); err != nil {
			b.t.Fatalf("%s: %v: %q", method, err, line)
		}
		if reply.ID != b.id {
			continue // an event
		}
		if reply.Error != nil {
			b.t.Fatalf("%s: %s", method, reply.Error.Message)
		}
		return reply.Result
	}
}

// eval evaluates a JavaScript expression in the page and returns its value.
func (b *browser) eval(expr string) any {
	b.t.Helper()
	res := b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	var r struct {
		Result           struct{ Value any }
		ExceptionDetails *struct{ Text string }
	}
	json.Unmarshal(res, &r)
	if r.ExceptionDetails != nil {
		b.t.Fatalf("%s: %s", expr, r.ExceptionDetails.Text)
	}
	return r.Result.Value
}

// open loads the page afresh and waits for its script to have drawn it.
func (b *browser) open(file, fragment string) {
	b.t.Helper()
	b.loads++
	u := (&url.URL{Scheme: "file", Path: file, RawQuery: "load=" + strconv.Itoa(b.loads)}).String()
	if fragment != "" {
		u += "#" + url.PathEscape(fragment)
	}
	b.call("Page.navigate", map[string]any{"url": u})
	for deadline := time.Now().Add(60 * time.Second); ; {
		ready := b.eval(`document.readyState === 'complete' && document.body && (document.body.dataset.error || document.body.dataset.readyMs || '')`)
		if s, _ := ready.(string); s != "" {
			if e, _ := b.eval(`document.body.dataset.error || ''`).(string); e != "" {
				b.t.Fatalf("%s: the page's script failed: %s", u, e)
			}
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: the page did not get ready", u)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// keyCodes are the keys the tests press that are not characters.
var keyCodes = map[string]int{"Enter": 13, "Escape": 27, "ArrowUp": 38, "ArrowDown": 40, "ArrowLeft": 37, "ArrowRight": 39}

// press types keys as keyboard events: each character is a key, "\n" is
// Enter (the same notation as the page's #keys=).
func (b *browser) press(keys string) {
	b.t.Helper()
	for _, r := range keys {
		k := string(r)
		ev := map[string]any{"type": "keyDown", "key": k, "text": k}
		if r == '\n' {
			k = "Enter"
			ev = map[string]any{"type": "keyDown", "key": k, "code": k, "text": "\r", "windowsVirtualKeyCode": keyCodes[k]}
		}
		b.call("Input.dispatchKeyEvent", ev)
		b.call("Input.dispatchKeyEvent", map[string]any{"type": "keyUp", "key": k})
	}
}

// dom is the page's body as it is now, without its scripts (the trace in
// them can be megabytes).
func (b *browser) dom() string {
	b.t.Helper()
	s, _ := b.eval(`(() => { const c = document.body.cloneNode(true); c.querySelectorAll('script').forEach((s) => s.remove()); return c.outerHTML; })()`).(string)
	return s
}

// view loads the page, presses keys and returns the DOM.
func (b *browser) view(file, keys string) string {
	b.t.Helper()
	b.open(file, "")
	b.press(keys)
	return b.dom()
}

// screenshot writes what the page shows now as a PNG.
func (b *browser) screenshot(file string) {
	b.t.Helper()
	res := b.call("Page.captureScreenshot", map[string]any{"format": "png"})
	var r struct{ Data string }
	json.Unmarshal(res, &r)
	png, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil || len(png) < 10000 {
		b.t.Fatalf("screenshot: %v (%d bytes)", err, len(png))
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// click clicks the middle of the first element matching a CSS selector.
func (b *browser) click(selector string) {
	b.t.Helper()
	pos, ok := b.eval(`(() => { const e = document.querySelector(` + strconv.Quote(selector) + `); if (!e) return null;
		const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`).([]any)
	if !ok {
		b.t.Fatalf("nothing to click at %s", selector)
	}
	for _, typ := range []string{"mousePressed", "mouseReleased"} {
		b.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": pos[0], "y": pos[1], "button": "left", "clickCount": 1})
	}
}
