package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// driverResult is what examples/typescript/run.ts and examples/python/run.py print.
type driverResult struct {
	Summary map[apitype.OpType]int    `json:"summary"`
	Ops     map[string]apitype.OpType `json:"ops"`
	Outputs map[string]any            `json:"outputs"`
}

// driver runs one language's Automation API program for one action (and
// the program's own extra arguments).
type driver func(action string, extra ...string) driverResult

func commandDriver(t *testing.T, e *Engine, dir string, argv ...string) driver {
	return func(action string, extra ...string) driverResult {
		t.Helper()
		cmd := exec.CommandContext(context.Background(), argv[0], slices.Concat(argv[1:], []string{action}, extra)...)
		cmd.Dir = dir
		cmd.Env = e.Environ()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		require.NoError(t, err, "%s %s:\n%s", strings.Join(argv, " "), action, stderr.String())
		var r driverResult
		require.NoError(t, json.Unmarshal(out, &r), "driver output: %s", out)
		return r
	}
}

// driverLifecycle is lifecycle for a program run by a driver in another language.
func driverLifecycle(t *testing.T, run driver) {
	c := run("preview")
	changes := Changes{Summary: c.Summary, Ops: c.Ops}
	assert.Equal(t, referenceGroups, countByType(changes, groupType, apitype.OpCreate), "groups to create: %v", changes)
	assert.Equal(t, referenceRules, countByType(changes, ruleType, apitype.OpCreate), "rules to create: %v", changes)

	up := run("up")
	ids, ok := up.Outputs["securityGroupIds"].(map[string]any)
	require.True(t, ok, "securityGroupIds output: %#v", up.Outputs)
	require.Len(t, ids, referenceGroups)
	for svc, id := range ids {
		assert.True(t, strings.HasPrefix(id.(string), "sg-"), "%s has id %v", svc, id)
	}

	again := run("preview")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: referenceGroups + referenceRules + 2}, again.Summary,
		"a second preview must report no changes")

	gone := run("destroy")
	assert.Equal(t, referenceGroups+referenceRules+2, gone.Summary[apitype.OpDelete], "destroy removes everything")
}

func requireFile(t *testing.T, path, hint string) {
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("%s is missing: %s", path, hint)
	}
}

func TestTypeScriptExample(t *testing.T) {
	dir := filepath.Join(RepoRoot(), "examples", "typescript")
	requireFile(t, filepath.Join(dir, "bin", "run.js"), "run `bash .ci/check-sdks.sh` (make sdk-check) to build the SDK and example")
	e := New(t)
	driverLifecycle(t, commandDriver(t, e, dir, "node", "bin/run.js"))
	e.RequireEmptyAccount(t)
}

func TestPythonExample(t *testing.T) {
	python := filepath.Join(RepoRoot(), ".work", "venv", "bin", "python")
	requireFile(t, python, "run `bash .ci/check-sdks.sh` (make sdk-check) to make the virtual environment")
	e := New(t)
	driverLifecycle(t, commandDriver(t, e, filepath.Join(RepoRoot(), "examples", "python"), python, "run.py"))
	e.RequireEmptyAccount(t)
}

// The TypeScript SDK takes outputs where the schema says so: wired.ts gets a
// group made in the same program (id unknown at the first preview) and an
// office range derived from its id.
func TestTypeScriptWired(t *testing.T) {
	dir := filepath.Join(RepoRoot(), "examples", "typescript")
	requireFile(t, filepath.Join(dir, "bin", "wired.js"), "run `bash .ci/check-sdks.sh` (make sdk-check) to build the SDK and example")
	e := New(t)
	run := commandDriver(t, e, dir, "node", "bin/run.js")
	c := run("preview", "wired")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpCreate: 6}, c.Summary, "stack, lb, mesh, Web and its two rules")
	var planned []string
	for urn := range c.Ops {
		planned = append(planned, ShortName(urn))
	}
	assert.Subset(t, planned, []string{"mesh-Web-ingress-tcp-443-sg_lb", "mesh-Web-ingress-tcp-22-network_office"})

	up := run("up", "wired")
	lb := up.Outputs["lb"].(string)
	web := up.Outputs["securityGroupIds"].(map[string]any)["Web"].(string)
	assert.Equal(t, map[string]any{"Web": []any{web, lb}}, up.Outputs["attachments"])
	assert.ElementsMatch(t, []string{"ingress tcp sg:" + lb, "ingress tcp cidr:203.0.113.0/24"}, rulesOf(e.account(t), "Web"))

	again := run("preview", "wired")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: 6}, again.Summary, "a second preview must report no changes")
	run("destroy", "wired")
	e.RequireEmptyAccount(t)
}
