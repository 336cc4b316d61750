package flowgen

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// DuckDBVersion is the DuckDB release the benchmark compares against.
const DuckDBVersion = "duckdb==2.0.0"

func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// DuckDBScript is duckdb_aggregate.py beside this file.
func DuckDBScript() string { return filepath.Join(root(), "test", "flowgen", "duckdb_aggregate.py") }

// DuckDBPython is a Python with DuckDB, installed from PyPI into a venv in
// the repository's .work/ once per machine (under a file lock: test binaries
// run at once). Without python3 or the network the test is skipped, except
// under CI=true, where it fails.
func DuckDBPython(t testing.TB) string {
	t.Helper()
	venv := filepath.Join(root(), ".work", "duckdb-venv")
	python := filepath.Join(venv, "bin", "python")
	err := func() error {
		if err := os.MkdirAll(filepath.Dir(venv), 0o755); err != nil {
			return err
		}
		lock, err := os.OpenFile(venv+".lock", os.O_CREATE|os.O_RDWR, 0o644)
		if err != nil {
			return err
		}
		defer lock.Close()
		if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
			return err
		}
		defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
		if exec.Command(python, "-c", "import duckdb").Run() == nil {
			return nil
		}
		if out, err := exec.Command("python3", "-m", "venv", venv).CombinedOutput(); err != nil {
			return &installError{string(out), err}
		}
		if out, err := exec.Command(filepath.Join(venv, "bin", "pip"), "install", "-q", DuckDBVersion).CombinedOutput(); err != nil {
			return &installError{string(out), err}
		}
		return nil
	}()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("cannot install %s: %v", DuckDBVersion, err)
		}
		t.Skipf("cannot install %s (no python3 or no network?): %v; under CI=true this fails", DuckDBVersion, err)
	}
	return python
}

type installError struct {
	out string
	err error
}

func (e *installError) Error() string { return e.err.Error() + ": " + e.out }
