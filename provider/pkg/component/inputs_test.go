package component_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/component"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
)

// inputsMesh lets eks-nodes (made elsewhere) reach Api on 443 and the office
// (ranges from an output) on 22; Api's instances also carry eks-nodes.
func inputsMesh(t *testing.T) spec.Mesh {
	t.Helper()
	m, err := spec.Decode([]byte(`
egress: none
tiers: [{name: app}]
networks: [{name: office}]
externalGroups: [{name: eks-nodes, tier: app}]
services:
  - name: Api
    tier: app
    attachedWith: [eks-nodes]
    ingress:
      - {ports: [443], from: {services: [eks-nodes]}}
      - {ports: [22], from: {networks: [office]}}
`))
	require.NoError(t, err)
	m.Unknown = []string{spec.ListID("network", "office")}
	return m
}

func TestComponentPassesExternalIDsAndListsIntoRules(t *testing.T) {
	rec := &recorder{resources: map[string]resource.PropertyMap{}}
	var attachments map[string][]string
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		mesh, err := component.New(ctx, "mesh", component.Args{
			VpcID: pulumi.String("vpc-123"), Mesh: inputsMesh(t),
			ExternalGroupIDs: map[string]pulumi.StringInput{"eks-nodes": pulumi.String("sg-0aaaaaaaaaaaaaaaa")},
			CidrBlocksFrom: map[string]pulumi.StringArrayInput{
				"network:office": pulumi.ToStringArray([]string{"203.0.113.0/24", "2001:db8::/48", "198.51.100.0/24"}),
			},
		})
		if err != nil {
			return err
		}
		ctx.Export("attachments", mesh.Attachments.ApplyT(func(a map[string][]string) map[string][]string {
			attachments = a
			return a
		}))
		return nil
	}, pulumi.WithMocks("project", "stack", rec))
	require.NoError(t, err)

	rules := rec.of("aws:ec2/securityGroupRule:SecurityGroupRule")
	require.Len(t, rules, 2)
	ext := rules["mesh-Api-ingress-tcp-443-sg_eks-nodes"]
	require.NotNil(t, ext)
	assert.Equal(t, "sg-0aaaaaaaaaaaaaaaa", ext["sourceSecurityGroupId"].StringValue())
	assert.Equal(t, "id-mesh-Api", ext["securityGroupId"].StringValue())

	office := rules["mesh-Api-ingress-tcp-22-network_office"]
	require.NotNil(t, office)
	assert.Equal(t, resource.NewPropertyValue([]any{"198.51.100.0/24", "203.0.113.0/24"}), office["cidrBlocks"], "sorted")
	assert.Equal(t, resource.NewPropertyValue([]any{"2001:db8::/48"}), office["ipv6CidrBlocks"])

	assert.Len(t, rec.of("aws:ec2/securityGroup:SecurityGroup"), 1, "no group is made for eks-nodes")
	assert.Equal(t, map[string][]string{"Api": {"id-mesh-Api", "sg-0aaaaaaaaaaaaaaaa"}}, attachments)
}

// listInputs are the inputs the mock sees for office's rule when the
// output-valued list is values.
func listInputs(t *testing.T, values []string) resource.PropertyMap {
	t.Helper()
	rec := &recorder{resources: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, "mesh", component.Args{
			VpcID: pulumi.String("vpc-123"), Mesh: inputsMesh(t),
			ExternalGroupIDs: map[string]pulumi.StringInput{"eks-nodes": pulumi.String("sg-0aaaaaaaaaaaaaaaa")},
			CidrBlocksFrom: map[string]pulumi.StringArrayInput{
				"network:office": pulumi.ToStringArray(values).ToStringArrayOutput(),
			},
		})
		return err
	}, pulumi.WithMocks("project", "stack", rec))
	require.NoError(t, err)
	return rec.of("aws:ec2/securityGroupRule:SecurityGroupRule")["mesh-Api-ingress-tcp-22-network_office"]
}

// Issue 18 item 1: a reorder of an output-valued list, or a repeat in it,
// replaced the rule (delete-first on AWS: SSH from the office cut). The
// component normalises the list, so the provider sees the same inputs.
func TestListReorderAndRepeatsAreNoChange(t *testing.T) {
	want := listInputs(t, []string{"198.51.100.0/24", "192.0.2.0/24", "2001:db8::/48"})
	assert.Equal(t, resource.NewPropertyValue([]any{"192.0.2.0/24", "198.51.100.0/24"}), want["cidrBlocks"])
	for _, values := range [][]string{
		{"192.0.2.0/24", "198.51.100.0/24", "2001:db8::/48"},
		{"2001:db8::/48", "198.51.100.0/24", "192.0.2.0/24", "198.51.100.0/24", "2001:db8::/48"},
	} {
		assert.Equal(t, want, listInputs(t, values), "%v", values)
	}
}

func TestComponentRefusesAnExternalGroupWithoutID(t *testing.T) {
	rec := &recorder{resources: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String("vpc-123"), Mesh: inputsMesh(t)})
		return err
	}, pulumi.WithMocks("project", "stack", rec))
	require.ErrorContains(t, err, `service mesh "mesh": external group "eks-nodes" has no securityGroupId; pass the group's id`)
	assert.Empty(t, rec.resources, "nothing half-made")
}

// A declaration read from a file gives the id and the values as plain values.
func TestComponentTakesIDsAndListsFromTheDeclaration(t *testing.T) {
	m := inputsMesh(t)
	m.Unknown = nil
	m.ExternalGroups[0].SecurityGroupID = "sg-0bbbbbbbbbbbbbbbb"
	m.Networks[0].CidrBlocksFrom = []string{"203.0.113.0/24"}
	rec := &recorder{resources: map[string]resource.PropertyMap{}}
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		_, err := component.New(ctx, "mesh", component.Args{VpcID: pulumi.String("vpc-123"), Mesh: m})
		return err
	}, pulumi.WithMocks("project", "stack", rec))
	require.NoError(t, err)
	rules := rec.of("aws:ec2/securityGroupRule:SecurityGroupRule")
	assert.Equal(t, "sg-0bbbbbbbbbbbbbbbb", rules["mesh-Api-ingress-tcp-443-sg_eks-nodes"]["sourceSecurityGroupId"].StringValue())
	assert.Equal(t, resource.NewPropertyValue([]any{"203.0.113.0/24"}), rules["mesh-Api-ingress-tcp-22-network_office"]["cidrBlocks"])
}
