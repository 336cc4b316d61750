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

// TestLiveMoto: a mesh adopted over two groups in moto; SSH added by hand
// in the console is found, and so are a planned rule nobody created and the
// group no network interface carries.
func TestLiveMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	vpcID, web, db := f.VPC, f.Web, f.DB
	subnet, err := f.Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(vpcID), CidrBlock: aws.String("10.9.1.0/24")})
	require.NoError(t, err)
	_, err = f.Client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: subnet.Subnet.SubnetId, Groups: []string{web}})
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
    adopt: {groupId: ` + web + `, description: web servers}
    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]
  - name: db
    tier: data
    adopt: {groupId: ` + db + `, description: MySQL}
    ingress: [{ports: [3306, 1186], from: {services: [web]}}]
    egress: [{protocol: all, to: {cidrBlocks: [0.0.0.0/0]}}]
`))
	require.NoError(t, err)
	p, err := plan.Build(m)
	require.NoError(t, err)
	a, err := ec2read.Live{Region: "us-east-1", VpcID: vpcID, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	var got []string
	for _, d := range audit.Compare(p, a, audit.Options{Mesh: "mesh", VpcID: vpcID}) {
		got = append(got, d.Kind+" "+d.Service+" "+d.Rule)
	}
	assert.Equal(t, []string{
		"missing-rule db ingress tcp/1186 from " + web,
		"unattached-group db ",
		"unplanned-rule db ingress tcp/22 from 0.0.0.0/0",
	}, got)
}
