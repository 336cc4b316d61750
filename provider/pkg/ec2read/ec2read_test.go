package ec2read_test

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pulumi-servicemesh/pulumi-servicemesh/provider/pkg/ec2read"
	"github.com/pulumi-servicemesh/pulumi-servicemesh/test/legacy"
)

func TestReadFilesLegacy(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Files()...)
	require.NoError(t, err)
	assert.True(t, a.RuleIDsKnown)
	assert.True(t, a.AttachmentsKnown)
	assert.Equal(t, []string{legacy.VPC}, a.VPCs())
	require.Len(t, a.Groups, 6)

	bastion, err := a.Group("sg-0a000000000000001")
	require.NoError(t, err)
	assert.Equal(t, "launch-wizard-1", bastion.Name)
	assert.Equal(t, "bastion host", bastion.Tags["Name"])
	assert.Equal(t, "111122223333", bastion.OwnerID)
	assert.Equal(t, []ec2read.Rule{
		{ID: "sgr-0b000000000000002", Direction: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22,
			Peer: ec2read.Peer{CIDR: "0.0.0.0/0"}, Description: "temp debug - remove"},
		{ID: "sgr-0b000000000000001", Direction: "ingress", Protocol: "tcp", FromPort: 22, ToPort: 22,
			Peer: ec2read.Peer{CIDR: "203.0.113.0/24"}, Description: "office"},
		{ID: "sgr-0b000000000000003", Direction: "egress", Protocol: "-1", Peer: ec2read.Peer{CIDR: "0.0.0.0/0"}},
	}, bastion.Rules)
	require.Len(t, bastion.Interfaces, 1)
	assert.Equal(t, "10.0.0.10", bastion.Interfaces[0].Addresses[0].String())

	db, err := a.Group("sg-0a000000000000005")
	require.NoError(t, err)
	var peers []string
	for _, r := range db.Rules {
		peers = append(peers, r.Direction+" "+r.Ports()+" "+r.Peer.String())
	}
	assert.Equal(t, []string{
		"ingress tcp/22 sg-0a000000000000001", "ingress tcp/1186 sg-0a000000000000005",
		"ingress tcp/3306 10.0.1.0/24", "ingress tcp/3306 10.0.2.0/24", "ingress tcp/3306 pl-0123456789abcdef0",
		"egress all 0.0.0.0/0",
	}, peers)
	assert.Len(t, db.Interfaces, 2)
}

func TestReadFilesGroupsAlone(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Groups())
	require.NoError(t, err)
	assert.False(t, a.RuleIDsKnown)
	assert.False(t, a.AttachmentsKnown)
	g, err := a.Group("sg-0a000000000000002")
	require.NoError(t, err)
	assert.Empty(t, g.Rules[0].ID)
	assert.Empty(t, g.Interfaces)
}

// TestReadFilesEmptyLists: an empty describe-security-group-rules or
// describe-network-interfaces output is "read, none", not "not read".
func TestReadFilesEmptyLists(t *testing.T) {
	a, err := ec2read.ReadFiles(write(t, `{"SecurityGroups":[{"GroupId":"sg-1"}],"SecurityGroupRules":[],"NetworkInterfaces":[]}`))
	require.NoError(t, err)
	assert.True(t, a.RuleIDsKnown)
	assert.True(t, a.AttachmentsKnown)
}

func TestProtocolsAndPorts(t *testing.T) {
	tests := []struct {
		name, perm string
		want       ec2read.Rule
	}{
		{"number of tcp", `{"IpProtocol":"6","FromPort":80,"ToPort":81,"IpRanges":[{"CidrIp":"10.0.0.0/8"}]}`,
			ec2read.Rule{Direction: "ingress", Protocol: "tcp", FromPort: 80, ToPort: 81, Peer: ec2read.Peer{CIDR: "10.0.0.0/8"}}},
		{"all with -1 ports", `{"IpProtocol":"-1","FromPort":-1,"ToPort":-1,"Ipv6Ranges":[{"CidrIpv6":"::/0"}]}`,
			ec2read.Rule{Direction: "ingress", Protocol: "-1", Peer: ec2read.Peer{CIDR: "::/0"}}},
		{"icmp without ports", `{"IpProtocol":"icmp","PrefixListIds":[{"PrefixListId":"pl-1234abcd"}]}`,
			ec2read.Rule{Direction: "ingress", Protocol: "icmp", FromPort: -1, ToPort: -1, Peer: ec2read.Peer{PrefixList: "pl-1234abcd"}}},
		{"esp", `{"IpProtocol":"50","UserIdGroupPairs":[{"GroupId":"sg-1","UserId":"9","VpcId":"vpc-2"}]}`,
			ec2read.Rule{Direction: "ingress", Protocol: "50", Peer: ec2read.Peer{GroupID: "sg-1", GroupOwner: "9", GroupVpc: "vpc-2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(t, `{"SecurityGroups":[{"GroupId":"sg-9","GroupName":"g","IpPermissions":[`+tt.perm+`]}]}`)
			a, err := ec2read.ReadFiles(path)
			require.NoError(t, err)
			assert.Equal(t, []ec2read.Rule{tt.want}, a.Groups[0].Rules)
		})
	}
}

func TestReadFilesErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"not JSON", `tiers: []`, "not the JSON of `aws ec2 describe-security-groups --output json`"},
		{"a declaration", `{"tiers":[],"services":[]}`, `unexpected key "services"`},
		{"empty object", `{}`, "it has none of SecurityGroups"},
		{"rules alone", `{"SecurityGroupRules":[]}`, "no SecurityGroups: give the output of `aws ec2 describe-security-groups --output json` too"},
		{"wrong shape", `{"SecurityGroups":{"GroupId":"sg-1"}}`, "not the JSON of"},
		{"not a group id", `{"SecurityGroups":[{"GroupId":"vpc-1"}]}`, `GroupId "vpc-1"`},
		{"tcp without ports", `{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"x","IpPermissions":[{"IpProtocol":"tcp"}]}]}`,
			"group sg-1 (x): tcp permission without FromPort/ToPort"},
		{"bad protocol", `{"SecurityGroups":[{"GroupId":"sg-1","IpPermissions":[{"IpProtocol":"gre"}]}]}`, `IpProtocol "gre"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ec2read.ReadFiles(write(t, tt.data))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, err := ec2read.ReadFiles(filepath.Join(t.TempDir(), "missing.json"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestGroupNotFound(t *testing.T) {
	a, err := ec2read.ReadFiles(legacy.Groups())
	require.NoError(t, err)
	_, err = a.Group("sg-0dead")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "security group sg-0dead does not exist in file ")
}

func write(t *testing.T, data string) string {
	path := filepath.Join(t.TempDir(), "in.json")
	require.NoError(t, os.WriteFile(path, []byte(data), 0o600))
	return path
}

// TestReadNetwork reads describe-subnets and describe-network-acls as the
// AWS CLI writes them: protocols as numbers, entries in any order, the IPv6
// catch-all as 32768, a disassociated IPv6 block left out.
func TestReadNetwork(t *testing.T) {
	path := write(t, `{"SecurityGroups":[{"GroupId":"sg-1","GroupName":"g"}],
	"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1","SubnetId":"subnet-1","PrivateIpAddress":"10.0.1.5",
	  "Ipv6Addresses":[{"Ipv6Address":"2001:db8:1::5"}],"Groups":[{"GroupId":"sg-1"}]}],
	"Subnets":[{"SubnetId":"subnet-2","VpcId":"vpc-1","CidrBlock":"10.0.2.0/24"},
	  {"SubnetId":"subnet-1","VpcId":"vpc-1","CidrBlock":"10.0.1.0/24","Ipv6CidrBlockAssociationSet":[
	    {"Ipv6CidrBlock":"2001:db8:1::/64","Ipv6CidrBlockState":{"State":"associated"}},
	    {"Ipv6CidrBlock":"2001:db8:9::/64","Ipv6CidrBlockState":{"State":"disassociated"}}]}],
	"NetworkAcls":[{"NetworkAclId":"acl-1","VpcId":"vpc-1","IsDefault":false,
	  "Associations":[{"SubnetId":"subnet-1"}],
	  "Entries":[
	    {"RuleNumber":32768,"Egress":false,"Protocol":"-1","Ipv6CidrBlock":"::/0","RuleAction":"deny"},
	    {"RuleNumber":100,"Egress":true,"Protocol":"6","PortRange":{"From":443,"To":443},"CidrBlock":"0.0.0.0/0","RuleAction":"allow"},
	    {"RuleNumber":110,"Egress":false,"Protocol":"1","IcmpTypeCode":{"Type":3,"Code":4},"CidrBlock":"0.0.0.0/0","RuleAction":"allow"},
	    {"RuleNumber":100,"Egress":false,"Protocol":"17","CidrBlock":"10.0.0.0/16","RuleAction":"deny"},
	    {"RuleNumber":120,"Egress":false,"Protocol":"50","PortRange":{"From":1,"To":2},"CidrBlock":"10.0.0.0/16","RuleAction":"allow"}]},
	  {"NetworkAclId":"acl-0","VpcId":"vpc-1","IsDefault":true,"Entries":[]}]}`)
	a, err := ec2read.ReadFiles(path)
	require.NoError(t, err)
	assert.Equal(t, []ec2read.Subnet{
		{ID: "subnet-1", VpcID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.1.0/24"), netip.MustParsePrefix("2001:db8:1::/64")}},
		{ID: "subnet-2", VpcID: "vpc-1", CIDRs: []netip.Prefix{netip.MustParsePrefix("10.0.2.0/24")}},
	}, a.Subnets)
	assert.Equal(t, []ec2read.Interface{{ID: "eni-1", SubnetID: "subnet-1", Groups: []string{"sg-1"},
		Addresses: []netip.Addr{netip.MustParseAddr("10.0.1.5"), netip.MustParseAddr("2001:db8:1::5")}}}, a.Interfaces)
	require.Len(t, a.NetworkACLs, 2)
	acl := a.NetworkACLs[1]
	assert.Equal(t, "acl-1", acl.ID)
	var entries []string
	for _, e := range acl.Entries {
		entries = append(entries, e.String())
	}
	assert.Equal(t, []string{
		"ingress #100 deny udp/0-65535 10.0.0.0/16",
		"ingress #110 allow icmp/3:4 0.0.0.0/0",
		"ingress #120 allow proto50 10.0.0.0/16",
		"ingress * deny all ::/0",
		"egress #100 allow tcp/443 0.0.0.0/0",
	}, entries)

	got, err := a.ACLOf(&a.Subnets[0])
	require.NoError(t, err)
	assert.Equal(t, "acl-1", got.ID)
	got, err = a.ACLOf(&a.Subnets[1])
	require.NoError(t, err)
	assert.Equal(t, "acl-0", got.ID, "a subnet without an association has its VPC's default ACL")
	_, err = a.ACLOf(&ec2read.Subnet{ID: "subnet-9", VpcID: "vpc-9"})
	assert.ErrorContains(t, err, "subnet subnet-9 has no network ACL in file ")
	assert.ErrorContains(t, err, "give the output of `aws ec2 describe-network-acls --output json` for vpc-9")
}

func TestReadNetworkErrors(t *testing.T) {
	for _, tc := range []struct{ name, entry, want string }{
		{"bad action", `{"RuleNumber":100,"Protocol":"6","CidrBlock":"0.0.0.0/0","RuleAction":"reject"}`, `network ACL acl-1: entry 100: RuleAction "reject" is neither allow nor deny`},
		{"bad protocol", `{"RuleNumber":100,"Protocol":"gre","CidrBlock":"0.0.0.0/0","RuleAction":"allow"}`, `entry 100: Protocol "gre" is neither`},
		{"no CIDR", `{"RuleNumber":100,"Protocol":"6","RuleAction":"allow"}`, `entry 100: CidrBlock/Ipv6CidrBlock ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ec2read.ReadFiles(write(t, `{"SecurityGroups":[],"NetworkAcls":[{"NetworkAclId":"acl-1","Entries":[`+tc.entry+`]}]}`))
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, err := ec2read.ReadFiles(write(t, `{"SecurityGroups":[],"Subnets":[{"SubnetId":"subnet-1","CidrBlock":"10.0.0.0/33"}]}`))
	assert.ErrorContains(t, err, `subnet subnet-1: CIDR "10.0.0.0/33"`)
}
