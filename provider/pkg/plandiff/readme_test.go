package plandiff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
)

// The replacement caution sends the reader to a README section that exists.
func TestCautionCitesAREADMEHeading(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(readme), "\n## "+plandiff.ReplacingHeading+"\n"),
		"README.md has no heading %q", plandiff.ReplacingHeading)
}
