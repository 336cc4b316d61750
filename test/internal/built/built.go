// Package built guards the tests that need what the Makefile builds (.bin,
// dist): a missing prerequisite skips the test with the command that makes
// it, so `go test ./...` passes on a fresh clone, except under CI=true, where
// it fails: `make test` builds them first, and CI must run these tests.
package built

import (
	"os"
	"testing"
)

// Require skips or, under CI=true, fails t unless path exists; target is the
// make target that builds it.
func Require(t testing.TB, path, target string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing: run `make %s` first", path, target)
	}
	t.Skipf("%s is missing: run `make %s` first (under CI=true this fails)", path, target)
}
