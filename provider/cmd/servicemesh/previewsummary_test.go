package main

import (
	"fmt"
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
	assert.Equal(t, exitUsage, runPreviewSummary([]string{"preview.json"}, strings.NewReader("{}"), &out, &errs))
	assert.Contains(t, errs.String(), "reads `pulumi preview --json` on stdin")
}

// Issue 21 item 1: what is not a successful preview listing the mesh is
// refused with its own exit status and the reason, never summarised as
// "breaks no traffic".
func TestPreviewSummaryRefusesWhatItCannotVouchFor(t *testing.T) {
	const child = `"urn:pulumi:dev::p::servicemesh:index:ServiceMesh$aws:ec2/securityGroup:SecurityGroup::mesh-MySQL"`
	for name, tc := range map[string]struct{ in, want string }{
		"empty":           {"", "the input is empty; did `pulumi preview --json` fail?"},
		"blank":           {"\n  \n", "the input is empty"},
		"not JSON":        {"Previewing update (dev)", "not the output of `pulumi preview --json`: invalid character"},
		"an empty object": {"{}", "not the output of `pulumi preview --json`: it lists no steps"},
		"no mesh": {`{"steps": [{"op": "same", "urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"}], "changeSummary": {"same": 1}}`,
			"the preview lists no ServiceMesh; if the program has one and nothing in it changes, `pulumi preview --json` lists it only with --show-sames"},
		"no steps at all": {`{"steps": []}`, "the preview lists no ServiceMesh"},
		"a failed preview": {`{"steps": [{"op": "same", "urn": ` + child + `}], "diagnostics": [
			{"message": "warning: something", "severity": "warning"},
			{"message": "error: services[0] (MySQL): unknown field \"tiers\"\n", "severity": "error"}]}`,
			`the preview failed, so what it would change is not known: error: services[0] (MySQL): unknown field "tiers"`},
	} {
		t.Run(name, func(t *testing.T) {
			var out, errs strings.Builder
			assert.Equal(t, exitNoPreview, runPreviewSummary(nil, strings.NewReader(tc.in), &out, &errs))
			assert.Empty(t, out.String(), "no review that could pass for a safe one")
			assert.Contains(t, errs.String(), "servicemesh: preview-summary: no preview to summarise: "+tc.want)
		})
	}

	// An unchanged mesh, listed with --show-sames, is no change.
	var out, errs strings.Builder
	assert.Equal(t, exitOK, runPreviewSummary(nil, strings.NewReader(`{"steps": [{"op": "same", "urn": `+child+`}]}`), &out, &errs), errs.String())
	assert.Contains(t, out.String(), "groups: no change · rules: no change.")
}

// Issue 18 item 9: a rule's ports read as package ports writes them
// everywhere else, and its group comes from the engine's record of where
// its securityGroupId comes from, not from cutting its name.
func TestPreviewSummaryPortsAndGroupFromInputs(t *testing.T) {
	const prefix = "urn:pulumi:dev::p::servicemesh:index:ServiceMesh$aws:ec2/"
	rule := func(name, proto string, from, to int) string {
		return fmt.Sprintf(`{"op": "create", "urn": "%ssecurityGroupRule:SecurityGroupRule::%s", "newState": {
			"inputs": {"type": "ingress", "protocol": %q, "fromPort": %d, "toPort": %d, "securityGroupId": "sg-1"},
			"propertyDependencies": {"securityGroupId": ["%ssecurityGroup:SecurityGroup::mesh-web-ingress-lb"]}}}`,
			prefix, name, proto, from, to, prefix)
	}
	js := `{"steps": [` + strings.Join([]string{
		rule("mesh-web-ingress-lb-ingress-icmp-8-0-self", "icmp", 8, 0),
		rule("mesh-web-ingress-lb-ingress-proto50-self", "50", 0, 0),
		rule("mesh-web-ingress-lb-ingress-all-self", "-1", 0, 0),
		rule("mesh-web-ingress-lb-ingress-icmp-all-self", "icmp", -1, -1),
		rule("mesh-web-ingress-lb-ingress-tcp-1024-65535-self", "tcp", 1024, 65535),
	}, ",") + `]}`
	r, err := previewReview([]byte(js))
	require.NoError(t, err)
	var got []string
	for _, c := range r.Changes {
		got = append(got, c.About+" ("+r.GroupOf[c.Name]+")")
	}
	assert.ElementsMatch(t, []string{
		"rule: ingress icmp/8:0 (mesh-web-ingress-lb)",
		"rule: ingress proto50 (mesh-web-ingress-lb)",
		"rule: ingress all (mesh-web-ingress-lb)",
		"rule: ingress icmp/all (mesh-web-ingress-lb)",
		"rule: ingress tcp/1024-65535 (mesh-web-ingress-lb)",
	}, got, "the group mesh-web-ingress-lb is not in the steps: its name is not cut at -ingress-")
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

// Issue 20: a preview's network ACL changes are reviewed too, under their
// ACL (its URN in the rule's networkAclId dependencies): a rule created, one
// replaced create-first at a new number.
func TestPreviewSummaryNetworkACLs(t *testing.T) {
	const prefix = "urn:pulumi:dev::p::servicemesh:index:ServiceMesh$aws:ec2/"
	acl := prefix + "networkAcl:NetworkAcl::mesh-nacl-app"
	rule := func(op, name string, number int, proto string, port int, cidr string) string {
		return fmt.Sprintf(`{"op": %q, "urn": "%snetworkAclRule:NetworkAclRule::%s", "newState": {
			"inputs": {"networkAclId": "acl-1", "ruleNumber": %d, "egress": false, "protocol": %q, "ruleAction": "allow",
			           "fromPort": %d, "toPort": %d, "ipv6CidrBlock": %q},
			"propertyDependencies": {"networkAclId": [%q]}}%s}`, op, prefix, name, number, proto, port, port, cidr, acl,
			map[bool]string{true: `, "detailedDiff": {"ruleNumber": {"kind": "update-replace"}}`}[op != "create"])
	}
	js := `{"steps": [{"op": "same", "urn": "urn:pulumi:dev::p::pulumi:pulumi:Stack$servicemesh:index:ServiceMesh::mesh"},` + strings.Join([]string{
		rule("create", "mesh-nacl-app-in-tcp-582-10.0.1.0_24", 32704, "tcp", 582, "10.0.1.0/24"),
		rule("create-replacement", "mesh-nacl-app-in-udp-1024-65535-.._0", 32758, "udp", 1024, "::/0"),
		rule("delete-replaced", "mesh-nacl-app-in-udp-1024-65535-.._0", 18741, "udp", 1024, "::/0"),
	}, ",") + `]}`
	r, err := previewReview([]byte(js))
	require.NoError(t, err)
	var got []string
	for _, c := range r.Changes {
		got = append(got, string(c.Op)+" "+c.About+" ("+r.GroupOf[c.Name]+")")
	}
	assert.Equal(t, []string{
		"create network ACL rule: ingress #32704 tcp/582 10.0.1.0/24 (mesh-nacl-app)",
		"replace network ACL rule: ingress #32758 udp/1024 ::/0 (mesh-nacl-app)",
	}, got)
	md := r.Markdown(review.CommentLimit)
	assert.Contains(t, md, "network ACL rules: 1 created, 1 replaced. Breaks no traffic: 1 network ACL rule replaced create-first")
	assert.Contains(t, md, "**Network ACL `mesh-nacl-app`**\n")
}
