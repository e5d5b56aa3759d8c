package report

import (
	"bytes"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/detsys/detsys/formats"
)

// Code merges the Go coverage data that executors built with
// "go build -cover" wrote into dirs (their GOCOVERDIR, one or more runs
// each) and returns it per package and per function, using the Go
// toolchain's own tools: go tool covdata percent and func. goCmd is the go
// command to run ("go" if empty).
func Code(goCmd string, dirs []string) (formats.CoverCode, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	in := "-i=" + strings.Join(dirs, ",")
	percent, err := covdata(goCmd, "percent", in)
	if err != nil {
		return formats.CoverCode{}, err
	}
	funcs, err := covdata(goCmd, "func", in)
	if err != nil {
		return formats.CoverCode{}, err
	}
	c := formats.CoverCode{Type: formats.TypeCover, Section: formats.SectionCode, Dirs: dirs}
	if c.Packages, err = ParsePercent(percent); err != nil {
		return c, err
	}
	if c.Functions, c.Total, err = ParseFunc(funcs); err != nil {
		return c, err
	}
	return c, nil
}

func covdata(goCmd string, mode, in string) ([]byte, error) {
	cmd := exec.Command(goCmd, "tool", "covdata", mode, in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go tool covdata %s %s: %v: %s", mode, in, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

var percentLine = regexp.MustCompile(`^\s*(\S+)\s+coverage: ([0-9.]+)% of statements`)

// ParsePercent reads the output of go tool covdata percent: one line per
// package. The result is sorted by package.
func ParsePercent(out []byte) ([]formats.PackageCoverage, error) {
	pkgs := []formats.PackageCoverage{}
	for i, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		m := percentLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("go tool covdata percent: line %d: unexpected %q", i+1, line)
		}
		p, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, fmt.Errorf("go tool covdata percent: line %d: %v", i+1, err)
		}
		pkgs = append(pkgs, formats.PackageCoverage{Package: m[1], Percent: p})
	}
	slices.SortFunc(pkgs, func(a, b formats.PackageCoverage) int { return strings.Compare(a.Package, b.Package) })
	return pkgs, nil
}

var (
	funcLine  = regexp.MustCompile(`^(\S+):([0-9]+):\s+(\S+)\s+([0-9.]+)%$`)
	totalLine = regexp.MustCompile(`^total\s+\(statements\)\s+([0-9.]+)%$`)
)

// ParseFunc reads the output of go tool covdata func: one line per
// function ("file:line: name percent%") and a total line. Functions keep
// the tool's order (by file and line).
func ParseFunc(out []byte) ([]formats.FuncCoverage, float64, error) {
	funcs := []formats.FuncCoverage{}
	total := -1.0
	for i, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if m := totalLine.FindStringSubmatch(line); m != nil {
			t, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return nil, 0, fmt.Errorf("go tool covdata func: line %d: %v", i+1, err)
			}
			total = t
			continue
		}
		m := funcLine.FindStringSubmatch(line)
		if m == nil {
			return nil, 0, fmt.Errorf("go tool covdata func: line %d: unexpected %q", i+1, line)
		}
		n, err1 := strconv.Atoi(m[2])
		p, err2 := strconv.ParseFloat(m[4], 64)
		if err1 != nil || err2 != nil {
			return nil, 0, fmt.Errorf("go tool covdata func: line %d: bad number in %q", i+1, line)
		}
		funcs = append(funcs, formats.FuncCoverage{File: m[1], Line: n, Function: m[3], Percent: p})
	}
	if total < 0 {
		return nil, 0, fmt.Errorf("go tool covdata func: no total line (no coverage data in the directory?)")
	}
	return funcs, total, nil
}
