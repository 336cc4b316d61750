package render_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// runNode parses files with testdata/mermaidcheck/check.mjs.
func runNode(t *testing.T, dir string, files []string) error {
	t.Helper()
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "check.mjs")}, files...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		return fmt.Errorf("mermaid refused a diagram: %w\n%s", err, out)
	}
	return nil
}
