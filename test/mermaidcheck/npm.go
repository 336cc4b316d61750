package mermaidcheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

// NPMDir is the folder of the npm check (check.mjs, mermaid and jsdom);
// `npm ci --prefix` it before ParseNPM.
func NPMDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "npm")
}

// ParseNPM parses each file with Mermaid's own parser (npm package mermaid,
// under jsdom), failing with node's output when any diagram is refused.
func ParseNPM(files []string) error {
	dir := NPMDir()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "mermaid")); err != nil {
		return fmt.Errorf("mermaid is not installed: run npm ci --prefix %s (%w)", dir, err)
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "check.mjs")}, files...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mermaid refused a diagram: %w\n%s", err, out)
	}
	return nil
}
