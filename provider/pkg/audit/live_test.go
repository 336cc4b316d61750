package audit_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/audit"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/plan"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/spec"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestLiveMoto: each kind of drift, live: a mesh adopted over two groups in
// moto, with SSH added by hand in the console, a planned rule nobody
// created, a group no network interface carries, a description that
// differs, and a group and rule an interrupted up left outside the state.
func TestLiveMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	vpcID, web, db := f.VPC, f.Web, f.DB
	subnet, err := f.Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.9.1.0/24")})
	require.NoError(t, err)
	// What an interrupted up leaves: the mesh's group for cache, unknown to the state.
	cache := moto.CreateGroup(t, f.Client, vpcID, "cache", "cache security group, managed by pulumi-servicemesh")
	_, err = f.Client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subnet.Subnet.SubnetId, Groups: []string{web, cache}})
	require.NoError(t, err)
	f.Ingress(t, db, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}})
	m, err := spec.Decode([]byte(`
vpcId: ` + vpcID + `
egress: none
tiers: [{name: app}, {name: data}]
services:
  - name: web
    tier: app
    adopt: {groupId: ` + web + `, description: web, rules: [web/egress/all/0.0.0.0_0]}
    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]
  - name: db
    tier: data
    adopt: {groupId: ` + db + `, description: MySQL, rules: [db/egress/all/0.0.0.0_0]}
    ingress: [{ports: [3306, 1186], from: {services: [web]}}]
    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]
  - name: cache
    tier: data
    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	a, err := ec2read.Live{Region: "us-east-1", VpcID: vpcID, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	const parent = "urn:pulumi:prod::net::servicemesh:index:ServiceMesh::mesh"
	state, err := audit.ReadState([]byte(`{"deployment": {"resources": [{"urn": "` + parent + `", "type": "servicemesh:index:ServiceMesh"}]}}`))
	require.NoError(t, err)
	var got []string
	fixes := map[string]string{}
	for _, d := range audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: vpcID, State: state}) {
		got = append(got, d.Kind+" "+d.Service+" "+d.Rule)
		fixes[d.Kind+" "+d.Service] = d.Fix
	}
	assert.Equal(t, []string{
		"orphan-group cache ",
		"orphan-rule cache egress all to 0.0.0.0/0",
		"missing-rule db ingress tcp/1186 from " + web,
		"orphan-rule db ingress tcp/3306 from " + web,
		"unattached-group db ",
		"unplanned-rule db ingress tcp/22 from 0.0.0.0/0",
		"group-differs web ",
	}, got)
	assert.Equal(t, "pulumi import aws:ec2/securityGroup:SecurityGroup mesh-cache '"+cache+"' --parent 'mesh="+parent+"'", fixes["orphan-group cache"])
	assert.Equal(t, "pulumi import aws:ec2/securityGroupRule:SecurityGroupRule mesh-cache-egress-all-0.0.0.0_0 '"+cache+"_egress_all_0_0_0.0.0.0/0' --parent 'mesh="+parent+"'",
		fixes["orphan-rule cache"])
	assert.Contains(t, fixes["orphan-rule db"], "in adopt.rules so pulumi up imports it, or: pulumi import")
}
