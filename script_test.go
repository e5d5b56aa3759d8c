package detsys_test

// End-to-end tests of the real binaries: testdata/script/*.txtar, run by
// testscript with bin/ (built once, here) first on PATH. Run with
// -update to rewrite the golden files in the scripts.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/script")

// binaries lists every binary the repository builds, name → package: each
// top-level directory with a main.go is a tool of that name, and each
// exec/examples/NAME is the executor sut-NAME. The Makefile finds the same
// list the same way, so a new tool needs no edit here.
func binaries() (map[string]string, error) {
	bins := map[string]string{}
	tools, err := filepath.Glob("*/main.go")
	if err != nil {
		return nil, err
	}
	for _, m := range tools {
		dir := filepath.Dir(m)
		bins[dir] = "./" + dir
	}
	suts, err := filepath.Glob("exec/examples/*/main.go")
	if err != nil {
		return nil, err
	}
	for _, m := range suts {
		dir := filepath.Dir(m)
		bins["sut-"+filepath.Base(dir)] = "./" + filepath.ToSlash(dir)
	}
	return bins, nil
}

var binDir, repoRoot string

// goEnv is the go command's cache locations, passed on to the scripts so
// that a script can run "go build" (testscript's HOME is /no-home).
var goEnv []string

func TestMain(m *testing.M) {
	repoRoot, _ = os.Getwd()
	dir, err := os.MkdirTemp("", "detsys-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		bins, err := binaries()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		// One go build per binary, all at once: the toolchain shares the
		// work of common packages through its cache.
		errs := make(chan error, len(bins))
		for name, pkg := range bins {
			go func() {
				cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
				out, err := cmd.CombinedOutput()
				if err != nil {
					err = fmt.Errorf("building %s: %v\n%s", name, err, out)
				}
				errs <- err
			}()
		}
		failed := false
		for range bins {
			if err := <-errs; err != nil {
				fmt.Fprintln(os.Stderr, err)
				failed = true
			}
		}
		if failed {
			return 1
		}
		binDir = dir
		out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE").Output()
		if err != nil {
			fmt.Fprintln(os.Stderr, "go env:", err)
			return 1
		}
		goEnv = strings.Fields(string(out))
		return m.Run()
	}()
	os.Exit(code)
}

// trackSources opens every file the binaries and scripts are made of, so
// that go test's cache, which notes the files a test opens, reruns these
// tests when one of them changes (the binaries are built by a go build in
// TestMain, which the cache cannot see).
func trackSources(t *testing.T) {
	t.Helper()
	err := filepath.WalkDir(repoRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != repoRoot && (strings.HasPrefix(name, ".") || name == "bin" || name == "testdata" || name == "demo-out") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".go") || name == "go.mod" || name == "go.sum" || filepath.Base(filepath.Dir(path)) == "scripts" {
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			f.Close()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestScripts(t *testing.T) {
	trackSources(t)
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("PATH", binDir+string(os.PathListSeparator)+e.Getenv("PATH"))
			e.Setenv("GOARCH", runtime.GOARCH)
			e.Setenv("REPO", repoRoot)
			if len(goEnv) == 2 {
				e.Setenv("GOCACHE", goEnv[0])
				e.Setenv("GOMODCACHE", goEnv[1])
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"code": codeCmd,
		},
	})
}

// codeCmd is "code N PROG ARGS...": run PROG like exec does (stdout and
// stderr kept for the commands that follow) and require exit code N.
func codeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: code N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("code: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("code: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d; stderr:\n%s", args[1], got, want, ts.ReadFile("stderr"))
	}
}
