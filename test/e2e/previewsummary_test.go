package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/internal/built"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// previewFixtures is where `servicemesh preview-summary`'s unit tests keep
// the JSON of real previews. SERVICEMESH_PREVIEW_FIXTURES=1 rewrites them
// from this test's previews; review the diff of the result.
var previewFixtures = filepath.Join(RepoRoot(), "provider", "cmd", "servicemesh", "testdata")

// TestPreviewSummary feeds the JSON of live previews (`pulumi preview --json`)
// to `servicemesh preview-summary`: a new mesh, a port change, and groups
// replaced by a namePrefix change.
func TestPreviewSummary(t *testing.T) {
	built.Require(t, filepath.Join(Bin(), "servicemesh"), "build")
	e := New(t)
	ctx := context.Background()
	dir := filepath.Join(e.Dir, "summary")
	preview := func(t *testing.T, m spec.Mesh) []byte {
		t.Helper()
		stackFor(t, ctx, e, dir, m)
		cmd := exec.CommandContext(ctx, filepath.Join(Bin(), "pulumi"), "preview", "--json", "--stack", "dev", "--non-interactive")
		cmd.Dir, cmd.Env = dir, e.Environ()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s", stderr.String())
		return out
	}
	summary := func(t *testing.T, js []byte) string {
		t.Helper()
		cmd := exec.Command(filepath.Join(Bin(), "servicemesh"), "preview-summary")
		cmd.Stdin = bytes.NewReader(js)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s", stderr.String())
		assert.Empty(t, markdowncheck.Problems(string(out)), "GFM reads every table whole")
		return string(out)
	}
	save := func(t *testing.T, name string, js []byte) {
		if os.Getenv("SERVICEMESH_PREVIEW_FIXTURES") == "1" {
			require.NoError(t, os.WriteFile(filepath.Join(previewFixtures, name), withoutStackTraces(t, js), 0o644))
		}
	}

	t.Run("new mesh", func(t *testing.T) {
		js := preview(t, reference.Mesh())
		save(t, "preview-new-mesh.json", js)
		out := summary(t, js)
		assert.Contains(t, out, "groups: 8 created · rules: 34 created.")
		assert.Contains(t, out, "**Security group `mesh-MySQL`**")
		assert.Contains(t, out, "| + create | `mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API` |")
	})
	s := stackFor(t, ctx, e, dir, reference.Mesh())
	_, err := s.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up of the reference architecture")

	t.Run("port change", func(t *testing.T) {
		m := reference.Mesh()
		serviceNamed(&m, "MySQL").Ingress[0].Ports = []int{3307}
		js := preview(t, m)
		save(t, "preview-port-change.json", js)
		out := summary(t, js)
		assert.Contains(t, out, "groups: no change · rules: 1 created, 1 deleted. Nothing is replaced: traffic stops only where a rule is deleted.")
		assert.Contains(t, out, "| - delete | `mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API` |")
	})
	t.Run("namePrefix replaces every group", func(t *testing.T) {
		m := reference.Mesh()
		m.NamePrefix = "prod-"
		js := preview(t, m)
		save(t, "preview-name-prefix.json", js)
		out := summary(t, js)
		assert.Contains(t, out, "groups: 8 replaced · rules: 34 replaced.")
		assert.Contains(t, out, "**Breaks traffic:** 8 groups replaced")
		assert.Contains(t, out, "**Security group `mesh-MySQL`** — replaced delete-first")
	})
}

// withoutStackTraces drops the engine's source positions and stack traces
// from a preview, which locate this machine's module cache and are most of
// its size; the summary reads none of them.
func withoutStackTraces(t *testing.T, js []byte) []byte {
	var v any
	require.NoError(t, json.Unmarshal(js, &v))
	var strip func(any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "stackTrace")
			delete(v, "sourcePosition")
			for _, x := range v {
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(v)
	out, err := json.MarshalIndent(v, "", "    ")
	require.NoError(t, err)
	return append(out, '\n')
}
