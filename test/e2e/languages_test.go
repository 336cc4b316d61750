package e2e

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	servicemeshprovider "github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/provider"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/internal/built"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

// driverResult is what test/consumers' run.ts and run.py print.
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
		cmd.Env = append(e.Environ(), "SERVICEMESH_VPC_ID="+reference.VpcID)
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

// consumer makes a project outside the checkout that installs the package
// `make sdk` built, as a user's does (test/consumers/LANGUAGE.sh), and
// returns its folder.
func consumer(t *testing.T, language, pkg string) string {
	path := filepath.Join(RepoRoot(), "dist", "sdk", pkg)
	built.Require(t, path, "sdk")
	dir := filepath.Join(t.TempDir(), "consumer")
	cmd := exec.Command("bash", filepath.Join(RepoRoot(), "test", "consumers", language+".sh"), path, dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "making the %s consumer:\n%s", language, out)
	return dir
}

// examples/typescript/index.ts, compiled in a project that npm-installed the
// packed SDK, run through the engine.
func TestTypeScriptExample(t *testing.T) {
	dir := consumer(t, "typescript", "pulumi-servicemesh-"+servicemeshprovider.Version+".tgz")
	e := New(t)
	driverLifecycle(t, commandDriver(t, e, dir, "node", "bin/run.js"))
	e.RequireEmptyAccount(t)
}

// examples/python/__main__.py, in a virtual environment that pip-installed
// the built wheel, run through the engine.
func TestPythonExample(t *testing.T) {
	dir := consumer(t, "python", "pulumi_servicemesh-"+servicemeshprovider.Version+"-py3-none-any.whl")
	e := New(t)
	driverLifecycle(t, commandDriver(t, e, dir, filepath.Join(dir, "venv", "bin", "python"), "run.py"))
	e.RequireEmptyAccount(t)
}

// The TypeScript SDK takes outputs where the schema says so: wired.ts gets a
// group made in the same program (id unknown at the first preview) and an
// office range derived from its id.
func TestTypeScriptWired(t *testing.T) {
	dir := consumer(t, "typescript", "pulumi-servicemesh-"+servicemeshprovider.Version+".tgz")
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

// Issue 18 item 1, from a TypeScript project outside the checkout: an
// output-valued list reordered (and a value repeated) between runs is 0
// changes; on AWS a replace of that rule deletes it first, cutting the
// office's SSH for a reorder.
func TestTypeScriptReorderedOutputList(t *testing.T) {
	dir := consumer(t, "typescript", "pulumi-servicemesh-"+servicemeshprovider.Version+".tgz")
	e := New(t)
	run := commandDriver(t, e, dir, "node", "bin/run.js")
	e.Env["SERVICEMESH_OFFICE"] = "198.51.100.0/24,192.0.2.0/24"
	run("up", "wired")
	e.Env["SERVICEMESH_OFFICE"] = "192.0.2.0/24,198.51.100.0/24,192.0.2.0/24"
	again := run("preview", "wired")
	assert.Equal(t, map[apitype.OpType]int{apitype.OpSame: 6}, again.Summary, "a reordered output-valued list changes nothing: %v", again.Ops)
	run("destroy", "wired")
	e.RequireEmptyAccount(t)
}
