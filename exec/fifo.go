package exec

import (
	"os"
	"syscall"
)

// OpenFIFO opens a named pipe for blocking I/O. os.OpenFile would hand a
// FIFO to Go's network poller, which costs a failed read, an epoll wait
// and a second read for every line; in lockstep, with exactly one line in
// flight, a plain blocking read is one system call. Like open(2), it
// blocks until the other end is opened.
func OpenFIFO(path string, flag int) (*os.File, error) {
	for {
		fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}
