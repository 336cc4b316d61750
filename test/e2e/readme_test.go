package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/awsstandin"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/internal/built"

	servicemeshprovider "github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
)

// readmeBlock is the first bash block under the README heading.
func readmeBlock(t *testing.T, heading string) string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(RepoRoot(), "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(readme), "\n"+heading+"\n")
	require.True(t, ok, "README.md has no heading %q", heading)
	_, block, ok := strings.Cut(section, "```bash\n")
	require.True(t, ok, "no bash block under %q", heading)
	block, _, ok = strings.Cut(block, "```")
	require.True(t, ok, "unterminated bash block under %q", heading)
	return block
}

// A newcomer following the README's offline section reaches `pulumi up` with
// no step of their own: its block runs as written, from the checkout, with
// the environment of a fresh shell, writing only outside the checkout. Only
// `make` is stood in for: it checks that `make tools build` has built .bin
// (the e2e target builds it first) instead of building again.
func TestReadmeOfflineSteps(t *testing.T) {
	for _, b := range []string{"pulumi", "pulumi-language-yaml", "pulumi-resource-servicemesh", "pulumi-resource-aws"} {
		built.Require(t, filepath.Join(Bin(), b), "tools build")
	}
	block := readmeBlock(t, "## Run your own program offline")
	// The versions the block installs are the ones the provider asks for.
	assert.Contains(t, block, "pulumi plugin install resource servicemesh "+servicemeshprovider.Version+" ")
	assert.Contains(t, block, "pulumi plugin install resource aws "+awsstandin.Version+" ")

	tmp := t.TempDir()
	stubs := filepath.Join(tmp, "stubs")
	require.NoError(t, os.MkdirAll(stubs, 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(tmp, "home"), 0o755))
	makeStub := "#!/bin/sh\n[ \"$*\" = \"tools build\" ] || { echo \"unexpected make $*\" >&2; exit 1; }\n" +
		"for b in pulumi pulumi-language-yaml pulumi-resource-servicemesh pulumi-resource-aws; do [ -x .bin/$b ] || exit 1; done\n"
	require.NoError(t, os.WriteFile(filepath.Join(stubs, "make"), []byte(makeStub), 0o755))

	// A fresh shell: no Pulumi or stand-in settings inherited from this test run.
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PULUMI_") || strings.HasPrefix(k, "AWS_") || k == "PATH" || k == "TMPDIR" || k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PATH="+stubs+string(os.PathListSeparator)+os.Getenv("PATH"), "TMPDIR="+tmp, "HOME="+filepath.Join(tmp, "home"))

	cmd := exec.Command("bash", "-euo", "pipefail", "-c", block)
	cmd.Dir = RepoRoot()
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the README's offline steps failed:\n%s", out)
	assert.Regexp(t, regexp.MustCompile(`Resources:\s+\+ 44 created`), string(out), "the stack, the mesh, 8 groups and 34 rules")

	// The stand-in's account, outside the checkout, holds the reference groups.
	account, err := os.ReadFile(filepath.Join(tmp, "servicemesh-offline", "aws-account.json"))
	require.NoError(t, err)
	var state awsstandin.Account
	require.NoError(t, json.Unmarshal(account, &state))
	assert.Len(t, state.Groups, referenceGroups)
	assert.Len(t, state.Rules, referenceRules)
}
