package awsstandin

import (
	"context"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestACLEntries(t *testing.T) {
	entry := func(number int, egress bool, cidr string) *ACLEntry {
		return &ACLEntry{ACL: "acl-1", Egress: egress, Number: number, Protocol: "tcp", Action: "allow", CIDR: cidr, From: 443, To: 443}
	}
	tests := []struct {
		name    string
		quota   string
		before  []*ACLEntry
		add     *ACLEntry
		wantErr string
	}{
		{"a free number", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(101, false, "10.0.0.0/24"), ""},
		{"the same number in the other direction", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, true, "10.0.0.0/24"), ""},
		{"a taken number, whatever the content", "", []*ACLEntry{entry(100, false, "10.0.0.0/24")}, entry(100, false, "10.9.0.0/24"),
			"NetworkAclEntryAlreadyExists: EC2 Network ACL (acl-1) Rule (egress: false)(100) already exists"},
		// quota 3: the default deny rule and two entries fill it
		{"the quota counts the default deny rule", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "10.0.2.0/24"), "NetworkAclEntryLimitExceeded: "},
		{"IPv6 counts apart", "3", []*ACLEntry{entry(1, false, "10.0.0.0/24"), entry(2, false, "10.0.1.0/24")},
			entry(3, false, "2001:db8::/64"), ""},
		{"a number outside 1-32766", "", nil, entry(32767, false, "10.0.0.0/24"), "InvalidParameterValue: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvACLRules, tt.quota)
			a := &Account{}
			a.createACL(&NetworkACL{ID: "acl-1", VpcID: "vpc-1"}, nil)
			for _, e := range tt.before {
				require.NoError(t, a.addACLEntry(e))
			}
			err := a.addACLEntry(tt.add)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, a.ACLEntries, len(tt.before)+1)
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), err.Error())
			assert.Len(t, a.ACLEntries, len(tt.before), "a refused entry changes nothing")
		})
	}
}

// A subnet is in exactly one ACL; dropped from its ACL, or with the ACL
// deleted, it is back in the VPC's default ACL.
func TestSubnetAssociation(t *testing.T) {
	a := &Account{}
	a.createACL(&NetworkACL{ID: "acl-web", VpcID: "vpc-1"}, []string{"subnet-a", "subnet-b"})
	a.createACL(&NetworkACL{ID: "acl-app", VpcID: "vpc-1"}, []string{"subnet-b", "subnet-c"})
	assert.Equal(t, []string{"subnet-a"}, a.SubnetsOf("acl-web"), "subnet-b moved to acl-app")
	assert.Equal(t, []string{"subnet-b", "subnet-c"}, a.SubnetsOf("acl-app"))

	a.setSubnets(a.NetworkACLs["acl-app"], []string{"subnet-c"})
	assert.Equal(t, []string{"subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))

	require.NoError(t, a.addACLEntry(&ACLEntry{ACL: "acl-web", Number: 100, Protocol: "tcp", CIDR: "10.0.0.0/24"}))
	require.NoError(t, a.deleteACL("acl-web"))
	assert.Equal(t, []string{"subnet-a", "subnet-b"}, a.SubnetsOf(DefaultACL("vpc-1")))
	assert.Empty(t, a.ACLEntries, "entries go with their ACL")
	assert.ErrorContains(t, a.deleteACL("acl-web"), "InvalidNetworkAclID.NotFound")
}

// Through the plugin protocol: a rule that changes is replaced create-first
// (pulumi-aws #3244), so its successor must take a free number; one that
// reuses the old number is refused as the real provider refuses it.
func TestACLRuleReplacesCreateFirst(t *testing.T) {
	p := newProvider(t)
	ctx := context.Background()
	acl, err := p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLType, "web"),
		Properties: props(t, map[string]any{"vpcId": "vpc-1", "subnetIds": []any{"subnet-a"}})})
	require.NoError(t, err)
	rule := func(number int, port int) map[string]any {
		return map[string]any{"networkAclId": acl.GetId(), "ruleNumber": number, "egress": false, "protocol": "tcp",
			"ruleAction": "allow", "cidrBlock": "10.0.0.0/24", "fromPort": port, "toPort": port}
	}
	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r443"), Properties: props(t, rule(14509, 443))})
	require.NoError(t, err)

	diff, err := p.Diff(ctx, &pulumirpc.DiffRequest{Urn: urn(NetworkACLRuleType, "r443"),
		OldInputs: props(t, rule(14509, 443)), News: props(t, rule(14509, 8443))})
	require.NoError(t, err)
	assert.Equal(t, []string{"fromPort", "toPort"}, diff.GetReplaces())
	assert.False(t, diff.GetDeleteBeforeReplace(), "pulumi-aws creates the new rule first")

	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r443"), Properties: props(t, rule(14509, 8443))})
	require.ErrorContains(t, err, "NetworkAclEntryAlreadyExists")
	_, err = p.Create(ctx, &pulumirpc.CreateRequest{Urn: urn(NetworkACLRuleType, "r8443"), Properties: props(t, rule(5785, 8443))})
	require.NoError(t, err)
	assert.Equal(t, []string{"subnet-a"}, account(t, p).SubnetsOf(acl.GetId()))
}

// Check must not hold network ACL rules to security-group rule fields
// (type, securityGroupId): their inputs pass unchanged.
func TestCheckPassesNetworkACLRules(t *testing.T) {
	p := newProvider(t)
	in := map[string]any{"networkAclId": "acl-1", "ruleNumber": 100, "egress": false, "protocol": "tcp",
		"ruleAction": "allow", "cidrBlock": "10.0.0.0/24", "fromPort": 443, "toPort": 443}
	resp, err := p.Check(context.Background(), &pulumirpc.CheckRequest{Urn: urn(NetworkACLRuleType, "r"), News: props(t, in)})
	require.NoError(t, err)
	assert.Empty(t, resp.GetFailures())
	assert.Equal(t, propsOf(t, props(t, in)), propsOf(t, resp.GetInputs()))
}
