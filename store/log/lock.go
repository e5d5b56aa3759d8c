package log

import (
	"os"
	"syscall"
)

// lock takes an exclusive flock(2) on f, waiting for it; EINTR is retried.
func lock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
