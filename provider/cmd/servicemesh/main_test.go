package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/render"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/reference"
)

const referenceYAML = "../../../examples/reference.yaml"

func runCLI(args ...string) (int, string, string) {
	var out, errs strings.Builder
	code := run(args, &out, &errs)
	return code, out.String(), errs.String()
}

// write puts a file in a temporary directory and returns its path.
func write(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// changed is the reference declaration with one textual replacement.
func changed(t *testing.T, old, new string) string {
	t.Helper()
	src, err := os.ReadFile(referenceYAML)
	require.NoError(t, err)
	require.Contains(t, string(src), old)
	return write(t, "changed.yaml", strings.Replace(string(src), old, new, 1))
}

func TestPlanFormatsAreTheRenderers(t *testing.T) {
	p, err := plan.Build(reference.Mesh())
	require.NoError(t, err)
	for format, want := range map[string]string{
		"table":   render.Table(p),
		"json":    render.JSON(p),
		"mermaid": render.Mermaid(p),
		"matrix":  render.Matrix(p),
	} {
		t.Run(format, func(t *testing.T) {
			code, out, errs := runCLI("plan", "--format", format, referenceYAML)
			assert.Equal(t, exitOK, code, errs)
			assert.Equal(t, want, out, "golden files in provider/pkg/render/testdata pin these")
			assert.Empty(t, errs, "the reference has no findings")
		})
	}
	code, out, _ := runCLI("plan", referenceYAML)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, render.Table(p), out, "table is the default")
}

func TestPlanReadsJSON(t *testing.T) {
	src, err := os.ReadFile(referenceYAML)
	require.NoError(t, err)
	js, err := yaml.YAMLToJSON(src)
	require.NoError(t, err)
	code, out, errs := runCLI("plan", "--format", "matrix", write(t, "reference.json", string(js)))
	assert.Equal(t, exitOK, code, errs)
	_, want, _ := runCLI("plan", "--format", "matrix", referenceYAML)
	assert.Equal(t, want, out)
}

func TestFlagsMayFollowTheFiles(t *testing.T) {
	code, out, errs := runCLI("plan", referenceYAML, "--format=mermaid")
	assert.Equal(t, exitOK, code, errs)
	assert.True(t, strings.HasPrefix(out, "flowchart LR\n"))
	code, out, errs = runCLI("plan", referenceYAML, changed(t, "ports: [3306]", "ports: [3307]"), "--diff", "--format", "json")
	assert.Equal(t, exitOK, code, errs)
	assert.True(t, json.Valid([]byte(out)))
	code, _, errs = runCLI("plan", "--", referenceYAML)
	assert.Equal(t, exitOK, code, errs)
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"--help"}, {"-h"}, {"plan", "-h"}, {"plan", "--help"}} {
		code, out, errs := runCLI(args...)
		assert.Equal(t, exitOK, code, "%v", args)
		assert.Equal(t, usage, out, "%v", args)
		assert.Empty(t, errs)
	}
}

func TestUsageErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no command":       {nil, "no command given"},
		"unknown command":  {[]string{"apply", referenceYAML}, `unknown command "apply"`},
		"no file":          {[]string{"plan"}, "plan takes one file, SPEC; got 0"},
		"two files":        {[]string{"plan", referenceYAML, referenceYAML}, "plan takes one file, SPEC; got 2"},
		"unknown format":   {[]string{"plan", "--format", "pdf", referenceYAML}, `unknown --format "pdf"`},
		"unknown flag":     {[]string{"plan", "--colour", referenceYAML}, "flag provided but not defined: -colour"},
		"diff one file":    {[]string{"plan", "--diff", referenceYAML}, "plan --diff takes two files"},
		"diff as mermaid":  {[]string{"plan", "--diff", "--format", "mermaid", referenceYAML, referenceYAML}, "table, json or markdown"},
		"diff empty name":  {[]string{"plan", "--diff", "--name=", referenceYAML, referenceYAML}, "--name must not be empty"},
		"missing file":     {[]string{"plan", "missing.yaml"}, "missing.yaml: no such file"},
		"missing old file": {[]string{"plan", "--diff", "missing.yaml", referenceYAML}, "missing.yaml: no such file"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, out)
			assert.Contains(t, errs, tc.want)
			if strings.HasPrefix(name, "missing") {
				return // an unreadable file is not a usage error
			}
			// Issue 21 item 6: one line and the hint, not the whole help.
			assert.Regexp(t, `^servicemesh: [^\n]+\nRun 'servicemesh --help' for usage.\n$`, errs)
		})
	}
}

func TestDeclarationErrors(t *testing.T) {
	bad := write(t, "bad.yaml", "tiers: [{name: web}]\nservices:\n  - {name: A, tier: wbe}\n  - {name: B, tier: web, ingress: [{ports: [70000], from: {self: true}}]}\n")
	code, out, errs := runCLI("plan", bad)
	assert.Equal(t, exitFindings, code)
	assert.Empty(t, out, "nothing is planned")
	assert.Contains(t, errs, "service mesh declaration has 2 problems:")
	assert.Contains(t, errs, `service "A": service is in undeclared tier "wbe"; fix: did you mean "web"?`)
	assert.Contains(t, errs, `service "B" rule ingress[0]: port 70000 is outside 0-65535`)

	misspelt := write(t, "misspelt.yaml", "tiers: [{name: web}]\nservices: [{name: A, tier: web, ingres: []}]\n")
	code, _, errs = runCLI("plan", misspelt)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errs, `unknown field "ingres"`)

	// Either side of a diff.
	code, out, _ = runCLI("plan", "--diff", referenceYAML, bad)
	assert.Equal(t, exitFindings, code)
	assert.Empty(t, out)
}

func TestWarningsGoToStderr(t *testing.T) {
	lonely := changed(t, "services:\n", "services:\n  - {name: Lonely, tier: data}\n")
	code, out, errs := runCLI("plan", "--format", "json", lonely)
	assert.Equal(t, exitOK, code, "warnings do not fail the plan")
	assert.Contains(t, errs, `warning [unused-service] service "Lonely": nothing may reach the service`)
	assert.Contains(t, errs, "; fix: ")
	assert.Contains(t, out, `"check": "unused-service"`)
}

func TestDiff(t *testing.T) {
	newer := changed(t, "ports: [3306]", "ports: [3307]")
	code, out, errs := runCLI("plan", "--diff", referenceYAML, newer)
	assert.Equal(t, exitOK, code, errs)
	assert.Equal(t, "ServiceMesh \"mesh\": 1 to create, 1 to delete, 0 to replace, 0 to update\n"+
		"(resource names as `pulumi preview` lists the component's children)\n\n"+
		"+  create   mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API  rule: MySQL ingress tcp/3307 from group CustomerManagement-API\n"+
		"-  delete   mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API  rule: MySQL ingress tcp/3306 from group CustomerManagement-API\n", out)

	code, out, _ = runCLI("plan", "--diff", "--name", "prod", referenceYAML, newer, "--format", "json")
	assert.Equal(t, exitOK, code)
	var d plandiff.Diff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, []string{"prod-MySQL-ingress-tcp-3307-sg_CustomerManagement-API"}, d.Create)
	assert.Equal(t, []string{"prod-MySQL-ingress-tcp-3306-sg_CustomerManagement-API"}, d.Delete)

	code, out, _ = runCLI("plan", "--diff", referenceYAML, referenceYAML)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "ServiceMesh \"mesh\": no changes\n", out)
}

func TestDiffVPC(t *testing.T) {
	vpc1 := changed(t, "tiers:", "vpcId: vpc-1\ntiers:")
	vpc2 := changed(t, "tiers:", "vpcId: vpc-2\ntiers:")
	code, out, errs := runCLI("plan", "--diff", vpc1, vpc2)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "0 to create, 0 to delete, 42 to replace, 0 to update")
	assert.Contains(t, out, `vpcId: "vpc-1" => "vpc-2" (forces replacement)`)
	assert.Contains(t, out, "Caution: 8 security group(s) replaced.")

	code, out, errs = runCLI("plan", "--diff", referenceYAML, vpc2)
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "ServiceMesh \"mesh\": no changes\n", out)
	assert.Contains(t, errs, "vpcId is set in only one of")
}

// plan reads a Pulumi YAML program as the properties of its ServiceMesh, so
// YAML users review the program they run (servicemesh plan Pulumi.yaml).
func TestPlanAPulumiYAMLProgram(t *testing.T) {
	code, out, errs := runCLI("plan", "../../../examples/yaml/Pulumi.yaml")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "ServiceMesh plan: 8 security groups, 34 rules")

	// As a diff too: the program against the fixture it declares changes nothing.
	code, out, errs = runCLI("plan", "--diff", referenceYAML, "../../../examples/yaml/Pulumi.yaml")
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, `ServiceMesh "mesh": no changes`)

	two := write(t, "Pulumi.yaml", "name: p\nruntime: yaml\nresources:\n"+
		"  a: {type: servicemesh:index:ServiceMesh, properties: {tiers: [{name: t}], services: [{name: S, tier: t}]}}\n"+
		"  b: {type: servicemesh:index:ServiceMesh, properties: {tiers: [{name: t}], services: [{name: S, tier: t}]}}\n")
	code, _, errs = runCLI("plan", two)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errs, `the program has 2 resources of type servicemesh:index:ServiceMesh: "a" (line 4), "b" (line 5)`)
}
