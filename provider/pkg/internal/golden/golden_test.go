package golden

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a testing.TB that records failures instead of failing the test.
type recorder struct {
	testing.TB
	failed, fatal bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed, r.fatal = true, true }
func (r *recorder) FailNow()              { r.failed, r.fatal = true, true }

// check runs Check in dir with a recorder (whose FailNow does not stop it).
func check(t *testing.T, dir, name, got string) *recorder {
	t.Helper()
	t.Chdir(dir)
	r := &recorder{TB: t}
	Check(r, name, got)
	return r
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "testdata"), 0o755))
	path := filepath.Join(dir, "testdata", "x.txt")
	require.NoError(t, os.WriteFile(path, []byte("old\n"), 0o644))

	assert.False(t, check(t, dir, "x.txt", "old\n").failed, "same text passes")
	assert.True(t, check(t, dir, "x.txt", "new\n").failed, "other text fails")
	assert.True(t, check(t, dir, "missing.txt", "new\n").failed, "a missing file fails")

	*update = true
	defer func() { *update = false }()
	r := check(t, dir, "x.txt", "new\n")
	assert.True(t, r.fatal, "an update run fails, even though the file now matches")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(b), "and has rewritten the file")
}
