package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
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

// TestLiveReachNetworkACL: read live, a refusal by the destination subnet's
// network ACL is named as such, with its entry, where the groups allow.
func TestLiveReachNetworkACL(t *testing.T) {
	endpoint := moto.Start(t)
	f := moto.NewWebDB(t, endpoint)
	ctx := context.Background()
	subnets, enis := map[string]string{}, map[string]string{}
	for cidr, group := range map[string]string{"10.9.1.0/24": f.Web, "10.9.2.0/24": f.DB} {
		sub, err := f.Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(f.VPC), CidrBlock: aws.String(cidr)})
		require.NoError(t, err)
		subnets[group] = aws.ToString(sub.Subnet.SubnetId)
		eni, err := f.Client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: sub.Subnet.SubnetId,
			PrivateIpAddress: aws.String(strings.TrimSuffix(cidr, "0/24") + "10"), Groups: []string{group}})
		require.NoError(t, err)
		enis[group] = aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	}
	acl, err := f.Client.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(f.VPC)})
	require.NoError(t, err)
	aclID := aws.ToString(acl.NetworkAcl.NetworkAclId)
	for _, e := range []struct {
		number   int32
		action   types.RuleAction
		from, to int32
	}{{90, types.RuleActionDeny, 3306, 3306}, {100, types.RuleActionAllow, 0, 65535}} { // the first match decides
		in := &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(aclID), RuleNumber: aws.Int32(e.number), Egress: aws.Bool(false),
			Protocol: aws.String("6"), PortRange: &types.PortRange{From: aws.Int32(e.from), To: aws.Int32(e.to)},
			CidrBlock: aws.String("10.9.1.0/24"), RuleAction: e.action}
		_, err := f.Client.CreateNetworkAclEntry(ctx, in)
		require.NoError(t, err)
	}
	cur, err := f.Client.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{subnets[f.DB]}}}})
	require.NoError(t, err)
	require.Len(t, cur.NetworkAcls, 1)
	var assoc string
	for _, a := range cur.NetworkAcls[0].Associations {
		if aws.ToString(a.SubnetId) == subnets[f.DB] {
			assoc = aws.ToString(a.NetworkAclAssociationId)
		}
	}
	_, err = f.Client.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: aws.String(assoc), NetworkAclId: aws.String(aclID)})
	require.NoError(t, err)

	live := []string{"--region", "us-east-1", "--vpc-id", f.VPC, "--endpoint-url", endpoint}
	code, stdout, stderr := runCLI(append([]string{"reach", "--from", "web", "--to", "db", "--port", "tcp/3306"}, live...)...)
	require.Equal(t, exitRefused, code, stderr)
	assert.Contains(t, stdout, "can web reach db on tcp/3306 (replies on tcp/1024-65535)? no\n")
	assert.Contains(t, stdout, "refused by the destination subnet's network ACL, ingress ("+aclID+"): ingress #90 deny tcp/3306 10.9.1.0/24")
	assert.Contains(t, stdout, "destination security groups, ingress", "the groups' verdict is shown beside it")

	// observe reads the same account live (no describe files): the
	// inventory the records are attributed with, and which layer refused.
	flows := filepath.Join(t.TempDir(), "flows.log")
	require.NoError(t, os.WriteFile(flows, []byte("version interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action tcp-flags log-status\n"+
		"5 "+enis[f.DB]+" 10.9.1.10 10.9.2.10 40001 3306 6 3 180 1795000000 1795000060 REJECT 2 OK\n"), 0o644))
	code, stdout, stderr = runCLI(append([]string{"observe", flows}, live...)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Rejected (which layer refuses each, by the reach evaluator over the account read):\n"+
		"  web -> db tcp/3306: 1 records, scanning or one-off; refused by the network ACL (10.9.1.10 -> 10.9.2.10): "+
		"destination subnet's network ACL, ingress ("+aclID+"): ingress #90 deny tcp/3306 10.9.1.0/24\n")

	code, _, stderr = runCLI("observe", "--region", "us-east-1", flows)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "or --region R --vpc-id V (EC2 live)")
}
