package ec2read_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/moto"
)

// TestLiveMoto creates groups in moto with the SDK and reads them back.
func TestLiveMoto(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	vpcID, web, db := f.VPC, f.Web, f.DB
	f.Ingress(t, db, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		IpRanges: []types.IpRange{{CidrIp: aws.String("10.9.1.0/24")}}})

	a, err := ec2read.Live{Region: "us-east-1", VpcID: vpcID, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	assert.Equal(t, "EC2 us-east-1 "+vpcID, a.Source)
	g, err := a.Group(db)
	require.NoError(t, err)
	assert.Equal(t, "db", g.Name)
	assert.Equal(t, "MySQL", g.Description)
	var got []string
	for _, r := range g.Rules {
		got = append(got, r.Direction+" "+r.Ports()+" "+r.Peer.String()+" "+r.Description)
		assert.Regexp(t, `^sgr-`, r.ID, "rule ids come from describe-security-group-rules")
	}
	assert.Equal(t, []string{"ingress tcp/22 10.9.1.0/24 ", "ingress tcp/3306 " + web + " from web", "egress all 0.0.0.0/0 "}, got)
	_, err = a.Group("sg-0123456789abcdef0")
	assert.ErrorContains(t, err, "does not exist in EC2 us-east-1 "+vpcID)
}

func TestLiveNoCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	_, err := ec2read.Live{Region: "us-east-1", Endpoint: "http://127.0.0.1:1"}.Read(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading EC2 in us-east-1: no AWS credentials: set AWS_PROFILE")
	_, err = ec2read.Live{}.Read(context.Background())
	assert.ErrorContains(t, err, "--region is required")
}

// TestLiveMotoNetwork reads subnets, network ACLs and interfaces from moto
// when asked (Network), as the reach command does.
func TestLiveMotoNetwork(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	sub, err := f.Client.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(f.VPC), CidrBlock: aws.String("10.9.1.0/24")})
	require.NoError(t, err)
	subnet := aws.ToString(sub.Subnet.SubnetId)
	eni, err := f.Client.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnet),
		PrivateIpAddress: aws.String("10.9.1.10"), Groups: []string{f.Web}})
	require.NoError(t, err)
	acl, err := f.Client.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(f.VPC)})
	require.NoError(t, err)
	aclID := aws.ToString(acl.NetworkAcl.NetworkAclId)
	_, err = f.Client.CreateNetworkAclEntry(ctx, &ec2.CreateNetworkAclEntryInput{NetworkAclId: aws.String(aclID), RuleNumber: aws.Int32(100),
		Protocol: aws.String("6"), PortRange: &types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}, Egress: aws.Bool(false),
		CidrBlock: aws.String("0.0.0.0/0"), RuleAction: types.RuleActionAllow})
	require.NoError(t, err)
	cur, err := f.Client.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{subnet}}}})
	require.NoError(t, err)
	var assoc string
	for _, a := range cur.NetworkAcls[0].Associations {
		if aws.ToString(a.SubnetId) == subnet {
			assoc = aws.ToString(a.NetworkAclAssociationId)
		}
	}
	_, err = f.Client.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: aws.String(assoc), NetworkAclId: aws.String(aclID)})
	require.NoError(t, err)

	without, err := ec2read.Live{Region: "us-east-1", VpcID: f.VPC, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	assert.Empty(t, without.NetworkACLs, "only reach asks for network ACLs")
	a, err := ec2read.Live{Region: "us-east-1", VpcID: f.VPC, Endpoint: endpoint, Network: true}.Read(ctx)
	require.NoError(t, err)
	require.NotNil(t, a.SubnetOf(subnet))
	assert.Equal(t, "10.9.1.0/24", a.SubnetOf(subnet).CIDRs[0].String())
	got, err := a.ACLOf(a.SubnetOf(subnet))
	require.NoError(t, err)
	assert.Equal(t, aclID, got.ID)
	var entries []string
	for _, e := range got.Entries {
		entries = append(entries, e.String())
	}
	assert.Contains(t, entries, "ingress #100 allow tcp/443 0.0.0.0/0")
	i := slices.IndexFunc(a.Interfaces, func(in ec2read.Interface) bool { return in.ID == aws.ToString(eni.NetworkInterface.NetworkInterfaceId) })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, subnet, a.Interfaces[i].SubnetID)
	assert.Equal(t, []string{f.Web}, a.Interfaces[i].Groups)
	assert.Equal(t, "10.9.1.10", a.Interfaces[i].Addresses[0].String())
}

// TestLiveMotoPrefixLists: a rule naming a managed prefix list gets the
// list's name and entries from EC2; a list no rule names is not read.
func TestLiveMotoPrefixLists(t *testing.T) {
	endpoint := moto.Start(t)
	ctx := context.Background()
	f := moto.NewWebDB(t, endpoint)
	create := func(name string, cidrs ...string) string {
		in := &ec2.CreateManagedPrefixListInput{PrefixListName: aws.String(name), AddressFamily: aws.String("IPv4"), MaxEntries: aws.Int32(5)}
		for _, c := range cidrs {
			in.Entries = append(in.Entries, types.AddPrefixListEntry{Cidr: aws.String(c)})
		}
		out, err := f.Client.CreateManagedPrefixList(ctx, in)
		require.NoError(t, err)
		return aws.ToString(out.PrefixList.PrefixListId)
	}
	office := create("office", "203.0.113.0/24", "198.51.100.0/24")
	partners := create("partners", "192.0.2.0/28")
	unnamed := create("unnamed", "10.200.0.0/16")
	f.Ingress(t, f.Web, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(office)}}})
	f.Ingress(t, f.DB, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String(office)}, {PrefixListId: aws.String(partners)}}})

	a, err := ec2read.Live{Region: "us-east-1", VpcID: f.VPC, Endpoint: endpoint}.Read(ctx)
	require.NoError(t, err)
	want := []ec2read.PrefixList{
		{ID: office, Name: "office", CIDRs: []netip.Prefix{netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24")}},
		{ID: partners, Name: "partners", CIDRs: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/28")}},
	}
	slices.SortFunc(want, func(x, y ec2read.PrefixList) int { return strings.Compare(x.ID, y.ID) })
	assert.Equal(t, want, a.PrefixLists)
	assert.Nil(t, a.PrefixList(unnamed), "no rule names it")
}
