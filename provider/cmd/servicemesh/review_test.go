package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flowdiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/resources"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
)

func TestDiffMarkdown(t *testing.T) {
	newer := changed(t, "ports: [3306]", "ports: [3307]")
	code, out, errs := runCLI("plan", "--diff", "--format", "markdown", referenceYAML, newer)
	assert.Equal(t, exitOK, code, errs)
	assert.True(t, strings.HasPrefix(out, "### ServiceMesh `mesh` ("+newer+")\n\n"+
		"**1 flow opened, 1 closed** · groups: no change · rules: 1 created, 1 deleted. Nothing is replaced: traffic stops only where a rule is deleted.\n"), out)
	assert.Contains(t, out, "| **into data** | CustomerManagement-API → MySQL | tcp/3307 | app → data |  | MySQL ingress[0] |")
	assert.Contains(t, out, "| **into data** | CustomerManagement-API → MySQL | tcp/3306 | app → data |  | MySQL ingress[0] |")
}

func TestDiffJSONCarriesFlows(t *testing.T) {
	newer := changed(t, "cidrBlocks: [203.0.113.0/24]", "cidrBlocks: [203.0.113.0/24, 198.51.100.0/24]")
	code, out, errs := runCLI("plan", "--diff", "--format", "json", referenceYAML, newer)
	assert.Equal(t, exitOK, code, errs)
	var got struct {
		plandiff.Diff
		Flows flowdiff.Diff `json:"flows"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Len(t, got.Create, 4, "the resource diff is as before: one rule per office port")
	var callees []string
	for _, c := range got.Flows.Opened {
		assert.Equal(t, "network:office (198.51.100.0/24)", c.Caller)
		callees = append(callees, c.Callee)
	}
	// AdminAccess admits office on 22, and five services' hosts carry it;
	// MySQL's first, in the data tier.
	assert.Equal(t, []string{"MySQL", "AdminAccess", "CustomerManagement-API", "ELK", "FrontEnd-Web", "Graphite"}, callees)
	assert.Empty(t, got.Flows.Closed)
}

func TestDiffFailOn(t *testing.T) {
	port := changed(t, "ports: [3306]", "ports: [3307]")
	desc := changed(t, "description: SSH from the office", "description: SSH from the office VPN")
	lonely := changed(t, "services:\n", "services:\n  - {name: Lonely, tier: data}\n")
	for name, tc := range map[string]struct {
		args []string
		want int
	}{
		"opened flows":                   {[]string{"--fail-on", "opened-flows", referenceYAML, port}, exitGate},
		"no opened flow":                 {[]string{"--fail-on", "opened-flows", referenceYAML, desc}, exitOK},
		"warnings":                       {[]string{"--fail-on=warnings", referenceYAML, lonely}, exitGate},
		"no warnings":                    {[]string{"--fail-on=warnings", referenceYAML, port}, exitOK},
		"both, comma-separated":          {[]string{"--fail-on=warnings,opened-flows", referenceYAML, port}, exitGate},
		"a new service opens its egress": {[]string{"--fail-on", "opened-flows", "--format", "markdown", referenceYAML, lonely}, exitGate},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errs := runCLI(append([]string{"plan", "--diff"}, tc.args...)...)
			assert.Equal(t, tc.want, code, errs)
			assert.NotEmpty(t, out, "the review is printed either way")
		})
	}
	code, _, errs := runCLI("plan", "--diff", "--fail-on", "everything", referenceYAML, port)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, `--fail-on "everything": use warnings, opened-flows or breaking`)
	code, _, errs = runCLI("plan", "--fail-on", "warnings", referenceYAML)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "--base and --fail-on go with plan --diff")
}

func TestDiffMarkdownNewErrors(t *testing.T) {
	bad := changed(t, "ports: [3306]", "ports: [70000]")
	code, out, _ := runCLI("plan", "--diff", "--format", "markdown", referenceYAML, bad)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, out, "**Not planned: the new declaration has 1 error.**")
	assert.Contains(t, out, `- error [invalid-port] service "MySQL" rule ingress[0\]: port 70000 is outside 0-65535`)
}

// gitRepo makes a repository holding mesh.yaml (the reference) at its first
// commit, and returns the file's path.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile(referenceYAML)
	require.NoError(t, err)
	path := filepath.Join(dir, "infra", "mesh.yaml")
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, src, 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "mesh"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	return path
}

func TestDiffBase(t *testing.T) {
	path := gitRepo(t)
	src, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(src), "ports: [3306]", "ports: [3307]", 1)), 0o644))

	code, out, errs := runCLI("plan", "--diff", "--base", "HEAD", "--format", "markdown", path)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "### ServiceMesh `mesh` ("+path+" against HEAD)")
	assert.Contains(t, out, "**1 flow opened, 1 closed**")

	// A file not in the revision is a new mesh.
	other := filepath.Join(filepath.Dir(path), "new.yaml")
	require.NoError(t, os.WriteFile(other, src, 0o644))
	code, out, errs = runCLI("plan", "--diff", "--base", "HEAD", "--format", "markdown", other)
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "New mesh: **41 flows opened, 0 closed** · groups: 8 created · rules: 34 created.")
	code, out, _ = runCLI("plan", "--diff", "--base", "HEAD", other)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "42 to create, 0 to delete")

	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"unknown revision": {[]string{"plan", "--diff", "--base", "no-such-rev", path}, "--base no-such-rev: not a revision of the repository holding"},
		"two files":        {[]string{"plan", "--diff", "--base", "HEAD", path, path}, "plan --diff --base REV takes one file, NEW"},
		"no diff":          {[]string{"plan", "--base", "HEAD", path}, "--base and --fail-on go with plan --diff"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCLI(tc.args...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, errs, tc.want)
		})
	}
}

// TestREADMEReview keeps README's example comment what the command prints
// for testdata/readme-review.yaml (the reference with the change it describes).
func TestREADMEReview(t *testing.T) {
	code, out, errs := runCLI("plan", "--diff", "--format", "markdown", referenceYAML, filepath.Join("testdata", "readme-review.yaml"))
	require.Equal(t, exitOK, code, errs)
	out = strings.Replace(out, "(testdata/readme-review.yaml)", "(infra/mesh.yaml against origin/main)", 1)
	var quoted strings.Builder
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		quoted.WriteString(strings.TrimRight("> "+line, " ") + "\n")
	}
	readme, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	assert.Contains(t, string(readme), quoted.String(), "README's \"Review changes in CI\" example is stale")
}

func TestDiffReportsBothSidesErrors(t *testing.T) {
	badOld := changed(t, "ports: [3306]", "ports: [70000]")
	badNew := changed(t, "ports: [22]", "ports: [80000]")
	code, out, errs := runCLI("plan", "--diff", badOld, badNew)
	assert.Equal(t, exitFindings, code)
	assert.Empty(t, out)
	assert.Contains(t, errs, "port 70000 is outside")
	assert.Contains(t, errs, "port 80000 is outside")
}

// --fail-on breaking: a flow closed, or a delete-first replacement (a rule,
// a group), cuts traffic; a network ACL rule replaced create-first does not,
// as the review says.
func TestBreakingIsDeleteFirstOrClosed(t *testing.T) {
	replace := func(typ string) plandiff.Diff {
		return plandiff.Diff{Changes: []plandiff.Change{{Op: plandiff.Replace, Type: typ, Name: "x"}}}
	}
	open := review.Review{Flows: &flowdiff.Diff{}}
	closed := review.Review{Flows: &flowdiff.Diff{Closed: []flowdiff.Change{{}}}}
	for name, tc := range map[string]struct {
		d    plandiff.Diff
		r    review.Review
		want bool
	}{
		"a rule replaced":             {replace(resources.RuleType), open, true},
		"a group replaced":            {replace(resources.GroupType), open, true},
		"a network ACL rule replaced": {replace(resources.NetworkACLRuleType), open, false},
		"a network ACL replaced":      {replace(resources.NetworkACLType), open, false},
		"a flow closed":               {plandiff.Diff{}, closed, true},
		"nothing":                     {plandiff.Diff{}, open, false},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, tc.want, breaking(tc.d, tc.r)) })
	}
}
