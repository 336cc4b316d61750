package flowgen

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const referenceDir = "testdata/reference"

func gunzip(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	out, err := io.ReadAll(zr)
	require.NoError(t, err)
	return string(out)
}

// The checked-in reference data set is what the generator writes now
// (records compared decompressed: gzip bytes may differ between
// compressor versions). Regenerate: go run ./test/flowgen/cmd/reference.
func TestReferenceDatasetIsCurrent(t *testing.T) {
	ds, err := Reference()
	require.NoError(t, err)
	for _, s := range ds.Snapshots {
		got, err := os.ReadFile(filepath.Join(referenceDir, SnapshotName(s.Taken)))
		require.NoError(t, err, "regenerate: go run ./test/flowgen/cmd/reference")
		assert.Equal(t, string(s.JSON)+"\n", string(got), "%s is stale: go run ./test/flowgen/cmd/reference", SnapshotName(s.Taken))
	}
	names := map[string]bool{}
	for _, f := range ds.Files {
		names[f.Name] = true
		got, err := os.ReadFile(filepath.Join(referenceDir, f.Name))
		require.NoError(t, err, "regenerate: go run ./test/flowgen/cmd/reference")
		assert.Equal(t, gunzip(t, f.Gzip), gunzip(t, got), "%s is stale: go run ./test/flowgen/cmd/reference", f.Name)
	}
	logs, err := filepath.Glob(filepath.Join(referenceDir, "*.log.gz"))
	require.NoError(t, err)
	for _, l := range logs {
		assert.True(t, names[filepath.Base(l)], "%s is no longer generated: remove it", l)
	}
}
