package page

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/detsys/detsys/cover/report"
	"github.com/detsys/detsys/formats"
)

// reportOf reads the cover/report test runs, times times over (a run read
// again adds no state: three times is a flat tail of six runs in nine).
func reportOf(t *testing.T, times int) *report.Report {
	t.Helper()
	data, err := os.ReadFile("../report/testdata/runs.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	r := report.New()
	for range times {
		if err := r.Read(bytes.NewReader(data), "runs.ndjson"); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func write(t *testing.T, r *report.Report, code *formats.CoverCode) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, r, code, Options{}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestSameBytes(t *testing.T) {
	a, b := write(t, reportOf(t, 2), nil), write(t, reportOf(t, 2), nil)
	if a != b {
		t.Fatal("two pages of the same runs differ")
	}
}

func TestSections(t *testing.T) {
	p := write(t, reportOf(t, 1), nil)
	for _, want := range []string{
		`<title>detsys cover: 3 runs</title>`,
		`runs: 3, tests: 1, seeds: 3, step records: 29`,
		`<section id="growth"`, `data-runs="3"`, `still growing`,
		`<tr><td>a</td><td class="n">3</td><td class="n">7</td></tr>`, // states per node
		`<tr><td>c*</td><td>a</td><td>write</td><td class="n">2</td><td class="n">2</td><td class="n zero">0</td></tr>`,
		`<section id="faults"`, `<tr><td>drop:partition</td><td class="n">1</td><td class="n">2</td></tr>`,
		`<tr><td>read</td><td class="n">2</td><td class="n">1</td><td class="n">0</td><td class="n">1</td></tr>`,
	} {
		if !strings.Contains(p, want) {
			t.Errorf("no %s in the page", want)
		}
	}
	if strings.Contains(p, `id="code"`) || strings.Contains(p, "<script") || strings.Contains(p, "http://") && !strings.Contains(p, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Error("a code section without code, a script, or a link out")
	}
	if !strings.Contains(write(t, reportOf(t, 3), nil), `<p class="growth-note flat">flat: no new state in the last 6 of 9 runs, more seeds will not help</p>`) {
		t.Error("no flat note for runs read three times")
	}
	code := &formats.CoverCode{Dirs: []string{"cov"}, Total: 46.25, Packages: []formats.PackageCoverage{{Package: "x/y", Percent: 50}},
		Functions: []formats.FuncCoverage{{File: "y.go", Line: 3, Function: "F", Percent: 0}}}
	c := write(t, nil, code)
	if !strings.Contains(c, `<h2>Code: 46.2% of statements`) || !strings.Contains(c, `<td class="n zero">0.0%</td>`) || strings.Contains(c, `id="growth"`) {
		t.Errorf("code only:\n%s", c)
	}
}

func TestNamesAreEscaped(t *testing.T) {
	r := report.New()
	in := `{"type":"run","run":"r-1","test":"t","seed":1,"faults":[],"nodes":[{"name":"<b>x</b>","kind":"k"}]}
{"type":"init","run":"r-1","step":0,"at":0,"node":"<b>x</b>","state":{"s":"</svg>"},"sends":[{"id":"m","to":"<i>","body":{"type":"<script>"}}]}
`
	if err := r.Read(strings.NewReader(in), "in"); err != nil {
		t.Fatal(err)
	}
	p := write(t, r, nil)
	for _, bad := range []string{"<b>x", "<i>", "<script>"} {
		if strings.Contains(p, bad) {
			t.Errorf("%s is not escaped", bad)
		}
	}
	if !strings.Contains(p, "&lt;b&gt;x&lt;/b&gt;") {
		t.Error("the node name is not there, escaped")
	}
}

// In headless Chromium (the page has no script: --dump-dom and
// --screenshot are all it takes): the SVG is parsed into the page, its
// lines have the curve's points, and the flat tail is painted.
func TestBrowser(t *testing.T) {
	bin := ""
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		if os.Geteuid() == 0 {
			t.Fatal("chromium is not installed: run scripts/deps (make test does) to install it")
		}
		t.Skip("SKIP: chromium is not installed and this user is not root: run scripts/deps as root; the browser test did not run")
	}
	dir := os.Getenv("DETSYS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "debug", "html", "testdata", "artifacts") // git-ignored
	}
	dir, _ = filepath.Abs(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	chromium := func(file string, args ...string) []byte {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		args = append([]string{"--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
			"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--window-size=1100,700"}, args...)
		cmd := exec.CommandContext(ctx, bin, append(args, (&url.URL{Scheme: "file", Path: file}).String())...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %s: %v\n%s", file, err, stderr.String())
		}
		return stdout.Bytes()
	}
	for _, c := range []struct {
		name  string
		times int
		flat  bool
	}{{"cover", 1, false}, {"cover-flat", 3, true}} {
		file := filepath.Join(dir, c.name+".html")
		if err := os.WriteFile(file, []byte(write(t, reportOf(t, c.times), nil)), 0o644); err != nil {
			t.Fatal(err)
		}
		dom := string(chromium(file, "--dump-dom"))
		_, growth, ok := strings.Cut(dom, `<section id="growth"`)
		if !ok {
			t.Fatalf("%s: no growth section in the DOM:\n%.2000s", c.name, dom)
		}
		growth, _, _ = strings.Cut(growth, "</section>")
		runs := 3 * c.times
		if n := strings.Count(growth, `<polyline class="node"`); n != 3 {
			t.Errorf("%s: %d node lines, want 3", c.name, n)
		}
		if n := strings.Count(growth, `<circle class="run"`); n != runs {
			t.Errorf("%s: %d run dots, want %d", c.name, n, runs)
		}
		for _, l := range strings.Split(growth, "<polyline")[1:] {
			_, pts, _ := strings.Cut(l, `points="`)
			pts, _, _ = strings.Cut(pts, `"`)
			if n := len(strings.Fields(pts)); n != runs {
				t.Errorf("%s: a line of %d points, want %d", c.name, n, runs)
			}
		}
		if strings.Contains(growth, "more seeds will not help") != c.flat {
			t.Errorf("%s: the flat note is there: %v, want %v", c.name, !c.flat, c.flat)
		}

		shot := filepath.Join(dir, c.name+".png")
		chromium(file, "--screenshot="+shot)
		f, err := os.Open(shot)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		// The total is drawn in ink (#1d2330) and the flat tail shaded
		// (#fdf4dc), inside the plot.
		plot := image.Rect(0, 40, 700, 340)
		if ink := count(img, plot, 0x1d, 0x23, 0x30); ink < 300 {
			t.Errorf("%s: %d ink pixels in the plot: the curve is not drawn", c.name, ink)
		}
		if shade := count(img, plot, 0xfd, 0xf4, 0xdc); (shade > 5000) != c.flat {
			t.Errorf("%s: %d shaded pixels, want flat %v", c.name, shade, c.flat)
		}
		t.Logf("page %s\nscreenshot %s", file, shot)
	}
}

// count is the pixels of that colour in r.
func count(img image.Image, r image.Rectangle, red, green, blue uint32) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if cr>>8 == red && cg>>8 == green && cb>>8 == blue {
				n++
			}
		}
	}
	return n
}
