package detsys_test

// End-to-end tests of the real binaries: testdata/script/*.txtar, run by
// testscript with bin/ (built once, here) first on PATH. Run with
// -update to rewrite the golden files in the scripts.

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/script")

// Binaries lists every binary the repository builds: name → package. The
// Makefile builds the same list into bin/.
var Binaries = map[string]string{
	"gen":          "./gen",
	"sched":        "./sched",
	"check":        "./check",
	"sut-register": "./exec/examples/register",
}

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "detsys-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		for name, pkg := range Binaries {
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				fmt.Fprintf(os.Stderr, "building %s: %v\n", name, err)
				return 1
			}
		}
		binDir = dir
		return m.Run()
	}()
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("PATH", binDir+string(os.PathListSeparator)+e.Getenv("PATH"))
			e.Setenv("GOARCH", runtime.GOARCH)
			return nil
		},
	})
}
