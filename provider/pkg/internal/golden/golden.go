// Package golden compares test output with files under testdata/, shared by
// the packages whose output is text a reviewer reads (render, plandiff).
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update is `go test ./provider/pkg/<package> -update`: rewrite the files.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/ (the run then fails; rerun without it to compare)")

// Check compares got with testdata/name. With -update it only rewrites the
// file and fails the test: an update is a separate step from the comparison,
// so a run that rewrote a file never also reports it as passing.
func Check(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		t.Fatalf("updated %s; review the diff and rerun without -update", path)
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test on this package with -update to create it")
	assert.Equal(t, string(want), got, "%s differs; rerun with -update if the change is intended, and review the diff", path)
}
