package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/finding"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/flow"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/rule"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// externalMesh has four tiers and one service per tier; the test case adds
// external groups and rules.
func externalMesh(t *testing.T, extra string) spec.Mesh {
	t.Helper()
	m, err := spec.Decode([]byte(`
egress: mirror
tiers: [{name: dmz}, {name: web}, {name: app}, {name: data}]
services:
  - {name: Web, tier: web}
  - {name: DB, tier: data}
` + extra))
	require.NoError(t, err)
	return m
}

func TestExternalGroupsArePeersTheMeshNeverChanges(t *testing.T) {
	m := externalMesh(t, `
externalGroups:
  - {name: eks-nodes, securityGroupId: sg-0123456789abcdef0}
`)
	m.Services[0].Ingress = []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{443}}, From: spec.Peers{Services: []string{"eks-nodes"}}}}
	m.Services[0].Egress = []spec.EgressRule{{Traffic: spec.Traffic{Ports: []int{8080}}, To: spec.Peers{Services: []string{"eks-nodes"}}}}
	p, err := plan.Build(m)
	require.NoError(t, err)

	var keys []string
	for _, r := range p.Rules {
		keys = append(keys, r.Key)
	}
	// The mirror policy copies only group-to-group flows onto the caller; an
	// external caller gets nothing, and no group but the mesh's holds rules.
	assert.Equal(t, []string{"Web/egress/tcp-8080/sg_eks-nodes", "Web/ingress/tcp-443/sg_eks-nodes"}, keys)
	assert.Equal(t, []string{"DB", "Web"}, []string{p.Groups[0].Service, p.Groups[1].Service}, "no group is created for it")
	assert.Equal(t, []spec.ExternalGroup{{Name: "eks-nodes", SecurityGroupID: "sg-0123456789abcdef0"}}, p.ExternalGroups)
	assert.Equal(t, flow.Summary{From: "eks-nodes", To: "Web", Protocol: "tcp", FromPort: 443, ToPort: 443,
		Ports: "tcp/443", Description: ""}, flow.Summaries(p.Flows)[1], "listed in flows")
	assert.Equal(t, "Web-ingress-tcp-443-sg_eks-nodes", rule.Name(p.Rules[1]), "named after the declared name, not the id")
}

func TestExternalGroupsFollowTheirTier(t *testing.T) {
	for _, tc := range []struct {
		name, external string
		wantErr        string // "" when allowed
	}{
		{"no tier: allowed", `{name: lb, securityGroupId: sg-0123456789abcdef0}`, ""},
		{"adjacent tier", `{name: lb, tier: app}`, ""},
		{"shared", `{name: lb, tier: dmz, shared: true}`, ""},
		{"skips tiers", `{name: lb, tier: dmz}`,
			"error [tier-adjacency] service \"DB\" rule ingress[0]: external group lb (tier dmz) -> DB (tier data) on tcp/3306 skips tiers web, app; " +
				"fix: route it through a service in tiers web, app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := externalMesh(t, "externalGroups: ["+tc.external+"]\n")
			m.Services[1].Ingress = []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{3306}}, From: spec.Peers{Services: []string{"lb"}}}}
			_, err := plan.Build(m)
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			var fe *finding.Errors
			require.ErrorAs(t, err, &fe)
			require.Len(t, fe.Findings, 1)
			assert.Equal(t, tc.wantErr, fe.Findings[0].String())
		})
	}
}

func TestExternalGroupsAreValidated(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		rule        spec.Peers
		want        string
	}{
		{"name of a service", `externalGroups: [{name: Web}]`, spec.Peers{Self: true},
			`error [duplicate-name] externalGroups[0]: external group "Web" has the name of a service; fix: rename the external group or the service called "Web"`},
		{"unknown tier", `externalGroups: [{name: lb, tier: dnz}]`, spec.Peers{Services: []string{"lb"}},
			`error [unknown-reference] externalGroups[0]: external group "lb" is in undeclared tier "dnz"; fix: did you mean "dmz"?`},
		{"not a group id", `externalGroups: [{name: lb, securityGroupId: lb-1}]`, spec.Peers{Services: []string{"lb"}},
			`error [invalid-peer] externalGroups[0]: external group "lb": "lb-1" is not a security group id; fix: use a security group id such as sg-0123456789abcdef0, or 444455556666/sg-0123456789abcdef0 for another account's group`},
		{"owner not an account id (issue 18 item 8)", `externalGroups: [{name: lb, securityGroupId: 4444/sg-0123456789abcdef0}]`, spec.Peers{Services: []string{"lb"}},
			`error [invalid-peer] externalGroups[0]: external group "lb": "4444/sg-0123456789abcdef0" is not a security group id; fix: use a security group id such as sg-0123456789abcdef0, or 444455556666/sg-0123456789abcdef0 for another account's group`},
		{"misspelt peer", `externalGroups: [{name: eks-nodes}]`, spec.Peers{Services: []string{"eks-node"}},
			`error [unknown-reference] service "DB" rule ingress[0]: from names unknown service "eks-node"; fix: did you mean "eks-nodes"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := externalMesh(t, tc.extra+"\n")
			m.Services[1].Ingress = []spec.IngressRule{{Traffic: spec.Traffic{Ports: []int{3306}}, From: tc.rule}}
			_, err := plan.Build(m)
			var fe *finding.Errors
			require.ErrorAs(t, err, &fe)
			var got []string
			for _, f := range fe.Findings {
				got = append(got, f.String())
			}
			assert.Equal(t, []string{tc.want}, got)
		})
	}
}

// What an instance attaches is its own group, then attachedWith in order,
// external groups included; the quota counts exactly that list.
func TestAttachmentsAreWhatTheQuotaCounts(t *testing.T) {
	m := externalMesh(t, "externalGroups: [{name: eks-nodes}]\nlimits: {groupsPerInterface: 2}\n")
	m.Services[0].AttachedWith = []string{"eks-nodes", "DB", "eks-nodes"}
	p, err := plan.Build(m)
	var fe *finding.Errors
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, map[string][]string{"Web": {"Web", "eks-nodes", "DB"}, "DB": {"DB"}}, p.Attachments)
	assert.Contains(t, fe.Error(), `its network interfaces carry 3 groups (Web, eks-nodes, DB), over the limit of 2`)
}
