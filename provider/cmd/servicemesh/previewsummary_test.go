package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plandiff"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/review"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/markdowncheck"
)

// The testdata/preview-*.json files are `pulumi preview --json` of the
// reference architecture, captured through the engine harness by
// test/e2e's TestPreviewSummary (SERVICEMESH_PREVIEW_FIXTURES=1).

func summarise(t *testing.T, fixture string) (int, string, string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", fixture))
	require.NoError(t, err)
	defer f.Close()
	var out, errs strings.Builder
	code := runPreviewSummary(nil, f, &out, &errs)
	assert.Empty(t, markdowncheck.Problems(out.String()), "GFM reads every table whole")
	return code, out.String(), errs.String()
}

// changesOf lists a fixture's review as "op name (group)".
func changesOf(t *testing.T, fixture string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", fixture))
	require.NoError(t, err)
	r, err := previewReview(data)
	require.NoError(t, err)
	var out []string
	for _, c := range r.Changes {
		out = append(out, string(c.Op)+" "+c.Name+" ("+r.GroupOf[c.Name]+")")
	}
	return out
}

func TestPreviewSummaryPortChange(t *testing.T) {
	assert.Equal(t, []string{
		"create mesh-MySQL-ingress-tcp-3307-sg_CustomerManagement-API (mesh-MySQL)",
		"delete mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API (mesh-MySQL)",
	}, changesOf(t, "preview-port-change.json"), "the stack and the unchanged children are not listed")
	code, out, errs := summarise(t, "preview-port-change.json")
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "groups: no change · rules: 1 created, 1 deleted. Nothing is replaced: traffic stops only where a rule is deleted.")
	assert.Contains(t, out, "| - delete | `mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API` | rule: ingress tcp/3306: MySQL from CustomerManagement-API |  |")
	assert.NotContains(t, out, "#### Findings", "a preview's review has no findings of ours")
}

func TestPreviewSummaryNamePrefix(t *testing.T) {
	got := changesOf(t, "preview-name-prefix.json")
	require.Len(t, got, 42)
	assert.Contains(t, got, "replace mesh-MySQL (mesh-MySQL)")
	assert.Contains(t, got, "replace mesh-MySQL-ingress-tcp-3306-sg_CustomerManagement-API (mesh-MySQL)")
	assert.Contains(t, got, "replace mesh-ELB-CustomerManagement-API-ingress-tcp-7200-sg_FrontEnd-Web (mesh-ELB-CustomerManagement-API)",
		"the longest group name a rule extends")
	for _, c := range got {
		assert.True(t, strings.HasPrefix(c, "replace "), c)
	}

	code, out, errs := summarise(t, "preview-name-prefix.json")
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "groups: 8 replaced · rules: 34 replaced. ⚠️ **Breaks traffic:** 8 groups replaced. AWS deletes a replaced group first")
	assert.Equal(t, 8, strings.Count(out, "— replaced delete-first: its rules are deleted, then the group"))
	assert.Contains(t, out, `name: "MySQL" → "prod-MySQL" (forces replacement)`)
	assert.Contains(t, out, `<br>tags.Name: "MySQL" → "prod-MySQL" |`, "a tag updates in place")
	assert.Contains(t, out, `securityGroupId: "sg-4d14f8fb073ac969c" → unknown until applied (forces replacement)`)
}

func TestPreviewSummaryNewMesh(t *testing.T) {
	got := changesOf(t, "preview-new-mesh.json")
	assert.Len(t, got, 42, "8 groups and 34 rules; the stack and the component are not the mesh's children")
	code, out, errs := summarise(t, "preview-new-mesh.json")
	assert.Equal(t, exitOK, code, errs)
	assert.Contains(t, out, "groups: 8 created · rules: 34 created. Breaks no traffic")
	assert.Contains(t, out, "| + create | `mesh-MySQL` | group MySQL (tier data) |  |")
	d := markdowncheck.Parse(out)
	assert.Equal(t, []string{"pulumi preview: the ServiceMesh's security groups and rules"}, d.Headings)
	assert.Len(t, d.Column("Resource"), 42)
	assert.Len(t, d.Tables, 8, "a table per security group")
	assert.Less(t, len(out), review.CommentLimit)
}

func TestPreviewSummaryErrors(t *testing.T) {
	var out, errs strings.Builder
	assert.Equal(t, exitUsage, runPreviewSummary(nil, strings.NewReader("Previewing update (dev)"), &out, &errs))
	assert.Contains(t, errs.String(), "not the output of `pulumi preview --json`")
	errs.Reset()
	assert.Equal(t, exitUsage, runPreviewSummary([]string{"preview.json"}, strings.NewReader("{}"), &out, &errs))
	assert.Contains(t, errs.String(), "reads `pulumi preview --json` on stdin")
	out.Reset()
	assert.Equal(t, exitOK, runPreviewSummary(nil, strings.NewReader(`{"steps": []}`), &out, &errs))
	assert.Contains(t, out.String(), "groups: no change · rules: no change.")
}

// TestPreviewSummaryReplacementSteps: `pulumi up --json` shows a replacement
// as two steps; they are one replace.
func TestPreviewSummaryReplacementSteps(t *testing.T) {
	const urn = "urn:pulumi:dev::p::servicemesh:index:ServiceMesh$aws:ec2/securityGroup:SecurityGroup::mesh-MySQL"
	js := `{"steps": [
	  {"op": "create-replacement", "urn": "` + urn + `",
	   "oldState": {"inputs": {"name": "MySQL", "tags": {"Service": "MySQL", "Tier": "data"}}},
	   "newState": {"inputs": {"name": "prod-MySQL", "tags": {"Service": "MySQL", "Tier": "data"}}},
	   "detailedDiff": {"name": {"kind": "update-replace"}}},
	  {"op": "delete-replaced", "urn": "` + urn + `",
	   "oldState": {"inputs": {"name": "MySQL", "tags": {"Service": "MySQL", "Tier": "data"}}}}
	]}`
	r, err := previewReview([]byte(js))
	require.NoError(t, err)
	assert.Equal(t, []plandiff.Change{{Op: plandiff.Replace, Type: "aws:ec2/securityGroup:SecurityGroup", Name: "mesh-MySQL",
		About: "group MySQL (tier data)", Fields: []plandiff.Field{{Name: "name", Old: "MySQL", New: "prod-MySQL", Replaces: true}}}}, r.Changes)
}
