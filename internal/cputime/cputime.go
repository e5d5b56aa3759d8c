// Package cputime measures the CPU time the process uses, for benchmarks
// that report it next to wall time: on a loaded machine it is the
// steadier figure, the work's own cost whatever else the machine does.
package cputime

import (
	"syscall"
	"time"
)

// Used is the CPU time (user and system) the process has used so far.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
