package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestLive: import and audit read EC2 live (moto) with --region, --vpc-id
// and --endpoint-url.
func TestLive(t *testing.T) {
	endpoint := moto.Start(t)
	f := moto.NewWebDB(t, endpoint)
	live := []string{"--region", "us-east-1", "--vpc-id", f.VPC, "--endpoint-url", endpoint}
	out := filepath.Join(t.TempDir(), "mesh.yaml")
	code, stdout, errs := runCLI(append([]string{"import", "-o", out}, live...)...)
	require.Equal(t, exitOK, code, errs)
	assert.Contains(t, stdout, "2 service(s)")

	code, stdout, errs = runCLI(append([]string{"audit", out}, live...)...)
	assert.Equal(t, exitDrift, code, errs)
	assert.Contains(t, stdout, "unattached-group", "moto has no network interfaces: both groups are attached nowhere")
	assert.NotContains(t, stdout, "unplanned-rule", "the rules are exactly the imported ones")
	assert.NotContains(t, stdout, "missing-rule", "the rules are exactly the imported ones")
}

// TestLiveReach: reach reads groups, interfaces, subnets and network ACLs
// from EC2 live (moto).
func TestLiveReach(t *testing.T) {
	endpoint := moto.Start(t)
	f := moto.NewWebDB(t, endpoint)
	ctx := context.Background()
	sub, err := f.Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(f.VPC), CidrBlock: aws.String("10.9.1.0/24")})
	require.NoError(t, err)
	for ip, group := range map[string]string{"10.9.1.10": f.Web, "10.9.1.20": f.DB} {
		_, err := f.Client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: sub.Subnet.SubnetId,
			PrivateIpAddress: aws.String(ip), Groups: []string{group}})
		require.NoError(t, err)
	}
	live := []string{"--region", "us-east-1", "--vpc-id", f.VPC, "--endpoint-url", endpoint}
	code, stdout, stderr := runCLI(append([]string{"reach", "--from", "web", "--to", "10.9.1.20", "--port", "tcp/3306"}, live...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "can web reach 10.9.1.20 on tcp/3306 (replies on tcp/1024-65535)? yes\n")
	assert.Contains(t, stdout, "same subnet: network ACLs do not filter traffic within a subnet")
	code, stdout, _ = runCLI(append([]string{"reach", "--from", "db", "--to", "web", "--port", "tcp/22"}, live...)...)
	assert.Equal(t, exitRefused, code)
	assert.Contains(t, stdout, "refused by the destination security groups, ingress ("+f.Web+"): no ingress rule of "+f.Web+" allows tcp/22 from 10.9.1.20")
}
