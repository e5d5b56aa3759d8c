package cli

import (
	"bufio"
	"io"
	"os"
	"path/filepath"

	"github.com/detsys/detsys/formats"
)

// WriteFile writes a whole output file (a page, a report) with write:
// path "-" is stdout; any other path is written through a temporary file
// beside it and renamed into place only when write succeeded, so bad input
// leaves no file behind and an old file is only ever replaced by a whole
// new one. An error from write is returned as it is (a formats.InputError
// keeps its exit code 3); the file's own I/O errors exit 5.
func (o *IO) WriteFile(path string, write func(io.Writer) error) error {
	if path == "-" {
		return write(o.Stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return Errorf(formats.ExitInternal, "%v", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename, or never wanted
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return err
	}
	err = bw.Flush()
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return Errorf(formats.ExitInternal, "%s: %v", path, err)
	}
	return nil
}
