package log

// Tests with real processes: many store append processes at once and a
// reader, and appenders killed with SIGKILL at random points.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	storeBin  string
	buildErr  error
	binDir    string
)

// storeBinary builds the store command once per test binary.
func storeBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "store-bin-")
		if buildErr != nil {
			return
		}
		storeBin = filepath.Join(binDir, "store")
		out, err := exec.Command("go", "build", "-o", storeBin, "github.com/detsys/detsys/store").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build store: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return storeBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

type note struct {
	Type  string `json:"type"`
	Batch string `json:"batch"`
	I     int    `json:"i"`
	Pad   string `json:"pad"`
}

// writeBatch writes a batch file of n records named batch, each padded
// to about size bytes, and returns its path.
func writeBatch(t *testing.T, dir, batch string, n, size int) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for i := 0; i < n; i++ {
		enc.Encode(note{Type: "note", Batch: batch, I: i, Pad: strings.Repeat("p", size)})
	}
	p := filepath.Join(dir, batch+".ndjson")
	if err := os.WriteFile(p, b.Bytes(), 0o666); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkLog reads the log: every line must be a note; it returns, per
// batch, the record numbers in log order, and whether each batch's
// records are contiguous.
func checkLog(t *testing.T, data []byte) (records map[string][]int, contiguous map[string]bool) {
	t.Helper()
	records, contiguous = map[string][]int{}, map[string]bool{}
	prev := ""
	for no, line := range bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n")) {
		if len(data) == 0 {
			break
		}
		var n note
		if err := json.Unmarshal(line, &n); err != nil || n.Type != "note" {
			t.Fatalf("line %d is not an intact record: %v: %.80q", no+1, err, line)
		}
		if _, ok := records[n.Batch]; !ok {
			contiguous[n.Batch] = true
		} else if prev != n.Batch {
			contiguous[n.Batch] = false
		}
		records[n.Batch] = append(records[n.Batch], n.I)
		prev = n.Batch
	}
	return records, contiguous
}

// Eight appender processes, each appending 12 batches of 1 KB – 200 KB
// records, while store tail -f follows the log and this test scans it
// over and over: no reader ever sees a partial record, and in the end
// every record is there once, every batch in one piece.
func TestConcurrentAppenders(t *testing.T) {
	bin := storeBinary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "l.jsonl")
	const procs, batches = 8, 12
	rng := rand.New(rand.NewPCG(1, 2))
	args := make([][]string, procs)
	want := map[string]int{}
	for p := 0; p < procs; p++ {
		args[p] = []string{"--log", logPath, "append"}
		for b := 0; b < batches; b++ {
			name := fmt.Sprintf("c-%d-%d", p, b)
			n := 1 + rng.IntN(40)
			args[p] = append(args[p], writeBatch(t, dir, name, n, 1000+rng.IntN(5000)))
			want[name] = n
		}
	}
	first := `{"type":"note","batch":"first","i":0,"pad":""}` + "\n"
	os.WriteFile(logPath, []byte(first), 0o666)

	// store tail -f follows from the first record; the appenders start
	// once it has shown it.
	tail := exec.Command(bin, "--log", logPath, "tail", "-n", "1", "-f")
	stdout, err := tail.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	var tailOut bytes.Buffer
	copied := make(chan error, 1)
	shown := make(chan bool, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := stdout.Read(buf)
			tailOut.Write(buf[:n])
			if tailOut.Len() >= len(first) {
				select {
				case shown <- true:
				default:
				}
			}
			if err != nil {
				copied <- nil
				return
			}
		}
	}()
	select {
	case <-shown:
	case <-time.After(20 * time.Second):
		t.Fatal("store tail -f showed nothing")
	}
	want["first"] = 1

	ctx, stop := context.WithCancel(context.Background())
	scans := make(chan error, 1)
	go func() { // an in-process reader, scanning without any lock
		n := 0
		for ctx.Err() == nil {
			f, err := os.Open(logPath)
			if err != nil {
				scans <- err
				return
			}
			s := NewScanner(f, 0, 0)
			for s.Scan() {
				if err := CheckLine(s.Bytes(), logPath, s.Line()); err != nil {
					f.Close()
					scans <- fmt.Errorf("a reader saw a partial record: %v", err)
					return
				}
			}
			f.Close()
			n++
		}
		scans <- nil
	}()

	var wg sync.WaitGroup
	errs := make(chan error, procs)
	for p := 0; p < procs; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command(bin, args[p]...).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("appender %d: %v\n%s", p, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	stop()
	if err := <-scans; err != nil {
		t.Fatal(err)
	}
	tail.Process.Signal(syscall.SIGINT)
	<-copied
	if err := tail.Wait(); err != nil {
		t.Fatalf("tail -f: %v", err)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(tailOut.Bytes(), data) {
		i := 0
		for i < min(tailOut.Len(), len(data)) && tailOut.Bytes()[i] == data[i] {
			i++
		}
		t.Fatalf("tail -f saw %d bytes, the log has %d; they differ from byte %d", tailOut.Len(), len(data), i)
	}
	records, contiguous := checkLog(t, data)
	for name, n := range want {
		got := records[name]
		if len(got) != n || !contiguous[name] {
			t.Fatalf("batch %s: %d records (want %d), contiguous %v", name, len(got), n, contiguous[name])
		}
		for i, r := range got {
			if r != i {
				t.Fatalf("batch %s: record %d is %d", name, i, r)
			}
		}
	}
	if len(records) != len(want) {
		t.Fatalf("%d batches in the log, want %d", len(records), len(want))
	}
}

// Appender processes killed with SIGKILL at random points, round after
// round; then store verify (--repair for a torn tail the last round left)
// finds every acknowledged record there, intact, exactly once, and of
// each killed appender's batch at most a prefix, once.
func TestCrashedAppenders(t *testing.T) {
	bin := storeBinary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "l.jsonl")
	const rounds, procs = 8, 5
	rng := rand.New(rand.NewPCG(3, 4))
	// How long does one append of a batch take here, now? The kills are
	// spread over [0.2, 1.2] of that, so that many land in the write.
	calib := writeBatch(t, dir, "calibrate", 2000, 2000)
	start := time.Now()
	if out, err := exec.Command(bin, "--log", filepath.Join(dir, "calib.jsonl"), "append", calib).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	took := time.Since(start)
	acked := map[string]int{}
	killed := map[string]int{}
	torn := 0
	for r := 0; r < rounds; r++ {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for p := 0; p < procs; p++ {
			name := fmt.Sprintf("k-%d-%d", r, p)
			n := 1000 + rng.IntN(2000)
			file := writeBatch(t, dir, name, n, 1000+rng.IntN(2000))
			delay := took/5 + time.Duration(rng.Int64N(int64(took)))
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "--log", logPath, "append", file)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if err := cmd.Start(); err != nil {
					t.Error(err)
					return
				}
				timer := time.AfterFunc(delay, func() { cmd.Process.Kill() })
				err := cmd.Wait()
				timer.Stop()
				mu.Lock()
				defer mu.Unlock()
				if strings.Contains(stderr.String(), "torn tail") {
					torn++
				}
				if err == nil {
					acked[name] = n
				} else if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == -1 {
					killed[name] = n
				} else {
					t.Errorf("%s: %v\n%s", name, err, stderr.String())
				}
			}()
		}
		wg.Wait()
	}
	t.Logf("%d appends acknowledged, %d killed, %d torn tails repaired by the next appender", len(acked), len(killed), torn)
	if len(acked) == 0 || len(killed) == 0 {
		t.Fatalf("the test needs both: %d acknowledged, %d killed (adjust the delays)", len(acked), len(killed))
	}

	// store verify: 0 (clean) or 1 (a torn tail left by the last round);
	// --repair makes it clean.
	verify := func(args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"--log", logPath, "verify"}, args...)...)
		out, err := cmd.Output()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	if code, out := verify(); code != 0 && code != 1 {
		t.Fatalf("store verify: exit %d: %s", code, out)
	}
	if code, out := verify("--repair"); code != 0 {
		t.Fatalf("store verify --repair: exit %d: %s", code, out)
	}
	code, out := verify()
	if code != 0 || strings.Contains(out, "corrupt") || strings.Contains(out, `"torn"`) {
		t.Fatalf("after repair: exit %d: %s", code, out)
	}

	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	records, contiguous := checkLog(t, data)
	for name, n := range acked {
		got := records[name]
		if len(got) != n || !contiguous[name] {
			t.Fatalf("acknowledged batch %s: %d of %d records, contiguous %v", name, len(got), n, contiguous[name])
		}
	}
	partial := 0
	for name, n := range killed {
		got := records[name]
		if len(got) > n || (len(got) > 0 && !contiguous[name]) {
			t.Fatalf("killed batch %s: %d records of %d, contiguous %v", name, len(got), n, contiguous[name])
		}
		for i, r := range got {
			if r != i {
				t.Fatalf("killed batch %s: record %d is %d: not a prefix", name, i, r)
			}
		}
		if len(got) > 0 && len(got) < n {
			partial++
		}
	}
	t.Logf("%d killed appenders left a prefix of their batch (complete records only)", partial)
}
