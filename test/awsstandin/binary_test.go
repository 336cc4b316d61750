package awsstandin

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinaryPrintsPort builds the plugin as the Makefile does and checks it
// starts the way the engine expects: its first stdout line is the port.
func TestBinaryPrintsPort(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	pkg := filepath.Join(filepath.Dir(file), "cmd", "pulumi-resource-aws")
	bin := filepath.Join(t.TempDir(), "pulumi-resource-aws")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = pkg
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	cmd := exec.Command(bin)
	cmd.Env = append(cmd.Environ(), EnvState+"="+filepath.Join(t.TempDir(), "account.json"))
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	select {
	case l := <-line:
		assert.Regexp(t, regexp.MustCompile(`^\d+$`), l, "the first stdout line is the port")
	case <-time.After(30 * time.Second):
		t.Fatal("the plugin printed no port within 30s")
	}
}
